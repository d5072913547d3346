// An in-process KafkaServer on 127.0.0.1 (port 0, temp log dir) run on its own thread, against
// a real ZooKeeper (one per test process, a fresh chroot per server), with helpers to make it
// leader (or follower) of a partition through the ReplicaManager's public API and to publish
// that partition in the MetadataCache. The constructor returns once the broker is controller
// and its own UpdateMetadata has arrived.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "broker/kafka_server.h"
#include "broker/tests/test_client.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::broker::testing {

// The test process's ZooKeeper, started on first use and stopped at exit.
inline sluice::testing::ZooKeeperServer& shared_zookeeper() {
  static sluice::testing::ZooKeeperServer server;
  return server;
}

// A chroot no other server in this process uses (the broker creates it).
inline std::string fresh_chroot() {
  static std::atomic<int> counter{0};
  return "/kafka-fixture-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

class KafkaServerFixture {
 public:
  // `overrides`: extra "key=value" settings, e.g. "auto.create.topics.enable=false".
  explicit KafkaServerFixture(std::vector<std::string> overrides = {}) {
    const auto props = dir_.path() / "server.properties";
    if (std::FILE* f = std::fopen(props.c_str(), "w")) std::fclose(f);
    zookeeper_connect_ = shared_zookeeper().connect_string(fresh_chroot());
    std::vector<std::string> settings = {"broker.id=0", "listeners=PLAINTEXT://127.0.0.1:0",
                                         "zookeeper.connect=" + zookeeper_connect_,
                                         "log.dirs=" + (dir_.path() / "logs").string()};
    settings.insert(settings.end(), overrides.begin(), overrides.end());
    auto loaded = KafkaConfig::load(props, settings);
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (!loaded) return;
    auto started = KafkaServer::start(std::move(loaded).value());
    EXPECT_TRUE(started) << started.error().message;
    if (!started) return;
    server_ = std::move(started).value();
    runner_ = std::thread([this] { (void)server_->run(); });
    EXPECT_TRUE(wait_for_controller()) << "broker 0 did not become controller within 30 s";
  }
  ~KafkaServerFixture() {
    if (!server_) return;
    server_->shutdown();
    runner_.join();
  }
  KafkaServerFixture(const KafkaServerFixture&) = delete;
  KafkaServerFixture& operator=(const KafkaServerFixture&) = delete;

  [[nodiscard]] bool started() const { return server_ != nullptr; }
  [[nodiscard]] uint16_t port() const { return server_->local_endpoints().at(0).port(); }
  [[nodiscard]] std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port()); }
  KafkaServer& server() { return *server_; }
  // The broker's zookeeper.connect, chroot included.
  [[nodiscard]] const std::string& zookeeper_connect() const { return zookeeper_connect_; }

  // LeaderAndIsr for topic-0 with `leader` (this broker is 0) and ISR `isr`.
  protocol::ErrorCode host(const std::string& topic, BrokerId leader = BrokerId(0),
                           std::map<std::string, std::string> config = {},
                           std::vector<BrokerId> isr = {BrokerId(0)}) {
    // Field by field: GCC 12 -O3 reports the designated-initializer form maybe-uninitialized.
    PartitionState state;
    state.tp.topic = topic;
    state.tp.partition = PartitionId(0);
    state.leader = leader;
    state.replicas = isr;
    state.isr = isr;
    state.topic_config = std::move(config);
    asio::io_context local;
    auto done = asio::co_spawn(local, server_->replica_manager().become_leader_or_follower(state), asio::use_future);
    local.run();
    MetadataUpdate update;
    update.partition_states.push_back({topic, PartitionMetadata{.partition = PartitionId(0), .leader = leader,
                                                                .leader_epoch = LeaderEpoch(0), .replicas = isr,
                                                                .isr = isr, .offline_replicas = {}}});
    server_->metadata_cache().update_metadata(update);
    return done.get();
  }

  // Until the broker is controller and its MetadataCache names it (bounded: 30 s).
  bool wait_for_controller() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (server_->controller().is_active() && server_->metadata_cache().snapshot()->controller_id == BrokerId(0)) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  [[nodiscard]] Offset log_end(const std::string& topic) {
    auto partition = server_->replica_manager().get_partition({topic, PartitionId(0)});
    return partition ? partition->log()->log_end_offset() : Offset(-1);
  }

 private:
  TempDir dir_;
  std::string zookeeper_connect_;
  std::unique_ptr<KafkaServer> server_;
  std::thread runner_;
};

}  // namespace sluice::broker::testing
