// Incremental fetch sessions end to end (KIP-227): our client's Consumer against an in-process
// broker with one session slot reads every record, in order, across partition adds and removes
// and after a follower's session evicts its own.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/wire_calls.h"
#include "client/consumer.h"
#include "client/kafka_client.h"
#include "tests/support/io_thread.h"

namespace sluice::broker::testing {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;

class FetchSessions : public ::testing::Test {
 protected:
  FetchSessions() : broker_({"max.incremental.fetch.session.cache.slots=1"}) {}

  void produce(const std::string& topic, int first, int count) {
    TestClient c(broker_.port());
    protocol::RecordBatchBuilder builder({});
    for (int i = first; i < first + count; ++i) {
      const Bytes value = text(topic + "-" + std::to_string(i));
      builder.append(TimestampMs(1'700'000'000'000), std::nullopt, ByteView(value));
    }
    const Bytes batch = builder.build().value();
    auto reply = call<protocol::ProduceResponse>(c, 8, produce_request(topic, batch, 1));
    ASSERT_TRUE(reply);
    ASSERT_EQ(only(*reply).error_code, 0);
  }

  // Polls until `want` records per topic arrived (bounded), appending what came to got_.
  void poll_until(const std::map<std::string, size_t>& want) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    auto enough = [&] {
      for (const auto& [topic, n] : want) {
        if (got_[topic].size() < n) return false;
      }
      return true;
    };
    while (!enough() && std::chrono::steady_clock::now() < deadline) {
      auto records = io_.sync(kafka_->executor(), consumer_->poll(200ms));
      ASSERT_TRUE(records) << records.error().message();
      for (const auto& r : records.value()) got_[r.topic].push_back(std::string(as_chars(*r.value)));
    }
    ASSERT_TRUE(enough()) << "records missing after 30 s";
  }

  void assign(const std::vector<std::pair<std::string, int64_t>>& at) {
    std::vector<client::Assignment> assignment;
    for (const auto& [topic, offset] : at) {
      assignment.push_back({.tp = {topic, PartitionId(0)}, .start = client::StartOffset::at(Offset(offset))});
    }
    auto st = io_.sync(kafka_->executor(), consumer_->assign(std::move(assignment)));
    ASSERT_TRUE(st) << st.error().message();
  }

  static std::vector<std::string> expected(const std::string& topic, int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back(topic + "-" + std::to_string(i));
    return out;
  }

  void SetUp() override {
    ASSERT_TRUE(broker_.started());
    for (const char* t : {"fs-a", "fs-b", "fs-c"}) ASSERT_EQ(broker_.host(t), ErrorCode::none);
    client::ClientConfig cc;
    cc.bootstrap_servers = broker_.bootstrap();
    kafka_ = std::make_unique<client::KafkaClient>(io_.executor(), cc);
    ASSERT_TRUE(io_.sync(kafka_->executor(), kafka_->bootstrap()));
    consumer_ = std::make_unique<client::Consumer>(*kafka_, client::ConsumerConfig{});
  }

  void TearDown() override {
    consumer_.reset();
    if (kafka_) {
      io_.sync(kafka_->executor(), [](client::KafkaClient* k) -> asio::awaitable<void> {
        k->close();
        co_return;
      }(kafka_.get()));
    }
  }

  KafkaServerFixture broker_;
  sluice::testing::IoThread io_;
  std::unique_ptr<client::KafkaClient> kafka_;
  std::unique_ptr<client::Consumer> consumer_;
  std::map<std::string, std::vector<std::string>> got_;
};

TEST_F(FetchSessions, OurConsumerReadsEverythingAcrossAddsRemovesAndAnEviction) {
  FetchSessionCache& sessions = broker_.server().fetch_session_cache();
  produce("fs-a", 0, 50);
  produce("fs-b", 0, 50);
  assign({{"fs-a", 0}, {"fs-b", 0}});
  poll_until({{"fs-a", 50}, {"fs-b", 50}});
  EXPECT_EQ(sessions.size(), 1u) << "the consumer holds a session";
  // In the session: only moved partitions are sent, new records still arrive.
  produce("fs-b", 50, 30);
  poll_until({{"fs-b", 80}});

  // fs-a leaves, fs-c joins: forgotten and added within the session.
  assign({{"fs-b", 80}, {"fs-c", 0}});
  produce("fs-c", 0, 40);
  produce("fs-b", 80, 20);
  poll_until({{"fs-b", 100}, {"fs-c", 40}});
  EXPECT_EQ(sessions.total_partitions(), 2u);

  // A follower's full fetch takes the only slot: the consumer's session is evicted.
  {
    TestClient follower(broker_.port());
    protocol::FetchRequest f = fetch_request("fs-a", Offset(0));
    f.replica_id = BrokerId(7);
    f.session_id = 0;
    f.session_epoch = 0;
    auto reply = call<protocol::FetchResponse>(follower, 11, f);
    ASSERT_TRUE(reply);
    EXPECT_NE(reply->session_id, 0);
  }
  EXPECT_EQ(sessions.evictions(), 1u);
  produce("fs-c", 40, 25);
  produce("fs-a", 50, 10);
  assign({{"fs-a", 50}, {"fs-b", 100}, {"fs-c", 40}});
  poll_until({{"fs-a", 60}, {"fs-c", 65}});

  EXPECT_EQ(got_["fs-a"], expected("fs-a", 60));
  EXPECT_EQ(got_["fs-b"], expected("fs-b", 100));
  EXPECT_EQ(got_["fs-c"], expected("fs-c", 65));
}

// The broker's side of a session error: an unknown session and a wrong epoch answer with the
// error and no partitions.
TEST_F(FetchSessions, UnknownSessionsAndWrongEpochsAreRefused) {
  TestClient c(broker_.port());
  protocol::FetchRequest f = fetch_request("fs-a", Offset(0));
  f.session_id = 12345;
  f.session_epoch = 3;
  auto unknown = call<protocol::FetchResponse>(c, 11, f);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->error_code, static_cast<int16_t>(ErrorCode::fetch_session_id_not_found));
  EXPECT_TRUE(unknown->responses.empty());
  f.session_id = 0;
  f.session_epoch = 0;
  auto created = call<protocol::FetchResponse>(c, 11, f, 2);
  ASSERT_TRUE(created);
  ASSERT_NE(created->session_id, 0);
  f.session_id = created->session_id;
  f.session_epoch = 2;  // 1 is expected
  auto wrong = call<protocol::FetchResponse>(c, 11, f, 3);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->error_code, static_cast<int16_t>(ErrorCode::invalid_fetch_session_epoch));
}

}  // namespace
}  // namespace sluice::broker::testing
