// Kafka's znode JSON: exact shapes written, and what Kafka (and older Kafkas) wrote is read.
#include <gtest/gtest.h>

#include "coordination/errc.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"

namespace sluice::coordination {
namespace {

std::string text(const Bytes& b) { return std::string(as_chars(b)); }
ByteView json(std::string_view s) { return as_bytes(s); }

BrokerInfo two_listener_broker() {
  return BrokerInfo{.id = BrokerId(1),
                    .endpoints = {{"PLAINTEXT", "b1.example", 9092, "PLAINTEXT"}, {"REPL", "b1.example", 9093, "SSL"}},
                    .rack = std::nullopt,
                    .jmx_port = -1,
                    .timestamp = TimestampMs(1623400000123),
                    .epoch = -1};
}

TEST(KafkaZkJson, BrokerRegistrationIsKafkaVersion5) {
  EXPECT_EQ(text(kafka_json::encode_broker(two_listener_broker())),
            R"({"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","REPL":"SSL"},)"
            R"("endpoints":["PLAINTEXT://b1.example:9092","REPL://b1.example:9093"],"jmx_port":-1,"port":9092,)"
            R"("host":"b1.example","version":5,"timestamp":"1623400000123"})");
}

TEST(KafkaZkJson, BrokerWithoutPlaintextHasNullHostAndRackWhenSet) {
  BrokerInfo b{.id = BrokerId(2), .endpoints = {{"INTERNAL", "::1", 9094, "SSL"}}, .rack = "r1",
               .jmx_port = 9999, .timestamp = TimestampMs(5), .epoch = -1};
  EXPECT_EQ(text(kafka_json::encode_broker(b)),
            R"({"features":{},"listener_security_protocol_map":{"INTERNAL":"SSL"},)"
            R"("endpoints":["INTERNAL://[::1]:9094"],"jmx_port":9999,"port":-1,"host":null,"version":5,)"
            R"("timestamp":"5","rack":"r1"})");
  auto back = kafka_json::decode_broker(BrokerId(2), 77, kafka_json::encode_broker(b)).value();
  b.epoch = 77;
  EXPECT_EQ(back, b);
}

TEST(KafkaZkJson, BrokerRoundTripsAndOldVersionsParse) {
  BrokerInfo b = two_listener_broker();
  b.epoch = 42;
  EXPECT_EQ(kafka_json::decode_broker(BrokerId(1), 42, kafka_json::encode_broker(b)).value(), b);

  // Version 1 (host/port only) and version 2 (endpoints named by protocol, no map).
  const auto v1 = kafka_json::decode_broker(
      BrokerId(3), 1, json(R"({"jmx_port":-1,"timestamp":"1","host":"h","version":1,"port":9092})")).value();
  EXPECT_EQ(v1.endpoints, (std::vector<EndPoint>{{"PLAINTEXT", "h", 9092, "PLAINTEXT"}}));
  const auto v2 = kafka_json::decode_broker(
      BrokerId(3), 1, json(R"({"jmx_port":-1,"timestamp":"1","endpoints":["SSL://h:9093"],"host":null,"version":2,"port":-1})"))
                      .value();
  EXPECT_EQ(v2.endpoints, (std::vector<EndPoint>{{"SSL", "h", 9093, "SSL"}}));
}

TEST(KafkaZkJson, TopicAssignmentIsVersion3WithReassignmentMaps) {
  TopicAssignment t;
  t.partitions[PartitionId(0)] = {{BrokerId(1), BrokerId(2)}, {}, {}};
  t.partitions[PartitionId(1)] = {{BrokerId(2), BrokerId(4), BrokerId(1), BrokerId(3)}, {BrokerId(4)}, {BrokerId(3)}};
  EXPECT_EQ(text(kafka_json::encode_topic_assignment(t)),
            R"({"version":3,"partitions":{"0":[1,2],"1":[2,4,1,3]},"adding_replicas":{"1":[4]},)"
            R"("removing_replicas":{"1":[3]}})");
  EXPECT_EQ(kafka_json::decode_topic_assignment(kafka_json::encode_topic_assignment(t)).value(), t);
  t.topic_id = "TU1XaFQyRkp0QWVtZ0JKdQ";
  EXPECT_EQ(kafka_json::decode_topic_assignment(kafka_json::encode_topic_assignment(t)).value(), t);

  const auto v1 = kafka_json::decode_topic_assignment(json(R"({"version":1,"partitions":{"0":[3]}})")).value();
  EXPECT_EQ(v1.partitions.at(PartitionId(0)).replicas, std::vector<BrokerId>{BrokerId(3)});
}

TEST(KafkaZkJson, ReassignPartitionsZnode) {
  PartitionReassignments r;
  r[TopicPartition{"orders", PartitionId(0)}] = {BrokerId(4), BrokerId(5)};
  r[TopicPartition{"a", PartitionId(2)}] = {BrokerId(1)};
  EXPECT_EQ(text(kafka_json::encode_partition_reassignments(r)),
            R"({"version":1,"partitions":[{"topic":"a","partition":2,"replicas":[1]},)"
            R"({"topic":"orders","partition":0,"replicas":[4,5]}]})");
  EXPECT_EQ(kafka_json::decode_partition_reassignments(kafka_json::encode_partition_reassignments(r)).value(), r);
  // Kafka's plan files carry log_dirs: ignored.
  auto plan = kafka_json::decode_partition_reassignments(
      json(R"({"version":1,"partitions":[{"topic":"t","partition":1,"replicas":[3,1],"log_dirs":["any","any"]}]})"));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan.value().at(TopicPartition{"t", PartitionId(1)}), (std::vector<BrokerId>{BrokerId(3), BrokerId(1)}));
  for (const char* bad : {R"({"version":1})", R"({"partitions":[{"topic":"t","partition":0,"replicas":["1"]}]})",
                          R"({"partitions":[{"topic":"t","partition":0}]})", "[1]",
                          R"({"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]})"}) {
    auto decoded = kafka_json::decode_partition_reassignments(json(bad));
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error(), Errc::corrupt_data) << bad;
  }
}

TEST(KafkaZkJson, PartitionStateShape) {
  const LeaderIsrAndControllerEpoch s{{BrokerId(2), LeaderEpoch(14), {BrokerId(2), BrokerId(3), BrokerId(1)}, ZkVersion(0)},
                                      ControllerEpoch(7)};
  EXPECT_EQ(text(kafka_json::encode_partition_state(s)),
            R"({"controller_epoch":7,"leader":2,"version":1,"leader_epoch":14,"isr":[2,3,1]})");
  auto back = kafka_json::decode_partition_state(kafka_json::encode_partition_state(s), ZkVersion(9)).value();
  EXPECT_EQ(back.leader_and_isr.zk_version, ZkVersion(9));
  back.leader_and_isr.zk_version = ZkVersion(0);
  EXPECT_EQ(back, s);
}

TEST(KafkaZkJson, TopicConfigEscapesArbitraryValues) {
  const TopicConfig config = {{"cleanup.policy", "compact"},
                              {"weird\"key", "quote\" backslash\\ newline\n tab\t nul\x01 unicode é"}};
  const Bytes bytes = kafka_json::encode_topic_config(config);
  EXPECT_TRUE(text(bytes).starts_with(R"({"version":1,"config":{"cleanup.policy":"compact",)"));
  EXPECT_NE(text(bytes).find(R"(quote\" backslash\\ newline\n tab\t nul\u0001)"), std::string::npos);
  EXPECT_EQ(kafka_json::decode_topic_config(bytes).value(), config);
  EXPECT_EQ(text(kafka_json::encode_topic_config({})), R"({"version":1,"config":{}})");
}

TEST(KafkaZkJson, ClusterIdVersionIsAString) {
  EXPECT_EQ(text(kafka_json::encode_cluster_id("m5mKTtD1Q7WfsR5h1w4ZAw")),
            R"({"version":"1","id":"m5mKTtD1Q7WfsR5h1w4ZAw"})");
  EXPECT_EQ(kafka_json::decode_cluster_id(json(R"({"version":"1","id":"abc"})")).value(), "abc");
  const std::string id = random_base64_uuid();
  EXPECT_EQ(id.size(), 22u);
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(random_base64_uuid(), id);
}

TEST(KafkaZkJson, MalformedDataIsCorruptData) {
  EXPECT_EQ(kafka_json::decode_cluster_id(json("not json")).error(), Errc::corrupt_data);
  EXPECT_EQ(kafka_json::decode_cluster_id(json("[1]")).error(), Errc::corrupt_data);
  EXPECT_EQ(kafka_json::decode_partition_state(json(R"({"leader":"x"})"), ZkVersion(0)).error(), Errc::corrupt_data);
  EXPECT_EQ(kafka_json::decode_topic_assignment(json(R"({"partitions":{"x":[1]}})")).error(), Errc::corrupt_data);
  EXPECT_EQ(kafka_json::decode_broker(BrokerId(1), 0, json(R"({"endpoints":["nonsense"]})")).error(), Errc::corrupt_data);
  EXPECT_EQ(kafka_json::decode_topic_config(json(R"({"config":{"a":1}})")).error(), Errc::corrupt_data);
}

}  // namespace
}  // namespace sluice::coordination
