#include "client/metadata.h"

#include <algorithm>

namespace sluice::client {
namespace {

PartitionInfo to_partition(const protocol::MetadataResponse::MetadataResponsePartition& p) {
  return PartitionInfo{.id = p.partition_index,
                       .error = static_cast<protocol::ErrorCode>(p.error_code),
                       .leader = p.leader_id,
                       .leader_epoch = p.leader_epoch,
                       .replicas = p.replica_nodes,
                       .isr = p.isr_nodes,
                       .offline_replicas = p.offline_replicas};
}

TopicInfo to_topic(const protocol::MetadataResponse::MetadataResponseTopic& t) {
  TopicInfo topic{.name = t.name,
                  .error = static_cast<protocol::ErrorCode>(t.error_code),
                  .is_internal = t.is_internal,
                  .partitions = {}};
  for (const auto& p : t.partitions) topic.partitions.push_back(to_partition(p));
  std::ranges::sort(topic.partitions, {}, &PartitionInfo::id);
  return topic;
}

}  // namespace

const PartitionInfo* TopicInfo::partition(PartitionId id) const {
  auto it = std::ranges::lower_bound(partitions, id, {}, &PartitionInfo::id);
  return it != partitions.end() && it->id == id ? &*it : nullptr;
}

void ClusterMetadata::update(const protocol::MetadataResponse& response, bool complete) {
  brokers_.clear();
  for (const auto& b : response.brokers) {
    brokers_[b.node_id] = BrokerInfo{.id = b.node_id, .host = b.host, .port = b.port, .rack = b.rack};
  }
  controller_ = response.controller_id;
  cluster_id_ = response.cluster_id;
  if (complete) topics_.clear();
  for (const auto& t : response.topics) topics_[t.name] = to_topic(t);
}

const BrokerInfo* ClusterMetadata::broker(BrokerId id) const {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

const TopicInfo* ClusterMetadata::topic(const std::string& name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second;
}

std::optional<BrokerId> ClusterMetadata::leader_for(const TopicPartition& tp) const {
  const TopicInfo* t = topic(tp.topic);
  const PartitionInfo* p = t != nullptr ? t->partition(tp.partition) : nullptr;
  if (p == nullptr || p->leader.value() < 0 || broker(p->leader) == nullptr) return std::nullopt;
  return p->leader;
}

}  // namespace sluice::client
