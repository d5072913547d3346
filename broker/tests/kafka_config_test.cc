#include "broker/kafka_config.h"

#include <fstream>

#include <gtest/gtest.h>

#include "broker/replica_fetcher.h"
#include "broker/tests/test_client.h"

namespace sluice::broker {
namespace {

Properties minimal(Properties extra = {}) {
  Properties p{{"broker.id", "0"}, {"zookeeper.connect", "127.0.0.1:2181"}};
  for (auto& [k, v] : extra) p[k] = v;
  return p;
}

KafkaConfig parse_ok(const Properties& p) {
  auto config = KafkaConfig::from_properties(p);
  EXPECT_TRUE(config) << (config ? "" : config.error().message);
  return config ? config.value() : KafkaConfig{};
}

std::string parse_error(const Properties& p) {
  auto config = KafkaConfig::from_properties(p);
  EXPECT_FALSE(config);
  return config ? "" : config.error().message;
}

TEST(KafkaConfig, DefaultsAreKafkas) {
  const KafkaConfig c = parse_ok(minimal());
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].to_string(), "PLAINTEXT://:9092");
  EXPECT_EQ(c.advertised_listeners, c.listeners);
  EXPECT_EQ(c.log_dirs, std::vector<std::filesystem::path>{"/tmp/kafka-logs"});
  EXPECT_EQ(c.zookeeper_session_timeout_ms, 18000);
  EXPECT_EQ(c.zookeeper_connection_timeout_ms, 18000);
  EXPECT_EQ(c.zookeeper_max_in_flight_requests, 10);
  EXPECT_EQ(c.num_partitions, 1);
  EXPECT_EQ(c.default_replication_factor, 1);
  EXPECT_TRUE(c.auto_create_topics_enable);
  EXPECT_EQ(c.socket_request_max_bytes, 104857600);
  EXPECT_EQ(c.log_config.max_message_bytes, 1048588);
  EXPECT_EQ(c.log_config.retention_ms, 168LL * 3600 * 1000);
  EXPECT_EQ(c.log_config.segment_ms, 168LL * 3600 * 1000);
  EXPECT_EQ(c.log_config.segment_bytes, 1073741824);
  EXPECT_EQ(c.log_config.retention_bytes, -1);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.unclean_leader_election_enable);
  EXPECT_EQ(c.group_max_session_timeout_ms, 1800000);
}

TEST(KafkaConfig, ReadsServerKeys) {
  const KafkaConfig c = parse_ok(minimal({{"broker.id", "7"},
                                          {"listeners", "PLAINTEXT://:9092, PLAINTEXT://[::1]:9093"},
                                          {"advertised.listeners", "PLAINTEXT://broker7.example:9092"},
                                          {"zookeeper.connect", "zk1:2181,zk2,zk3:2182/sluice/a"},
                                          {"zookeeper.session.timeout.ms", "6000"},
                                          {"zookeeper.max.in.flight.requests", "100"},
                                          {"auto.create.topics.enable", "false"},
                                          {"log.level", "debug"}}));
  EXPECT_EQ(c.broker_id, BrokerId(7));
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[1].host, "::1");
  EXPECT_EQ(c.listeners[1].to_string(), "PLAINTEXT://[::1]:9093");
  EXPECT_EQ(c.advertised_listeners.at(0).host, "broker7.example");
  EXPECT_EQ(c.zookeeper_connect.chroot, "/sluice/a");
  EXPECT_EQ(c.zookeeper_connect.to_string(), "zk1:2181,zk2:2181,zk3:2182/sluice/a");
  EXPECT_EQ(c.zookeeper_connection_timeout_ms, 6000);  // follows the session timeout
  EXPECT_EQ(c.zookeeper_max_in_flight_requests, 100);
  EXPECT_FALSE(c.auto_create_topics_enable);
  EXPECT_EQ(c.log_level, "debug");
}

TEST(KafkaConfig, RetentionPrefersMsThenMinutesThenHours) {
  EXPECT_EQ(parse_ok(minimal({{"log.retention.hours", "2"}})).log_config.retention_ms, 7'200'000);
  EXPECT_EQ(parse_ok(minimal({{"log.retention.hours", "2"}, {"log.retention.minutes", "3"}})).log_config.retention_ms,
            180'000);
  const Properties all_three{{"log.retention.hours", "2"}, {"log.retention.minutes", "3"}, {"log.retention.ms", "5"}};
  EXPECT_EQ(parse_ok(minimal(all_three)).log_config.retention_ms, 5);
  EXPECT_EQ(parse_ok(minimal({{"log.retention.ms", "-5"}})).log_config.retention_ms, -1);
  EXPECT_EQ(parse_ok(minimal({{"log.retention.hours", "-1"}})).log_config.retention_ms, -1);
  EXPECT_EQ(parse_ok(minimal({{"log.roll.hours", "1"}, {"log.roll.ms", "1000"}})).log_config.segment_ms, 1000);
}

TEST(KafkaConfig, LogDirsBeatsLogDir) {
  EXPECT_EQ(parse_ok(minimal({{"log.dir", "/a"}})).log_dirs, std::vector<std::filesystem::path>{"/a"});
  const KafkaConfig c = parse_ok(minimal({{"log.dir", "/a"}, {"log.dirs", " /b , /c,"}}));
  EXPECT_EQ(c.log_dirs, (std::vector<std::filesystem::path>{"/b", "/c"}));
}

TEST(KafkaConfig, LogKeysProduceTheLogManagerConfig) {
  const KafkaConfig c = parse_ok(minimal({{"log.dirs", "/d1,/d2"},
                                          {"log.segment.bytes", "1048576"},
                                          {"log.index.size.max.bytes", "4096"},
                                          {"log.index.interval.bytes", "100"},
                                          {"log.retention.bytes", "5000000"},
                                          {"log.flush.interval.messages", "10"},
                                          {"log.flush.interval.ms", "1000"},
                                          {"message.max.bytes", "2000"},
                                          {"min.insync.replicas", "2"},
                                          {"compression.type", "zstd"},
                                          {"log.message.timestamp.type", "LogAppendTime"},
                                          {"num.recovery.threads.per.data.dir", "4"},
                                          {"log.retention.check.interval.ms", "1000"},
                                          {"log.flush.offset.checkpoint.interval.ms", "2000"},
                                          {"replica.high.watermark.checkpoint.interval.ms", "3000"}}));
  const storage::LogManagerConfig m = c.log_manager_config();
  EXPECT_EQ(m.log_dirs.size(), 2u);
  EXPECT_EQ(m.default_config.segment_bytes, 1048576);
  EXPECT_EQ(m.default_config.segment_index_bytes, 4096);
  EXPECT_EQ(m.default_config.index_interval_bytes, 100);
  EXPECT_EQ(m.default_config.retention_bytes, 5000000);
  EXPECT_EQ(m.default_config.flush_messages, 10);
  EXPECT_EQ(m.default_config.flush_ms, 1000);
  EXPECT_EQ(m.default_config.max_message_bytes, 2000);
  EXPECT_EQ(m.default_config.min_insync_replicas, 2);
  EXPECT_EQ(m.default_config.compression, storage::TopicCompression::zstd);
  EXPECT_EQ(m.default_config.timestamp_type, protocol::TimestampType::log_append_time);
  EXPECT_EQ(m.num_recovery_threads_per_data_dir, 4);
  EXPECT_EQ(m.retention_check_interval_ms, 1000);
  EXPECT_EQ(m.recovery_point_checkpoint_interval_ms, 2000);
  EXPECT_EQ(m.high_watermark_checkpoint_interval_ms, 3000);
}

struct BadValue {
  const char* key;
  const char* value;
};

TEST(KafkaConfig, InvalidValuesAreRefusedNamingTheKey) {
  const BadValue cases[] = {
      {"broker.id", "abc"},          {"broker.id", "-1"},
      {"num.partitions", "0"},       {"num.partitions", "99999999999"},
      {"auto.create.topics.enable", "yes"},
      {"listeners", "SSL://:9093"},  {"listeners", "PLAINTEXT://host:99999"},
      {"listeners", "localhost:9092"},
      {"listeners", "PLAINTEXT://:9092,PLAINTEXT://127.0.0.1:9092"},
      {"zookeeper.connect", ""},     {"zookeeper.connect", "zk:2181//x"},
      {"zookeeper.connect", "zk:port"},
      {"log.level", "verbose"},      {"log.segment.bytes", "10"},
      {"log.segment.bytes", "3000000000"},
      {"compression.type", "brotli"},
      {"log.cleanup.policy", "compact"},
      {"log.message.timestamp.type", "Now"},
      {"socket.request.max.bytes", "0"},
      {"log.dirs", ""},              {"log.retention.ms", "1h"},
      {"default.replication.factor", "40000"},
      {"num.replica.fetchers", "0"},     {"replica.fetch.max.bytes", "-1"},
      {"replica.fetch.wait.max.ms", "x"}, {"replica.fetch.backoff.ms", "-5"},
      {"replica.socket.timeout.ms", "0"}, {"replica.fetch.response.max.bytes", "3000000000"},
  };
  for (const auto& [key, value] : cases) {
    SCOPED_TRACE(std::string(key) + "=" + value);
    const std::string error = parse_error(minimal({{key, value}}));
    EXPECT_TRUE(error.starts_with(std::string(key) + ": ")) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos);
  }
}

TEST(KafkaConfig, UnknownKeyIsRefused) {
  EXPECT_EQ(parse_error(minimal({{"log.retention.hourz", "1"}})), "log.retention.hourz: unknown configuration key");
}

TEST(KafkaConfig, BrokerIdAndZookeeperConnectAreRequired) {
  EXPECT_TRUE(parse_error({{"zookeeper.connect", "zk:2181"}}).starts_with("broker.id: "));
  EXPECT_TRUE(parse_error({{"broker.id", "1"}}).starts_with("zookeeper.connect: "));
}

TEST(KafkaConfig, OverridesWinOverTheFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "server.properties";
  std::ofstream(file) << "broker.id=1\nzookeeper.connect=zk:2181\nnum.partitions=3\nlog.dirs=/from/file\n";
  auto config = KafkaConfig::load(file, {"num.partitions=5", "log.dirs=/from/override", "log.level = warn"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().num_partitions, 5);
  EXPECT_EQ(config.value().log_dirs, std::vector<std::filesystem::path>{"/from/override"});
  EXPECT_EQ(config.value().broker_id, BrokerId(1));
  EXPECT_EQ(config.value().log_level, "warn");

  auto bad = KafkaConfig::load(file, {"num.partitions"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("key=value"), std::string::npos);
  auto missing = KafkaConfig::load(dir.path() / "absent", {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos);
}

TEST(KafkaConfig, NetworkThreadsAreCappedAtTheCoresAndIoThreadsAreNot) {
  KafkaConfig c = parse_ok(minimal({{"num.network.threads", "1"}, {"num.io.threads", "1"}}));
  EXPECT_EQ(c.network_threads(), 1);
  EXPECT_EQ(c.num_io_threads, 1);
  c = parse_ok(minimal({{"num.network.threads", "1000"}, {"num.io.threads", "16"}}));
  EXPECT_EQ(c.network_threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(c.num_io_threads, 16);
}

TEST(KafkaConfig, ReplicaFetcherKeysHaveKafkasDefaults) {
  const KafkaConfig c = parse_ok(minimal());
  EXPECT_EQ(c.num_replica_fetchers, 1);
  EXPECT_EQ(c.replica_fetch_max_bytes, 1048576);
  EXPECT_EQ(c.replica_fetch_min_bytes, 1);
  EXPECT_EQ(c.replica_fetch_wait_max_ms, 500);
  EXPECT_EQ(c.replica_fetch_response_max_bytes, 10485760);
  EXPECT_EQ(c.replica_fetch_backoff_ms, 1000);
  EXPECT_EQ(c.replica_socket_timeout_ms, 30000);
  EXPECT_EQ(c.replica_lag_time_max_ms, 30000);
}

TEST(KafkaConfig, ReplicaFetcherKeysReachTheFetcherConfig) {
  const KafkaConfig c = parse_ok(minimal({{"broker.id", "4"},
                                          {"num.replica.fetchers", "3"},
                                          {"replica.fetch.max.bytes", "2048"},
                                          {"replica.fetch.min.bytes", "16"},
                                          {"replica.fetch.wait.max.ms", "250"},
                                          {"replica.fetch.response.max.bytes", "65536"},
                                          {"replica.fetch.backoff.ms", "100"},
                                          {"replica.socket.timeout.ms", "5000"},
                                          {"replica.lag.time.max.ms", "8000"}}));
  const ReplicaFetcherConfig f = replica_fetcher_config(c);
  EXPECT_EQ(f.local, BrokerId(4));
  EXPECT_EQ(f.num_fetchers, 3);
  EXPECT_EQ(f.partition_max_bytes, 2048);
  EXPECT_EQ(f.min_bytes, 16);
  EXPECT_EQ(f.max_wait, std::chrono::milliseconds(250));
  EXPECT_EQ(f.response_max_bytes, 65536);
  EXPECT_EQ(f.backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(f.request_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.replica_lag_time_max_ms, 8000);
}

TEST(KafkaConfig, FetchWaitMustFitTheSocketTimeoutAndTheLagTime) {
  // Kafka: replica.fetch.wait.max.ms <= replica.socket.timeout.ms and <= replica.lag.time.max.ms.
  std::string error = parse_error(minimal({{"replica.fetch.wait.max.ms", "2000"}, {"replica.socket.timeout.ms", "1999"}}));
  EXPECT_TRUE(error.starts_with("replica.socket.timeout.ms (1999) must be at least replica.fetch.wait.max.ms (2000)"))
      << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  error = parse_error(minimal({{"replica.fetch.wait.max.ms", "2000"}, {"replica.lag.time.max.ms", "1000"}}));
  EXPECT_TRUE(error.starts_with("replica.fetch.wait.max.ms (2000) must be at most replica.lag.time.max.ms (1000)"))
      << error;
  // The defaults move with either key: a lag time under the default wait fails too.
  EXPECT_FALSE(KafkaConfig::from_properties(minimal({{"replica.lag.time.max.ms", "499"}})));
  // Equal values are allowed, as in Kafka.
  const KafkaConfig c = parse_ok(minimal({{"replica.fetch.wait.max.ms", "3000"},
                                          {"replica.socket.timeout.ms", "3000"},
                                          {"replica.lag.time.max.ms", "3000"}}));
  EXPECT_EQ(c.replica_fetch_wait_max_ms, 3000);
}

TEST(KafkaConfig, UncleanLeaderElectionIsTheTopicDefaultToo) {
  EXPECT_FALSE(parse_ok(minimal()).log_config.unclean_leader_election_enable);
  EXPECT_TRUE(parse_ok(minimal({{"unclean.leader.election.enable", "true"}})).log_config.unclean_leader_election_enable);
}

TEST(ReplicaFetcherId, MatchesKafkasHashOfTopicAndPartition) {
  // Expected values computed with Java's String.hashCode: abs(31 * hash + partition) % n.
  EXPECT_EQ(fetcher_id_for(TopicPartition{"quickstart", PartitionId(0)}, 3), 1);
  EXPECT_EQ(fetcher_id_for(TopicPartition{"quickstart", PartitionId(1)}, 3), 2);
  EXPECT_EQ(fetcher_id_for(TopicPartition{"quickstart", PartitionId(0)}, 4), 3);
  // Negative hashes (Java int overflow) take the absolute value.
  EXPECT_EQ(fetcher_id_for(TopicPartition{"orders", PartitionId(0)}, 3), 2);
  EXPECT_EQ(fetcher_id_for(TopicPartition{"orders", PartitionId(2)}, 4), 3);
  EXPECT_EQ(fetcher_id_for(TopicPartition{"a-very-long-topic-name-for-overflow", PartitionId(1)}, 4), 3);
  EXPECT_EQ(fetcher_id_for(TopicPartition{"orders", PartitionId(3)}, 1), 0);
}

TEST(KafkaConfig, ShippedExampleConfigParses) {
  auto config = KafkaConfig::load(std::filesystem::path(SLUICE_SOURCE_DIR) / "config/server.properties", {});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().listeners.at(0).to_string(), "PLAINTEXT://127.0.0.1:9092");
  EXPECT_EQ(config.value().log_dirs, std::vector<std::filesystem::path>{"/tmp/sluice-logs"});
}

}  // namespace
}  // namespace sluice::broker
