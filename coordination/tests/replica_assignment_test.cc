// Kafka's rack-unaware replica assignment: exact layouts for fixed starts (Kafka's own expected
// outputs) and balance properties for every start.
#include "coordination/replica_assignment.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sluice::coordination {
namespace {

std::vector<BrokerId> brokers(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

PartitionReplicas layout(std::initializer_list<std::initializer_list<int32_t>> rows) {
  PartitionReplicas out;
  int32_t p = 0;
  for (const auto& row : rows) out[PartitionId(p++)] = brokers(row);
  return out;
}

TEST(ReplicaAssignment, MatchesKafkaForFiveBrokersTenPartitionsFixedStart) {
  const auto ids = brokers({0, 1, 2, 3, 4});
  EXPECT_EQ(assign_replicas_to_brokers(ids, 10, 3, PlacementStart{0, 0}),
            layout({{0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
                    {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2}}));
}

TEST(ReplicaAssignment, StartIndexRotatesLeadersAndShiftSpacesFollowers) {
  const auto ids = brokers({10, 20, 30, 40});
  // Leaders from index 2; first follower 1 + (1 % 3) = 2 places after the leader, then 3.
  EXPECT_EQ(assign_replicas_to_brokers(ids, 4, 3, PlacementStart{2, 1}),
            layout({{30, 10, 20}, {40, 20, 30}, {10, 30, 40}, {20, 40, 10}}));
}

TEST(ReplicaAssignment, AddedPartitionsContinueFromTheGivenId) {
  const auto ids = brokers({0, 1, 2, 3, 4});
  const PartitionReplicas added = assign_replicas_to_brokers(ids, 3, 2, PlacementStart{0, 0}, PartitionId(4));
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added.begin()->first, PartitionId(4));
  // p4 leads on 4; p5 is a multiple of 5, so the shift grows to 1: follower two places on.
  EXPECT_EQ(added.at(PartitionId(4)), brokers({4, 0}));
  EXPECT_EQ(added.at(PartitionId(5)), brokers({0, 2}));
  EXPECT_EQ(added.at(PartitionId(6)), brokers({1, 3}));
}

TEST(ReplicaAssignment, AddedPartitionsStartAtPartitionZerosLeader) {
  const auto ids = brokers({1, 3, 5});
  EXPECT_EQ(added_partitions_start(ids, BrokerId(3)), (PlacementStart{1, 1}));
  EXPECT_EQ(added_partitions_start(ids, BrokerId(4)), (PlacementStart{2, 2}));  // first id >= 4
  EXPECT_EQ(added_partitions_start(ids, BrokerId(9)), (PlacementStart{0, 0}));  // gone: from 0
}

TEST(ReplicaAssignment, EveryStartIsBalancedWithDistinctReplicas) {
  const auto ids = brokers({1, 2, 3, 4, 5, 6});
  const int32_t partitions = 24;
  for (int32_t rf = 1; rf <= 6; ++rf) {
    for (int32_t s = 0; s < 6; ++s) {
      for (int32_t k = 0; k < 6; ++k) {
        const auto a = assign_replicas_to_brokers(ids, partitions, rf, PlacementStart{s, k});
        ASSERT_EQ(a.size(), static_cast<size_t>(partitions));
        std::map<BrokerId, int> leaders;
        std::map<BrokerId, int> replicas;
        for (const auto& [p, r] : a) {
          ASSERT_EQ(r.size(), static_cast<size_t>(rf));
          EXPECT_EQ(std::set<BrokerId>(r.begin(), r.end()).size(), r.size()) << "duplicate in p" << p.value();
          ++leaders[r.front()];
          for (const BrokerId b : r) ++replicas[b];
        }
        for (const BrokerId b : ids) {
          EXPECT_EQ(leaders[b], partitions / 6) << "rf " << rf << " start " << s << " shift " << k;
          EXPECT_EQ(replicas[b], partitions * rf / 6) << "rf " << rf << " start " << s << " shift " << k;
        }
      }
    }
  }
}

TEST(ReplicaAssignment, UnevenCountsDifferByAtMostOneLeader) {
  const auto ids = brokers({0, 1, 2});
  const auto a = assign_replicas_to_brokers(ids, 7, 2, PlacementStart{1, 2});
  std::map<BrokerId, int> leaders;
  for (const auto& entry : a) ++leaders[entry.second.front()];
  for (const BrokerId b : ids) {
    EXPECT_GE(leaders[b], 2);
    EXPECT_LE(leaders[b], 3);
  }
}

TEST(ReplicaAssignment, RandomStartsStayInRangeAndVary) {
  std::mt19937_64 rng(42);
  std::set<int32_t> starts;
  for (int i = 0; i < 200; ++i) {
    const PlacementStart s = random_placement_start(5, rng);
    ASSERT_GE(s.start_index, 0);
    ASSERT_LT(s.start_index, 5);
    ASSERT_GE(s.replica_shift, 0);
    ASSERT_LT(s.replica_shift, 5);
    starts.insert(s.start_index);
  }
  EXPECT_EQ(starts.size(), 5u);
}

}  // namespace
}  // namespace sluice::coordination
