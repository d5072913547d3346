// What Kafka keeps in ZooKeeper, as values: broker registrations, topic assignments, partition
// leader/ISR state, topic configs. Znode paths and JSON shapes follow Kafka 2.8's ZkData.scala
// (docs/formats/zookeeper.md; AK:core/src/main/scala/kafka/zk/ZkData.scala).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/strong_id.h"
#include "protocol/types.h"

namespace sluice::coordination {

using ControllerEpoch = StrongId<int32_t, struct ControllerEpochTag>;

// No leader: a partition whose ISR members are all offline (state znode "leader": -1).
inline constexpr BrokerId kNoLeader{-1};

// One listener: "<listener>://<host>:<port>" in "endpoints".
struct EndPoint {
  std::string listener;           // e.g. "PLAINTEXT", "REPL"
  std::string host;               // empty: all interfaces
  int32_t port = 0;
  std::string security_protocol;  // e.g. "PLAINTEXT", "SSL"

  bool operator==(const EndPoint&) const = default;
};

// /brokers/ids/<id>. Written as JSON version 5 (features {}); versions 1-5 are read.
struct BrokerInfo {
  BrokerId id;
  std::vector<EndPoint> endpoints;
  std::optional<std::string> rack;  // omitted from the JSON when unset
  int32_t jmx_port = -1;
  TimestampMs timestamp{0};         // registration time; a decimal string in the JSON
  int64_t epoch = -1;               // read back only: the znode's czxid (KIP-380 broker epoch)

  bool operator==(const BrokerInfo&) const = default;
};

// One partition's replicas in assignment order (the first is the preferred leader), plus the
// replicas being added and removed by a reassignment in flight.
struct ReplicaAssignment {
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> adding;
  std::vector<BrokerId> removing;

  bool operator==(const ReplicaAssignment&) const = default;
};

// /brokers/topics/<topic>. Written as JSON version 3; versions 1-3 are read.
struct TopicAssignment {
  std::map<PartitionId, ReplicaAssignment> partitions;
  std::optional<std::string> topic_id;  // base64 UUID; omitted when unset

  bool operator==(const TopicAssignment&) const = default;
};

struct VersionedTopicAssignment {
  TopicAssignment assignment;
  ZkVersion zk_version;
};

// /brokers/topics/<topic>/partitions/<p>/state, with the znode's version: the partition's
// optimistic-concurrency token, shipped to brokers in LeaderAndIsr.
struct LeaderAndIsr {
  BrokerId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> isr;  // never empty: the last member stays listed when it dies
  ZkVersion zk_version{0};

  bool operator==(const LeaderAndIsr&) const = default;
};

struct LeaderIsrAndControllerEpoch {
  LeaderAndIsr leader_and_isr;
  ControllerEpoch controller_epoch{0};  // of the controller that made the leadership decision

  bool operator==(const LeaderIsrAndControllerEpoch&) const = default;
};

// /controller_epoch's value and the znode version that fences every controller write (a multi
// checking this version first; docs/formats/zookeeper.md).
struct ControllerEpochZkVersion {
  ControllerEpoch epoch{0};
  ZkVersion zk_version{-1};
};

// /admin/reassign_partitions: each partition's target replicas, in order.
using PartitionReassignments = std::map<TopicPartition, std::vector<BrokerId>>;

// /config/topics/<topic>: overrides of the broker's log defaults. Values are always strings.
using TopicConfig = std::map<std::string, std::string>;

// Znode paths, named as in ZkData.scala.
namespace zk_paths {
inline constexpr const char* kClusterId = "/cluster/id";
inline constexpr const char* kController = "/controller";
inline constexpr const char* kControllerEpoch = "/controller_epoch";
inline constexpr const char* kBrokerIds = "/brokers/ids";
inline constexpr const char* kBrokerTopics = "/brokers/topics";
inline constexpr const char* kConfigTopics = "/config/topics";
inline constexpr const char* kDeleteTopics = "/admin/delete_topics";
inline constexpr const char* kConfigChanges = "/config/changes";
inline constexpr const char* kIsrChangeNotification = "/isr_change_notification";
inline constexpr const char* kIsrChangePrefix = "isr_change_";
inline constexpr const char* kPreferredReplicaElection = "/admin/preferred_replica_election";
inline constexpr const char* kReassignPartitions = "/admin/reassign_partitions";
// Prefix of the sequential notification children of kConfigChanges.
inline constexpr const char* kConfigChangePrefix = "/config/changes/config_change_";

inline std::string broker(BrokerId id) { return std::string(kBrokerIds) + "/" + std::to_string(id.value()); }
inline std::string topic(const std::string& t) { return std::string(kBrokerTopics) + "/" + t; }
inline std::string topic_partitions(const std::string& t) { return topic(t) + "/partitions"; }
inline std::string topic_partition(const TopicPartition& tp) {
  return topic_partitions(tp.topic) + "/" + std::to_string(tp.partition.value());
}
inline std::string partition_state(const TopicPartition& tp) { return topic_partition(tp) + "/state"; }
inline std::string topic_config(const std::string& t) { return std::string(kConfigTopics) + "/" + t; }
inline std::string delete_topic(const std::string& t) { return std::string(kDeleteTopics) + "/" + t; }
}  // namespace zk_paths

}  // namespace sluice::coordination
