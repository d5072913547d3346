// Metadata and ListOffsets over real sockets against an in-process KafkaServer leading "t"-0.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/wire_calls.h"
#include "protocol/messages/list_offsets_request.h"
#include "protocol/messages/list_offsets_response.h"
#include "protocol/messages/metadata_request.h"
#include "protocol/messages/metadata_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;
using testing::call;
using testing::KafkaServerFixture;
using testing::TestClient;

class MetadataVersions : public ::testing::TestWithParam<int16_t> {};

TEST_P(MetadataVersions, KnownTopicHasItsLeaderAndUnknownTopicIsUnknownTopicOrPartition) {
  const int16_t version = GetParam();
  // Metadata v0-v3 always ask for auto-creation: with it on, "missing" would be created.
  KafkaServerFixture broker({"auto.create.topics.enable=false"});
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  MetadataRequest request{.topics = std::vector<MetadataRequest::MetadataRequestTopic>{}};
  request.topics->push_back({.name = std::string("t")});
  request.topics->push_back({.name = std::string("missing")});
  auto response = call<MetadataResponse>(client, version, request);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->brokers.size(), 1u);
  EXPECT_EQ(response->brokers[0].node_id, BrokerId(0));
  EXPECT_EQ(response->brokers[0].host, "127.0.0.1");
  EXPECT_EQ(response->brokers[0].port, broker.port());
  ASSERT_EQ(response->topics.size(), 2u);
  const auto& known = response->topics[0];
  EXPECT_EQ(known.name, "t");
  EXPECT_EQ(known.error_code, 0);
  ASSERT_EQ(known.partitions.size(), 1u);
  EXPECT_EQ(known.partitions[0].leader_id, BrokerId(0));
  EXPECT_EQ(known.partitions[0].isr_nodes, std::vector<BrokerId>{BrokerId(0)});
  EXPECT_EQ(response->topics[1].name, "missing");
  EXPECT_EQ(response->topics[1].error_code, static_cast<int16_t>(ErrorCode::unknown_topic_or_partition));
  if (version >= 1) {
    EXPECT_EQ(response->controller_id, BrokerId(0));
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, MetadataVersions, ::testing::Values(0, 1, 4, 9));

// auto.create.topics.enable (the default): an unknown topic is created through ZooKeeper with
// num.partitions, answered LEADER_NOT_AVAILABLE until the controller brings it online; a v4+
// request that does not allow auto-creation leaves another unknown topic alone.
TEST(Metadata, UnknownTopicIsAutoCreatedWithTheBrokerDefaults) {
  KafkaServerFixture broker({"num.partitions=3"});
  ASSERT_TRUE(broker.started());
  TestClient client(broker.port());
  MetadataRequest request{.topics = std::vector<MetadataRequest::MetadataRequestTopic>{}};
  request.topics->push_back({.name = std::string("fresh")});
  auto first = call<MetadataResponse>(client, 9, request);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->topics.size(), 1u);
  EXPECT_EQ(first->topics[0].error_code, static_cast<int16_t>(ErrorCode::leader_not_available));
  bool online = false;
  for (int i = 0; i < 300 && !online; ++i) {
    auto again = call<MetadataResponse>(client, 9, request);
    online = again && again->topics.size() == 1 && again->topics[0].error_code == 0 &&
             again->topics[0].partitions.size() == 3;
    if (!online) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(online) << "auto-created topic not online with 3 partitions within 15 s";

  MetadataRequest no_create{.topics = std::vector<MetadataRequest::MetadataRequestTopic>{},
                            .allow_auto_topic_creation = false};
  no_create.topics->push_back({.name = std::string("other")});
  auto refused = call<MetadataResponse>(client, 9, no_create);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->topics[0].error_code, static_cast<int16_t>(ErrorCode::unknown_topic_or_partition));
}

TEST(Metadata, NullTopicsAtV1AndEmptyTopicsAtV0ListEveryTopic) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  ASSERT_EQ(broker.host("u"), ErrorCode::none);
  TestClient client(broker.port());
  auto v1 = call<MetadataResponse>(client, 1, MetadataRequest{.topics = std::nullopt});
  const MetadataRequest empty{.topics = std::vector<MetadataRequest::MetadataRequestTopic>{}};
  auto v0 = call<MetadataResponse>(client, 0, empty);
  ASSERT_TRUE(v1 && v0);
  EXPECT_EQ(v1->topics.size(), 2u);
  EXPECT_EQ(v0->topics.size(), 2u);
}

ListOffsetsRequest list_offsets(const std::string& topic, int64_t timestamp) {
  ListOffsetsRequest request{.replica_id = BrokerId(-1)};
  request.topics.push_back({.name = topic, .partitions = {}});
  request.topics[0].partitions.push_back({.partition_index = PartitionId(0), .timestamp = timestamp});
  return request;
}

// Three batches of 3 records at 1'700'000'000'000 + 0..2 each: offsets 0..8.
void produce_three_batches(KafkaServerFixture& broker) {
  TestClient client(broker.port());
  for (int i = 0; i < 3; ++i) {
    auto produced = call<protocol::ProduceResponse>(
        client, 7, testing::produce_request("t", testing::producer_batch(protocol::CompressionType::none), 1));
    ASSERT_TRUE(produced);
    ASSERT_EQ(testing::only(*produced).error_code, 0);
  }
}

class ListOffsetsVersions : public ::testing::TestWithParam<int16_t> {};

TEST_P(ListOffsetsVersions, EarliestLatestAndByTimestamp) {
  const int16_t version = GetParam();
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  produce_three_batches(broker);
  TestClient client(broker.port());
  auto answer = [&](int64_t timestamp) {
    auto r = call<ListOffsetsResponse>(client, version, list_offsets("t", timestamp));
    EXPECT_TRUE(r);
    return r ? r->topics.at(0).partitions.at(0) : ListOffsetsResponse::ListOffsetsPartitionResponse{};
  };
  EXPECT_EQ(answer(-2).offset, Offset(0));
  EXPECT_EQ(answer(-1).offset, Offset(9));
  const auto by_time = answer(1'700'000'000'001);
  EXPECT_EQ(by_time.error_code, 0);
  EXPECT_EQ(by_time.offset, Offset(1));
  EXPECT_EQ(by_time.timestamp, 1'700'000'000'001);
  EXPECT_EQ(answer(1'800'000'000'000).offset, Offset(-1)) << "no record that late";
  auto unknown = call<ListOffsetsResponse>(client, version, list_offsets("nope", -1));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->topics.at(0).partitions.at(0).error_code,
            static_cast<int16_t>(ErrorCode::unknown_topic_or_partition));
}

INSTANTIATE_TEST_SUITE_P(Versions, ListOffsetsVersions, ::testing::Values(1, 5));

TEST(ListOffsets, V0AnswersWithTheOldOffsetsArray) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  produce_three_batches(broker);
  TestClient client(broker.port());
  auto latest = call<ListOffsetsResponse>(client, 0, list_offsets("t", -1));
  auto earliest = call<ListOffsetsResponse>(client, 0, list_offsets("t", -2));
  ASSERT_TRUE(latest && earliest);
  EXPECT_EQ(latest->topics.at(0).partitions.at(0).old_style_offsets, std::vector<int64_t>{9});
  EXPECT_EQ(earliest->topics.at(0).partitions.at(0).old_style_offsets, std::vector<int64_t>{0});
}

}  // namespace
}  // namespace sluice::broker
