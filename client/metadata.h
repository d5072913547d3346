// ClusterMetadata: what the client knows of the cluster from its last Metadata responses:
// brokers, the controller, and per topic its partitions' leader, replicas and ISR.
// A value type; the KafkaClient owns the current one on its strand and replaces it on refresh.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/messages.h"
#include "protocol/error_code.h"
#include "protocol/types.h"

namespace sluice::client {

struct BrokerInfo {
  BrokerId id;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionInfo {
  PartitionId id;
  protocol::ErrorCode error = protocol::ErrorCode::none;
  BrokerId leader{-1};  // -1: no leader
  LeaderEpoch leader_epoch = kNoLeaderEpoch;
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::vector<BrokerId> offline_replicas;
};

struct TopicInfo {
  std::string name;
  protocol::ErrorCode error = protocol::ErrorCode::none;
  bool is_internal = false;
  std::vector<PartitionInfo> partitions;  // sorted by id

  [[nodiscard]] const PartitionInfo* partition(PartitionId id) const;
};

class ClusterMetadata {
 public:
  // Replaces the brokers and controller with the response's, and each topic it names. With
  // `complete` (a request for all topics), topics it does not name are forgotten.
  void update(const protocol::MetadataResponse& response, bool complete);
  void forget_topic(const std::string& name) { topics_.erase(name); }

  [[nodiscard]] const BrokerInfo* broker(BrokerId id) const;
  [[nodiscard]] const TopicInfo* topic(const std::string& name) const;
  // The partition's leader if it has one that is also a known broker.
  [[nodiscard]] std::optional<BrokerId> leader_for(const TopicPartition& tp) const;

  [[nodiscard]] const std::map<BrokerId, BrokerInfo>& brokers() const { return brokers_; }
  [[nodiscard]] const std::map<std::string, TopicInfo>& topics() const { return topics_; }
  [[nodiscard]] BrokerId controller() const { return controller_; }
  [[nodiscard]] const std::optional<std::string>& cluster_id() const { return cluster_id_; }

 private:
  std::map<BrokerId, BrokerInfo> brokers_;
  std::map<std::string, TopicInfo> topics_;
  BrokerId controller_{-1};
  std::optional<std::string> cluster_id_;
};

}  // namespace sluice::client
