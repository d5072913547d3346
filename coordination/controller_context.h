// ControllerContext: the active controller's picture of the cluster (Kafka's ControllerContext):
// live brokers with their epochs, every topic's assignment, every partition's leader/ISR state
// as last read or written, and the topics being deleted.
// Owner: the KafkaController's strand; dropped whole on resignation and rebuilt from ZooKeeper
// on the next election, so nothing here is persistent.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordination/kafka_zk_data.h"

namespace sluice::coordination {

struct ControllerContext {
  ControllerEpochZkVersion epoch;
  std::map<BrokerId, BrokerInfo> live_brokers;
  std::map<std::string, TopicAssignment> topics;
  std::map<TopicPartition, LeaderIsrAndControllerEpoch> partition_states;
  // Topics whose deletion started, with the replicas that have not yet acknowledged StopReplica.
  std::map<std::string, std::set<BrokerId>> topics_being_deleted;
  // Brokers in a controlled shutdown: still registered (and sent requests), never elected leader.
  std::set<BrokerId> shutting_down;

  [[nodiscard]] bool is_live(BrokerId id) const { return live_brokers.contains(id); }
  [[nodiscard]] std::vector<BrokerId> replicas(const TopicPartition& tp) const {
    auto t = topics.find(tp.topic);
    if (t == topics.end()) return {};
    auto p = t->second.partitions.find(tp.partition);
    return p == t->second.partitions.end() ? std::vector<BrokerId>{} : p->second.replicas;
  }
  [[nodiscard]] std::vector<TopicPartition> partitions_of(const std::string& topic) const {
    std::vector<TopicPartition> out;
    auto t = topics.find(topic);
    if (t == topics.end()) return out;
    for (const auto& [p, assignment] : t->second.partitions) out.push_back({topic, p});
    return out;
  }
  [[nodiscard]] std::vector<TopicPartition> all_partitions() const {
    std::vector<TopicPartition> out;
    for (const auto& [topic, assignment] : topics) {
      for (const auto& [p, replicas] : assignment.partitions) out.push_back({topic, p});
    }
    return out;
  }
};

}  // namespace sluice::coordination
