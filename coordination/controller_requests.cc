#include "coordination/controller_requests.h"

#include <algorithm>
#include <map>

namespace sluice::coordination {
namespace {

constexpr int16_t kPlaintext = 0;  // SecurityProtocol.PLAINTEXT's id
constexpr BrokerId kDeletingLeader{-2};
constexpr LeaderEpoch kDeletingEpoch{-2};

protocol::LeaderAndIsrRequest::LeaderAndIsrPartitionState leader_and_isr_state(const ControllerContext& context,
                                                                                const TopicPartition& tp) {
  const LeaderIsrAndControllerEpoch& s = context.partition_states.at(tp);
  protocol::LeaderAndIsrRequest::LeaderAndIsrPartitionState out;
  out.topic_name = tp.topic;
  out.partition_index = tp.partition;
  out.controller_epoch = s.controller_epoch.value();
  out.leader = s.leader_and_isr.leader;
  out.leader_epoch = s.leader_and_isr.leader_epoch;
  out.isr = s.leader_and_isr.isr;
  out.zk_version = s.leader_and_isr.zk_version;
  out.replicas = context.replicas(tp);
  return out;
}

protocol::UpdateMetadataRequest::UpdateMetadataPartitionState update_metadata_state(
    const ControllerContext& context, const TopicPartition& tp, const LeaderIsrAndControllerEpoch& s, bool deleting) {
  protocol::UpdateMetadataRequest::UpdateMetadataPartitionState out;
  out.topic_name = tp.topic;
  out.partition_index = tp.partition;
  out.controller_epoch = s.controller_epoch.value();
  out.leader = deleting ? kDeletingLeader : s.leader_and_isr.leader;
  out.leader_epoch = s.leader_and_isr.leader_epoch;
  out.isr = s.leader_and_isr.isr;
  out.zk_version = s.leader_and_isr.zk_version;
  out.replicas = context.replicas(tp);
  for (BrokerId r : out.replicas) {
    if (!context.is_live(r)) out.offline_replicas.push_back(r);
  }
  return out;
}

protocol::UpdateMetadataRequest::UpdateMetadataBroker broker_of(const BrokerInfo& info) {
  protocol::UpdateMetadataRequest::UpdateMetadataBroker out;
  out.id = info.id;
  for (const EndPoint& e : info.endpoints) {
    protocol::UpdateMetadataRequest::UpdateMetadataEndpoint endpoint;
    endpoint.port = e.port;
    endpoint.host = e.host;
    endpoint.listener = e.listener;
    endpoint.security_protocol = kPlaintext;
    out.endpoints.push_back(std::move(endpoint));
  }
  if (!info.endpoints.empty()) {
    out.v0_host = info.endpoints.front().host;
    out.v0_port = info.endpoints.front().port;
  }
  out.rack = info.rack;
  return out;
}

}  // namespace

int64_t broker_epoch_of(const ControllerContext& context, BrokerId target) {
  auto it = context.live_brokers.find(target);
  return it == context.live_brokers.end() ? -1 : it->second.epoch;
}

protocol::LeaderAndIsrRequest leader_and_isr_request(const ControllerContext& context, BrokerId controller_id,
                                                     BrokerId target, const std::vector<TopicPartition>& partitions) {
  protocol::LeaderAndIsrRequest request;
  request.controller_id = controller_id;
  request.controller_epoch = context.epoch.epoch.value();
  request.broker_epoch = broker_epoch_of(context, target);
  std::map<std::string, protocol::LeaderAndIsrRequest::LeaderAndIsrTopicState> topics;
  std::set<BrokerId> leaders;
  for (const TopicPartition& tp : partitions) {
    if (!context.partition_states.contains(tp)) continue;
    auto state = leader_and_isr_state(context, tp);
    leaders.insert(state.leader);
    request.ungrouped_partition_states.push_back(state);
    auto& topic = topics[tp.topic];
    topic.topic_name = tp.topic;
    topic.partition_states.push_back(std::move(state));
  }
  for (auto& [name, topic] : topics) request.topic_states.push_back(std::move(topic));
  for (BrokerId leader : leaders) {
    auto it = context.live_brokers.find(leader);
    if (it == context.live_brokers.end() || it->second.endpoints.empty()) continue;
    protocol::LeaderAndIsrRequest::LeaderAndIsrLiveLeader live;
    live.broker_id = leader;
    live.host_name = it->second.endpoints.front().host;
    live.port = it->second.endpoints.front().port;
    request.live_leaders.push_back(std::move(live));
  }
  return request;
}

protocol::UpdateMetadataRequest update_metadata_request(const ControllerContext& context, BrokerId controller_id,
                                                        BrokerId target, const std::set<std::string>& deleting) {
  protocol::UpdateMetadataRequest request;
  request.controller_id = controller_id;
  request.controller_epoch = context.epoch.epoch.value();
  request.broker_epoch = broker_epoch_of(context, target);
  std::map<std::string, protocol::UpdateMetadataRequest::UpdateMetadataTopicState> topics;
  for (const auto& [tp, state] : context.partition_states) {
    auto entry = update_metadata_state(context, tp, state, deleting.contains(tp.topic));
    request.ungrouped_partition_states.push_back(entry);
    auto& topic = topics[tp.topic];
    topic.topic_name = tp.topic;
    topic.partition_states.push_back(std::move(entry));
  }
  for (auto& [name, topic] : topics) request.topic_states.push_back(std::move(topic));
  for (const auto& [id, info] : context.live_brokers) request.live_brokers.push_back(broker_of(info));
  return request;
}

protocol::StopReplicaRequest stop_replica_delete_request(const ControllerContext& context, BrokerId controller_id,
                                                         BrokerId target, const std::string& topic) {
  protocol::StopReplicaRequest request;
  request.controller_id = controller_id;
  request.controller_epoch = context.epoch.epoch.value();
  request.broker_epoch = broker_epoch_of(context, target);
  request.delete_partitions = true;
  protocol::StopReplicaRequest::StopReplicaTopicV1 v1;
  v1.name = topic;
  protocol::StopReplicaRequest::StopReplicaTopicState v3;
  v3.topic_name = topic;
  for (const TopicPartition& tp : context.partitions_of(topic)) {
    const auto replicas = context.replicas(tp);
    if (std::find(replicas.begin(), replicas.end(), target) == replicas.end()) continue;
    protocol::StopReplicaRequest::StopReplicaPartitionV0 v0;
    v0.topic_name = topic;
    v0.partition_index = tp.partition;
    request.ungrouped_partitions.push_back(std::move(v0));
    v1.partition_indexes.push_back(tp.partition);
    protocol::StopReplicaRequest::StopReplicaPartitionState p;
    p.partition_index = tp.partition;
    p.leader_epoch = kDeletingEpoch;
    p.delete_partition = true;
    v3.partition_states.push_back(std::move(p));
  }
  request.topics.push_back(std::move(v1));
  request.topic_states.push_back(std::move(v3));
  return request;
}

protocol::StopReplicaRequest stop_replica_delete_request(const ControllerContext& context, BrokerId controller_id,
                                                         BrokerId target, const std::vector<TopicPartition>& partitions) {
  protocol::StopReplicaRequest request;
  request.controller_id = controller_id;
  request.controller_epoch = context.epoch.epoch.value();
  request.broker_epoch = broker_epoch_of(context, target);
  request.delete_partitions = true;
  std::map<std::string, protocol::StopReplicaRequest::StopReplicaTopicV1> v1s;
  std::map<std::string, protocol::StopReplicaRequest::StopReplicaTopicState> v3s;
  for (const TopicPartition& tp : partitions) {
    protocol::StopReplicaRequest::StopReplicaPartitionV0 v0;
    v0.topic_name = tp.topic;
    v0.partition_index = tp.partition;
    request.ungrouped_partitions.push_back(std::move(v0));
    auto& v1 = v1s[tp.topic];
    v1.name = tp.topic;
    v1.partition_indexes.push_back(tp.partition);
    auto& v3 = v3s[tp.topic];
    v3.topic_name = tp.topic;
    protocol::StopReplicaRequest::StopReplicaPartitionState p;
    p.partition_index = tp.partition;
    auto state = context.partition_states.find(tp);
    p.leader_epoch = state == context.partition_states.end() ? kDeletingEpoch : state->second.leader_and_isr.leader_epoch;
    p.delete_partition = true;
    v3.partition_states.push_back(std::move(p));
  }
  for (auto& [name, v1] : v1s) request.topics.push_back(std::move(v1));
  for (auto& [name, v3] : v3s) request.topic_states.push_back(std::move(v3));
  return request;
}

}  // namespace sluice::coordination
