// DeleteRecords on a real log through its handler, and auto-creation of topics (ZkTopicCreator)
// against a real ZooKeeper.
#include <gtest/gtest.h>

#include "broker/tests/admin_fixture.h"
#include "broker/zk_topic_creator.h"
#include "protocol/messages/delete_records_request.h"
#include "protocol/messages/delete_records_response.h"
#include "protocol/record_batch_builder.h"

namespace sluice::broker::testing {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;
using protocol::ErrorCode;

int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

Bytes batch(int records) {
  protocol::RecordBatchBuilder builder({});
  for (int i = 0; i < records; ++i) {
    const std::string value = "value-" + std::to_string(i);
    builder.append(TimestampMs(1'700'000'000'000 + i), std::nullopt, as_bytes(value));
  }
  auto built = builder.build();
  EXPECT_TRUE(built);
  return built ? std::move(built).value() : Bytes{};
}

DeleteRecordsRequest delete_request(const std::string& topic, std::vector<std::pair<int32_t, int64_t>> offsets) {
  DeleteRecordsRequest request;
  request.timeout_ms = 5000;
  DeleteRecordsRequest::DeleteRecordsTopic t;
  t.name = topic;
  for (auto [p, o] : offsets) {
    DeleteRecordsRequest::DeleteRecordsPartition part;
    part.partition_index = PartitionId(p);
    part.offset = Offset(o);
    t.partitions.push_back(part);
  }
  request.topics.push_back(t);
  return request;
}

class AdminRecordsTest : public AdminFixture {
 protected:
  void produce(const std::string& topic, int partition, int records) {
    std::vector<ProducePartitionInput> inputs(1);
    inputs[0].tp = TopicPartition{topic, PartitionId(partition)};
    inputs[0].records = batch(records);
    auto out = sync(replica_manager_->append_records(1, 5s, 7, std::move(inputs)));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].result.error, ErrorCode::none);
  }
};

TEST_F(AdminRecordsTest, DeleteRecordsAdvancesTheLogStartOffset) {
  lead("trim", 0);
  lead("trim", 1);
  produce("trim", 0, 10);
  produce("trim", 1, 4);
  auto response = call<DeleteRecordsResponse>(delete_request("trim", {{0, 6}, {1, -1}}), 1);
  ASSERT_EQ(response.topics.size(), 1u);
  ASSERT_EQ(response.topics[0].partitions.size(), 2u);
  EXPECT_EQ(response.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(response.topics[0].partitions[0].low_watermark, Offset(6));
  EXPECT_EQ(response.topics[0].partitions[1].error_code, 0);
  EXPECT_EQ(response.topics[0].partitions[1].low_watermark, Offset(4)) << "-1 is the high watermark";
  auto log = logs_->get_log(TopicPartition{"trim", PartitionId(0)});
  EXPECT_EQ(log->log_start_offset(), Offset(6));
  // Reads below the new start are out of range; from it they work.
  EXPECT_FALSE(log->read(Offset(5), 1 << 20, log->high_watermark(), true));
  EXPECT_TRUE(log->read(Offset(6), 1 << 20, log->high_watermark(), true));
  // A lower offset changes nothing.
  auto lower = call<DeleteRecordsResponse>(delete_request("trim", {{0, 2}}), 0);
  EXPECT_EQ(lower.topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(lower.topics.at(0).partitions.at(0).low_watermark, Offset(6));
  // The new start survives a checkpoint and is what ListOffsets earliest reports.
  ASSERT_TRUE(logs_->checkpoint_log_start_offsets());
  auto earliest = sync(replica_manager_->fetch_offset_for_timestamp(TopicPartition{"trim", PartitionId(0)}, -2,
                                                                     LeaderEpoch(-1), true));
  EXPECT_EQ(earliest.offset, Offset(6));
}

TEST_F(AdminRecordsTest, DeleteRecordsErrors) {
  lead("bounded", 0);
  produce("bounded", 0, 3);
  auto response = call<DeleteRecordsResponse>(delete_request("bounded", {{0, 4}, {0, -2}, {9, 1}}), 1);
  ASSERT_EQ(response.topics.at(0).partitions.size(), 3u);
  EXPECT_EQ(response.topics[0].partitions[0].error_code, code(ErrorCode::offset_out_of_range)) << "past the HW";
  EXPECT_EQ(response.topics[0].partitions[1].error_code, code(ErrorCode::offset_out_of_range));
  EXPECT_EQ(response.topics[0].partitions[2].error_code, code(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(response.topics[0].partitions[0].low_watermark, Offset(-1));
  EXPECT_EQ(logs_->get_log(TopicPartition{"bounded", PartitionId(0)})->log_start_offset(), Offset(0));

  // No longer the leader (the controller moved leadership away).
  PartitionState follower;
  follower.tp = TopicPartition{"bounded", PartitionId(0)};
  follower.leader = BrokerId(2);
  follower.leader_epoch = LeaderEpoch(1);
  follower.replicas = {BrokerId(1), BrokerId(2)};
  follower.isr = follower.replicas;
  ASSERT_EQ(sync(replica_manager_->become_leader_or_follower(follower)), ErrorCode::none);
  auto moved = call<DeleteRecordsResponse>(delete_request("bounded", {{0, 1}}), 0);
  EXPECT_EQ(moved.topics.at(0).partitions.at(0).error_code, code(ErrorCode::not_leader_or_follower));
}

TEST_F(AdminRecordsTest, TopicCreatorWritesTheTopicWithTheBrokerDefaults) {
  ZkTopicCreator::Defaults defaults;
  defaults.num_partitions = 3;
  defaults.default_replication_factor = 1;
  ZkTopicCreator creator(io_.get_executor(), *admin_zk_, *kafka_zk_, defaults);
  creator.create_topics({"auto-made", "bad/name", "auto-made"});
  ASSERT_TRUE(wait_for_znode("/brokers/topics/auto-made"));
  auto assignment = sync(kafka_zk_->get_topic_assignment("auto-made"));
  ASSERT_TRUE(assignment);
  EXPECT_EQ(assignment.value().assignment.partitions.size(), 3u);
  EXPECT_EQ(data("/config/topics/auto-made"), R"({"version":1,"config":{}})");
  for (int i = 0; i < 500 && creator.in_flight() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(creator.in_flight(), 0u);
  EXPECT_FALSE(exists("/brokers/topics/bad/name"));
  auto topics = sync(kafka_zk_->get_all_topics());
  ASSERT_TRUE(topics);
  EXPECT_EQ(topics.value(), std::vector<std::string>{"auto-made"});
}

TEST_F(AdminRecordsTest, TopicCreatorCapsOnlyInternalTopicsAtTheLiveBrokers) {
  ZkTopicCreator::Defaults defaults;
  defaults.num_partitions = 1;
  defaults.default_replication_factor = 3;  // one live broker
  ZkTopicCreator creator(io_.get_executor(), *admin_zk_, *kafka_zk_, defaults);
  creator.create_topics({"__consumer_offsets", "plain"});
  ASSERT_TRUE(wait_for_znode("/brokers/topics/__consumer_offsets"));
  for (int i = 0; i < 500 && creator.in_flight() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(creator.in_flight(), 0u);
  auto internal = sync(kafka_zk_->get_topic_assignment("__consumer_offsets"));
  ASSERT_TRUE(internal);
  EXPECT_EQ(internal.value().assignment.partitions.at(PartitionId(0)).replicas.size(), 1u);
  EXPECT_FALSE(exists("/brokers/topics/plain")) << "replication factor 3 > 1 live broker, as Kafka";
}

}  // namespace
}  // namespace sluice::broker::testing
