// The controller's requests (LeaderAndIsr, StopReplica, UpdateMetadata) and their responses, at
// one simple version each, against bytes worked out by hand from Kafka 2.8's message
// definitions: our encoder must write them and our decoder read them back. The generated tests
// round-trip every version; these pin the layout itself.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>

#include "protocol/messages/leader_and_isr_request.h"
#include "protocol/messages/leader_and_isr_response.h"
#include "protocol/messages/stop_replica_request.h"
#include "protocol/messages/update_metadata_request.h"
#include "protocol/messages/update_metadata_response.h"

namespace sluice::coordination {
namespace {

using protocol::LeaderAndIsrRequest;
using protocol::LeaderAndIsrResponse;
using protocol::StopReplicaRequest;
using protocol::UpdateMetadataRequest;
using protocol::UpdateMetadataResponse;

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

template <typename T>
void expect_both_ways(const T& message, int16_t version, const Bytes& expected) {
  Bytes encoded;
  protocol::Writer w(encoded);
  message.encode(w, version);
  EXPECT_EQ(encoded, expected);
  protocol::Reader r(expected);
  auto decoded = T::decode(r, version);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(decoded.value(), message);
}

// One partition t-0 led by broker 1 (ISR and replicas [1]), as the v0/v1 ungrouped lists hold it.
template <typename PartitionState>
PartitionState partition_t0() {
  PartitionState p;
  p.topic_name = "t";
  p.partition_index = PartitionId(0);
  p.controller_epoch = 2;
  p.leader = BrokerId(1);
  p.leader_epoch = LeaderEpoch(0);
  p.isr = {BrokerId(1)};
  p.zk_version = ZkVersion(0);
  p.replicas = {BrokerId(1)};
  return p;
}

// The partition-state fields shared by LeaderAndIsr v0 and UpdateMetadata v0 for partition_t0.
constexpr std::initializer_list<int> kPartitionT0V0 = {
    0, 1, 't',   // topic_name
    0, 0, 0, 0,  // partition_index
    0, 0, 0, 2,  // controller_epoch
    0, 0, 0, 1,  // leader
    0, 0, 0, 0,  // leader_epoch
    0, 0, 0, 1, 0, 0, 0, 1,  // isr [1]
    0, 0, 0, 0,              // zk_version
    0, 0, 0, 1, 0, 0, 0, 1,  // replicas [1]
};

Bytes concat(std::initializer_list<std::initializer_list<int>> parts) {
  Bytes out;
  for (const auto& part : parts) {
    const Bytes b = bytes(part);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

TEST(ControllerMessages, LeaderAndIsrRequestV0Bytes) {
  LeaderAndIsrRequest m;
  m.controller_id = BrokerId(1);
  m.controller_epoch = 2;
  m.ungrouped_partition_states = {partition_t0<LeaderAndIsrRequest::LeaderAndIsrPartitionState>()};
  m.live_leaders = {{BrokerId(1), "h", 9092}};
  expect_both_ways(m, 0,
                   concat({{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1},  // controller id, epoch, 1 partition
                           kPartitionT0V0,
                           {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'h', 0, 0, 0x23, 0x84}}));  // [{1, "h", 9092}]
}

TEST(ControllerMessages, LeaderAndIsrResponseV0Bytes) {
  LeaderAndIsrResponse m;
  m.error_code = 0;
  m.partition_errors = {{"t", PartitionId(0), 75}};
  expect_both_ways(m, 0, bytes({0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0, 0, 75}));
}

TEST(ControllerMessages, StopReplicaRequestV0Bytes) {
  StopReplicaRequest m;
  m.controller_id = BrokerId(1);
  m.controller_epoch = 2;
  m.delete_partitions = true;
  m.ungrouped_partitions = {{"t", PartitionId(0)}};
  expect_both_ways(m, 0, bytes({0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0}));
}

TEST(ControllerMessages, StopReplicaRequestV3IsFlexibleWithPerPartitionEpochs) {
  StopReplicaRequest m;
  m.controller_id = BrokerId(1);
  m.controller_epoch = 2;
  m.broker_epoch = 5;
  StopReplicaRequest::StopReplicaTopicState topic;
  topic.topic_name = "t";
  topic.partition_states = {{PartitionId(0), LeaderEpoch(-2), true}};
  m.topic_states = {topic};
  expect_both_ways(m, 3,
                   bytes({0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5,  // ids, broker epoch
                          2, 2, 't',                                         // compact [1], "t"
                          2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe, 1, 0,       // [{0, -2, true}] + tags
                          0, 0}));                                           // topic, request tags
}

TEST(ControllerMessages, UpdateMetadataRequestV0Bytes) {
  UpdateMetadataRequest m;
  m.controller_id = BrokerId(1);
  m.controller_epoch = 2;
  m.ungrouped_partition_states = {partition_t0<UpdateMetadataRequest::UpdateMetadataPartitionState>()};
  UpdateMetadataRequest::UpdateMetadataBroker broker;
  broker.id = BrokerId(1);
  broker.v0_host = "h";
  broker.v0_port = 9092;
  m.live_brokers = {broker};
  expect_both_ways(m, 0,
                   concat({{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1}, kPartitionT0V0,
                           {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'h', 0, 0, 0x23, 0x84}}));  // [{1, "h", 9092}]
}

TEST(ControllerMessages, UpdateMetadataResponseV6EndsInEmptyTaggedFields) {
  UpdateMetadataResponse m;
  m.error_code = 11;  // STALE_CONTROLLER_EPOCH
  expect_both_ways(m, 6, bytes({0, 11, 0}));
  expect_both_ways(m, 5, bytes({0, 11}));
}

}  // namespace
}  // namespace sluice::coordination
