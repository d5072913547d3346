// A mock cluster, an io thread and a bootstrapped KafkaClient per test, plus produce/consume
// helpers that block the test body with a bound on every wait.
#pragma once

#include <cstdlib>
#include <memory>
#include <vector>

#include "client/consumer.h"
#include "client/kafka_client.h"
#include "client/producer.h"
#include "client/tests/mock_cluster.h"

namespace sluice::client::testing {

inline asio::awaitable<std::vector<DeliveryReport>> produce_all(Producer* producer,
                                                                std::vector<ProducerRecord> records) {
  auto reports = std::make_shared<std::vector<DeliveryReport>>();
  for (auto& r : records) {
    producer->produce(std::move(r), [reports](const DeliveryReport& d) { reports->push_back(d); });
  }
  co_await producer->flush();
  co_return *reports;
}

// Polls until `want` records arrived or `limit` passed.
inline asio::awaitable<Result<std::vector<ConsumerRecord>>> consume(Consumer* consumer, size_t want,
                                                                    std::chrono::milliseconds limit) {
  std::vector<ConsumerRecord> all;
  const auto deadline = Clock::now() + limit;
  while (all.size() < want && Clock::now() < deadline) {
    SLUICE_CO_TRY(auto batch, co_await consumer->poll(std::chrono::milliseconds(200)));
    for (auto& r : batch) all.push_back(std::move(r));
  }
  co_return all;
}

inline asio::awaitable<void> close_client(KafkaClient* client) {
  client->close();
  co_return;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("SLUICE_TEST_DEBUG") != nullptr) spdlog::set_level(spdlog::level::debug);
    client_ = std::make_unique<KafkaClient>(io_.executor(), config());
    const Status st = run(client_->bootstrap());
    ASSERT_TRUE(st) << st.error().message();
  }
  void TearDown() override {
    if (client_) run(close_client(client_.get()));
  }
  [[nodiscard]] ClientConfig config() const {
    ClientConfig c;
    c.bootstrap_servers = cluster_.bootstraps();
    c.connection.request_timeout = std::chrono::seconds(5);
    c.connection.connect_timeout = std::chrono::seconds(2);
    c.retry_backoff = std::chrono::milliseconds(50);
    return c;
  }
  template <typename T>
  T run(asio::awaitable<T> task) {
    return io_.sync(client_->executor(), std::move(task));
  }
  void run(asio::awaitable<void> task) { io_.sync(client_->executor(), std::move(task)); }

  std::vector<ConsumerRecord> consume_from(const std::vector<Assignment>& assignment, size_t want,
                                           ConsumerConfig cc = {}) {
    Consumer consumer(*client_, cc);
    const Status st = run(consumer.assign(assignment));
    EXPECT_TRUE(st) << st.error().message();
    auto records = run(consume(&consumer, want, std::chrono::seconds(10)));
    EXPECT_TRUE(records) << records.error().message();
    return records ? std::move(records).value() : std::vector<ConsumerRecord>{};
  }

  MockCluster cluster_{3};
  IoThread io_;
  std::unique_ptr<KafkaClient> client_;
};

}  // namespace sluice::client::testing
