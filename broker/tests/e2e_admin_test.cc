// End to end: a real ZooKeeper, a real sluice-broker process (num.partitions=3, auto-creation on)
// and the stock clients with default settings. kcat auto-creates a topic by producing to it;
// the confluent-kafka, kafka-python and kafkajs admin clients create, describe, alter, grow and
// delete topics (tests/interop/*_admin.py, tests/interop/js/admin.js: one step per run), and
// after each step this driver checks the effect where a Kafka operator looks: the znodes, the
// log directories, `sluice topic describe`, and records over the limit refused right after an
// alter. Error answers come back through each client, and the broker keeps serving.
// One ZooKeeper and one broker for the whole suite; every wait is bounded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "coordination/tests/zk_test_util.h"
#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using coordination::testing::IoThread;
using coordination::testing::config_for;
using coordination::testing::connected_client;
using sluice::testing::BrokerProcess;
using sluice::testing::run_program;
using Json = nlohmann::json;

const std::filesystem::path kScripts = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests" / "interop";
constexpr const char* kChroot = "/sluice";

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

class E2eAdmin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    zookeeper_ = new sluice::testing::ZooKeeperServer();
    dir_ = new sluice::testing::TempDir("sluice-e2e");
    sluice::testing::BrokerOptions options;
    options.broker_id = 0;
    options.zookeeper_connect = zookeeper_->connect_string(kChroot);
    options.dir = dir_->path() / "broker";
    options.properties = {{"num.partitions", "3"}, {"auto.create.topics.enable", "true"}};
    broker_ = new BrokerProcess(options);
    io_ = new IoThread();
    if (broker_->wait_listening()) {
      zk_ = connected_client(*io_, config_for(zookeeper_->connect_string(kChroot))).release();
    }
  }
  // kafkajs from the committed lockfile, as client_interop_test.cc installs it; once per process,
  // and only when a kafkajs test runs. "" when installed, else why not.
  static const sluice::testing::TempDir& js_dir() {
    static const sluice::testing::TempDir dir("sluice-e2e-js");
    return dir;
  }
  static const std::string& install_kafkajs() {
    static const std::string error = [] {
      for (const char* file : {"package.json", "package-lock.json", "admin.js"}) {
        std::filesystem::copy_file(kScripts / "js" / file, js_dir().path() / file);
      }
      auto installed = run_program(
          {"npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", js_dir().path().string()}, "", 120s);
      return installed.exit_code == 0 ? std::string() : "npm ci failed: " + installed.err + installed.out;
    }();
    return error;
  }
  static void TearDownTestSuite() {
    if (zk_ != nullptr) io_->sync(zk_->close());
    delete zk_;
    delete io_;
    delete broker_;
    delete dir_;
    delete zookeeper_;
  }

  void SetUp() override {
    ASSERT_NE(zk_, nullptr) << broker_->output();
    ASSERT_TRUE(eventually([] { return znode("/controller") && znode("/brokers/ids/0"); }, 30s))
        << broker_->output();
  }
  void TearDown() override { EXPECT_TRUE(broker_->process().running()) << broker_->output(); }

  // A znode's text inside the broker's chroot; nullopt when absent.
  static std::optional<std::string> znode(const std::string& path) {
    auto node = io_->sync(zk_->get_data(path));
    if (!node) return std::nullopt;
    return coordination::testing::text(node.value().data);
  }
  static std::optional<Json> json_znode(const std::string& path) {
    auto text = znode(path);
    if (!text) return std::nullopt;
    Json j = Json::parse(*text, nullptr, false);
    if (j.is_discarded()) {
      ADD_FAILURE() << path << " holds no JSON: " << *text;
      return std::nullopt;
    }
    return j;
  }
  static std::vector<std::string> children(const std::string& path) {
    auto got = io_->sync(zk_->get_children(path));
    return got ? got.value() : std::vector<std::string>{};
  }

  // The topic's znodes as Kafka 2.8 writes them, with `partitions` partitions each led by broker
  // 0 with ISR [0]: /brokers/topics/<t> (version 3, topic id, replica lists, empty reassignment
  // maps), a state znode per partition, and /config/topics/<t> holding exactly `config`.
  static void expect_topic_znodes(const std::string& topic, int partitions, const Json& config) {
    SCOPED_TRACE("topic " + topic);
    auto assignment = json_znode("/brokers/topics/" + topic);
    ASSERT_TRUE(assignment.has_value()) << "no /brokers/topics/" << topic;
    EXPECT_EQ(assignment->value("version", -1), 3) << *assignment;
    ASSERT_TRUE(assignment->contains("topic_id") && (*assignment)["topic_id"].is_string()) << *assignment;
    EXPECT_EQ((*assignment)["topic_id"].get<std::string>().size(), 22u) << "base64 of 16 bytes, no padding";
    Json want_partitions = Json::object();
    for (int p = 0; p < partitions; ++p) want_partitions[std::to_string(p)] = Json::array({0});
    EXPECT_EQ((*assignment)["partitions"], want_partitions) << *assignment;
    EXPECT_EQ((*assignment)["adding_replicas"], Json::object()) << *assignment;
    EXPECT_EQ((*assignment)["removing_replicas"], Json::object()) << *assignment;

    std::vector<std::string> want_ids;
    for (int p = 0; p < partitions; ++p) want_ids.push_back(std::to_string(p));
    EXPECT_TRUE(eventually([&] {
      auto ids = children("/brokers/topics/" + topic + "/partitions");
      std::sort(ids.begin(), ids.end());
      return ids == want_ids;
    }));
    for (int p = 0; p < partitions; ++p) {
      auto state = json_znode("/brokers/topics/" + topic + "/partitions/" + std::to_string(p) + "/state");
      ASSERT_TRUE(state.has_value()) << "partition " << p << " has no state znode";
      EXPECT_EQ(state->value("leader", -2), 0) << *state;
      EXPECT_EQ(state->value("leader_epoch", -1), 0) << *state;
      EXPECT_EQ(state->value("version", -1), 1) << *state;
      EXPECT_GE(state->value("controller_epoch", -1), 1) << *state;
      EXPECT_EQ((*state)["isr"], Json::array({0})) << *state;
    }
    auto topic_config = json_znode("/config/topics/" + topic);
    ASSERT_TRUE(topic_config.has_value()) << "no /config/topics/" << topic;
    EXPECT_EQ(*topic_config, (Json{{"version", 1}, {"config", config}}));
  }

  // The partition directories of `topic` in the broker's log dir (not the ones marked -delete).
  static std::set<std::string> log_dirs(const std::string& topic) {
    std::set<std::string> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(broker_->log_dir(), ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(topic + "-", 0) == 0 && name.find_first_not_of("0123456789", topic.size() + 1) == std::string::npos) {
        found.insert(name);
      }
    }
    return found;
  }
  static std::set<std::string> partition_dirs(const std::string& topic, int partitions) {
    std::set<std::string> want;
    for (int p = 0; p < partitions; ++p) want.insert(topic + "-" + std::to_string(p));
    return want;
  }

  static sluice::testing::RunResult cli(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {BrokerProcess::cli_binary().string()});
    args.insert(args.end(), {"--bootstrap", broker_->bootstrap()});
    return run_program(std::move(args), input, 30s);
  }

  static inline sluice::testing::ZooKeeperServer* zookeeper_ = nullptr;
  static inline sluice::testing::TempDir* dir_ = nullptr;
  static inline BrokerProcess* broker_ = nullptr;
  static inline IoThread* io_ = nullptr;
  static inline coordination::ZooKeeperClient* zk_ = nullptr;
};

// ---- 1. kcat auto-creates a topic by producing to it ----------------------------------------

TEST_F(E2eAdmin, KcatProduceAutoCreatesTheTopicWithNumPartitionsAndRecordsComeBackInOrder) {
  const std::string topic = "auto-kcat";
  ASSERT_FALSE(znode("/brokers/topics/" + topic));
  // Keyed records (the default partitioner spreads them over the partitions); values hold every
  // byte but newline, the record separator.
  std::vector<std::pair<std::string, std::string>> sent;
  std::string input;
  for (int i = 0; i < 60; ++i) {
    // Appended piece by piece: GCC 12 reports a false -Wrestrict for "literal" + std::string.
    std::string value = "v";
    value.append(std::to_string(i)).push_back('|');
    for (int b = 0; b < 256; b += 1 + i % 5) {
      if (b != '\n') value.push_back(static_cast<char>(b));
    }
    sent.emplace_back("key" + std::to_string(i), value);
    input += sent.back().first + ":" + value + "\n";
  }
  auto produced = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-K:"}, input, 30s);
  ASSERT_EQ(produced.exit_code, 0) << produced.err << broker_->output();

  expect_topic_znodes(topic, 3, Json::object());
  EXPECT_TRUE(eventually([&] { return log_dirs(topic) == partition_dirs(topic, 3); }));

  // "%p %o %k:%s;": the value may hold anything but newline, so each record ends with ";\n".
  auto consumed = run_program(
      {"kcat", "-b", broker_->bootstrap(), "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%p %o %k:%s;\\n"}, "",
      30s);
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  std::map<int, std::vector<std::pair<int64_t, std::string>>> by_partition;  // partition -> (offset, key:value)
  size_t at = 0;
  size_t records = 0;
  while (at < consumed.out.size()) {
    const size_t end = consumed.out.find(";\n", at);
    ASSERT_NE(end, std::string::npos) << consumed.out.substr(at);
    std::istringstream head(consumed.out.substr(at, end - at));
    int partition = -1;
    int64_t offset = -1;
    head >> partition >> offset;
    const size_t body = consumed.out.find(' ', consumed.out.find(' ', at) + 1) + 1;
    by_partition[partition].emplace_back(offset, consumed.out.substr(body, end - body));
    ++records;
    at = end + 2;
  }
  EXPECT_EQ(records, sent.size());
  EXPECT_EQ(by_partition.size(), 3u) << "60 keys should land in every partition";
  std::set<std::string> seen;
  for (const auto& [partition, got] : by_partition) {
    EXPECT_GE(partition, 0);
    EXPECT_LT(partition, 3);
    // Offsets 0.. in order, and the records in the order they were sent.
    size_t next_sent = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].first, static_cast<int64_t>(i)) << "partition " << partition;
      while (next_sent < sent.size() && sent[next_sent].first + ":" + sent[next_sent].second != got[i].second) {
        ++next_sent;
      }
      EXPECT_LT(next_sent, sent.size()) << "partition " << partition << " offset " << i
                                        << ": not sent, or out of order: " << got[i].second;
      seen.insert(got[i].second);
    }
  }
  EXPECT_EQ(seen.size(), sent.size()) << "every record exactly once";
}

// ---- 2-4. The admin clients, step by step, effects checked on the broker ----------------------

struct AdminClient {
  std::string name;
  std::vector<std::string> command;  // program and script; then BOOTSTRAP STEP TOPIC
};

AdminClient admin_client(const std::string& name, const std::filesystem::path& js_dir) {
  if (name == "confluent") return {name, {"/usr/bin/python3", (kScripts / "confluent_admin.py").string()}};
  if (name == "kafka_python") return {name, {"/usr/bin/python3", (kScripts / "kafka_python_admin.py").string()}};
  return {name, {"node", (js_dir / "admin.js").string()}};
}

class E2eAdminClients : public E2eAdmin, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    E2eAdmin::SetUp();
    if (GetParam() == "kafkajs") {
      ASSERT_EQ(install_kafkajs(), "");
    }
  }
  // Runs one step of the client's script; true if it printed OK <step>.
  static void step(const std::string& name, const std::string& topic) {
    const AdminClient client = admin_client(GetParam(), js_dir().path());
    std::vector<std::string> argv = client.command;
    argv.insert(argv.end(), {broker_->bootstrap(), name, topic});
    auto run = run_program(argv, "", 60s);
    EXPECT_EQ(run.exit_code, 0) << client.name << " " << name << ": " << run.err << run.out;
    EXPECT_EQ(run.out, "OK " + name + "\n") << run.err;
  }
};

TEST_P(E2eAdminClients, CreateDescribeAlterGrowDeleteTakeEffectOnTheBroker) {
  const std::string topic = "admin-" + GetParam();

  step("create", topic);
  expect_topic_znodes(topic, 2, {{"retention.ms", "3600000"}, {"max.message.bytes", "200000"}});
  EXPECT_TRUE(eventually([&] { return log_dirs(topic) == partition_dirs(topic, 2); }));
  auto described = cli({"topic", "describe", topic});
  EXPECT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("Topic: " + topic + "\tPartitions: 2\tReplicationFactor: 1\n"), std::string::npos)
      << described.out;
  EXPECT_NE(described.out.find("\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\n"), std::string::npos)
      << described.out;
  EXPECT_NE(described.out.find("\tretention.ms=3600000\n"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("\tmax.message.bytes=200000\n"), std::string::npos) << described.out;

  // AlterConfigs: the script also sees a 2000-byte record refused right after the alter.
  const auto changes_before = children("/config/changes").size();
  step("alter", topic);
  expect_topic_znodes(topic, 2, {{"retention.ms", "3600000"}, {"max.message.bytes", "1000"}});
  EXPECT_GT(children("/config/changes").size(), changes_before) << "no change notification";
  described = cli({"topic", "describe", topic});
  EXPECT_NE(described.out.find("\tmax.message.bytes=1000\n"), std::string::npos) << described.out;
  // Refused by our own client too, on the partition the script did not use.
  auto refused = cli({"produce", topic, "-p", "1"}, std::string(1500, 'z') + "\n");
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("MESSAGE_TOO_LARGE"), std::string::npos) << refused.err;

  if (GetParam() == "kafkajs") step("records", topic);  // DeleteRecords: only kafkajs has it

  step("partitions", topic);
  expect_topic_znodes(topic, 4, {{"retention.ms", "3600000"}, {"max.message.bytes", "1000"}});
  EXPECT_TRUE(eventually([&] { return log_dirs(topic) == partition_dirs(topic, 4); }));

  // The new partitions take records.
  auto grown = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "3"}, "in three\n", 30s);
  EXPECT_EQ(grown.exit_code, 0) << grown.err;
  auto from_three = run_program(
      {"kcat", "-b", broker_->bootstrap(), "-C", "-t", topic, "-p", "3", "-o", "beginning", "-e", "-f", "%o %s\n"}, "",
      30s);
  EXPECT_EQ(from_three.out, "0 in three\n") << from_three.err;

  step("delete", topic);
  EXPECT_TRUE(eventually([&] {
    return !znode("/brokers/topics/" + topic) && !znode("/config/topics/" + topic) &&
           !znode("/admin/delete_topics/" + topic);
  })) << "znodes left behind";
  EXPECT_TRUE(eventually([&] { return log_dirs(topic).empty(); })) << "partition directories left behind";
  auto gone = cli({"topic", "describe", topic});
  EXPECT_NE(gone.exit_code, 0) << gone.out;

  // The name is free again: a new topic under it starts empty, with defaults and a new id.
  auto again = cli({"topic", "create", topic, "-p", "1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_topic_znodes(topic, 1, Json::object());
  auto produced = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "0"},
                              std::string(1500, 'n') + "\n", 30s);
  EXPECT_EQ(produced.exit_code, 0) << "max.message.bytes must be back to the default: " << produced.err;
  auto fresh = run_program(
      {"kcat", "-b", broker_->bootstrap(), "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "%o %S\n"}, "",
      30s);
  EXPECT_EQ(fresh.out, "0 1500\n") << fresh.err;
}

// ---- 5. Error answers through the real clients ------------------------------------------------

TEST_P(E2eAdminClients, RefusedCreationsGetKafkasErrorsAndTheBrokerKeepsServing) {
  const std::string topic = "exists-" + GetParam();
  auto created = cli({"topic", "create", topic, "-p", "1"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  step("errors", topic);
  for (const std::string& refused :
       {topic + "-rf3", topic + "-compact", topic + "-validate", topic + "-missing", std::string("bad name!")}) {
    EXPECT_FALSE(znode("/brokers/topics/" + refused)) << refused;
    EXPECT_FALSE(znode("/config/topics/" + refused)) << refused;
  }
  expect_topic_znodes(topic, 1, Json::object());
  expect_topic_znodes(topic + "-after", 1, Json::object());
}

INSTANTIATE_TEST_SUITE_P(Clients, E2eAdminClients, ::testing::Values("confluent", "kafka_python", "kafkajs"));

// ---- IncrementalAlterConfigs (no stock client here sends it): through `sluice topic alter-config`

TEST_F(E2eAdmin, IncrementalAlterSetsAndRemovesOverridesAndTheLimitAppliesAtOnce) {
  const std::string topic = "incremental";
  auto created = cli({"topic", "create", topic, "-p", "1", "-c", "retention.ms=7200000"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  expect_topic_znodes(topic, 1, {{"retention.ms", "7200000"}});
  auto before = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "0"},
                            std::string(1500, 'a') + "\n", 30s);
  EXPECT_EQ(before.exit_code, 0) << before.err;

  auto altered = cli({"topic", "alter-config", topic, "-s", "max.message.bytes=1000", "-d", "retention.ms"});
  ASSERT_EQ(altered.exit_code, 0) << altered.err;
  expect_topic_znodes(topic, 1, {{"max.message.bytes", "1000"}});
  auto after = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "0"},
                           std::string(1500, 'b') + "\n", 30s);
  EXPECT_NE(after.exit_code, 0) << "a 1500-byte record accepted after max.message.bytes=1000";
  EXPECT_NE(after.err.find("too large"), std::string::npos) << after.err;

  auto consumed =
      run_program({"kcat", "-b", broker_->bootstrap(), "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e"}, "", 30s);
  EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
  EXPECT_EQ(consumed.out, std::string(1500, 'a') + "\n") << "only the record from before the alter";
}

// Overrides are read back from ZooKeeper at startup: after a restart the limit still holds.
// (Last in its suite: it restarts the shared broker.)
TEST_F(E2eAdmin, TopicOverridesStillApplyAfterARestart) {
  const std::string topic = "restarted";
  auto created = cli({"topic", "create", topic, "-p", "1", "-c", "max.message.bytes=1000"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto before = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "0"}, "before\n", 30s);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(broker_->stop(), std::optional<int>(0)) << broker_->output();
  broker_->restart();
  ASSERT_TRUE(broker_->wait_listening()) << broker_->output();
  // Served again once the controller has made it leader of the partition.
  EXPECT_TRUE(eventually([&] {
    return run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "0"}, "after\n", 10s).exit_code ==
           0;
  }, 30s)) << broker_->output();
  auto refused = run_program({"kcat", "-b", broker_->bootstrap(), "-P", "-t", topic, "-p", "0"},
                             std::string(1500, 'r') + "\n", 30s);
  EXPECT_NE(refused.exit_code, 0) << "a 1500-byte record accepted after the restart";
  auto consumed =
      run_program({"kcat", "-b", broker_->bootstrap(), "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e"}, "", 30s);
  EXPECT_EQ(consumed.out, "before\nafter\n") << consumed.err;
}

}  // namespace
}  // namespace sluice::broker
