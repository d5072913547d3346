// Issue 5's promise with stock clients on real sluice-broker processes and a real ZooKeeper:
// confluent-kafka and kafka-python consumers (tests/interop/group_member.py under /usr/bin/python3)
// share a topic's partitions in one group, members leave and die, and every record is processed
// at least once; committed offsets are the plain decimals an operator reads with zkCli.sh; a
// killed coordinator's groups move and resume from ZooKeeper; kafkajs joins, consumes, commits.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "broker/handlers/find_coordinator.h"
#include "broker/tests/cluster_fixture.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using sluice::testing::ChildProcess;
using sluice::testing::run_program;
using testing::eventually;

const std::filesystem::path kScripts = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests" / "interop";
constexpr int kPartitions = 6;
constexpr int kSessionMs = 4000;

// Fast groups for tests: no initial delay, sessions shorter than Kafka's 6 s minimum.
const std::map<std::string, std::string> kGroupProps = {{"group.initial.rebalance.delay.ms", "0"},
                                                        {"group.min.session.timeout.ms", "1000"}};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

struct Processed {
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t value = -1;  // i of "v%08d"
};

// "PARTITION OFFSET VALUE" lines; a torn last line (a killed writer) is skipped.
std::vector<Processed> parse_records(const std::string& text) {
  std::vector<Processed> out;
  for (const std::string& line : lines_of(text)) {
    Processed p;
    std::string value;
    std::istringstream in(line);
    if (!(in >> p.partition >> p.offset >> value) || value.size() != 9 || value[0] != 'v') continue;
    p.value = std::stoll(value.substr(1));
    out.push_back(p);
  }
  return out;
}

class ConsumerGroupInterop : public testing::ClusterTest {
 protected:
  struct Member {
    std::string name;
    std::unique_ptr<ChildProcess> process;
    bool gone = false;  // stopped or killed: its last assignment no longer counts
  };

  // A non-empty `instance` makes the member static (group.instance.id). A name may be started
  // again after it was stopped or killed: the new process appends to the same files.
  void start_member(const std::string& client, const std::string& group, const std::string& topic,
                    const std::string& name, int session_ms = kSessionMs, const std::string& instance = "") {
    Member m;
    m.name = name;
    std::vector<std::string> args = {"/usr/bin/python3", (kScripts / "group_member.py").string(), "member", client,
                                     bootstrap(), group, topic, out_dir_.path().string(), name,
                                     std::to_string(session_ms)};
    if (!instance.empty()) args.push_back(instance);
    const int run = static_cast<int>(std::count_if(members_.begin(), members_.end(),
                                                   [&](const Member& other) { return other.name == name; }));
    std::string log = name;
    if (run > 0) log.append(".").append(std::to_string(run));
    log.append(".process");
    m.process = std::make_unique<ChildProcess>(args, out_dir_.path() / log);
    members_.push_back(std::move(m));
  }
  // The latest process started under `name`.
  Member& member(const std::string& name) {
    for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
      if (it->name == name) return *it;
    }
    throw std::runtime_error("no member " + name);
  }
  std::vector<std::string> assign_lines(const std::string& name) {
    return lines_of(read_file(out_dir_.path() / (name + ".assign")));
  }
  void stop_member(const std::string& name) {
    Member& m = member(name);
    std::ofstream(out_dir_.path() / (name + ".stop")).put('\n');
    EXPECT_EQ(m.process->wait_exit(60s), std::optional<int>(0)) << m.process->output();
    m.gone = true;
  }
  void kill_member(const std::string& name) {
    Member& m = member(name);
    m.process->signal(SIGKILL);
    m.process->wait_exit(10s);
    m.gone = true;
  }

  // The latest assignment of each member still in the group.
  std::map<std::string, std::vector<int32_t>> current_assignments() {
    std::map<std::string, std::vector<int32_t>> out;
    for (const Member& m : members_) {
      if (m.gone) continue;
      const auto lines = lines_of(read_file(out_dir_.path() / (m.name + ".assign")));
      if (lines.empty()) continue;
      std::vector<int32_t> partitions;
      std::string list = lines.back().substr(std::string("ASSIGN").size());
      std::replace(list.begin(), list.end(), ',', ' ');
      std::istringstream in(list);
      for (int32_t p = 0; in >> p;) partitions.push_back(p);
      out[m.name] = partitions;
    }
    return out;
  }
  // Every partition owned by exactly one live member, and every live member has been assigned.
  bool owned_exactly_once(size_t live) {
    const auto assignments = current_assignments();
    if (assignments.size() != live) return false;
    std::multiset<int32_t> owned;
    for (const auto& [name, partitions] : assignments) owned.insert(partitions.begin(), partitions.end());
    if (owned.size() != static_cast<size_t>(kPartitions)) return false;
    for (int32_t p = 0; p < kPartitions; ++p) {
      if (owned.count(p) != 1) return false;
    }
    return true;
  }
  std::string assignments_text() {
    std::string out;
    for (const auto& [name, partitions] : current_assignments()) {
      out.append(name).append(":");
      for (int32_t p : partitions) out.append(" ").append(std::to_string(p));
      out.append("\n");
    }
    return out;
  }

  // Every record any member processed, in the order each member processed them.
  std::vector<Processed> processed() {
    std::vector<Processed> all;
    for (const Member& m : members_) {
      auto records = parse_records(read_file(out_dir_.path() / (m.name + ".records")));
      all.insert(all.end(), records.begin(), records.end());
    }
    return all;
  }
  bool processed_all(int64_t count) {
    std::set<int64_t> values;
    for (const Processed& p : processed()) values.insert(p.value);
    for (int64_t i = 0; i < count; ++i) {
      if (!values.count(i)) return false;
    }
    return true;
  }

  void produce(const std::string& topic, int64_t first, int64_t count) {
    auto run = run_program({"/usr/bin/python3", (kScripts / "group_member.py").string(), "produce", bootstrap(), topic,
                            std::to_string(kPartitions), std::to_string(first), std::to_string(count)},
                           "", 120s);
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }

  // The committed offset as stored: the data of /consumers/<group>/offsets/<topic>/<partition>.
  std::string committed(const std::string& group, const std::string& topic, int32_t partition) {
    auto data = io().sync(zk().get_data("/consumers/" + group + "/offsets/" + topic + "/" + std::to_string(partition)));
    if (!data) return "";
    const Bytes& bytes = data.value().data;
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  bool committed_everywhere(const std::string& group, const std::string& topic, int64_t per_partition) {
    for (int32_t p = 0; p < kPartitions; ++p) {
      if (committed(group, topic, p) != std::to_string(per_partition)) return false;
    }
    return true;
  }

  // Records land at partition i % 6, offset i / 6 (one producer, one request in flight): what a
  // member processed must be exactly that record.
  void expect_records_where_produced() {
    for (const Processed& p : processed()) {
      EXPECT_EQ(p.partition, p.value % kPartitions) << "v" << p.value;
      EXPECT_EQ(p.offset, p.value / kPartitions) << "v" << p.value;
    }
  }

  std::string member_output() {
    std::string out;
    for (const Member& m : members_) out.append("--- ").append(m.name).append("\n").append(m.process->output());
    return out + assignments_text();
  }

  sluice::testing::TempDir out_dir_{"sluice-group"};
  std::vector<Member> members_;
};

std::vector<std::vector<int32_t>> single_broker_partitions() { return std::vector<std::vector<int32_t>>(kPartitions, {0}); }

// Three librdkafka members and one kafka-python member share six partitions; one leaves
// cleanly, one is killed (its session times out). At every settled point each partition has
// exactly one owner; with commits after processing no record is skipped; the committed offsets
// in ZooKeeper end at the log end offsets, as zkCli.sh shows them.
TEST_F(ConsumerGroupInterop, MixedClientsShareAndRebalanceWithoutSkippingAnything) {
  start_brokers(1, kGroupProps);
  create_topic("shared", single_broker_partitions());
  for (const char* name : {"c1", "c2", "c3"}) start_member("confluent", "mixed", "shared", name);
  start_member("kafka-python", "mixed", "shared", "k1");
  ASSERT_TRUE(eventually([&] { return owned_exactly_once(4); }, 60s)) << member_output() << output();

  produce("shared", 0, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(600); }, 60s)) << member_output();

  stop_member("c3");  // leaves the group
  ASSERT_TRUE(eventually([&] { return owned_exactly_once(3); }, 60s)) << member_output();
  produce("shared", 600, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(1200); }, 60s)) << member_output();

  kill_member("c2");  // no LeaveGroup: the coordinator notices when its session times out
  ASSERT_TRUE(eventually([&] { return owned_exactly_once(2); }, 60s)) << member_output();
  produce("shared", 1200, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(1800); }, 60s)) << member_output();
  expect_records_where_produced();

  // 1800 records over 6 partitions: each member commits what it processed, so every committed
  // offset reaches the log end, 300.
  ASSERT_TRUE(eventually([&] { return committed_everywhere("mixed", "shared", 300); }, 30s))
      << committed("mixed", "shared", 0) << "\n" << member_output();
  stop_member("c1");
  stop_member("k1");

  std::vector<std::string> args = {"/usr/share/zookeeper/bin/zkCli.sh", "-server", zookeeper_connect(),
                                   "get", "/consumers/mixed/offsets/shared/3"};
  auto zkcli = run_program(args, "", 60s);
  EXPECT_EQ(zkcli.exit_code, 0) << zkcli.out << zkcli.err;
  EXPECT_NE(zkcli.out.find("\n300\n"), std::string::npos) << zkcli.out;
}

// The coordinator is killed (-9) while two members consume a replicated topic. The members find
// the new coordinator (the rule over the remaining live brokers) and resume from the offsets
// committed in ZooKeeper: nothing committed before the kill is processed again (with
// auto.offset.reset=earliest, a lost offset would replay the partition from the start), and
// everything produced after it is processed.
TEST_F(ConsumerGroupInterop, MembersResumeFromCommittedOffsetsAfterTheCoordinatorIsKilled) {
  start_brokers(3, kGroupProps);
  std::vector<std::vector<int32_t>> assignment;
  for (int32_t p = 0; p < kPartitions; ++p) assignment.push_back({p % 3, (p + 1) % 3, (p + 2) % 3});
  create_topic("moving", assignment);
  std::vector<BrokerEndpoint> live;
  for (int32_t id = 0; id < 3; ++id) live.push_back(BrokerEndpoint{BrokerId(id), "127.0.0.1", 0, std::nullopt});
  const auto coordinator = group_coordinator("resume", live);
  ASSERT_TRUE(coordinator);

  start_member("confluent", "resume", "moving", "a");
  start_member("confluent", "resume", "moving", "b");
  ASSERT_TRUE(eventually([&] { return owned_exactly_once(2); }, 60s)) << member_output() << output();
  produce("moving", 0, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(600) && committed_everywhere("resume", "moving", 100); }, 60s))
      << member_output();
  const size_t before = processed().size();

  broker(coordinator->id).kill();
  produce("moving", 600, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(1200); }, 90s)) << member_output() << output();
  ASSERT_TRUE(eventually([&] { return committed_everywhere("resume", "moving", 200); }, 30s)) << member_output();

  std::map<int64_t, int> times;
  for (const Processed& p : processed()) ++times[p.value];
  for (int64_t i = 0; i < 600; ++i) EXPECT_EQ(times[i], 1) << "v" << i << " processed again after the move";
  EXPECT_GE(processed().size(), before + 600);
  expect_records_where_produced();
}

// Static membership (KIP-345) with librdkafka: two members with group.instance.id; one is killed
// (-9) and restarted with the same instance id well within its session timeout. The coordinator
// gives the restarted member its old partitions without a rebalance: the other member's
// assignment never changes (its .assign file gets no new line), the restarted one's new line is
// its old assignment, and both go on consuming.
TEST_F(ConsumerGroupInterop, RestartedStaticMemberGetsItsPartitionsBackWithoutARebalance) {
  constexpr int kStaticSessionMs = 20000;  // room for a Python restart
  start_brokers(1, kGroupProps);
  create_topic("static", single_broker_partitions());
  start_member("confluent", "statics", "static", "s1", kStaticSessionMs, "instance-1");
  ASSERT_TRUE(eventually([&] { return owned_exactly_once(1); }, 60s)) << member_output() << output();
  start_member("confluent", "statics", "static", "s2", kStaticSessionMs, "instance-2");
  ASSERT_TRUE(eventually([&] { return owned_exactly_once(2); }, 60s)) << member_output() << output();
  produce("static", 0, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(600); }, 60s)) << member_output();
  const std::vector<std::string> s1_before = assign_lines("s1");
  const std::vector<std::string> s2_before = assign_lines("s2");
  ASSERT_FALSE(s1_before.empty());
  ASSERT_FALSE(s2_before.empty());

  kill_member("s1");
  start_member("confluent", "statics", "static", "s1", kStaticSessionMs, "instance-1");
  ASSERT_TRUE(eventually([&] { return assign_lines("s1").size() > s1_before.size(); }, 60s))
      << member_output() << output();
  const std::vector<std::string> s1_after = assign_lines("s1");
  EXPECT_EQ(s1_after.size(), s1_before.size() + 1) << member_output();
  EXPECT_EQ(s1_after.back(), s1_before.back()) << member_output();

  // Both consume what comes next, and s2 was never reassigned meanwhile.
  produce("static", 600, 600);
  ASSERT_TRUE(eventually([&] { return processed_all(1200); }, 60s)) << member_output();
  EXPECT_TRUE(owned_exactly_once(2)) << member_output();
  EXPECT_EQ(assign_lines("s2"), s2_before) << member_output();
  EXPECT_EQ(assign_lines("s1"), s1_after) << member_output();
  expect_records_where_produced();
  stop_member("s1");
  stop_member("s2");
}

// kafkajs from npm: a group member with default settings consumes, commits on disconnect, and a
// second run of the same group reads only what was produced since.
class KafkajsGroup : public ConsumerGroupInterop {
 protected:
  static void SetUpTestSuite() {
    ConsumerGroupInterop::SetUpTestSuite();
    js_dir_ = new sluice::testing::TempDir("sluice-kafkajs-group");
    for (const char* file : {"package.json", "package-lock.json", "group.js"}) {
      std::filesystem::copy_file(kScripts / "js" / file, js_dir_->path() / file);
    }
    auto installed = run_program({"npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--prefix",
                                  js_dir_->path().string()},
                                 "", 180s);
    npm_error_ = installed.exit_code == 0 ? "" : "npm ci failed: " + installed.err + installed.out;
  }
  static void TearDownTestSuite() {
    delete js_dir_;
    js_dir_ = nullptr;
    ConsumerGroupInterop::TearDownTestSuite();
  }
  sluice::testing::RunResult consume(const std::string& group, int expect) {
    return run_program({"node", (js_dir_->path() / "group.js").string(), bootstrap(), "js-topic", group,
                        std::to_string(expect)},
                       "", 120s);
  }
  static inline sluice::testing::TempDir* js_dir_ = nullptr;
  static inline std::string npm_error_;
};

TEST_F(KafkajsGroup, JoinsConsumesAndCommitsThenResumesWhereItCommitted) {
  ASSERT_EQ(npm_error_, "");
  start_brokers(1, kGroupProps);
  create_topic("js-topic", single_broker_partitions());
  produce("js-topic", 0, 60);
  auto first = consume("js-group", 60);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err << output();
  const auto got = parse_records(first.out);
  EXPECT_EQ(got.size(), 60u) << first.out;
  EXPECT_TRUE(committed_everywhere("js-group", "js-topic", 10)) << committed("js-group", "js-topic", 0);

  produce("js-topic", 60, 12);
  auto second = consume("js-group", 12);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  std::set<int64_t> values;
  for (const Processed& p : parse_records(second.out)) values.insert(p.value);
  std::set<int64_t> expected;
  for (int64_t i = 60; i < 72; ++i) expected.insert(i);
  EXPECT_EQ(values, expected) << second.out;
  EXPECT_TRUE(committed_everywhere("js-group", "js-topic", 12)) << committed("js-group", "js-topic", 0);
}

}  // namespace
}  // namespace sluice::broker
