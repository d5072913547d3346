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
#include "tests/support/io_thread.h"

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

using sluice::testing::IoThread;

inline Bytes bytes(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }
// prefix + i (GCC 12 -O3 misreports operator+ on a literal and a temporary as -Wrestrict).
inline std::string numbered(std::string_view prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}
inline std::string text(const Bytes& b) { return std::string(as_chars(b)); }

}  // namespace sluice::client::testing
