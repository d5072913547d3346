// The controller's APIs (LeaderAndIsr, StopReplica, UpdateMetadata) and what they share: the
// fence that rejects requests from a stale controller or meant for an earlier registration of
// this broker (docs/replication.md).
#pragma once

#include <atomic>
#include <cstdint>

#include "broker/handlers/handler.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "protocol/error_code.h"

namespace sluice::coordination {
class KafkaZkClient;
}

namespace sluice::broker {

// ControlPlaneFence: the highest controller epoch this broker has seen and its own broker epoch
// (the czxid of its current /brokers/ids/<id>). Thread-safe; owned by the KafkaServer.
class ControlPlaneFence {
 public:
  // none, or STALE_CONTROLLER_EPOCH for an older controller epoch, or STALE_BROKER_EPOCH for a
  // request addressed to an older registration (-1: unknown, not checked). Raises the seen epoch.
  protocol::ErrorCode admit(int32_t controller_epoch, int64_t broker_epoch);
  void set_broker_epoch(int64_t epoch) { broker_epoch_.store(epoch); }
  [[nodiscard]] int32_t controller_epoch() const { return controller_epoch_.load(); }

 private:
  std::atomic<int32_t> controller_epoch_{0};
  std::atomic<int64_t> broker_epoch_{-1};
};

struct ControlPlaneServices {
  ReplicaManager* replica_manager = nullptr;
  MetadataCache* metadata_cache = nullptr;
  ControlPlaneFence* fence = nullptr;
  // Topic config overrides for partitions LeaderAndIsr creates; unset: the broker defaults.
  coordination::KafkaZkClient* kafka_zk = nullptr;
};

// LeaderAndIsr (key 4), v0-4: become leader or follower of each listed partition.
Handler leader_and_isr_handler(const ControlPlaneServices& services);
// StopReplica (key 5), v0-3: stop serving, and with delete_partition remove the log.
Handler stop_replica_handler(const ControlPlaneServices& services);
// UpdateMetadata (key 6), v0-7: the MetadataCache's brokers, controller and partition states.
Handler update_metadata_handler(const ControlPlaneServices& services);

// REQUIRES: the services outlive the registry.
void add_control_plane_handlers(HandlerRegistry& registry, const ControlPlaneServices& services);

}  // namespace sluice::broker
