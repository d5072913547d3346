// An in-process KafkaServer on 127.0.0.1 (port 0, temp log dir, no ZooKeeper) run on its own
// thread, with helpers to make it leader (or follower) of a partition through the
// ReplicaManager's public API and to publish that partition in the MetadataCache.
#pragma once

#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "broker/kafka_server.h"
#include "broker/tests/test_client.h"

namespace sluice::broker::testing {

class KafkaServerFixture {
 public:
  KafkaServerFixture() {
    const auto props = dir_.path() / "server.properties";
    if (std::FILE* f = std::fopen(props.c_str(), "w")) std::fclose(f);
    auto loaded = KafkaConfig::load(props, {"broker.id=0", "listeners=PLAINTEXT://127.0.0.1:0",
                                            "zookeeper.connect=127.0.0.1:2181",
                                            "log.dirs=" + (dir_.path() / "logs").string()});
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (!loaded) return;
    auto started = KafkaServer::start(std::move(loaded).value());
    EXPECT_TRUE(started) << started.error().message;
    if (!started) return;
    server_ = std::move(started).value();
    runner_ = std::thread([this] { (void)server_->run(); });
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

  [[nodiscard]] Offset log_end(const std::string& topic) {
    auto partition = server_->replica_manager().get_partition({topic, PartitionId(0)});
    return partition ? partition->log()->log_end_offset() : Offset(-1);
  }

 private:
  TempDir dir_;
  std::unique_ptr<KafkaServer> server_;
  std::thread runner_;
};

}  // namespace sluice::broker::testing
