// sluice dev up|status|stop-broker|kill-broker|start-broker|down: a local cluster of ZooKeeper
// (Debian's jar run as plain java processes) and sluice-broker processes, described by the state
// file in its directory (tools/dev_cluster.h). The tool may not link coordination/, so "a broker
// is registered" is read from Metadata: its broker list is the controller's view of /brokers/ids.
#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "client/admin.h"
#include "tools/commands.h"
#include "tools/dev_cluster.h"

namespace sluice::tools {
namespace {

namespace fs = std::filesystem;
using dev::DevState;
using dev::Failure;
using Clock = std::chrono::steady_clock;

constexpr const char* kZkCli = "/usr/share/zookeeper/bin/zkCli.sh";
constexpr const char* kZooKeeperJar = "/usr/share/java/zookeeper.jar";
constexpr const char* kSlf4jSimpleJar = "/usr/share/java/slf4j-simple.jar";

int fail(const std::string& line) {
  std::fprintf(stderr, "sluice dev: %s\n", line.c_str());
  return kExitError;
}

fs::path resolve_dir(const std::string& flag) {
  const char* env = std::getenv("SLUICE_DEV_DIR");
  const std::string dir = !flag.empty() ? flag : env != nullptr && *env != '\0' ? env : ".sluice-dev";
  std::error_code ec;
  fs::path out = fs::absolute(dir, ec);
  return ec ? fs::path(dir) : out.lexically_normal();
}

// Brokers, controller and cluster id from any running broker; nullopt if none answers.
std::optional<client::ClusterDescription> describe(const DevState& s) {
  GlobalOptions g;
  g.bootstrap.clear();
  for (int32_t id = 0; id < s.brokers; ++id) {
    if (!s.broker_running(id)) continue;
    if (!g.bootstrap.empty()) g.bootstrap += ',';
    g.bootstrap += "127.0.0.1:";
    g.bootstrap += std::to_string(s.broker_port_of(id));
  }
  if (g.bootstrap.empty()) return std::nullopt;
  g.request_timeout_ms = 5'000;
  ClientRunner runner(g);
  if (!runner.connect()) return std::nullopt;
  client::Admin admin(runner.client(), std::chrono::milliseconds(g.request_timeout_ms));
  auto cluster = runner.run(admin.describe_cluster());
  if (!cluster) return std::nullopt;
  return cluster.value();
}

bool registered(const client::ClusterDescription& c, int32_t id) {
  for (const auto& b : c.brokers) {
    if (b.id.value() == id) return true;
  }
  return false;
}

std::string broker_list(const client::ClusterDescription& c) {
  std::string out;
  for (const auto& b : c.brokers) {
    if (!out.empty()) out += ',';
    out += std::to_string(b.id.value());
  }
  return out.empty() ? "none" : out;
}

std::string controller_line(const std::optional<client::ClusterDescription>& c) {
  if (!c) return "unknown (no broker answers)";
  return c->controller.value() < 0 ? "none" : "broker " + std::to_string(c->controller.value());
}

// Polls `done` every 300 ms until it holds or `timeout` passes.
template <typename F>
bool wait_until(std::chrono::milliseconds timeout, F done) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return true;
}

void print_summary(const DevState& s, const std::optional<client::ClusterDescription>& c) {
  const std::string d = s.dir.string();
  std::printf("bootstrap:   %s\n", s.bootstrap().c_str());
  std::printf("controller:  %s\n", controller_line(c).c_str());
  std::printf("zookeeper:   %s (%d node%s)\n", s.zookeeper_connect().c_str(), s.zookeepers, s.zookeepers > 1 ? "s" : "");
  std::printf("zkCli:       %s -server %s\n", kZkCli, s.zookeeper_connect().c_str());
  std::printf("logs:        %s/broker<I>/broker.log, %s/zookeeper<N>/zookeeper.log\n", d.c_str(), d.c_str());
  std::printf("console:     http://127.0.0.1:%u/   (any broker: port %u + broker id; /metrics too)\n",
              static_cast<unsigned>(s.http_port_of(0)), static_cast<unsigned>(s.http_port_of(0)));
  std::printf("try:         sluice -b %s cluster info\n", s.bootstrap().c_str());
  std::printf("stop:        sluice dev down --dir %s   (data kept; --purge deletes it)\n", d.c_str());
}

// ---- starting ----

Failure check_prerequisites(DevState& s) {
  const char* home = std::getenv("JAVA_HOME");
  s.java = dev::find_executable(home != nullptr && *home != '\0' ? std::string(home) + "/bin/java" : "java");
  if (s.java.empty()) return "Java not found: install a Java runtime (scripts/install-deps.sh) or set JAVA_HOME";
  const char* cp = std::getenv("SLUICE_ZOOKEEPER_CLASSPATH");
  s.zookeeper_classpath = cp != nullptr && *cp != '\0' ? cp : kZooKeeperJar;
  if (cp == nullptr && !fs::exists(s.zookeeper_classpath)) {
    return "ZooKeeper jar " + s.zookeeper_classpath +
           " missing: install Debian's zookeeper package (scripts/install-deps.sh) or set SLUICE_ZOOKEEPER_CLASSPATH";
  }
  // Without an SLF4J binding ZooKeeper logs nothing, and a failed start would give no reason.
  if (cp == nullptr && fs::exists(kSlf4jSimpleJar)) s.zookeeper_classpath += std::string(":") + kSlf4jSimpleJar;
  if (dev::find_executable(s.broker_binary).empty()) {
    return "broker binary " + s.broker_binary + " not found or not executable (build sluice-broker or pass --broker-binary)";
  }
  for (const auto& [port, who] : s.ports()) {
    const bool ours = who.starts_with("broker ") ? s.broker_running(std::stoi(who.substr(7)))
                                                 : s.zookeeper_running(std::stoi(who.substr(10)));
    if (!ours && !dev::port_free(port)) {
      return "port " + std::to_string(port) + " (" + who + ") is taken by another program (see --zookeeper-port, --broker-port)";
    }
  }
  return std::nullopt;
}

Failure start_zookeeper(DevState& s, int32_t node) {
  if (auto failed = dev::write_zookeeper_config(s, node)) return failed;
  std::string error;
  auto pid = dev::spawn_detached({s.java, "-Xmx128m", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                                  "-Dzookeeper.jmx.log4j.disable=true", "-cp", s.zookeeper_classpath,
                                  "org.apache.zookeeper.server.quorum.QuorumPeerMain", s.zookeeper_config(node).string()},
                                 s.zookeeper_log(node), error);
  if (!pid) return error;
  s.zookeeper_pids[node] = *pid;
  return dev::save_state(s);
}

// Waits until every node serves ("Mode: standalone", "leader" or "follower").
Failure wait_zookeepers(const DevState& s, std::chrono::milliseconds timeout) {
  for (int32_t n = 1; n <= s.zookeepers; ++n) {
    const bool ok = wait_until(timeout, [&] {
      return !s.zookeeper_running(n) ||
             dev::four_letter_word(s.zookeeper_client_port(n), "srvr").find("Mode: ") != std::string::npos;
    });
    if (!ok || !s.zookeeper_running(n)) {
      return "ZooKeeper " + std::to_string(n) + (ok ? " exited" : " did not start serving") + " (log " +
             s.zookeeper_log(n).string() + "):\n" + dev::log_tail(s.zookeeper_log(n));
    }
  }
  return std::nullopt;
}

// Starts broker `id` and waits until it listens. A broker killed moments ago is still registered
// until its ZooKeeper session expires, and a new one cannot register before: wait for that first.
Failure start_broker(DevState& s, int32_t id, std::chrono::milliseconds timeout) {
  const bool old_gone = wait_until(timeout, [&] {
    auto c = describe(s);
    return !c || !registered(*c, id);
  });
  if (!old_gone) return "broker " + std::to_string(id) + " is still registered from its previous run";
  if (auto failed = dev::write_broker_config(s, id)) return failed;
  std::string error;
  auto pid = dev::spawn_detached({s.broker_binary, s.broker_config(id).string()}, s.broker_log(id), error);
  if (!pid) return error;
  s.broker_pids[id] = *pid;
  if (auto failed = dev::save_state(s)) return failed;
  const bool ok = wait_until(timeout, [&] { return !s.broker_running(id) || dev::port_accepts(s.broker_port_of(id)); });
  if (!ok || !s.broker_running(id)) {
    return "broker " + std::to_string(id) + (ok ? " exited during startup" : " did not start listening") + " (log " +
           s.broker_log(id).string() + "):\n" + dev::log_tail(s.broker_log(id));
  }
  return std::nullopt;
}

// Waits until a controller is elected and each of `ids` is registered.
Failure wait_registered(const DevState& s, const std::vector<int32_t>& ids, std::chrono::milliseconds timeout) {
  std::optional<client::ClusterDescription> c;
  const bool ok = wait_until(timeout, [&] {
    c = describe(s);
    if (!c || c->controller.value() < 0) return false;
    for (int32_t id : ids) {
      if (!registered(*c, id)) return false;
    }
    return true;
  });
  if (ok) return std::nullopt;
  return "the brokers did not form a cluster within " + std::to_string(timeout.count() / 1000) + " s (controller " +
         controller_line(c) + ", registered " + (c ? broker_list(*c) : "unknown") + "); see " + s.dir.string() +
         "/broker<I>/broker.log";
}

// `pid` is a child this invocation started, so it is killed without the liveness check (which
// can miss a JVM that re-executes itself at startup) and reaped: its ports are closed on return.
void kill_child(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

void kill_started(DevState& s, const std::set<int32_t>& zookeepers, const std::set<int32_t>& brokers) {
  for (int32_t id : brokers) {
    kill_child(s.broker_pids[id]);
    s.broker_pids.erase(id);
  }
  for (int32_t n : zookeepers) {
    kill_child(s.zookeeper_pids[n]);
    s.zookeeper_pids.erase(n);
  }
  (void)dev::save_state(s);
}

// Starts every process of `s` that is not running; on failure kills what it started.
Failure start_missing(DevState& s, std::chrono::milliseconds timeout) {
  std::set<int32_t> zks, brokers;
  Failure failed;
  for (int32_t n = 1; n <= s.zookeepers && !failed; ++n) {
    if (s.zookeeper_running(n)) continue;
    failed = start_zookeeper(s, n);
    zks.insert(n);
  }
  if (!failed) failed = wait_zookeepers(s, timeout);
  std::vector<int32_t> all;
  for (int32_t id = 0; id < s.brokers && !failed; ++id) {
    all.push_back(id);
    if (s.broker_running(id)) continue;
    brokers.insert(id);
    failed = start_broker(s, id, timeout);
  }
  if (!failed) failed = wait_registered(s, all, timeout);
  if (failed) kill_started(s, zks, brokers);
  return failed;
}

int dev_up(const DevOptions& o, const fs::path& dir) {
  DevState s;
  std::string error;
  std::error_code ec;
  const bool existing = fs::exists(dir / "cluster.state", ec);
  if (existing) {
    auto loaded = dev::load_state(dir, error);
    if (!loaded) return fail(error);
    s = std::move(*loaded);
  } else {
    s.dir = dir;
    s.brokers = o.brokers;
    s.zookeepers = o.zookeepers;
    s.zookeeper_port = o.zookeeper_port;
    s.broker_port = o.broker_port;
    s.http_port = o.http_port;
    s.chroot = o.chroot;
    s.broker_binary = (fs::read_symlink("/proc/self/exe", ec).parent_path() / "sluice-broker").string();
  }
  if (!o.broker_binary.empty()) s.broker_binary = fs::absolute(o.broker_binary, ec).string();
  bool all_running = true;
  for (int32_t n = 1; n <= s.zookeepers; ++n) all_running = all_running && s.zookeeper_running(n);
  for (int32_t id = 0; id < s.brokers; ++id) all_running = all_running && s.broker_running(id);
  if (existing && all_running) {
    std::printf("dev cluster already running in %s: %d brokers, %d ZooKeeper node%s\n", dir.c_str(), s.brokers,
                s.zookeepers, s.zookeepers > 1 ? "s" : "");
    print_summary(s, describe(s));
    return kExitOk;
  }
  if (auto failed = check_prerequisites(s)) return fail(*failed);
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());
  if (auto failed = dev::save_state(s)) return fail(*failed);
  std::printf("starting %s dev cluster in %s: %d brokers, %d ZooKeeper node%s\n", existing ? "the stopped parts of the" : "a",
              dir.c_str(), s.brokers, s.zookeepers, s.zookeepers > 1 ? "s" : "");
  std::fflush(stdout);
  if (auto failed = start_missing(s, std::chrono::milliseconds(o.timeout_ms))) {
    if (!existing) fs::remove(s.state_file(), ec);  // nothing ran: the next up may pick other settings
    return fail(*failed);
  }
  std::printf("dev cluster up\n");
  print_summary(s, describe(s));
  return kExitOk;
}

// ---- the other subcommands ----

int dev_status(const DevState& s) {
  std::printf("dev cluster in %s: %d brokers, %d ZooKeeper node%s\n", s.dir.c_str(), s.brokers, s.zookeepers,
              s.zookeepers > 1 ? "s" : "");
  const auto line = [](const std::string& name, bool running, pid_t pid, uint16_t port) {
    if (running) {
      std::printf("%s: running (pid %d, port %u)\n", name.c_str(), static_cast<int>(pid), port);
    } else {
      std::printf("%s: stopped (port %u)\n", name.c_str(), port);
    }
  };
  for (int32_t n = 1; n <= s.zookeepers; ++n) {
    const bool up = s.zookeeper_running(n);
    line("zookeeper " + std::to_string(n), up, up ? s.zookeeper_pids.at(n) : 0, s.zookeeper_client_port(n));
  }
  for (int32_t id = 0; id < s.brokers; ++id) {
    const bool up = s.broker_running(id);
    line("broker " + std::to_string(id), up, up ? s.broker_pids.at(id) : 0, s.broker_port_of(id));
  }
  auto c = describe(s);
  std::printf("controller: %s\n", controller_line(c).c_str());
  std::printf("registered brokers: %s\n", c ? broker_list(*c).c_str() : "unknown");
  std::printf("bootstrap: %s\n", s.bootstrap().c_str());
  return kExitOk;
}

// SIGTERM and a bounded wait, then SIGKILL. False if it had to be killed.
bool stop_process(pid_t pid, const std::string& marker, std::chrono::milliseconds timeout) {
  ::kill(pid, SIGTERM);
  if (dev::wait_gone(pid, marker, timeout)) return true;
  ::kill(pid, SIGKILL);
  (void)dev::wait_gone(pid, marker, std::chrono::seconds(10));
  return false;
}

int dev_broker(Command command, DevState& s, int32_t id, std::chrono::milliseconds timeout) {
  if (id >= s.brokers) return fail("no broker " + std::to_string(id) + " (the cluster has brokers 0-" + std::to_string(s.brokers - 1) + ")");
  const std::string name = "broker " + std::to_string(id);
  const bool running = s.broker_running(id);
  if (command == Command::dev_start_broker) {
    if (running) return std::printf("%s already running (pid %d)\n", name.c_str(), s.broker_pids[id]), kExitOk;
    if (auto failed = check_prerequisites(s)) return fail(*failed);
    if (auto failed = start_broker(s, id, timeout)) return fail(*failed);
    if (auto failed = wait_registered(s, {id}, timeout)) return fail(*failed);
    std::printf("%s started (pid %d) and registered\n", name.c_str(), s.broker_pids[id]);
    return kExitOk;
  }
  if (!running) return std::printf("%s is not running\n", name.c_str()), kExitOk;
  const pid_t pid = s.broker_pids[id];
  const std::string marker = s.broker_config(id).string();
  if (command == Command::dev_kill_broker) {
    ::kill(pid, SIGKILL);
    if (!dev::wait_gone(pid, marker, timeout)) return fail(name + " (pid " + std::to_string(pid) + ") survived SIGKILL");
    std::printf("%s killed (pid %d)\n", name.c_str(), pid);
  } else if (stop_process(pid, marker, timeout)) {
    std::printf("%s stopped\n", name.c_str());
  } else {
    return fail(name + " did not stop within " + std::to_string(timeout.count() / 1000) + " s: killed");
  }
  s.broker_pids.erase(id);
  if (auto failed = dev::save_state(s)) return fail(*failed);
  return kExitOk;
}

int dev_down(DevState& s, bool purge, std::chrono::milliseconds timeout) {
  int code = kExitOk;
  // One at a time: each controlled shutdown hands its leaders to the brokers still up.
  for (int32_t id = 0; id < s.brokers; ++id) {
    if (!s.broker_running(id)) continue;
    const bool clean = stop_process(s.broker_pids[id], s.broker_config(id).string(), timeout);
    std::printf("broker %d %s\n", id, clean ? "stopped" : "did not stop in time: killed");
    if (!clean) code = kExitError;
  }
  for (int32_t n = 1; n <= s.zookeepers; ++n) {
    if (!s.zookeeper_running(n)) continue;
    const bool clean = stop_process(s.zookeeper_pids[n], s.zookeeper_config(n).string(), timeout);
    std::printf("zookeeper %d %s\n", n, clean ? "stopped" : "did not stop in time: killed");
  }
  s.broker_pids.clear();
  s.zookeeper_pids.clear();
  if (purge) {
    std::error_code ec;
    fs::remove_all(s.dir, ec);
    if (ec) return fail("cannot remove " + s.dir.string() + ": " + ec.message());
    std::printf("removed %s\n", s.dir.c_str());
    return code;
  }
  if (auto failed = dev::save_state(s)) return fail(*failed);
  std::printf("data kept in %s ('sluice dev up' starts it again)\n", s.dir.c_str());
  return code;
}

}  // namespace

int run_dev_command(const CliOptions& o) {
  // The client's connection warnings while brokers start are expected: quiet unless asked.
  if (std::getenv("SLUICE_LOG_LEVEL") == nullptr) spdlog::set_level(spdlog::level::off);
  const fs::path dir = resolve_dir(o.dev.dir);
  const std::chrono::milliseconds timeout(o.dev.timeout_ms);
  if (o.command == Command::dev_up) return dev_up(o.dev, dir);
  std::string error;
  auto state = dev::load_state(dir, error);
  if (!state) return fail(error);
  if (o.command == Command::dev_status) return dev_status(*state);
  if (o.command == Command::dev_down) return dev_down(*state, o.dev.purge, timeout);
  return dev_broker(o.command, *state, o.dev.broker_id, timeout);
}

}  // namespace sluice::tools
