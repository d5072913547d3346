#include "coordination/replica_assignment.h"

#include <algorithm>

#include "protocol/assert.h"

namespace sluice::coordination {
namespace {

// The index of the j-th follower (j from 0) of the replica at `first`.
size_t follower_index(size_t first, int64_t shift, int32_t j, size_t n) {
  const auto gap = 1 + static_cast<size_t>(shift + j) % (n - 1);
  return (first + gap) % n;
}

}  // namespace

PlacementStart random_placement_start(size_t broker_count, std::mt19937_64& rng) {
  SLUICE_ASSERT(broker_count >= 1, "no brokers to place replicas on");
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(broker_count) - 1);
  const int32_t start = pick(rng);
  return PlacementStart{start, pick(rng)};
}

PlacementStart added_partitions_start(std::span<const BrokerId> brokers, BrokerId partition0_leader) {
  const auto it = std::find_if(brokers.begin(), brokers.end(), [&](BrokerId b) { return b >= partition0_leader; });
  const auto index = it == brokers.end() ? 0 : static_cast<int32_t>(it - brokers.begin());
  return PlacementStart{index, index};
}

PartitionReplicas assign_replicas_to_brokers(std::span<const BrokerId> brokers, int32_t partitions,
                                             int32_t replication_factor, PlacementStart start,
                                             PartitionId first_partition) {
  const size_t n = brokers.size();
  SLUICE_ASSERT(replication_factor >= 1 && static_cast<size_t>(replication_factor) <= n,
                "replication factor {} with {} brokers", replication_factor, n);
  SLUICE_ASSERT(partitions >= 0 && first_partition.value() >= 0, "bad partition range");
  SLUICE_ASSERT(start.start_index >= 0 && static_cast<size_t>(start.start_index) < n && start.replica_shift >= 0 &&
                    static_cast<size_t>(start.replica_shift) < n,
                "placement start out of range");
  SLUICE_ASSERT(std::is_sorted(brokers.begin(), brokers.end()), "brokers not sorted by id");
  PartitionReplicas out;
  int64_t shift = start.replica_shift;
  for (int32_t i = 0; i < partitions; ++i) {
    const int64_t p = int64_t{first_partition.value()} + i;
    if (p > 0 && p % static_cast<int64_t>(n) == 0) ++shift;
    const auto first = static_cast<size_t>((p + start.start_index) % static_cast<int64_t>(n));
    std::vector<BrokerId> replicas{brokers[first]};
    for (int32_t j = 0; j + 1 < replication_factor; ++j) {
      replicas.push_back(brokers[follower_index(first, shift, j, n)]);
    }
    out.emplace(PartitionId(static_cast<int32_t>(p)), std::move(replicas));
  }
  return out;
}

}  // namespace sluice::coordination
