// What the topic-admin and config handlers reach (CreateTopics, DeleteTopics, CreatePartitions,
// DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DeleteRecords, DescribeCluster): the
// ZooKeeper clients they write through, the MetadataCache they wait on (Kafka's
// DelayedCreatePartitions / DelayedDeleteTopics complete when the controller's UpdateMetadata
// lands there), the ReplicaManager, and the broker's static config.
// Owned by the KafkaServer; every pointer outlives the registry the handlers are added to.
#pragma once

#include <chrono>
#include <functional>

#include "broker/kafka_config.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"
#include "storage/log_manager.h"

namespace sluice::broker {

struct AdminServices {
  coordination::KafkaZkClient* zk = nullptr;
  coordination::AdminZkClient* admin_zk = nullptr;
  MetadataCache* metadata_cache = nullptr;
  ReplicaManager* replica_manager = nullptr;
  storage::LogManager* log_manager = nullptr;
  const KafkaConfig* config = nullptr;
  // Whether this broker is the controller now (CreateTopics, DeleteTopics and CreatePartitions
  // answer NOT_CONTROLLER otherwise). Thread-safe.
  std::function<bool()> is_controller;
  // How often a waiting CreateTopics / CreatePartitions / DeleteTopics re-reads the MetadataCache
  // (it has no change notification), and the longest any of them waits whatever its timeout_ms.
  std::chrono::milliseconds metadata_poll_interval{20};
  std::chrono::milliseconds max_wait{std::chrono::minutes(5)};
};

}  // namespace sluice::broker
