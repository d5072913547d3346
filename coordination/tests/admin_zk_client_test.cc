// AdminZkClient against a real ZooKeeper: the znodes topic administration writes, in Kafka's
// JSON shapes and order, and the requests it must refuse without writing anything.
#include "coordination/admin_zk_client.h"

#include <gtest/gtest.h>

#include "coordination/tests/zk_test_util.h"

namespace sluice::coordination::testing {
namespace {

class AdminZkClientTest : public ZkFixture {
 protected:
  void SetUp() override {
    ZkFixture::SetUp();
    kafka_ = std::make_unique<KafkaZkClient>(zk());
    ASSERT_TRUE(io_.sync(kafka_->create_top_level_paths()));
    for (int32_t id : {1, 2, 3}) ASSERT_TRUE(io_.sync(kafka_->register_broker(broker(id))));
    AdminZkClient::Options options;
    options.placement = [](size_t) { return PlacementStart{0, 0}; };
    options.write_topic_ids = false;  // so the assignment znodes compare as exact text
    admin_ = std::make_unique<AdminZkClient>(*kafka_, std::move(options));
  }

  static BrokerInfo broker(int32_t id) {
    BrokerInfo b;
    b.id = BrokerId(id);
    b.endpoints = {{"PLAINTEXT", "127.0.0.1", 9092 + id, "PLAINTEXT"}};
    b.timestamp = TimestampMs(1700000000000);
    return b;
  }
  static NewTopic new_topic(std::string name, int32_t partitions, int32_t rf, TopicConfig config = {}) {
    NewTopic t;
    t.name = std::move(name);
    t.partitions = partitions;
    t.replication_factor = rf;
    t.config = std::move(config);
    return t;
  }
  AdminResult<PartitionReplicas> create(NewTopic topic, bool validate_only = false) {
    return io_.sync(admin_->create_topic(std::move(topic), validate_only));
  }
  std::string data(const std::string& path) { return text(io_.sync(zk().get_data(path)).value().data); }
  bool exists(const std::string& path) { return io_.sync(zk().exists(path)).value().has_value(); }

  std::unique_ptr<KafkaZkClient> kafka_;
  std::unique_ptr<AdminZkClient> admin_;
};

std::vector<BrokerId> ids(std::initializer_list<int32_t> list) {
  std::vector<BrokerId> out;
  for (int32_t id : list) out.emplace_back(id);
  return out;
}

TEST_F(AdminZkClientTest, CreateWritesConfigThenAssignmentInKafkasJson) {
  const auto created = create(new_topic("orders", 3, 2, {{"retention.ms", "1000"}}));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created.value().at(PartitionId(2)), ids({3, 1}));
  EXPECT_EQ(data("/config/topics/orders"), R"({"version":1,"config":{"retention.ms":"1000"}})");
  EXPECT_EQ(data("/brokers/topics/orders"),
            R"({"version":3,"partitions":{"0":[1,2],"1":[2,3],"2":[3,1]},"adding_replicas":{},)"
            R"("removing_replicas":{}})");
  // Kafka's order: the config exists before the controller can see the topic.
  const auto config_stat = io_.sync(zk().get_data("/config/topics/orders")).value().stat;
  const auto topic_stat = io_.sync(zk().get_data("/brokers/topics/orders")).value().stat;
  EXPECT_LT(config_stat.czxid, topic_stat.czxid);
}

TEST_F(AdminZkClientTest, CreateWithoutConfigWritesAnEmptyOneAndATopicId) {
  AdminZkClient with_ids(*kafka_);
  ASSERT_TRUE(io_.sync(with_ids.create_topic(new_topic("events", 4, 3), false)).has_value());
  EXPECT_EQ(data("/config/topics/events"), R"({"version":1,"config":{}})");
  const auto description = io_.sync(admin_->describe_topic("events")).value();
  ASSERT_TRUE(description.topic_id.has_value());
  EXPECT_EQ(description.topic_id->size(), 22u);
  EXPECT_EQ(description.partitions.size(), 4u);
  for (const auto& [p, a] : description.partitions) EXPECT_EQ(a.replicas.size(), 3u) << p.value();
}

TEST_F(AdminZkClientTest, DuplicateAndCollidingCreatesFail) {
  ASSERT_TRUE(create(new_topic("a.b", 1, 1)).has_value());
  const auto again = create(new_topic("a.b", 1, 1));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::topic_exists);
  EXPECT_EQ(again.error().message, "Topic 'a.b' already exists.");
  const auto twin = create(new_topic("a_b", 1, 1));
  ASSERT_FALSE(twin.has_value());
  EXPECT_EQ(twin.error().code, Errc::invalid_topic);
  EXPECT_FALSE(exists("/brokers/topics/a_b"));
}

TEST_F(AdminZkClientTest, InvalidRequestsWriteNothing) {
  const auto expect_rejected = [&](NewTopic topic, Errc code) {
    const std::string name = topic.name;
    const auto r = create(std::move(topic));
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().code, code) << name << ": " << r.error().message;
    if (!name.empty()) {
      EXPECT_FALSE(exists("/config/topics/" + name)) << name;
      EXPECT_FALSE(exists("/brokers/topics/" + name)) << name;
    }
  };
  expect_rejected(new_topic("bad name", 1, 1), Errc::invalid_topic);
  expect_rejected(new_topic("", 1, 1), Errc::invalid_topic);
  expect_rejected(new_topic(std::string(250, 'x'), 1, 1), Errc::invalid_topic);
  expect_rejected(new_topic("zero", 0, 1), Errc::invalid_partitions);
  expect_rejected(new_topic("wide", 1, 4), Errc::invalid_replication_factor);
  expect_rejected(new_topic("norf", 1, 0), Errc::invalid_replication_factor);
  expect_rejected(new_topic("conf", 1, 1, {{"no.such.config", "1"}}), Errc::invalid_config);
  NewTopic both = new_topic("both", 1, 1);
  both.assignment[PartitionId(0)] = ids({1});
  expect_rejected(std::move(both), Errc::invalid_request);
  NewTopic gap = new_topic("gap", -1, -1);
  gap.assignment[PartitionId(1)] = ids({1});
  expect_rejected(std::move(gap), Errc::invalid_replica_assignment);
}

TEST_F(AdminZkClientTest, ValidateOnlyPlansWithoutWriting) {
  const auto planned = create(new_topic("dry", 2, 3), /*validate_only=*/true);
  ASSERT_TRUE(planned.has_value());
  EXPECT_EQ(planned.value().at(PartitionId(1)), ids({2, 3, 1}));
  EXPECT_FALSE(exists("/brokers/topics/dry"));
  EXPECT_FALSE(exists("/config/topics/dry"));
}

TEST_F(AdminZkClientTest, ExplicitAssignmentIsWrittenAsGiven) {
  NewTopic t = new_topic("manual", -1, -1);
  t.assignment[PartitionId(0)] = ids({3, 1});
  t.assignment[PartitionId(1)] = ids({1, 2});
  ASSERT_TRUE(create(std::move(t)).has_value());
  EXPECT_EQ(data("/brokers/topics/manual"),
            R"({"version":3,"partitions":{"0":[3,1],"1":[1,2]},"adding_replicas":{},"removing_replicas":{}})");
}

TEST_F(AdminZkClientTest, AddPartitionsKeepsTheExistingAssignment) {
  ASSERT_TRUE(create(new_topic("grow", 2, 2)).has_value());  // p0 [1,2], p1 [2,3]
  const auto added = io_.sync(admin_->add_partitions("grow", 5, std::nullopt, false));
  ASSERT_TRUE(added.has_value()) << added.error().message;
  // Continues from partition 0's leader (index 0): p2 [3,1], then the shift grows at p3.
  EXPECT_EQ(added.value().at(PartitionId(2)), ids({3, 1}));
  EXPECT_EQ(added.value().at(PartitionId(3)), ids({1, 3}));
  EXPECT_EQ(added.value().at(PartitionId(4)), ids({2, 1}));
  EXPECT_EQ(data("/brokers/topics/grow"),
            R"({"version":3,"partitions":{"0":[1,2],"1":[2,3],"2":[3,1],"3":[1,3],"4":[2,1]},)"
            R"("adding_replicas":{},"removing_replicas":{}})");
  const auto shrink = io_.sync(admin_->add_partitions("grow", 5, std::nullopt, false));
  ASSERT_FALSE(shrink.has_value());
  EXPECT_EQ(shrink.error().code, Errc::invalid_partitions);
  EXPECT_EQ(shrink.error().message, "Topic already has 5 partitions.");
  EXPECT_EQ(io_.sync(admin_->add_partitions("grow", 4, std::nullopt, false)).error().message,
            "Topic currently has 5 partitions, which is higher than the requested 4.");
}

TEST_F(AdminZkClientTest, AddPartitionsWaitsForAReassignment) {
  ASSERT_TRUE(create(new_topic("moving", 1, 2)).has_value());
  auto topic = io_.sync(kafka_->get_topic_assignment("moving")).value().assignment;
  topic.partitions.at(PartitionId(0)).replicas = ids({1, 2, 3});
  topic.partitions.at(PartitionId(0)).adding = ids({3});
  topic.partitions.at(PartitionId(0)).removing = ids({2});
  ASSERT_TRUE(io_.sync(kafka_->set_topic_assignment("moving", topic, kMatchAnyVersion)));
  EXPECT_EQ(io_.sync(admin_->add_partitions("moving", 2, std::nullopt, false)).error().code,
            Errc::reassignment_in_progress);
}

TEST_F(AdminZkClientTest, AddPartitionsWithAnExplicitAssignmentChecksIt) {
  ASSERT_TRUE(create(new_topic("manual", 1, 2)).has_value());
  std::vector<std::vector<BrokerId>> unknown = {ids({1, 9})};
  const auto bad = io_.sync(admin_->add_partitions("manual", 2, unknown, false));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Errc::invalid_replica_assignment);
  std::vector<std::vector<BrokerId>> wrong_count = {ids({1, 2}), ids({2, 3})};
  EXPECT_EQ(io_.sync(admin_->add_partitions("manual", 2, wrong_count, false)).error().code,
            Errc::invalid_replica_assignment);
  std::vector<std::vector<BrokerId>> good = {ids({3, 2})};
  ASSERT_TRUE(io_.sync(admin_->add_partitions("manual", 2, good, false)).has_value());
  EXPECT_EQ(io_.sync(admin_->describe_topic("manual")).value().partitions.at(PartitionId(1)).replicas, ids({3, 2}));
  EXPECT_EQ(io_.sync(admin_->add_partitions("missing", 2, std::nullopt, false)).error().code, Errc::topic_not_found);
}

TEST_F(AdminZkClientTest, DeleteMarksTheTopicForTheController) {
  ASSERT_TRUE(create(new_topic("doomed", 1, 1)).has_value());
  ASSERT_TRUE(io_.sync(admin_->delete_topic("doomed")).has_value());
  const auto marker = io_.sync(zk().get_data("/admin/delete_topics/doomed")).value();
  EXPECT_TRUE(marker.data.empty());
  EXPECT_TRUE(exists("/brokers/topics/doomed"));  // the controller deletes it, not the admin
  EXPECT_EQ(io_.sync(admin_->delete_topic("doomed")).error().code, Errc::topic_marked_for_deletion);
  EXPECT_EQ(io_.sync(admin_->delete_topic("never")).error().code, Errc::topic_not_found);
  EXPECT_EQ(create(new_topic("doomed", 1, 1)).error().code, Errc::topic_exists);
  EXPECT_EQ(io_.sync(admin_->add_partitions("doomed", 2, std::nullopt, false)).error().code, Errc::invalid_topic);
  EXPECT_TRUE(io_.sync(admin_->describe_topic("doomed")).value().marked_for_deletion);
}

TEST_F(AdminZkClientTest, ConfigChangeWritesConfigAndNotification) {
  ASSERT_TRUE(create(new_topic("tuned", 1, 1, {{"retention.ms", "1000"}})).has_value());
  const TopicConfig config = {{"cleanup.policy", "compact"}, {"segment.ms", "60000"}};
  ASSERT_TRUE(io_.sync(admin_->change_topic_config("tuned", config)).has_value());
  EXPECT_EQ(data("/config/topics/tuned"),
            R"({"version":1,"config":{"cleanup.policy":"compact","segment.ms":"60000"}})");
  const auto changes = io_.sync(zk().get_children("/config/changes")).value();
  ASSERT_EQ(changes, std::vector<std::string>{"config_change_0000000000"});
  EXPECT_EQ(data("/config/changes/config_change_0000000000"), R"({"version":2,"entity_path":"topics/tuned"})");
  EXPECT_EQ(io_.sync(admin_->change_topic_config("tuned", {{"bogus", "1"}})).error().code, Errc::invalid_config);
  EXPECT_EQ(io_.sync(admin_->change_topic_config("nope", config)).error().code, Errc::topic_not_found);
  EXPECT_EQ(io_.sync(zk().get_children("/config/changes")).value().size(), 1u);
}

TEST_F(AdminZkClientTest, ListAndDescribeReadZooKeeper) {
  ASSERT_TRUE(create(new_topic("b", 2, 2, {{"retention.ms", "5"}})).has_value());
  ASSERT_TRUE(create(new_topic("a", 1, 1)).has_value());
  EXPECT_EQ(io_.sync(admin_->list_topics()).value(), (std::vector<std::string>{"a", "b"}));
  LeaderIsrAndControllerEpoch state;
  state.leader_and_isr.leader = BrokerId(1);
  state.leader_and_isr.isr = ids({1, 2});
  state.controller_epoch = ControllerEpoch(4);
  ASSERT_TRUE(io_.sync(kafka_->create_partition_state(TopicPartition{"b", PartitionId(0)}, state)));
  const auto b = io_.sync(admin_->describe_topic("b")).value();
  EXPECT_EQ(b.partitions.at(PartitionId(1)).replicas, ids({2, 3}));
  EXPECT_EQ(b.config, (TopicConfig{{"retention.ms", "5"}}));
  ASSERT_EQ(b.states.size(), 1u);  // p1 has no state znode yet
  EXPECT_EQ(b.states.at(PartitionId(0)).leader_and_isr.isr, ids({1, 2}));
  EXPECT_FALSE(b.marked_for_deletion);
  EXPECT_EQ(io_.sync(admin_->describe_topic("zzz")).error().code, Errc::topic_not_found);
}

}  // namespace
}  // namespace sluice::coordination::testing
