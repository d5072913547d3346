// KafkaZkClient against a real ZooKeeper: startup paths, cluster id, broker registration,
// topic assignment, partition state with conditional updates, topic config.
#include <gtest/gtest.h>

#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"
#include "coordination/tests/zk_test_util.h"

namespace sluice::coordination::testing {
namespace {

class KafkaZkClientTest : public ZkFixture {
 protected:
  void SetUp() override {
    ZkFixture::SetUp();
    kafka_ = std::make_unique<KafkaZkClient>(zk());
    ASSERT_TRUE(io_.sync(kafka_->create_top_level_paths()));
  }
  KafkaZkClient& kafka() { return *kafka_; }
  std::unique_ptr<KafkaZkClient> kafka_;
};

BrokerInfo broker(int32_t id) {
  return BrokerInfo{.id = BrokerId(id),
                    .endpoints = {{"PLAINTEXT", "localhost", 9092 + id, "PLAINTEXT"}},
                    .rack = std::nullopt,
                    .jmx_port = -1,
                    .timestamp = TimestampMs(1700000000000 + id),
                    .epoch = -1};
}

TEST_F(KafkaZkClientTest, CreatesEveryPersistentPathIdempotently) {
  for (const std::string& path : KafkaZkClient::persistent_paths()) {
    EXPECT_TRUE(io_.sync(zk().exists(path)).value().has_value()) << path;
  }
  EXPECT_TRUE(io_.sync(kafka().create_top_level_paths()));
}

TEST_F(KafkaZkClientTest, ClusterIdIsCreatedOnceAndStable) {
  const std::string id = io_.sync(kafka().get_or_create_cluster_id()).value();
  EXPECT_EQ(id.size(), 22u);
  EXPECT_EQ(io_.sync(kafka().get_or_create_cluster_id()).value(), id);
  auto other = connected_client(io_, config());
  KafkaZkClient other_kafka(*other);
  EXPECT_EQ(io_.sync(other_kafka.get_or_create_cluster_id()).value(), id);
  const auto node = io_.sync(zk().get_data("/cluster/id")).value();
  EXPECT_EQ(std::string(as_chars(node.data)), R"({"version":"1","id":")" + id + R"("})");
  io_.sync(other->close());
}

TEST_F(KafkaZkClientTest, BrokerRegistrationIsEphemeralJsonWithEpoch) {
  const int64_t epoch = io_.sync(kafka().register_broker(broker(1))).value();
  const auto node = io_.sync(zk().get_data("/brokers/ids/1")).value();
  EXPECT_EQ(node.stat.version, ZkVersion(1));  // create + set, as Kafka's multi
  EXPECT_EQ(node.stat.czxid, epoch);
  EXPECT_EQ(node.stat.ephemeral_owner, zk().session_id());
  EXPECT_EQ(std::string(as_chars(node.data)),
            R"({"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},)"
            R"("endpoints":["PLAINTEXT://localhost:9093"],"jmx_port":-1,"port":9093,"host":"localhost",)"
            R"("version":5,"timestamp":"1700000000001"})");
  BrokerInfo expected = broker(1);
  expected.epoch = epoch;
  EXPECT_EQ(io_.sync(kafka().get_broker(BrokerId(1))).value(), expected);
  // A retry from the same session is fine; another session is a duplicate id.
  EXPECT_EQ(io_.sync(kafka().register_broker(broker(1))).value(), epoch);
  auto other = connected_client(io_, config());
  KafkaZkClient other_kafka(*other);
  EXPECT_EQ(io_.sync(other_kafka.register_broker(broker(1))).error(), Errc::node_exists);
  ASSERT_TRUE(io_.sync(other_kafka.register_broker(broker(2))));

  const auto all = io_.sync(kafka().get_all_brokers()).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, BrokerId(1));
  EXPECT_EQ(all[1].endpoints, broker(2).endpoints);
  EXPECT_GT(all[1].epoch, epoch);
  io_.sync(other->close());
  EXPECT_EQ(io_.sync(kafka().get_all_brokers()).value().size(), 1u);  // broker 2's session ended
}

TEST_F(KafkaZkClientTest, TopicAssignmentRoundTrips) {
  TopicAssignment t;
  t.partitions[PartitionId(0)] = {{BrokerId(1), BrokerId(2)}, {}, {}};
  t.partitions[PartitionId(1)] = {{BrokerId(2), BrokerId(1)}, {}, {}};
  ASSERT_TRUE(io_.sync(kafka().create_topic_assignment("orders", t)));
  EXPECT_EQ(io_.sync(kafka().create_topic_assignment("orders", t)).error(), Errc::node_exists);
  auto got = io_.sync(kafka().get_topic_assignment("orders")).value();
  EXPECT_EQ(got.assignment, t);
  EXPECT_EQ(got.zk_version, ZkVersion(0));
  EXPECT_EQ(io_.sync(kafka().get_all_topics()).value(), std::vector<std::string>{"orders"});

  t.partitions[PartitionId(2)] = {{BrokerId(1)}, {}, {}};
  EXPECT_EQ(io_.sync(kafka().set_topic_assignment("orders", t, kMatchAnyVersion)).value(), ZkVersion(1));
  EXPECT_EQ(io_.sync(kafka().get_topic_assignment("orders")).value().assignment, t);
  EXPECT_EQ(io_.sync(kafka().get_topic_assignment("missing")).error(), Errc::no_node);
}

TEST_F(KafkaZkClientTest, PartitionStateUpdatesAreConditionalOnZkVersion) {
  const TopicPartition tp{"orders", PartitionId(3)};
  LeaderIsrAndControllerEpoch s{{BrokerId(1), LeaderEpoch(0), {BrokerId(1), BrokerId(2)}, ZkVersion(0)}, ControllerEpoch(1)};
  EXPECT_EQ(io_.sync(kafka().create_partition_state(tp, s)).value(), ZkVersion(0));
  EXPECT_TRUE(io_.sync(zk().exists("/brokers/topics/orders/partitions/3")).value().has_value());
  EXPECT_EQ(io_.sync(kafka().get_partition_state(tp)).value(), s);

  // The controller shrinks the ISR at version 0; a leader still holding version 0 then loses.
  LeaderIsrAndControllerEpoch shrunk = s;
  shrunk.leader_and_isr.isr = {BrokerId(1)};
  shrunk.leader_and_isr.leader_epoch = LeaderEpoch(1);
  EXPECT_EQ(io_.sync(kafka().update_partition_state(tp, shrunk, ZkVersion(0))).value(), ZkVersion(1));
  EXPECT_EQ(io_.sync(kafka().update_partition_state(tp, s, ZkVersion(0))).error(), Errc::bad_version);

  const auto now = io_.sync(kafka().get_partition_state(tp)).value();
  EXPECT_EQ(now.leader_and_isr.isr, std::vector<BrokerId>{BrokerId(1)});
  EXPECT_EQ(now.leader_and_isr.leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(now.leader_and_isr.zk_version, ZkVersion(1));
  EXPECT_EQ(std::string(as_chars(io_.sync(zk().get_data("/brokers/topics/orders/partitions/3/state")).value().data)),
            R"({"controller_epoch":1,"leader":1,"version":1,"leader_epoch":1,"isr":[1]})");
}

TEST_F(KafkaZkClientTest, TopicConfigCreatesOverwritesAndDefaultsToEmpty) {
  EXPECT_TRUE(io_.sync(kafka().get_topic_config("orders")).value().empty());
  const TopicConfig config = {{"retention.ms", "86400000"}, {"x\"y", "a\\b\n\"c\" é"}};
  ASSERT_TRUE(io_.sync(kafka().set_topic_config("orders", config)));
  EXPECT_EQ(io_.sync(kafka().get_topic_config("orders")).value(), config);
  ASSERT_TRUE(io_.sync(kafka().set_topic_config("orders", {{"cleanup.policy", "compact"}})));
  EXPECT_EQ(std::string(as_chars(io_.sync(zk().get_data("/config/topics/orders")).value().data)),
            R"({"version":1,"config":{"cleanup.policy":"compact"}})");
}

}  // namespace
}  // namespace sluice::coordination::testing
