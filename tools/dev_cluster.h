// DevState: what `sluice dev` knows about a local dev cluster, kept in <dir>/cluster.state so
// every subcommand (and a test's clean-up) finds the same processes. Plus the process and port
// helpers the dev commands need: detached spawns (own session, output to a log file), liveness
// by pid *and* command line (a reused pid is not our process), bounded waits.
//
// Layout of <dir>:
//   cluster.state                      key=value lines (format below), rewritten atomically
//   zookeeper<N>/zoo.cfg, data/myid, zookeeper.log     N = 1..zookeepers
//   broker<I>/server.properties, logs/, broker.log     I = 0..brokers-1
// Ports: ZooKeeper node N serves clients on zookeeper_port + N - 1; an ensemble of 3 also takes
// zookeeper_port + 3..5 (quorum) and + 6..8 (leader election). Broker I listens on broker_port + I
// and serves HTTP (metrics, the web console) on http_port + I.
// State file keys: brokers, zookeepers, zookeeper_port, broker_port, http_port, chroot, broker_binary, java,
// zookeeper_classpath, zookeeper.<N>.pid, broker.<I>.pid (0 or absent: not started).
// Owner: one sluice process at a time; two concurrent `sluice dev` runs on one dir may race.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::tools::dev {

// Failure of a dev step: nullopt on success, else the one-line reason.
using Failure = std::optional<std::string>;

struct DevState {
  std::filesystem::path dir;
  int32_t brokers = 3;
  int32_t zookeepers = 1;
  int32_t zookeeper_port = 2181;
  int32_t broker_port = 9092;
  int32_t http_port = 9644;
  std::string chroot;
  std::string broker_binary;
  std::string java;
  std::string zookeeper_classpath;
  std::map<int32_t, pid_t> zookeeper_pids;  // node 1..zookeepers
  std::map<int32_t, pid_t> broker_pids;     // broker 0..brokers-1

  [[nodiscard]] std::filesystem::path state_file() const { return dir / "cluster.state"; }
  [[nodiscard]] std::filesystem::path zookeeper_dir(int32_t node) const;
  [[nodiscard]] std::filesystem::path zookeeper_config(int32_t node) const { return zookeeper_dir(node) / "zoo.cfg"; }
  [[nodiscard]] std::filesystem::path zookeeper_log(int32_t node) const { return zookeeper_dir(node) / "zookeeper.log"; }
  [[nodiscard]] std::filesystem::path broker_dir(int32_t id) const;
  [[nodiscard]] std::filesystem::path broker_config(int32_t id) const { return broker_dir(id) / "server.properties"; }
  [[nodiscard]] std::filesystem::path broker_log(int32_t id) const { return broker_dir(id) / "broker.log"; }
  [[nodiscard]] uint16_t zookeeper_client_port(int32_t node) const;
  [[nodiscard]] uint16_t broker_port_of(int32_t id) const;
  [[nodiscard]] uint16_t http_port_of(int32_t id) const;
  // Every port the cluster binds, each with what binds it ("broker 1", "ZooKeeper 2 quorum").
  [[nodiscard]] std::vector<std::pair<uint16_t, std::string>> ports() const;
  // host:port,... of every ZooKeeper node, then the chroot.
  [[nodiscard]] std::string zookeeper_connect() const;
  // host:port,... of every broker.
  [[nodiscard]] std::string bootstrap() const;

  [[nodiscard]] bool zookeeper_running(int32_t node) const;
  [[nodiscard]] bool broker_running(int32_t id) const;
};

// Reads <dir>/cluster.state; nullopt with `error` set if it is missing or unreadable.
std::optional<DevState> load_state(const std::filesystem::path& dir, std::string& error);
// Writes it (to a temp file, then renamed).
Failure save_state(const DevState& state);

// Writes zoo.cfg and data/myid of node `node`, and server.properties of broker `id`.
Failure write_zookeeper_config(const DevState& state, int32_t node);
Failure write_broker_config(const DevState& state, int32_t id);

// Starts argv in a session of its own, stdin /dev/null, stdout and stderr appended to `log`.
// Returns the pid, or nullopt with `error` set.
std::optional<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& log,
                                    std::string& error);
// Whether `pid` is alive (not a zombie) and its command line contains `marker`.
bool process_running(pid_t pid, const std::string& marker);
// Polls until process_running is false or `timeout` passes; true if it is gone.
bool wait_gone(pid_t pid, const std::string& marker, std::chrono::milliseconds timeout);

// Whether a server could bind 127.0.0.1:`port` now (nothing listens on it).
bool port_free(uint16_t port);
bool port_accepts(uint16_t port);
// A ZooKeeper four-letter command's answer ("" if none within 2 s).
std::string four_letter_word(uint16_t port, const std::string& command);

// `path` resolved on $PATH if it has no '/'; empty if not found or not executable.
std::string find_executable(const std::string& path);
// The last `lines` non-empty lines of a file, each prefixed with "  | " (for startup failures).
std::string log_tail(const std::filesystem::path& file, size_t lines = 5);

}  // namespace sluice::tools::dev
