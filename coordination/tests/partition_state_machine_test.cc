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

LeaderAndIsr state(int32_t leader, int32_t epoch, std::initializer_list<int32_t> isr) {
  LeaderAndIsr out;
  out.leader = BrokerId(leader);
  out.leader_epoch = LeaderEpoch(epoch);
  out.isr = ids(isr);
  out.zk_version = ZkVersion(5);
  return out;
}

TEST(OfflinePartitionLeader, UncleanElectionPicksTheFirstLiveReplicaWithAnIsrOfItself) {
  auto next = offline_partition_leader(state(0, 4, {0}), ids({0, 2, 1}), live({1, 2}), /*unclean=*/true);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, BrokerId(2));
  EXPECT_EQ(next->isr, ids({2}));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(5));
  // An offline partition (leader -1) comes back through an unclean election too.
  auto back = offline_partition_leader(state(-1, 5, {0}), ids({0, 1}), live({1}), true);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->leader, BrokerId(1));
  // A live ISR member is preferred even when unclean election is allowed.
  auto clean = offline_partition_leader(state(0, 1, {0, 1}), ids({0, 2, 1}), live({1, 2}), true);
  ASSERT_TRUE(clean);
  EXPECT_EQ(clean->leader, BrokerId(1));
  EXPECT_EQ(clean->isr, ids({1}));
}

TEST(OfflinePartitionLeader, UncleanWithNoLiveReplicaStaysOffline) {
  EXPECT_FALSE(offline_partition_leader(state(-1, 2, {0}), ids({0, 1}), live({}), true));
}

TEST(RemoveReplicasFromIsr, DeadFollowerLeavesTheIsrWithTheEpochBumped) {
  auto next = remove_replicas_from_isr(state(0, 3, {0, 1, 2}), {BrokerId(2)});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, BrokerId(0));
  EXPECT_EQ(next->isr, ids({0, 1}));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(4));
  EXPECT_FALSE(remove_replicas_from_isr(state(0, 3, {0, 1}), {BrokerId(2)}));  // not a member
}

TEST(RemoveReplicasFromIsr, TheLastMemberStaysListedAndALeaderRemovedMeansNoLeader) {
  auto next = remove_replicas_from_isr(state(1, 0, {1}), {BrokerId(1)});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, kNoLeader);
  EXPECT_EQ(next->isr, ids({1}));
}

TEST(ControlledShutdownLeader, NextLiveIsrReplicaNotShuttingDownLeads) {
  auto next = controlled_shutdown_leader(state(0, 2, {0, 1, 2}), ids({0, 1, 2}), live({0, 1, 2}), {BrokerId(0), BrokerId(1)});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, BrokerId(2));
  EXPECT_EQ(next->isr, ids({2}));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(3));
}

TEST(ControlledShutdownLeader, NothingWhenTheLeaderStaysOrNobodyCanTakeOver) {
  EXPECT_FALSE(controlled_shutdown_leader(state(1, 2, {0, 1}), ids({0, 1}), live({0, 1}), {BrokerId(0)}));
  // 1 is a replica and live but out of the ISR: it cannot take over.
  EXPECT_FALSE(controlled_shutdown_leader(state(0, 2, {0}), ids({0, 1}), live({0, 1}), {BrokerId(0)}));
}

TEST(PreferredReplicaLeader, FirstReplicaLeadsWhenLiveAndInTheIsr) {
  auto next = preferred_replica_leader(state(1, 7, {1, 0}), ids({0, 1}), live({0, 1}));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->leader, BrokerId(0));
  EXPECT_EQ(next->isr, ids({1, 0}));
  EXPECT_EQ(next->leader_epoch, LeaderEpoch(8));
  EXPECT_FALSE(preferred_replica_leader(state(0, 7, {1, 0}), ids({0, 1}), live({0, 1})));  // already leads
  EXPECT_FALSE(preferred_replica_leader(state(1, 7, {1}), ids({0, 1}), live({0, 1})));     // out of ISR
  EXPECT_FALSE(preferred_replica_leader(state(1, 7, {1, 0}), ids({0, 1}), live({1})));     // dead
}

ControllerContext context_with(std::vector<std::pair<std::vector<int32_t>, LeaderAndIsr>> partitions,
                               std::set<int32_t> live_ids) {
  ControllerContext context;
  for (int32_t id : live_ids) {
    BrokerInfo info;
    info.id = BrokerId(id);
    context.live_brokers[info.id] = info;
  }
  TopicAssignment assignment;
  for (size_t i = 0; i < partitions.size(); ++i) {
    ReplicaAssignment r;
    for (int32_t id : partitions[i].first) r.replicas.emplace_back(id);
    assignment.partitions[PartitionId(static_cast<int32_t>(i))] = r;
    LeaderIsrAndControllerEpoch s;
    s.leader_and_isr = partitions[i].second;
    context.partition_states[TopicPartition{"t", PartitionId(static_cast<int32_t>(i))}] = s;
  }
  context.topics["t"] = assignment;
  return context;
}

TEST(LeaderImbalance, FractionOfPreferredPartitionsABrokerDoesNotLead) {
  // Broker 0 is preferred for 4 partitions and leads 2; broker 1 is preferred for 1 and leads it.
  const auto context = context_with({{{0, 1}, state(0, 0, {0, 1})},
                                     {{0, 1}, state(1, 1, {0, 1})},
                                     {{0, 1}, state(1, 1, {1, 0})},
                                     {{0, 1}, state(0, 0, {0, 1})},
                                     {{1, 0}, state(1, 0, {1, 0})}},
                                    {0, 1});
  const auto imbalance = leader_imbalance(context);
  EXPECT_DOUBLE_EQ(imbalance.at(BrokerId(0)), 0.5);
  EXPECT_DOUBLE_EQ(imbalance.at(BrokerId(1)), 0.0);
  const auto candidates = rebalance_candidates(context, 10);
  EXPECT_EQ(candidates, (std::vector<TopicPartition>{{"t", PartitionId(1)}, {"t", PartitionId(2)}}));
  EXPECT_TRUE(rebalance_candidates(context, 50).empty());  // 50% is not above the threshold
}

TEST(LeaderImbalance, CandidatesNeedTheirPreferredReplicaLiveAndInSync) {
  const auto out_of_isr = context_with({{{0, 1}, state(1, 1, {1})}}, {0, 1});
  EXPECT_DOUBLE_EQ(leader_imbalance(out_of_isr).at(BrokerId(0)), 1.0);
  EXPECT_TRUE(rebalance_candidates(out_of_isr, 10).empty());
  const auto dead = context_with({{{0, 1}, state(1, 1, {1, 0})}}, {1});
  EXPECT_TRUE(rebalance_candidates(dead, 10).empty());
  auto shutting = context_with({{{0, 1}, state(1, 1, {1, 0})}}, {0, 1});
  EXPECT_EQ(rebalance_candidates(shutting, 10).size(), 1u);
  shutting.shutting_down.insert(BrokerId(0));
  EXPECT_TRUE(rebalance_candidates(shutting, 10).empty());
}

TEST(ReassignmentLeader, LeaderInTheTargetKeepsLeadingAndIsrFollowsTargetOrder) {
  const LeaderAndIsr current{BrokerId(1), LeaderEpoch(4), ids({1, 2, 3}), ZkVersion(7)};
  auto decision = reassignment_leader(current, ids({3, 1}), live({1, 2, 3}));
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->leader, BrokerId(1));
  EXPECT_EQ(decision->isr, ids({3, 1}));
  EXPECT_EQ(decision->leader_epoch, LeaderEpoch(5));
}

TEST(ReassignmentLeader, LeaderOutsideTheTargetHandsOverToTheFirstLiveTargetInIsr) {
  const LeaderAndIsr current{BrokerId(0), LeaderEpoch(2), ids({0, 1, 3}), ZkVersion(1)};
  auto decision = reassignment_leader(current, ids({3, 1}), live({0, 1}));  // 3 is not live
  ASSERT_TRUE(decision);
  EXPECT_EQ(decision->leader, BrokerId(1));
  EXPECT_EQ(decision->isr, ids({3, 1}));
  EXPECT_EQ(decision->leader_epoch, LeaderEpoch(3));
}

TEST(ReassignmentLeader, NoLiveTargetInIsrCannotFinish) {
  const LeaderAndIsr current{BrokerId(0), LeaderEpoch(2), ids({0, 1}), ZkVersion(1)};
  EXPECT_FALSE(reassignment_leader(current, ids({3, 4}), live({0, 1, 3, 4})));
  EXPECT_FALSE(reassignment_leader(current, ids({1}), live({0})));
}

}  // namespace
}  // namespace sluice::coordination
