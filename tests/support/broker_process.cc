#include "tests/support/broker_process.h"

#include <signal.h>

#include <fstream>
#include <thread>

#include "tests/support/net.h"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

}  // namespace

BrokerProcess::BrokerProcess(BrokerOptions options) : options_(std::move(options)) {
  std::filesystem::create_directories(options_.dir);
  if (options_.port == 0) options_.port = free_port();
  write_config();
  spawn();
}

BrokerProcess::~BrokerProcess() = default;

std::filesystem::path BrokerProcess::broker_binary() { return std::filesystem::path(SLUICE_BIN_DIR) / "sluice-broker"; }
std::filesystem::path BrokerProcess::cli_binary() { return std::filesystem::path(SLUICE_BIN_DIR) / "sluice"; }

void BrokerProcess::write_config() const {
  std::map<std::string, std::string> props = {
      {"broker.id", std::to_string(options_.broker_id)},
      {"listeners", "PLAINTEXT://127.0.0.1:" + std::to_string(options_.port)},
      {"log.dirs", log_dir().string()},
      {"zookeeper.connect", options_.zookeeper_connect},
      {"zookeeper.session.timeout.ms", "6000"},
      {"num.partitions", "1"},
      {"default.replication.factor", "1"},
  };
  for (const auto& [key, value] : options_.properties) props[key] = value;
  std::ofstream out(config_path());
  for (const auto& [key, value] : props) out << key << '=' << value << '\n';
}

void BrokerProcess::spawn() {
  ++starts_;
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{broker_binary().string(), config_path().string()},
      options_.dir / ("broker-" + std::to_string(starts_)));
}

bool BrokerProcess::wait_listening(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (port_accepts(options_.port)) return true;
    if (!process_->running()) return false;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::optional<int> BrokerProcess::stop(std::chrono::milliseconds timeout) {
  process_->signal(SIGTERM);
  return process_->wait_exit(timeout);
}

void BrokerProcess::kill() {
  process_->signal(SIGKILL);
  (void)process_->wait_exit(10s);
}

void BrokerProcess::restart() {
  if (process_->running()) kill();
  spawn();
}

}  // namespace sluice::testing
