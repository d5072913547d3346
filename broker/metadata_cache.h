// MetadataCache: what this broker answers Metadata (and DescribeCluster) with: the live brokers,
// the controller, the cluster id and every topic's partitions with leader, epoch, replicas, ISR
// and offline replicas. Written by update_metadata (what UpdateMetadata carries); the local
// single-broker path registers itself the same way.
//
// Owner: the KafkaServer. Thread-safe: readers take an immutable Snapshot (a shared_ptr swapped
// under a mutex), so a Metadata answer is consistent even while an update lands.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/types.h"

namespace sluice::broker {

struct BrokerEndpoint {
  BrokerId id{-1};
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionMetadata {
  PartitionId partition{0};
  BrokerId leader{-1};
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::vector<BrokerId> offline_replicas;
};

struct TopicMetadata {
  std::string name;
  bool is_internal = false;
  std::map<PartitionId, PartitionMetadata> partitions;
};

// One UpdateMetadata: brokers and controller replace the old ones; partition states are upserted;
// deleted topics go away.
struct MetadataUpdate {
  std::optional<std::vector<BrokerEndpoint>> brokers;
  std::optional<BrokerId> controller_id;
  std::optional<std::string> cluster_id;
  std::vector<std::pair<std::string, PartitionMetadata>> partition_states;  // topic, state
  std::vector<std::string> deleted_topics;
};

class MetadataCache {
 public:
  struct Snapshot {
    std::vector<BrokerEndpoint> brokers;
    // Goes up by one whenever the set of live broker ids changes: group coordinators compare it
    // to learn that groups may have moved (docs/groups.md) without diffing broker lists.
    uint64_t brokers_version = 0;
    BrokerId controller_id{-1};
    std::optional<std::string> cluster_id;
    std::map<std::string, TopicMetadata> topics;
  };

  MetadataCache();
  void update_metadata(const MetadataUpdate& update);
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
};

// An advertised host: `host` itself, or for an empty one (bind-all listener) the machine's
// hostname, falling back to 127.0.0.1 when it has none.
std::string advertised_host(const std::string& host);

}  // namespace sluice::broker
