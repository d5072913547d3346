// The controller's leader/ISR decisions, as pure functions (partition_state_machine.h).
#include <gtest/gtest.h>

#include <set>

#include "coordination/partition_state_machine.h"

namespace sluice::coordination {
namespace {

std::function<bool(BrokerId)> live(std::set<int32_t> ids) {
  return [ids = std::move(ids)](BrokerId id) { return ids.contains(id.value()); };
}
std::vector<BrokerId> ids(std::initializer_list<int32_t> v) {
  std::vector<BrokerId> out;
  for (int32_t i : v) out.emplace_back(i);
  return out;
}

TEST(NewPartitionLeader, FirstLiveReplicaLeadsAndIsrIsTheLiveReplicasInAssignmentOrder) {
  auto decision = new_partition_leader(ids({2, 0, 1}), live({0, 1}));
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->leader, BrokerId(0));
  EXPECT_EQ(decision->isr, ids({0, 1}));
  EXPECT_EQ(decision->leader_epoch, LeaderEpoch(0));
}

TEST(NewPartitionLeader, NoLiveReplicaLeavesThePartitionNew) {
  EXPECT_FALSE(new_partition_leader(ids({1, 2}), live({0})));
}

TEST(OfflinePartitionLeader, LiveLeaderChangesNothing) {
  LeaderAndIsr current{.leader = BrokerId(0), .leader_epoch = LeaderEpoch(3), .isr = ids({0, 1}), .zk_version = ZkVersion(2)};
  EXPECT_FALSE(offline_partition_leader(current, ids({0, 1}), live({0, 1})));
}

TEST(OfflinePartitionLeader, FirstLiveIsrReplicaInAssignmentOrderLeadsWithTheEpochBumped) {
  LeaderAndIsr current{.leader = BrokerId(0), .leader_epoch = LeaderEpoch(3), .isr = ids({0, 2, 1}), .zk_version = ZkVersion(2)};
  auto next = offline_partition_leader(current, ids({0, 1, 2}), live({1, 2}));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, BrokerId(1));
  EXPECT_EQ(next->isr, ids({2, 1}));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(4));
}

TEST(OfflinePartitionLeader, NoLiveIsrMemberMeansNoLeaderAndTheIsrKept) {
  LeaderAndIsr current{.leader = BrokerId(0), .leader_epoch = LeaderEpoch(0), .isr = ids({0}), .zk_version = ZkVersion(0)};
  auto next = offline_partition_leader(current, ids({0, 1}), live({1}));  // 1 is live but not in the ISR
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, kNoLeader);
  EXPECT_EQ(next->isr, ids({0}));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(1));
  EXPECT_FALSE(offline_partition_leader(*next, ids({0, 1}), live({1})));  // already offline
  auto back = offline_partition_leader(*next, ids({0, 1}), live({0, 1}));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->leader, BrokerId(0));
  EXPECT_EQ(back->leader_epoch, LeaderEpoch(2));
}

}  // namespace
}  // namespace sluice::coordination
