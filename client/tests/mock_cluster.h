// Helpers for the client's integration tests: librdkafka's mock cluster (a real Kafka-protocol
// broker set on 127.0.0.1 ports), an io_context on its own thread, and a blocking bridge from
// the test body to coroutines on the KafkaClient's strand.
#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <future>
#include <optional>
#include <string>
#include <thread>

#include "client/async_util.h"

namespace sluice::client::testing {

using namespace std::chrono_literals;

class MockCluster {
 public:
  explicit MockCluster(int brokers = 3) {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    EXPECT_NE(rk_, nullptr) << errstr;
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    EXPECT_NE(cluster_, nullptr);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  [[nodiscard]] std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  void create_topic(const std::string& name, int partitions, int replication = 3) {
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void set_leader(const std::string& topic, int partition, int broker) {
    ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  // Metadata answers `err` for the topic (librdkafka's mock creates unknown topics otherwise).
  void set_topic_error(const std::string& topic, rd_kafka_resp_err_t err) {
    rd_kafka_mock_topic_set_error(cluster_, topic.c_str(), err);
  }
  void set_down(int broker) { ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_, broker), RD_KAFKA_RESP_ERR_NO_ERROR); }
  void set_up(int broker) { ASSERT_EQ(rd_kafka_mock_broker_set_up(cluster_, broker), RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// An io_context run by one background thread for the lifetime of the object.
class IoThread {
 public:
  IoThread() : thread_([this] { ctx_.run(); }) {}
  ~IoThread() {
    work_.reset();
    thread_.join();
  }
  asio::any_io_executor executor() { return ctx_.get_executor(); }

  // Runs `task` on `where` and blocks the test until it finishes (at most 30 s).
  template <typename T>
  T sync(asio::any_io_executor where, asio::awaitable<T> task) {
    auto future = asio::co_spawn(where, detail::wrap_optional(std::move(task)), asio::use_future);
    if (future.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within 30 s";
      std::abort();
    }
    return std::move(*future.get());
  }
  void sync(asio::any_io_executor where, asio::awaitable<void> task) {
    auto future = asio::co_spawn(where, std::move(task), asio::use_future);
    if (future.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within 30 s";
      std::abort();
    }
    future.get();
  }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ctx_);
  std::thread thread_;
};

inline Bytes bytes(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }
// prefix + i (GCC 12 -O3 misreports operator+ on a literal and a temporary as -Wrestrict).
inline std::string numbered(std::string_view prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}
inline std::string text(const Bytes& b) { return std::string(as_chars(b)); }

}  // namespace sluice::client::testing
