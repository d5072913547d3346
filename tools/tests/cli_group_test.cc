// sluice consume --group and sluice group list|describe|reset-offsets|delete against a real
// ZooKeeper and a real sluice-broker daemon (the group coordinator and offset manager of issue 5).
// Delivery semantics are checked by killing a consumer (SIGKILL) exactly between printing and
// committing: SLUICE_TEST_STALL_BETWEEN_COMMIT_AND_PRINT=1 makes `sluice consume --group` stop
// after the first step of its first batch (print for at-least-once, commit for --at-most-once)
// and say so on stderr, so the kill lands in that window every time.
#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::tools {
namespace {

using namespace std::chrono_literals;
using sluice::testing::ChildProcess;
using sluice::testing::RunResult;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The per-partition rows of `group describe`: "topic\tpartition" -> {committed, log end, lag, owner}.
std::map<std::string, std::vector<std::string>> partition_rows(const std::string& describe) {
  std::map<std::string, std::vector<std::string>> out;
  bool in_table = false;
  for (const auto& line : lines(describe)) {
    if (line.rfind("TOPIC\tPARTITION", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    std::vector<std::string> cells;
    std::istringstream in(line);
    for (std::string cell; std::getline(in, cell, '\t');) cells.push_back(cell);
    if (cells.size() == 6) out[cells[0] + "\t" + cells[1]] = {cells[2], cells[3], cells[4], cells[5]};
  }
  return out;
}

bool stalled_or_exited(ChildProcess& p) {
  return p.stderr_text().find("stalled between commit and print") != std::string::npos || !p.running();
}

class CliGroup : public ::testing::Test {
 protected:
  void SetUp() override {
    sluice::testing::BrokerOptions options;
    options.zookeeper_connect = zk_.connect_string();
    options.dir = dir_.path() / "broker0";
    options.properties["auto.create.topics.enable"] = "false";
    options.properties["group.initial.rebalance.delay.ms"] = "0";
    broker_ = std::make_unique<sluice::testing::BrokerProcess>(options);
    ASSERT_TRUE(broker_->wait_listening()) << broker_->output();
  }

  std::vector<std::string> argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {sluice::testing::BrokerProcess::cli_binary().string(), "-b", broker_->bootstrap()});
    return args;
  }
  RunResult sluice(std::vector<std::string> args, const std::string& input = "",
                   const std::map<std::string, std::string>& env = {}) {
    return sluice::testing::run_program(argv(std::move(args)), input, 60s, env);
  }
  std::unique_ptr<ChildProcess> start(const std::string& name, std::vector<std::string> args,
                                      const std::map<std::string, std::string>& env = {}) {
    return std::make_unique<ChildProcess>(argv(std::move(args)), dir_.path() / name, env);
  }
  // Polls `done` every 250 ms for at most `limit`.
  template <typename F>
  bool eventually(F done, std::chrono::milliseconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(250ms);
    }
    return done();
  }
  void create_topic(const std::string& name, int partitions) {
    RunResult created = sluice({"topic", "create", name, "-p", std::to_string(partitions), "-r", "1"});
    ASSERT_EQ(created.exit_code, 0) << created.err << broker_->output();
    // The leader may not be known to the metadata cache at once.
    ASSERT_TRUE(eventually([&] { return sluice({"topic", "describe", name}).out.find("Leader: 0") != std::string::npos; }));
  }
  void produce(const std::string& topic, int partition, const std::string& lines_text) {
    RunResult r = sluice({"produce", topic, "-p", std::to_string(partition)}, lines_text);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  sluice::testing::ZooKeeperServer zk_;
  sluice::testing::TempDir dir_;
  std::unique_ptr<sluice::testing::BrokerProcess> broker_;
};

TEST_F(CliGroup, TwoConsumersShareATopicCommitAndDescribeShowsLag) {
  create_topic("orders", 4);
  std::set<std::string> sent;
  for (int p = 0; p < 4; ++p) {
    std::string text;
    for (int i = 0; i < 10; ++i) {
      // (Appended piecewise: GCC 12 -O3 misreports a chain of operator+ as -Wrestrict.)
      std::string v = "p";
      v += std::to_string(p);
      v += "-";
      v += std::to_string(i);
      text += v + "\n";
      sent.insert(v);
    }
    produce("orders", p, text);
  }
  const std::vector<std::string> consume = {"consume", "orders", "--group", "g", "--from-beginning",
                                            "--session-timeout-ms", "6000"};
  auto a = start("a", consume);
  auto b = start("b", consume);
  std::string describe;
  // Both members hold partitions, disjoint and covering, and everything is committed (lag 0).
  const bool settled = eventually([&] {
    RunResult d = sluice({"group", "describe", "g"});
    describe = d.out + d.err;
    if (d.exit_code != 0 || d.out.find("State: Stable") == std::string::npos) return false;
    if (d.out.find("Members: 2\n") == std::string::npos) return false;
    auto rows = partition_rows(d.out);
    if (rows.size() != 4) return false;
    std::set<std::string> owners;
    for (const auto& [tp, cells] : rows) {
      if (cells[0] != "10" || cells[2] != "0" || cells[3] == "-") return false;
      owners.insert(cells[3]);
    }
    return owners.size() == 2;  // each partition has exactly one owner (one row each), two owners in all
  });
  ASSERT_TRUE(settled) << describe << "\nA:\n" << a->output() << "\nB:\n" << b->output();
  std::set<std::string> got;
  for (const auto& l : lines(a->stdout_text())) got.insert(l);
  for (const auto& l : lines(b->stdout_text())) got.insert(l);
  EXPECT_EQ(got, sent);

  RunResult listed = sluice({"group", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("g\t"), std::string::npos) << listed.out;

  // Stop both (SIGTERM: they leave the group); new records show up as lag.
  a->signal(SIGTERM);
  b->signal(SIGTERM);
  EXPECT_EQ(a->wait_exit(30s), 0) << a->output();
  EXPECT_EQ(b->wait_exit(30s), 0) << b->output();
  produce("orders", 2, "x\ny\nz\n");
  ASSERT_TRUE(eventually([&] {
    RunResult d = sluice({"group", "describe", "g"});
    describe = d.out + d.err;
    auto rows = partition_rows(d.out);
    return d.out.find("State: Empty") != std::string::npos && rows.count("orders\t2") == 1 &&
           rows["orders\t2"] == std::vector<std::string>{"10", "13", "3", "-"} &&
           rows["orders\t0"] == std::vector<std::string>{"10", "10", "0", "-"};
  })) << describe;
}

TEST_F(CliGroup, ResetOffsetsDryRunThenExecuteAndRefusedWhileMembersAreActive) {
  create_topic("events", 2);
  produce("events", 0, "a\nb\nc\nd\n");
  produce("events", 1, "e\nf\n");
  RunResult consumed = sluice({"consume", "events", "--group", "r", "--from-beginning", "-n", "6", "--timeout-ms",
                               "30000", "--session-timeout-ms", "6000"});
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  ASSERT_EQ(lines(consumed.out).size(), 6u) << consumed.out;

  RunResult dry = sluice({"group", "reset-offsets", "r", "--topic", "events", "--to-earliest"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out,
            "TOPIC\tPARTITION\tCURRENT\tNEW\nevents\t0\t4\t0\nevents\t1\t2\t0\n"
            "dry run: nothing changed; add --execute to apply\n");
  auto rows = partition_rows(sluice({"group", "describe", "r"}).out);
  EXPECT_EQ(rows["events\t0"][0], "4");  // unchanged
  EXPECT_EQ(rows["events\t1"][0], "2");

  RunResult shifted = sluice({"group", "reset-offsets", "r", "--topic", "events:0", "--shift-by", "-3", "--execute"});
  ASSERT_EQ(shifted.exit_code, 0) << shifted.err;
  EXPECT_NE(shifted.out.find("events\t0\t4\t1\n"), std::string::npos) << shifted.out;
  RunResult clamped = sluice({"group", "reset-offsets", "r", "--topic", "events:1", "--to-offset", "1000", "--execute"});
  ASSERT_EQ(clamped.exit_code, 0) << clamped.err;
  EXPECT_NE(clamped.out.find("events\t1\t2\t2\n"), std::string::npos) << clamped.out;  // clamped to the log end
  rows = partition_rows(sluice({"group", "describe", "r"}).out);
  EXPECT_EQ(rows["events\t0"], (std::vector<std::string>{"1", "4", "3", "-"}));

  // The group resumes where the reset put it: b, c, d again.
  RunResult again = sluice({"consume", "events", "--group", "r", "-n", "3", "--timeout-ms", "30000",
                            "--session-timeout-ms", "6000"});
  EXPECT_EQ(again.out, "b\nc\nd\n") << again.err;

  // With a member in the group: refused, nothing changed.
  auto member = start("member", {"consume", "events", "--group", "r", "--session-timeout-ms", "6000"});
  ASSERT_TRUE(eventually([&] { return sluice({"group", "describe", "r"}).out.find("Members: 1\n") != std::string::npos; }))
      << member->output();
  RunResult refused = sluice({"group", "reset-offsets", "r", "--topic", "events", "--to-earliest", "--execute"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("offsets can only be reset while it has none"), std::string::npos) << refused.err;
  EXPECT_EQ(lines(refused.err).size(), 1u) << refused.err;
  member->signal(SIGTERM);
  EXPECT_EQ(member->wait_exit(30s), 0) << member->output();

  RunResult deleted = sluice({"group", "delete", "r"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "deleted group 'r'\n");
  RunResult gone = sluice({"group", "list"});
  EXPECT_EQ(gone.out.find("r\t"), std::string::npos) << gone.out;
}

// At-least-once: printed but not committed when killed -> printed again by the next consumer.
TEST_F(CliGroup, AtLeastOnceRedeliversWhatWasPrintedButNotCommitted) {
  create_topic("alo", 1);
  produce("alo", 0, "one\ntwo\nthree\n");
  auto stalled = start("alo-stalled",
                       {"consume", "alo", "--group", "alo", "--from-beginning", "--session-timeout-ms", "6000"},
                       {{"SLUICE_TEST_STALL_BETWEEN_COMMIT_AND_PRINT", "1"}});
  ASSERT_TRUE(eventually([&] { return stalled_or_exited(*stalled); })) << stalled->output();
  ASSERT_TRUE(stalled->running()) << stalled->output();
  EXPECT_EQ(stalled->stdout_text(), "one\ntwo\nthree\n");
  stalled->signal(SIGKILL);
  stalled->wait_exit(10s);
  RunResult again = sluice({"consume", "alo", "--group", "alo", "--from-beginning", "-n", "3", "--timeout-ms", "40000",
                            "--session-timeout-ms", "6000"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "one\ntwo\nthree\n") << again.err;
}

// At-most-once: committed but not printed when killed -> never printed.
TEST_F(CliGroup, AtMostOnceNeverPrintsWhatWasCommittedBeforeACrash) {
  create_topic("amo", 1);
  produce("amo", 0, "one\ntwo\nthree\n");
  auto stalled = start("amo-stalled",
                       {"consume", "amo", "--group", "amo", "--from-beginning", "--at-most-once",
                        "--session-timeout-ms", "6000"},
                       {{"SLUICE_TEST_STALL_BETWEEN_COMMIT_AND_PRINT", "1"}});
  ASSERT_TRUE(eventually([&] { return stalled_or_exited(*stalled); })) << stalled->output();
  ASSERT_TRUE(stalled->running()) << stalled->output();
  EXPECT_EQ(stalled->stdout_text(), "");
  stalled->signal(SIGKILL);
  stalled->wait_exit(10s);
  produce("amo", 0, "four\n");
  RunResult again = sluice({"consume", "amo", "--group", "amo", "--from-beginning", "--at-most-once", "-n", "1",
                            "--timeout-ms", "40000", "--session-timeout-ms", "6000"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "four\n") << again.err;
}

}  // namespace
}  // namespace sluice::tools
