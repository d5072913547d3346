// ClusterTest: the base of the multi-broker integration suites. One real ZooKeeper per suite; each
// test gets a chroot, a ZooKeeper client inside it (zk(), kafka_zk()), and starts real
// sluice-broker processes (start_brokers) on free ports under its own temp directory. Helpers
// read the Kafka znodes an operator would (partition state, /controller, /controller_epoch),
// create topics with an explicit assignment, run the `sluice` CLI against the live brokers, and
// wait with a bound (eventually). Every broker is SIGKILLed at the end of the test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/tests/zk_test_util.h"
#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/net.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::broker::testing {

// Polls `condition` every 50 ms until it holds or `timeout` passes; the last answer.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// "<prefix><i>"; built by append, which GCC 12's -Wrestrict accepts at -O3.
inline std::string tag_of(const char* prefix, int i) {
  std::string tag = prefix;
  tag.append(std::to_string(i));
  return tag;
}

// The .log files of a partition directory, concatenated in offset order: replicas holding the
// same batches have the same bytes.
inline std::string log_bytes(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> segments;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".log") segments.push_back(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  std::string out;
  for (const auto& path : segments) {
    std::ifstream in(path, std::ios::binary);
    std::string content(static_cast<size_t>(std::filesystem::file_size(path, ec)), '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<size_t>(in.gcount()));
    out.append(content);
  }
  return out;
}

inline bool contains(const std::vector<BrokerId>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), BrokerId(id)) != ids.end();
}

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { zookeeper_ = new sluice::testing::ZooKeeperServer(); }
  static void TearDownTestSuite() {
    delete zookeeper_;
    zookeeper_ = nullptr;
  }
  void SetUp() override {
    chroot_ = coordination::testing::make_chroot(io_, *zookeeper_);
    zk_ = coordination::testing::connected_client(io_, coordination::testing::config_for(zookeeper_connect()));
    kafka_zk_ = std::make_unique<coordination::KafkaZkClient>(*zk_);
  }
  void TearDown() override {
    for (auto& broker : brokers_) {
      if (broker) broker->kill();
    }
    brokers_.clear();
    if (zk_) io_.sync(zk_->close());
  }

  [[nodiscard]] std::string zookeeper_connect() const { return zookeeper_->connect_string(chroot_); }
  coordination::ZooKeeperClient& zk() { return *zk_; }
  coordination::KafkaZkClient& kafka_zk() { return *kafka_zk_; }
  coordination::testing::IoThread& io() { return io_; }

  // Starts brokers with ids first..first+count-1 (`properties` on top of BrokerProcess's
  // defaults), waits until each listens, is registered, and a controller exists.
  void start_brokers(int count, const std::map<std::string, std::string>& properties = {}, int first = 0) {
    for (int id = first; id < first + count; ++id) {
      sluice::testing::BrokerOptions options;
      options.broker_id = id;
      options.zookeeper_connect = zookeeper_connect();
      options.dir = dir_.path() / ("broker" + std::to_string(id));
      options.port = sluice::testing::free_port();
      options.properties = properties;
      if (brokers_.size() <= static_cast<size_t>(id)) brokers_.resize(static_cast<size_t>(id) + 1);
      brokers_[static_cast<size_t>(id)] = std::make_unique<sluice::testing::BrokerProcess>(options);
    }
    for (int id = first; id < first + count; ++id) ASSERT_TRUE(broker(id).wait_listening()) << output();
    ASSERT_TRUE(eventually([&] {
      for (int id = first; id < first + count; ++id) {
        if (!registered(id)) return false;
      }
      return controller() >= 0;
    })) << output();
  }

  sluice::testing::BrokerProcess& broker(int32_t id) { return *brokers_.at(static_cast<size_t>(id)); }
  sluice::testing::BrokerProcess& broker(BrokerId id) { return broker(id.value()); }
  [[nodiscard]] size_t broker_count() const { return brokers_.size(); }

  // Every broker's output, for failure messages.
  std::string output() const {
    std::string out;
    for (const auto& b : brokers_) {
      if (b) out.append("--- broker ").append(std::to_string(b->id())).append("\n").append(b->output());
    }
    return out;
  }

  // bootstrap.servers over the brokers whose process runs.
  std::string bootstrap() {
    std::string out;
    for (auto& b : brokers_) {
      if (!b || !b->process().running()) continue;
      if (!out.empty()) out.push_back(',');
      out.append(b->bootstrap());  // append, not operator+: GCC 12 reports a false -Wrestrict
    }
    return out;
  }

  // A topic with an explicit assignment (replicas[p] lists partition p's replicas, preferred
  // leader first); waits until the controller wrote every partition state with a full ISR.
  void create_topic(const std::string& name, const std::vector<std::vector<int32_t>>& replicas,
                    coordination::TopicConfig config = {}) {
    coordination::AdminZkClient admin(*kafka_zk_);
    coordination::NewTopic topic;
    topic.name = name;
    for (size_t p = 0; p < replicas.size(); ++p) {
      for (int32_t r : replicas[p]) topic.assignment[PartitionId(static_cast<int32_t>(p))].emplace_back(r);
    }
    topic.config = std::move(config);
    auto created = io_.sync(admin.create_topic(topic, false));
    ASSERT_TRUE(created) << created.error().message;
    for (size_t p = 0; p < replicas.size(); ++p) {
      ASSERT_TRUE(eventually([&] {
        auto s = state(name, static_cast<int32_t>(p));
        return s && s->leader_and_isr.isr.size() == replicas[p].size();
      })) << name << "-" << p << "\n" << output();
    }
  }

  std::optional<coordination::LeaderIsrAndControllerEpoch> state(const std::string& topic, int32_t partition) {
    auto s = io_.sync(kafka_zk_->get_partition_state(TopicPartition{topic, PartitionId(partition)}));
    if (!s) return std::nullopt;
    return s.value();
  }
  // The partition's leader per its state znode; -1 when none or unknown.
  int32_t leader(const std::string& topic, int32_t partition) {
    auto s = state(topic, partition);
    return s ? s->leader_and_isr.leader.value() : -1;
  }
  // The partition's ISR per its state znode, sorted.
  std::vector<int32_t> isr(const std::string& topic, int32_t partition) {
    std::vector<int32_t> out;
    if (auto s = state(topic, partition)) {
      for (BrokerId id : s->leader_and_isr.isr) out.push_back(id.value());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  int32_t controller() {
    auto id = io_.sync(kafka_zk_->get_controller_id());
    return id && id.value() ? id.value()->value() : -1;
  }
  int32_t controller_epoch() {
    auto e = io_.sync(kafka_zk_->get_controller_epoch());
    return e && e.value() ? e.value()->epoch.value() : -1;
  }
  bool registered(int32_t id) {
    auto n = io_.sync(zk_->exists("/brokers/ids/" + std::to_string(id)));
    return n && n.value().has_value();
  }

  // `sluice -b <live brokers> args...`, bounded at 60 s.
  sluice::testing::RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {sluice::testing::BrokerProcess::cli_binary().string(), "-b", bootstrap()});
    return sluice::testing::run_program(args, "", std::chrono::seconds(60));
  }

  static inline sluice::testing::ZooKeeperServer* zookeeper_ = nullptr;
  coordination::testing::IoThread io_;
  sluice::testing::TempDir dir_;
  std::string chroot_;
  std::unique_ptr<coordination::ZooKeeperClient> zk_;
  std::unique_ptr<coordination::KafkaZkClient> kafka_zk_;
  std::vector<std::unique_ptr<sluice::testing::BrokerProcess>> brokers_;
};

}  // namespace sluice::broker::testing
