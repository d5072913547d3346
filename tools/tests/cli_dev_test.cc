// sluice dev end to end: the real build/bin/sluice starts a 3-node ZooKeeper ensemble (Debian's
// jar) and three real sluice-broker processes in a temp dir on free ports, then status, up again,
// kill-broker, start-broker, stop-broker, down, up on the kept data, down --purge. Whatever the
// outcome, TearDown SIGKILLs every pid the cluster's state file names.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/net.h"
#include "tests/support/temp_dir.h"

namespace sluice::tools {
namespace {

using sluice::testing::RunResult;
namespace fs = std::filesystem;

// The first of `count` consecutive free ports (tests/support/free_ports.py).
int free_port_run(int count) {
  RunResult r = sluice::testing::run_program(
      {"/usr/bin/python3", std::string(SLUICE_SOURCE_DIR) + "/tests/support/free_ports.py", std::to_string(count)});
  if (r.exit_code != 0) throw std::runtime_error("free_ports.py: " + r.err);
  return std::stoi(r.out);
}

bool alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::ostringstream buffer;
  buffer << stat.rdbuf();
  const std::string text = buffer.str();
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

class DevCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    zookeeper_port_ = free_port_run(9);  // 3 client, 3 quorum and 3 election ports
    broker_port_ = free_port_run(3);
    http_port_ = free_port_run(3);
  }

  // Kills whatever the state file still names: no process outlives a failed test.
  void TearDown() override {
    for (const auto& [name, pid] : pids()) {
      if (alive(pid)) ::kill(pid, SIGKILL);
    }
  }

  RunResult dev(std::vector<std::string> args) {
    args.insert(args.begin(), {sluice::testing::BrokerProcess::cli_binary().string(), "dev"});
    args.insert(args.end(), {"--dir", dir().string()});
    return sluice::testing::run_program(args, "", std::chrono::seconds(120));
  }

  RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {sluice::testing::BrokerProcess::cli_binary().string(), "-b", bootstrap()});
    return sluice::testing::run_program(args, "", std::chrono::seconds(60));
  }

  RunResult up() {
    return dev({"up", "--brokers", "3", "--zookeepers", "3", "--zookeeper-port", std::to_string(zookeeper_port_),
                "--broker-port", std::to_string(broker_port_), "--http-port", std::to_string(http_port_), "--chroot",
                "/dev-test"});
  }

  // "broker.1.pid" -> pid, from the state file.
  std::map<std::string, pid_t> pids() const {
    std::map<std::string, pid_t> out;
    std::ifstream in(dir() / "cluster.state");
    for (std::string line; std::getline(in, line);) {
      const size_t eq = line.find('=');
      if (eq != std::string::npos && line.find(".pid=") != std::string::npos) out[line.substr(0, eq)] = std::stoi(line.substr(eq + 1));
    }
    return out;
  }

  // The controller's id in `dev status` output, -1 if none.
  static int controller(const std::string& status) {
    std::smatch m;
    return std::regex_search(status, m, std::regex("controller: broker ([0-9]+)")) ? std::stoi(m[1]) : -1;
  }

  // The "registered brokers:" value of `dev status` output.
  static std::string registered(const std::string& status) {
    std::smatch m;
    return std::regex_search(status, m, std::regex("registered brokers: ([^\n]*)")) ? m[1].str() : "";
  }

  // Polls `dev status` (at most 60 s) until `done` holds; returns the last output.
  template <typename F>
  std::string status_until(F done) {
    std::string out;
    for (int i = 0; i < 120; ++i) {
      out = dev({"status"}).out;
      if (done(out)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return out;
  }

  [[nodiscard]] fs::path dir() const { return tmp_.path() / "cluster"; }
  [[nodiscard]] std::string bootstrap() const {
    std::string out;
    for (int i = 0; i < 3; ++i) out += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(broker_port_ + i);
    return out;
  }

  sluice::testing::TempDir tmp_{"sluice-dev"};
  int zookeeper_port_ = 0;
  int broker_port_ = 0;
  int http_port_ = 0;
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(DevCluster, UpStatusKillRestartDownUpPurge) {
  RunResult started = up();
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  EXPECT_NE(started.out.find("bootstrap:   " + bootstrap()), std::string::npos) << started.out;
  EXPECT_NE(started.out.find("zkCli.sh -server 127.0.0.1:" + std::to_string(zookeeper_port_)), std::string::npos);
  EXPECT_NE(started.out.find("/dev-test"), std::string::npos) << started.out;
  EXPECT_NE(started.out.find((dir() / "broker<I>/broker.log").string()), std::string::npos) << started.out;
  ASSERT_EQ(pids().size(), 6u);

  RunResult status = dev({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(count(status.out, ": running (pid"), 6) << status.out;
  EXPECT_NE(status.out.find("registered brokers: 0,1,2"), std::string::npos) << status.out;
  const int first_controller = controller(status.out);
  ASSERT_GE(first_controller, 0) << status.out;

  RunResult again = up();
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already running"), std::string::npos) << again.out;
  EXPECT_EQ(count(dev({"status"}).out, ": running (pid"), 6);

  RunResult topic = cli({"topic", "create", "kept", "-p", "3", "-r", "3"});
  ASSERT_EQ(topic.exit_code, 0) << topic.err;

  // Killing the controller: its process is gone at once, its registration and the controller
  // role move once its ZooKeeper session expires.
  const std::string victim = "broker." + std::to_string(first_controller) + ".pid";
  const pid_t victim_pid = pids().at(victim);
  RunResult killed = dev({"kill-broker", std::to_string(first_controller)});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  EXPECT_FALSE(alive(victim_pid));
  const std::string name = "broker " + std::to_string(first_controller);
  std::string after = status_until([&](const std::string& s) {
    const std::string others = first_controller == 0 ? "1,2" : first_controller == 1 ? "0,2" : "0,1";
    return controller(s) >= 0 && controller(s) != first_controller && registered(s) == others;
  });
  EXPECT_NE(after.find(name + ": stopped"), std::string::npos) << after;
  EXPECT_NE(controller(after), first_controller) << after;
  EXPECT_EQ(registered(after).find(std::to_string(first_controller)), std::string::npos) << after;
  EXPECT_GE(controller(after), 0) << after;

  RunResult restarted = dev({"start-broker", std::to_string(first_controller)});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out << restarted.err;
  after = status_until([](const std::string& s) { return s.find("registered brokers: 0,1,2") != std::string::npos; });
  EXPECT_NE(after.find("registered brokers: 0,1,2"), std::string::npos) << after;
  EXPECT_NE(after.find(name + ": running"), std::string::npos) << after;

  const pid_t stopped_pid = pids().at("broker.0.pid");
  RunResult stopped = dev({"stop-broker", "0"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(stopped.out, "broker 0 stopped\n");
  EXPECT_FALSE(alive(stopped_pid));
  RunResult unknown = dev({"stop-broker", "7"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no broker 7"), std::string::npos) << unknown.err;

  const auto before_down = pids();
  RunResult down = dev({"down"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  for (const auto& [what, pid] : before_down) EXPECT_FALSE(alive(pid)) << what << " survived down";
  EXPECT_EQ(count(dev({"status"}).out, ": stopped (port"), 6);

  RunResult reup = up();
  ASSERT_EQ(reup.exit_code, 0) << reup.out << reup.err;
  RunResult listed = cli({"topic", "list"});
  EXPECT_EQ(listed.out, "kept\n") << listed.err;

  const auto before_purge = pids();
  RunResult purged = dev({"down", "--purge"});
  ASSERT_EQ(purged.exit_code, 0) << purged.err;
  for (const auto& [what, pid] : before_purge) EXPECT_FALSE(alive(pid)) << what << " survived down --purge";
  EXPECT_FALSE(fs::exists(dir()));
  RunResult gone = dev({"status"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("no dev cluster in"), std::string::npos) << gone.err;
}

// Every failure is a one-line reason on stderr, and a failed first up leaves nothing running.
TEST_F(DevCluster, FailuresAreOneLineErrors) {
  const auto up_with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"up", "--brokers", "1", "--zookeeper-port", std::to_string(zookeeper_port_),
                                     "--broker-port", std::to_string(broker_port_), "--http-port",
                                     std::to_string(http_port_)};
    args.insert(args.end(), extra.begin(), extra.end());
    return dev(args);
  };
  RunResult missing = up_with({"--broker-binary", (tmp_.path() / "no-such-broker").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "sluice dev: broker binary " + (tmp_.path() / "no-such-broker").string() +
                             " not found or not executable (build sluice-broker or pass --broker-binary)\n");

  {
    // A port taken by another program.
    sluice::testing::ChildProcess holder(
        {"/usr/bin/python3", "-c",
         "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1'," + std::to_string(broker_port_) +
             "))\ns.listen()\nprint('ok',flush=True)\ntime.sleep(60)"},
        tmp_.path() / "holder");
    for (int i = 0; i < 100 && !sluice::testing::port_accepts(static_cast<uint16_t>(broker_port_)); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    RunResult taken = up_with({});
    EXPECT_EQ(taken.exit_code, 1);
    EXPECT_EQ(taken.err, "sluice dev: port " + std::to_string(broker_port_) +
                             " (broker 0) is taken by another program (see --zookeeper-port, --broker-port)\n");
  }

  // A broker that exits at startup: its reason from the log, ZooKeeper stopped again, no state.
  const fs::path fake = tmp_.path() / "failing-broker";
  std::ofstream(fake) << "#!/bin/sh\necho \"sluice-broker: cannot start: disk on fire\" >&2\nexit 1\n";
  fs::permissions(fake, fs::perms::owner_all);
  RunResult failed = up_with({"--broker-binary", fake.string()});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.err.rfind("sluice dev: broker 0 exited during startup", 0), 0u) << failed.err;
  EXPECT_NE(failed.err.find("disk on fire"), std::string::npos) << failed.err;
  EXPECT_FALSE(fs::exists(dir() / "cluster.state"));
  EXPECT_FALSE(sluice::testing::port_accepts(static_cast<uint16_t>(zookeeper_port_)));

  RunResult usage = dev({"up", "--zookeepers", "2"});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

}  // namespace
}  // namespace sluice::tools
