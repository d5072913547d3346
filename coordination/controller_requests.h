// The controller's requests to brokers, built from its context (Kafka's
// ControllerBrokerRequestBatch). Each message is filled for every version it may be sent at (the
// grouped and ungrouped partition lists both), so the connection's negotiated version decides
// which fields go on the wire.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "client/messages.h"
#include "coordination/controller_context.h"

namespace sluice::coordination {

// The target broker's epoch (KIP-380), -1 when unknown.
int64_t broker_epoch_of(const ControllerContext& context, BrokerId target);

// LeaderAndIsr for `partitions` (those `target` replicates), with their leaders' endpoints.
protocol::LeaderAndIsrRequest leader_and_isr_request(const ControllerContext& context, BrokerId controller_id,
                                                     BrokerId target, const std::vector<TopicPartition>& partitions);

// UpdateMetadata with every live broker and every partition; partitions of `deleting` topics get
// leader -2 (the broker drops the topic from its cache).
protocol::UpdateMetadataRequest update_metadata_request(const ControllerContext& context, BrokerId controller_id,
                                                        BrokerId target, const std::set<std::string>& deleting);

// StopReplica with delete_partition for the partitions of `topic` on `target` (leader epoch -2,
// the deletion sentinel).
protocol::StopReplicaRequest stop_replica_delete_request(const ControllerContext& context, BrokerId controller_id,
                                                         BrokerId target, const std::string& topic);

// StopReplica with delete_partition for `partitions` on `target`, each at its current leader
// epoch (a reassignment dropping the replica).
protocol::StopReplicaRequest stop_replica_delete_request(const ControllerContext& context, BrokerId controller_id,
                                                         BrokerId target, const std::vector<TopicPartition>& partitions);

}  // namespace sluice::coordination
