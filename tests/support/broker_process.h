// BrokerProcess: a real sluice-broker daemon for integration tests, in a directory of its own
// (server.properties, logs/, broker.out, broker.err), listening on 127.0.0.1 on a free port.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace sluice::testing {

struct BrokerOptions {
  int32_t broker_id = 0;
  std::string zookeeper_connect;        // e.g. ZooKeeperServer::connect_string()
  std::filesystem::path dir;            // created if missing; holds config, logs and output
  uint16_t port = 0;                    // 0: a free port
  // Extra server.properties lines, e.g. {"num.partitions", "3"}; they override the defaults.
  std::map<std::string, std::string> properties;
};

class BrokerProcess {
 public:
  // Writes server.properties (short ZooKeeper timeouts, small segments) and starts the daemon.
  explicit BrokerProcess(BrokerOptions options);
  ~BrokerProcess();  // SIGKILL if still running

  // Waits until the listener accepts connections; false (with output() telling why) otherwise.
  bool wait_listening(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM and wait: the exit status, or nullopt on timeout.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void kill();  // SIGKILL and reap
  // Starts the daemon again with the same config and data (after stop() or kill()).
  void restart();

  [[nodiscard]] uint16_t port() const { return options_.port; }
  [[nodiscard]] std::string bootstrap() const { return "127.0.0.1:" + std::to_string(options_.port); }
  [[nodiscard]] int32_t id() const { return options_.broker_id; }
  [[nodiscard]] std::filesystem::path log_dir() const { return options_.dir / "logs"; }
  [[nodiscard]] std::filesystem::path config_path() const { return options_.dir / "server.properties"; }
  [[nodiscard]] ChildProcess& process() { return *process_; }
  [[nodiscard]] std::string output() const { return process_ ? process_->output() : std::string(); }

  // The sluice-broker and sluice binaries of this build (build/bin).
  static std::filesystem::path broker_binary();
  static std::filesystem::path cli_binary();

 private:
  void write_config() const;
  void spawn();

  BrokerOptions options_;
  std::unique_ptr<ChildProcess> process_;
  int starts_ = 0;
};

}  // namespace sluice::testing
