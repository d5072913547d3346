// The controller's side of a cluster (issue 4), end to end: a real ZooKeeper and three real
// sluice-broker processes. kill -9 of the controller (which also leads partitions): another broker
// wins /controller at a higher epoch and moves every partition it led to a live ISR member with
// the leader epoch bumped; SIGTERM: a controlled shutdown moves leadership before the process
// exits; a restarted broker, back in the ISR (its leaders announce it through
// /isr_change_notification), gets its preferred leadership back through
// /admin/preferred_replica_election; with unclean election off a partition whose ISR is all dead
// stays offline until an ISR member returns; zkCli.sh shows /brokers/ids, /controller,
// /controller_epoch and the partition state as Kafka writes them. Every wait is bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <functional>
#include <thread>

#include "broker/tests/cluster_fixture.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"
#include "coordination/tests/zk_test_util.h"
#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/net.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using coordination::LeaderIsrAndControllerEpoch;

constexpr auto kSessionTimeout = 6s;  // BrokerProcess's zookeeper.session.timeout.ms

using testing::eventually;

bool has(const std::vector<BrokerId>& v, int32_t id) { return testing::contains(v, id); }

class ClusterFailover : public testing::ClusterTest {
 protected:
  void start_cluster(std::map<std::string, std::string> extra = {}) {
    extra.emplace("auto.leader.rebalance.enable", "false");
    extra["controlled.shutdown.retry.backoff.ms"] = "200";
    start_brokers(3, extra);
  }

  // Until the restarted `broker` is back in the ISR of `partitions` (its leaders expand the ISR in
  // the state znodes and announce it under /isr_change_notification) and the controller has
  // propagated that: the brokers' metadata shows no under-replicated partition of `topic`.
  void wait_until_in_isr(const std::string& topic, const std::vector<int32_t>& partitions, int32_t broker) {
    ASSERT_TRUE(eventually([&] {
      for (int32_t p : partitions) {
        auto s = state(topic, p);
        if (!s || !has(s->leader_and_isr.isr, broker)) return false;
      }
      return true;
    }, 60s)) << output();
    ASSERT_TRUE(eventually([&] {
      auto d = cli({"topic", "describe", topic, "--under-replicated"});
      return d.exit_code == 0 && d.out.find("\tPartition: ") == std::string::npos;
    }, 60s)) << cli({"topic", "describe", topic}).out;
  }
};

// Six partitions, RF 3, preferred leaders spread so every broker leads two.
const std::vector<std::vector<int32_t>> kSpread = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {1, 0, 2}, {2, 1, 0}};

// The partitions of kSpread whose preferred leader is `broker`.
std::vector<int32_t> preferred_by(int32_t broker) {
  std::vector<int32_t> out;
  for (int32_t p = 0; p < static_cast<int32_t>(kSpread.size()); ++p) {
    if (kSpread[static_cast<size_t>(p)][0] == broker) out.push_back(p);
  }
  return out;
}

TEST_F(ClusterFailover, KillNineOfTheControllerMovesItsLeadershipsAndTheControllerRole) {
  start_cluster();
  create_topic("spread", kSpread);
  const int32_t victim = controller();
  const int32_t epoch_before = controller_epoch();
  std::map<int32_t, LeaderIsrAndControllerEpoch> before;
  for (int32_t p = 0; p < 6; ++p) before[p] = *state("spread", p);
  int led = 0;
  for (const auto& [p, s] : before) led += s.leader_and_isr.leader == BrokerId(victim) ? 1 : 0;
  ASSERT_EQ(led, 2);

  const auto killed_at = std::chrono::steady_clock::now();
  brokers_[victim]->kill();
  const auto moved = [&] {
    for (const auto& [p, old] : before) {
      auto s = state("spread", p);
      if (!s || s->leader_and_isr.leader == BrokerId(victim) || has(s->leader_and_isr.isr, victim)) return false;
    }
    return true;
  };
  ASSERT_TRUE(eventually(moved, 30s));
  // How fast is the benchmark's question (docs/performance.md), not a test's: a sanitizer build
  // on a loaded machine is slower. Shown for whoever reads the log.
  const auto took = std::chrono::steady_clock::now() - killed_at;
  std::cout << "leaders moved " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms after the kill (session timeout " << kSessionTimeout.count() << " s)\n";

  EXPECT_NE(controller(), victim);
  EXPECT_NE(controller(), -1);
  EXPECT_EQ(controller_epoch(), epoch_before + 1);
  for (const auto& [p, old] : before) {
    auto s = state("spread", p);
    ASSERT_TRUE(s);
    const auto& now = s->leader_and_isr;
    EXPECT_TRUE(has(old.leader_and_isr.isr, now.leader.value())) << "partition " << p << " leader from the old ISR";
    EXPECT_EQ(now.isr.size(), 2u) << "partition " << p;
    EXPECT_EQ(now.leader_epoch.value(), old.leader_and_isr.leader_epoch.value() + 1) << "partition " << p;
    if (old.leader_and_isr.leader != BrokerId(victim)) {
      EXPECT_EQ(now.leader, old.leader_and_isr.leader) << "a live leader keeps its partition " << p;
    }
    EXPECT_EQ(s->controller_epoch.value(), epoch_before + 1) << "written by the new controller";
  }
}

TEST_F(ClusterFailover, SigtermMovesLeadershipBeforeTheProcessExits) {
  start_cluster();
  create_topic("spread", kSpread);
  // Stop a broker that is not the controller, then the controller itself.
  int32_t first = (controller() + 1) % 3;
  for (int32_t victim : {first, controller()}) {
    const auto exit_code = brokers_[victim]->stop(60s);
    ASSERT_TRUE(exit_code) << brokers_[victim]->output();
    EXPECT_EQ(*exit_code, 0) << brokers_[victim]->output();
    // The process is gone: its registration went with its session and nothing waits for expiry.
    EXPECT_FALSE(registered(victim));
    for (int32_t p = 0; p < 6; ++p) {
      auto s = state("spread", p);
      ASSERT_TRUE(s);
      EXPECT_NE(s->leader_and_isr.leader, BrokerId(victim)) << "partition " << p << " still led by " << victim;
      EXPECT_NE(s->leader_and_isr.leader, coordination::kNoLeader) << "partition " << p;
      EXPECT_FALSE(has(s->leader_and_isr.isr, victim)) << "partition " << p;
    }
    EXPECT_NE(brokers_[victim]->output().find("controlled shutdown succeeded"), std::string::npos)
        << brokers_[victim]->output();
  }
}

TEST_F(ClusterFailover, RestartedBrokerGetsPreferredLeadershipBackOnRequest) {
  start_cluster();
  create_topic("spread", kSpread);
  const int32_t victim = (controller() + 1) % 3;
  const std::vector<int32_t> preferred_by_victim = preferred_by(victim);
  ASSERT_TRUE(brokers_[victim]->stop(60s));
  for (int32_t p : preferred_by_victim) ASSERT_NE(state("spread", p)->leader_and_isr.leader, BrokerId(victim));

  brokers_[victim]->restart();
  ASSERT_TRUE(brokers_[victim]->wait_listening()) << brokers_[victim]->output();
  ASSERT_TRUE(eventually([&] { return registered(victim); }));
  wait_until_in_isr("spread", preferred_by_victim, victim);

  std::map<int32_t, int32_t> epochs;
  for (int32_t p : preferred_by_victim) epochs[p] = state("spread", p)->leader_and_isr.leader_epoch.value();
  std::vector<TopicPartition> asked;
  for (int32_t p : preferred_by_victim) asked.push_back({"spread", PartitionId(p)});
  ASSERT_TRUE(io_.sync(kafka_zk_->create_preferred_replica_election(asked)));
  ASSERT_TRUE(eventually([&] {
    auto n = io_.sync(zk_->exists("/admin/preferred_replica_election"));
    return n && !n.value().has_value();
  })) << "the controller deletes the request once done";
  for (int32_t p : preferred_by_victim) {
    auto s = state("spread", p);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->leader_and_isr.leader, BrokerId(victim)) << "partition " << p;
    EXPECT_EQ(s->leader_and_isr.leader_epoch.value(), epochs[p] + 1) << "partition " << p;
  }
}

TEST_F(ClusterFailover, UncleanElectionOffKeepsAPartitionOfflineUntilAnIsrMemberReturns) {
  start_cluster();
  // Two replicas on the two brokers that are not the controller.
  const int32_t a = (controller() + 1) % 3;
  const int32_t b = (controller() + 2) % 3;
  create_topic("narrow", {{a, b}});
  ASSERT_TRUE(brokers_[b]->stop(60s));  // b leaves the ISR: ISR = [a]
  ASSERT_TRUE(eventually([&] {
    auto s = state("narrow", 0);
    return s && s->leader_and_isr.leader == BrokerId(a) && s->leader_and_isr.isr == std::vector<BrokerId>{BrokerId(a)};
  }));
  brokers_[a]->kill();  // the last ISR member dies: no clean leader
  ASSERT_TRUE(eventually([&] {
    auto s = state("narrow", 0);
    return s && s->leader_and_isr.leader == coordination::kNoLeader;
  }));
  EXPECT_EQ(state("narrow", 0)->leader_and_isr.isr, std::vector<BrokerId>{BrokerId(a)}) << "the last member stays listed";

  brokers_[b]->restart();  // live, but not in the ISR
  ASSERT_TRUE(brokers_[b]->wait_listening());
  ASSERT_TRUE(eventually([&] { return registered(b); }));
  std::this_thread::sleep_for(2s);  // time for the controller to handle the startup (it must not elect b)
  EXPECT_EQ(state("narrow", 0)->leader_and_isr.leader, coordination::kNoLeader);

  brokers_[a]->restart();  // the ISR member returns and leads again
  ASSERT_TRUE(brokers_[a]->wait_listening());
  EXPECT_TRUE(eventually([&] {
    auto s = state("narrow", 0);
    return s && s->leader_and_isr.leader == BrokerId(a);
  }, 40s));
}

TEST_F(ClusterFailover, UncleanElectionOnPerTopicLetsAnOutOfSyncReplicaLead) {
  start_cluster();
  const int32_t a = (controller() + 1) % 3;
  const int32_t b = (controller() + 2) % 3;
  create_topic("loose", {{a, b}}, {{"unclean.leader.election.enable", "true"}});
  ASSERT_TRUE(brokers_[b]->stop(60s));
  ASSERT_TRUE(eventually([&] {
    auto s = state("loose", 0);
    return s && s->leader_and_isr.isr == std::vector<BrokerId>{BrokerId(a)};
  }));
  brokers_[a]->kill();
  ASSERT_TRUE(eventually([&] { return state("loose", 0)->leader_and_isr.leader == coordination::kNoLeader; }));
  brokers_[b]->restart();
  ASSERT_TRUE(brokers_[b]->wait_listening());
  EXPECT_TRUE(eventually([&] {
    auto s = state("loose", 0);
    return s && s->leader_and_isr.leader == BrokerId(b) && s->leader_and_isr.isr == std::vector<BrokerId>{BrokerId(b)};
  }, 40s));
}

TEST_F(ClusterFailover, CliDescribeMarksAndElectLeadersRestoresPreferredLeaders) {
  start_cluster();
  create_topic("spread", kSpread);
  const int32_t victim = (controller() + 1) % 3;
  const std::vector<int32_t> preferred_by_victim = preferred_by(victim);
  // The brokers learn the new topic from the controller's UpdateMetadata: ask until they know it.
  ASSERT_TRUE(eventually([&] {
    auto healthy = cli({"topic", "describe", "spread", "--under-replicated"});
    return healthy.exit_code == 0 && healthy.out.find("\tPartition: ") == std::string::npos;
  })) << cli({"topic", "describe", "spread"}).out;

  ASSERT_TRUE(brokers_[victim]->stop(60s));
  // Every partition lost a replica from its ISR; none is offline.
  ASSERT_TRUE(eventually([&] {
    auto d = cli({"topic", "describe", "spread", "--under-replicated"});
    size_t lines = 0;
    for (size_t at = d.out.find("\tPartition: "); at != std::string::npos; at = d.out.find("\tPartition: ", at + 1)) ++lines;
    return d.exit_code == 0 && lines == 6 && d.out.find("UnderReplicated") != std::string::npos;
  })) << cli({"topic", "describe", "spread"}).out;
  auto unavailable = cli({"topic", "describe", "spread", "--unavailable"});
  ASSERT_EQ(unavailable.exit_code, 0) << unavailable.err;
  EXPECT_EQ(unavailable.out.find("\tPartition: "), std::string::npos) << unavailable.out;

  brokers_[victim]->restart();
  ASSERT_TRUE(brokers_[victim]->wait_listening()) << brokers_[victim]->output();
  ASSERT_TRUE(eventually([&] { return registered(victim); }));
  wait_until_in_isr("spread", preferred_by_victim, victim);

  auto elected = cli({"cluster", "elect-leaders", "--topic", "spread"});
  EXPECT_EQ(elected.exit_code, 0) << elected.out << elected.err;
  for (int32_t p : preferred_by_victim) {
    EXPECT_NE(elected.out.find("Elected a new leader for spread-" + std::to_string(p)), std::string::npos) << elected.out;
    EXPECT_EQ(state("spread", p)->leader_and_isr.leader, BrokerId(victim)) << "partition " << p;
  }
  // Asked again: nothing to do.
  auto again = cli({"cluster", "elect-leaders", "--topic", "spread", "--partition", std::to_string(preferred_by_victim[0])});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("No election needed"), std::string::npos) << again.out;
  // Bad input is a one-line usage error.
  auto bad = cli({"cluster", "elect-leaders", "--all", "--topic", "spread"});
  EXPECT_EQ(bad.exit_code, 2);
  auto unknown = cli({"cluster", "elect-leaders", "--topic", "spread", "--partition", "99"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("UNKNOWN_TOPIC_OR_PARTITION"), std::string::npos) << unknown.err;
}

TEST_F(ClusterFailover, AutoRebalanceGivesPreferredLeadershipBackWhenImbalanced) {
  start_cluster({{"auto.leader.rebalance.enable", "true"}, {"leader.imbalance.check.interval.seconds", "1"}});
  create_topic("spread", kSpread);
  const int32_t victim = (controller() + 1) % 3;
  const std::vector<int32_t> preferred_by_victim = preferred_by(victim);
  ASSERT_TRUE(brokers_[victim]->stop(60s));
  brokers_[victim]->restart();
  ASSERT_TRUE(brokers_[victim]->wait_listening()) << brokers_[victim]->output();
  ASSERT_TRUE(eventually([&] { return registered(victim); }));
  // Out of the ISR it cannot lead, however imbalanced: the check leaves it alone.
  std::this_thread::sleep_for(1500ms);
  for (int32_t p : preferred_by_victim) EXPECT_NE(state("spread", p)->leader_and_isr.leader, BrokerId(victim));
  wait_until_in_isr("spread", preferred_by_victim, victim);
  // 100% imbalance for the victim (above 10%): the next check moves both partitions back.
  EXPECT_TRUE(eventually([&] {
    for (int32_t p : preferred_by_victim) {
      if (state("spread", p)->leader_and_isr.leader != BrokerId(victim)) return false;
    }
    return true;
  }, 15s));
}

// What an operator sees with Debian's zkCli.sh (the real ZooKeeper CLI, chroot in -server):
// the three brokers under /brokers/ids, the controller and its epoch, and a partition state with
// leader, leader_epoch and isr after its leader was killed, in Kafka's JSON.
std::string zkcli(const std::string& connect, const std::vector<std::string>& command) {
  std::vector<std::string> args = {"/usr/share/zookeeper/bin/zkCli.sh", "-server", connect};
  args.insert(args.end(), command.begin(), command.end());
  auto run = sluice::testing::run_program(args, "", 60s);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  return run.out;
}

TEST_F(ClusterFailover, ZkCliShowsTheControllerEpochAndPartitionStateAsKafkaWritesThem) {
  start_cluster();
  create_topic("seen", {{0, 1, 2}});
  const int32_t victim = leader("seen", 0);
  ASSERT_GE(victim, 0);
  brokers_[victim]->kill();
  ASSERT_TRUE(eventually([&] { return leader("seen", 0) >= 0 && leader("seen", 0) != victim; })) << output();
  const auto s = state("seen", 0);
  ASSERT_TRUE(s);
  const std::string connect = zookeeper_connect();

  const std::string ids = zkcli(connect, {"ls", "/brokers/ids"});
  std::string live = "[";
  for (int32_t id = 0; id < 3; ++id) {
    if (id == victim) continue;
    if (live.size() > 1) live.append(", ");
    live.append(std::to_string(id));
  }
  live += "]";
  EXPECT_NE(ids.find(live), std::string::npos) << ids;

  const std::string controller_json = zkcli(connect, {"get", "/controller"});
  EXPECT_NE(controller_json.find(R"("version":1,"brokerid":)" + std::to_string(controller())), std::string::npos)
      << controller_json;
  EXPECT_NE(controller_json.find(R"("timestamp":")"), std::string::npos) << controller_json;

  const std::string epoch = zkcli(connect, {"get", "/controller_epoch"});
  EXPECT_NE(epoch.find("\n" + std::to_string(controller_epoch()) + "\n"), std::string::npos) << epoch;

  const std::string state_json = zkcli(connect, {"get", "/brokers/topics/seen/partitions/0/state"});
  const std::string expected_leader = R"("leader":)" + std::to_string(s->leader_and_isr.leader.value());
  const std::string expected_epoch = R"("leader_epoch":)" + std::to_string(s->leader_and_isr.leader_epoch.value());
  EXPECT_NE(state_json.find(R"("controller_epoch":)"), std::string::npos) << state_json;
  EXPECT_NE(state_json.find(expected_leader), std::string::npos) << state_json;
  EXPECT_NE(state_json.find(expected_epoch), std::string::npos) << state_json;
  EXPECT_GE(s->leader_and_isr.leader_epoch.value(), 1) << "the failover bumped the leader epoch";
  std::string isr_json = R"("isr":[)";
  for (size_t i = 0; i < s->leader_and_isr.isr.size(); ++i) {
    if (i > 0) isr_json.push_back(',');
    isr_json.append(std::to_string(s->leader_and_isr.isr[i].value()));
  }
  isr_json.push_back(']');
  EXPECT_NE(state_json.find(isr_json), std::string::npos) << state_json;
  EXPECT_FALSE(has(s->leader_and_isr.isr, victim)) << "the dead broker left the ISR: " << state_json;
}

}  // namespace
}  // namespace sluice::broker
