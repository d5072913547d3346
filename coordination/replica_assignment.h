// Kafka's rack-unaware replica assignment (AdminUtils.assignReplicasToBrokersRackUnaware, Kafka
// 2.8), for new topics and for partitions added to one. Over the brokers sorted by id, partition
// p's leader is brokers[(p + start_index) % n]; its j-th follower (j >= 1) is
// 1 + (shift + j - 1) % (n - 1) places after the leader, and the shift grows by one every n
// partitions. So leaders go round-robin and followers spread instead of always trailing the same
// broker. Racks are ignored (Kafka would use its rack-aware variant when every broker has one).
//
// Example, brokers 0-4, replication factor 3, start_index 0, shift 0 (Kafka's own test):
//   p0 [0,1,2]  p1 [1,2,3]  p2 [2,3,4]  p3 [3,4,0]  p4 [4,0,1]
//   p5 [0,2,3]  p6 [1,3,4]  p7 [2,4,0]  p8 [3,0,1]  p9 [4,1,2]   (shift 1 from p5)
#pragma once

#include <cstdint>
#include <random>
#include <span>

#include "coordination/topic_validation.h"

namespace sluice::coordination {

// Where the round-robin starts: partition 0's leader index and the first follower's shift,
// both in [0, broker count).
struct PlacementStart {
  int32_t start_index = 0;
  int32_t replica_shift = 0;

  bool operator==(const PlacementStart&) const = default;
};

// A new topic: both picked uniformly at random, independently, as Kafka does.
// REQUIRES: broker_count >= 1.
PlacementStart random_placement_start(size_t broker_count, std::mt19937_64& rng);

// Added partitions: Kafka starts both at the index of the first broker whose id is >= partition
// 0's first replica (0 if none), so the new partitions continue the existing pattern.
// REQUIRES: brokers sorted by id.
PlacementStart added_partitions_start(std::span<const BrokerId> brokers, BrokerId partition0_leader);

// Assigns `partitions` partitions numbered from `first_partition`. The shift grows at each id in
// that range that is a positive multiple of the broker count; as in Kafka, ids below
// `first_partition` do not count, so added partitions need not match a fresh topic's layout.
// REQUIRES: brokers sorted by id, distinct; 1 <= replication_factor <= brokers.size();
// partitions >= 0; start fields in [0, brokers.size()); first_partition >= 0.
PartitionReplicas assign_replicas_to_brokers(std::span<const BrokerId> brokers, int32_t partitions,
                                             int32_t replication_factor, PlacementStart start,
                                             PartitionId first_partition = PartitionId(0));

}  // namespace sluice::coordination
