// Partition reassignment (issue 4), end to end: a real ZooKeeper and real sluice-broker processes.
// A fourth broker joins a running cluster and takes partitions through `sluice topic reassign`
// while confluent-kafka produces with acks=all: the topic znode, the state znode's ISR and the
// replicas' log directories end as the target says, the producer sees only retriable errors and
// every acknowledged record reads back, in order. AlterPartitionReassignments' errors, its
// NOT_CONTROLLER answer, ListPartitionReassignments and cancel; /admin/reassign_partitions; a
// move that survives a controller failover. Every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "broker/tests/acked_records.h"
#include "broker/tests/cluster_fixture.h"
#include "broker/tests/interop_support.h"
#include "broker/tests/wire_calls.h"
#include "protocol/messages/alter_partition_reassignments_request.h"
#include "protocol/messages/alter_partition_reassignments_response.h"
#include "protocol/messages/list_partition_reassignments_request.h"
#include "protocol/messages/list_partition_reassignments_response.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

std::vector<int32_t> ints(const std::vector<BrokerId>& ids) {
  std::vector<int32_t> out;
  for (BrokerId id : ids) out.push_back(id.value());
  return out;
}

std::vector<int32_t> sorted(std::vector<int32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class Reassignment : public testing::ClusterTest {
 protected:
  void start_cluster(int count = 3) { start_brokers(count, {{"auto.leader.rebalance.enable", "false"}}); }

  coordination::ReplicaAssignment assignment(const std::string& topic, int32_t partition) {
    auto a = io_.sync(kafka_zk_->get_topic_assignment(topic));
    if (!a) return {};
    auto it = a.value().assignment.partitions.find(PartitionId(partition));
    return it == a.value().assignment.partitions.end() ? coordination::ReplicaAssignment{} : it->second;
  }

  // Done: the topic znode lists `target` with nothing in flight, the ISR is the target, and a
  // target replica leads.
  bool reassigned(const std::string& topic, int32_t partition, const std::vector<int32_t>& target) {
    const auto a = assignment(topic, partition);
    if (ints(a.replicas) != target || !a.adding.empty() || !a.removing.empty()) return false;
    return isr(topic, partition) == sorted(target) &&
           std::find(target.begin(), target.end(), leader(topic, partition)) != target.end();
  }

  bool reassign_znode_exists() {
    auto n = io_.sync(zk_->exists("/admin/reassign_partitions"));
    return n && n.value().has_value();
  }

  std::filesystem::path partition_dir(int32_t broker_id, const std::string& topic, int32_t partition) {
    return broker(broker_id).log_dir() / (topic + "-" + std::to_string(partition));
  }

  uint16_t port_of(int32_t id) { return broker(id).port(); }
};

// The issue's scenario: three brokers, RF 2, three partitions, a producer writing with acks=all;
// broker 3 is added and every partition moves so that each loses its current leader's replica.
TEST_F(Reassignment, NewBrokerTakesPartitionsUnderAcksAllLoadWithNothingLost) {
  start_cluster();
  const std::string topic = "moving";
  create_topic(topic, {{0, 1}, {1, 2}, {2, 0}}, {{"min.insync.replicas", "1"}});
  const std::vector<std::vector<int32_t>> target = {{3, 1}, {3, 2}, {0, 3}};
  testing::Outcome o = testing::with_confluent_producer(dir_.path(), bootstrap(), topic, 3, [&](const auto& acked) {
    // Some records acknowledged before anything moves.
    ASSERT_TRUE(eventually([&] { return acked() >= 200; }, 60s)) << "the producer is stuck\n" << output();
    start_brokers(1, {{"auto.leader.rebalance.enable", "false"}}, 3);
    auto run = cli({"topic", "reassign", "--topic", topic, "--partition", "0", "--replicas", "3,1", "--partition", "1",
                    "--replicas", "3,2", "--partition", "2", "--replicas", "0,3", "--wait", "--wait-timeout-ms",
                    "60000"});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err << output();
    EXPECT_NE(run.out.find("Reassignment of moving-0 to [3,1] started"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("Reassignment of moving-2 complete"), std::string::npos) << run.out;
    for (int p = 0; p < 3; ++p) {
      EXPECT_TRUE(eventually([&] { return reassigned(topic, p, target[static_cast<size_t>(p)]); }, 60s))
          << "partition " << p << " replicas " << ::testing::PrintToString(ints(assignment(topic, p).replicas))
          << " isr " << ::testing::PrintToString(isr(topic, p)) << "\n" << output();
    }
    // Keep producing on the new leaders for a moment.
    const size_t moved = acked();
    EXPECT_TRUE(eventually([&] { return acked() >= moved + 200; }, 60s)) << "no writes after the move\n" << output();
  });
  // The dropped replicas' logs are deleted: 0 from p0, 1 from p1, 2 from p2; the new ones exist.
  EXPECT_TRUE(eventually([&] {
    return !std::filesystem::exists(partition_dir(0, topic, 0)) && !std::filesystem::exists(partition_dir(1, topic, 1)) &&
           !std::filesystem::exists(partition_dir(2, topic, 2));
  })) << output();
  for (int p = 0; p < 3; ++p) EXPECT_TRUE(std::filesystem::exists(partition_dir(3, topic, p)));
  EXPECT_FALSE(reassign_znode_exists());
  auto listed = cli({"topic", "reassign", "--list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("No partition reassignment in progress"), std::string::npos) << listed.out;
  // Every acknowledged record is read back at its offset, in the order produced.
  testing::dump_into(o, dir_.path(), bootstrap(), topic, 3, output());
  const int64_t duplicates = testing::check_nothing_lost(o, 3);
  std::cerr << o.acked.size() << " acknowledged, " << duplicates << " duplicate copies from retries\n";
}

// Bad targets get Kafka's errors, through the CLI and on the wire; other brokers answer
// NOT_CONTROLLER; both APIs are advertised.
TEST_F(Reassignment, ApiRejectsBadTargetsAndOnlyTheControllerServes) {
  start_cluster();
  create_topic("t", {{0, 1}});
  auto unknown_broker = cli({"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "0,9"});
  EXPECT_EQ(unknown_broker.exit_code, 1);
  EXPECT_NE(unknown_broker.err.find("INVALID_REPLICA_ASSIGNMENT"), std::string::npos) << unknown_broker.err;
  auto duplicate = cli({"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1,1"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_NE(duplicate.err.find("INVALID_REPLICA_ASSIGNMENT"), std::string::npos) << duplicate.err;
  auto unknown_partition = cli({"topic", "reassign", "--topic", "t", "--partition", "5", "--replicas", "0,1"});
  EXPECT_EQ(unknown_partition.exit_code, 1);
  EXPECT_NE(unknown_partition.err.find("UNKNOWN_TOPIC_OR_PARTITION"), std::string::npos) << unknown_partition.err;
  auto nothing_to_cancel = cli({"topic", "reassign", "--topic", "t", "--partition", "0", "--cancel"});
  EXPECT_EQ(nothing_to_cancel.exit_code, 1);
  EXPECT_NE(nothing_to_cancel.err.find("NO_REASSIGNMENT_IN_PROGRESS"), std::string::npos) << nothing_to_cancel.err;
  EXPECT_EQ(ints(assignment("t", 0).replicas), (std::vector<int32_t>{0, 1}));
  const auto bad_plan = dir_.path() / "bad-plan.json";
  { std::ofstream(bad_plan) << R"({"version":1,"partitions":[{"topic":"t","partition":0}]})"; }
  auto malformed = cli({"topic", "reassign", "--plan", bad_plan.string()});
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_NE(malformed.err.find("\"replicas\" must be a non-empty array"), std::string::npos) << malformed.err;

  // A plan that only reorders replicas already in the ISR finishes at once; the leader stays.
  const auto plan = dir_.path() / "plan.json";
  { std::ofstream(plan) << R"({"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,0],"log_dirs":["any","any"]}]})"; }
  const int32_t leader_before = leader("t", 0);
  auto reordered = cli({"topic", "reassign", "--plan", plan.string(), "--wait"});
  EXPECT_EQ(reordered.exit_code, 0) << reordered.out << reordered.err;
  EXPECT_NE(reordered.out.find("Reassignment of t-0 complete"), std::string::npos) << reordered.out;
  EXPECT_TRUE(eventually([&] { return reassigned("t", 0, {1, 0}); })) << output();
  EXPECT_EQ(leader("t", 0), leader_before);

  const int32_t active = controller();
  const int32_t other = (active + 1) % 3;
  for (int32_t id : {active, other}) {
    const auto apis = testing::advertised(port_of(id));
    EXPECT_TRUE(testing::advertises(apis, 45, 0));
    EXPECT_TRUE(testing::advertises(apis, 46, 0));
  }
  testing::TestClient client(port_of(other));
  ASSERT_TRUE(client.connected());
  protocol::AlterPartitionReassignmentsRequest alter;
  protocol::AlterPartitionReassignmentsRequest::ReassignableTopic t;
  t.name = "t";
  protocol::AlterPartitionReassignmentsRequest::ReassignablePartition p;
  p.partition_index = PartitionId(0);
  p.replicas = std::vector<BrokerId>{BrokerId(1), BrokerId(2)};
  t.partitions.push_back(p);
  alter.topics.push_back(t);
  auto altered = testing::call<protocol::AlterPartitionReassignmentsResponse>(client, 0, alter);
  ASSERT_TRUE(altered);
  EXPECT_EQ(altered->error_code, static_cast<int16_t>(protocol::ErrorCode::not_controller));
  ASSERT_EQ(altered->responses.size(), 1u);
  EXPECT_EQ(altered->responses[0].partitions.at(0).error_code, static_cast<int16_t>(protocol::ErrorCode::not_controller));
  protocol::ListPartitionReassignmentsRequest list;
  auto listed = testing::call<protocol::ListPartitionReassignmentsResponse>(client, 0, list, 2);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->error_code, static_cast<int16_t>(protocol::ErrorCode::not_controller));

  // On the controller, the wire errors per partition.
  testing::TestClient at_controller(port_of(active));
  ASSERT_TRUE(at_controller.connected());
  alter.topics[0].partitions[0].replicas = std::vector<BrokerId>{BrokerId(0), BrokerId(0)};
  auto rejected = testing::call<protocol::AlterPartitionReassignmentsResponse>(at_controller, 0, alter);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->error_code, 0);
  EXPECT_EQ(rejected->responses.at(0).partitions.at(0).error_code,
            static_cast<int16_t>(protocol::ErrorCode::invalid_replica_assignment));
}

// A move that cannot finish (its new replica's broker is stopped) is listed with its adding and
// removing replicas in the topic znode and through ListPartitionReassignments; cancelling it
// reverts the partition to its original replicas.
TEST_F(Reassignment, ListShowsAStuckMoveAndCancelRevertsIt) {
  start_cluster();
  create_topic("stuck", {{0, 1}});
  start_brokers(1, {{"auto.leader.rebalance.enable", "false"}}, 3);
  // Broker 3 stays registered for the session timeout (6 s) after SIGSTOP: a valid target whose
  // replica never catches up.
  broker(3).process().signal(SIGSTOP);
  auto started = cli({"topic", "reassign", "--topic", "stuck", "--partition", "0", "--replicas", "0,3"});
  ASSERT_EQ(started.exit_code, 0) << started.err << output();
  // Asking again for the same target (while broker 3 is still registered) changes nothing.
  auto again = cli({"topic", "reassign", "--topic", "stuck", "--partition", "0", "--replicas", "0,3"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto a = assignment("stuck", 0);
  EXPECT_EQ(ints(a.replicas), (std::vector<int32_t>{0, 3, 1}));
  EXPECT_EQ(ints(a.adding), (std::vector<int32_t>{3}));
  EXPECT_EQ(ints(a.removing), (std::vector<int32_t>{1}));
  auto listed = cli({"topic", "reassign", "--list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("stuck-0: replicas [0,3,1] adding [3] removing [1]"), std::string::npos) << listed.out;

  auto cancelled = cli({"topic", "reassign", "--topic", "stuck", "--partition", "0", "--cancel", "--wait"});
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.out << cancelled.err;
  EXPECT_NE(cancelled.out.find("Reassignment of stuck-0 cancelled"), std::string::npos) << cancelled.out;
  EXPECT_TRUE(eventually([&] { return reassigned("stuck", 0, {0, 1}); })) << output();
  auto after = cli({"topic", "reassign", "--list"});
  EXPECT_NE(after.out.find("No partition reassignment in progress"), std::string::npos) << after.out;
  broker(3).process().signal(SIGCONT);
}

// The legacy path: /admin/reassign_partitions written directly (invalid entries dropped), and a
// controller killed in the middle of the moves: the next controller resumes them from the topic
// znode's adding/removing replicas, finishes them and deletes the admin znode.
TEST_F(Reassignment, AdminZnodeMovesSurviveAControllerFailover) {
  start_cluster();
  create_topic("zk", {{0, 1}, {1, 2}});
  start_brokers(1, {{"auto.leader.rebalance.enable", "false"}}, 3);
  broker(3).process().signal(SIGSTOP);  // the moves stay in flight until it resumes
  coordination::PartitionReassignments asked;
  asked[TopicPartition{"zk", PartitionId(0)}] = {BrokerId(3), BrokerId(1)};
  asked[TopicPartition{"zk", PartitionId(1)}] = {BrokerId(1), BrokerId(3)};
  asked[TopicPartition{"zk", PartitionId(7)}] = {BrokerId(0), BrokerId(1)};  // no such partition
  ASSERT_TRUE(io_.sync(kafka_zk_->create_partition_reassignments(asked)));
  ASSERT_TRUE(eventually([&] {
    return ints(assignment("zk", 0).adding) == std::vector<int32_t>{3} &&
           ints(assignment("zk", 1).adding) == std::vector<int32_t>{3};
  })) << output();
  ASSERT_TRUE(eventually([&] {
    auto left = io_.sync(kafka_zk_->get_partition_reassignments());
    return left && left.value() && left.value()->size() == 2 &&
           !left.value()->contains(TopicPartition{"zk", PartitionId(7)});
  })) << "the invalid entry is dropped from the znode";

  const int32_t old_controller = controller();
  const int32_t epoch = controller_epoch();
  broker(old_controller).kill();
  ASSERT_TRUE(eventually([&] { return controller() >= 0 && controller() != old_controller; }, 60s)) << output();
  EXPECT_GT(controller_epoch(), epoch);
  broker(3).process().signal(SIGCONT);
  broker(old_controller).restart();
  ASSERT_TRUE(broker(old_controller).wait_listening()) << output();

  EXPECT_TRUE(eventually([&] { return reassigned("zk", 0, {3, 1}) && reassigned("zk", 1, {1, 3}); }, 90s))
      << "zk-0 " << ::testing::PrintToString(ints(assignment("zk", 0).replicas)) << " isr "
      << ::testing::PrintToString(isr("zk", 0)) << "; zk-1 " << ::testing::PrintToString(ints(assignment("zk", 1).replicas))
      << " isr " << ::testing::PrintToString(isr("zk", 1)) << "\n" << output();
  EXPECT_TRUE(eventually([&] { return !reassign_znode_exists(); })) << output();
}

}  // namespace
}  // namespace sluice::broker
