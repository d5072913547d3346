// The web console (broker/console, docs/console.md): its JSON endpoints on a real three-broker
// cluster (real ZooKeeper, real sluice-broker processes, data produced and consumed with the
// sluice CLI), bad query parameters answered 400, and the page itself in Debian's headless
// Chromium driven by playwright-core (tests/console/js, installed by `npm ci` from the lockfile):
// it shows the brokers, the leaders and the cluster picture, and without a reload greys out a
// SIGKILLed broker and shows the moved leaders.
#include <csignal>
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "broker/console/console_routes.h"
#include "broker/tests/cluster_fixture.h"
#include "tests/support/http_client.h"

namespace sluice::broker::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using sluice::testing::BrokerProcess;
using sluice::testing::run_program;

const std::filesystem::path kScripts = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests" / "console" / "js";

using Reply = sluice::testing::HttpReply;
using sluice::testing::http_get;

json get_json(uint16_t port, const std::string& path, int expected_status = 200) {
  const Reply r = http_get(port, path);
  EXPECT_EQ(r.status, expected_status) << path << ": " << r.body;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << path;
  return json::parse(r.body, nullptr, false);
}

// ---- parsing, no broker ----

TEST(ConsoleQuery, ParsesAndBoundsTheRecordsQuery) {
  auto ok = console::parse_records_query("topic=a.b-c_d&partition=7&limit=100");
  EXPECT_EQ(ok.error, "");
  EXPECT_EQ(ok.query.topic, "a.b-c_d");
  EXPECT_EQ(ok.query.partition, 7);
  EXPECT_EQ(ok.query.limit, 100);
  auto defaults = console::parse_records_query("partition=0&topic=%6f%72ders");
  EXPECT_EQ(defaults.error, "");
  EXPECT_EQ(defaults.query.topic, "orders");
  EXPECT_EQ(defaults.query.limit, 20);
  for (const char* bad : {"", "partition=0", "topic=t", "topic=t&partition=-1", "topic=t&partition=x",
                          "topic=t&partition=99999999999", "topic=t&partition=0&limit=0",
                          "topic=t&partition=0&limit=101", "topic=t&partition=0&limit=", "topic=a/b&partition=0",
                          "topic=..&partition=0", "topic=t&partition=0&x=1", "topic=t&topic=u&partition=0",
                          "topic=%zz&partition=0", "topic=t%2&partition=0"}) {
    EXPECT_NE(console::parse_records_query(bad).error, "") << bad;
  }
  EXPECT_NE(console::parse_records_query("topic=" + std::string(250, 'a') + "&partition=0").error, "");
}

TEST(ConsoleQuery, EscapesNonPrintableBytesAndCapsTheSize) {
  bool truncated = true;
  const std::string text = "ok \\ \x01\xff\n";
  EXPECT_EQ(console::escape_bytes(text.data(), text.size(), 100, truncated), "ok \\\\ \\x01\\xff\\x0a");
  EXPECT_FALSE(truncated);
  EXPECT_EQ(console::escape_bytes("abcdef", 6, 3, truncated), "abc");
  EXPECT_TRUE(truncated);
}

// ---- a real cluster ----

class ConsoleTest : public ClusterTest {
 protected:
  // Three brokers, each with an HTTP listener on a free port.
  void start_cluster() {
    for (int id = 0; id < 3; ++id) {
      http_ports_[id] = sluice::testing::free_port();
      start_brokers(1, {{"http.listener", "127.0.0.1:" + std::to_string(http_ports_[id])}}, id);
    }
  }
  uint16_t http(int id) { return http_ports_.at(id); }

  void produce(const std::string& topic, int partition, int records) {
    std::string lines;
    for (int i = 0; i < records; ++i) {
      // append, not operator+: GCC 12 reports a false -Wrestrict
      lines.append("k").append(std::to_string(i)).append(":value-").append(std::to_string(i)).append("\n");
    }
    auto result = run_program({BrokerProcess::cli_binary().string(), "-b", bootstrap(), "produce", topic, "-p",
                               std::to_string(partition), "-k", ":"},
                              lines, 60s);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }

  std::map<int, uint16_t> http_ports_;
};

TEST_F(ConsoleTest, JsonEndpointsDescribeTheClusterTopicsGroupsRecordsAndThroughput) {
  ASSERT_NO_FATAL_FAILURE(start_cluster());
  create_topic("orders", {{1, 2, 0}, {2, 0, 1}, {0, 1, 2}});
  ASSERT_NO_FATAL_FAILURE(produce("orders", 1, 30));  // led by broker 2: remote for broker 0
  ASSERT_NO_FATAL_FAILURE(produce("orders", 2, 5));   // led by broker 0
  auto consumed = cli({"consume", "orders", "-g", "console-group", "--from-beginning", "-n", "35"});
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  ASSERT_NO_FATAL_FAILURE(produce("orders", 1, 4));  // the group is now 4 behind on partition 1

  json c = get_json(http(0), "/api/cluster");
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["serving_broker"], 0);
  EXPECT_EQ(c["controller"], controller());
  EXPECT_EQ(c["zookeeper"], "connected");
  EXPECT_TRUE(c["cluster_id"].is_string());
  ASSERT_EQ(c["brokers"].size(), 3u) << c.dump();
  for (int id = 0; id < 3; ++id) {
    EXPECT_EQ(c["brokers"][id]["id"], id);
    EXPECT_EQ(c["brokers"][id]["alive"], true);
    EXPECT_EQ(c["brokers"][id]["port"], broker(id).port());
  }

  // High watermarks: local for partition 2, through the client for 0 and 1.
  json topic;
  ASSERT_TRUE(eventually([&] {
    json t = get_json(http(0), "/api/topics");
    for (const auto& j : t["topics"]) {
      if (j["name"] == "orders") topic = j;
    }
    return topic.is_object() && topic["partitions"].size() == 3 && topic["partitions"][1]["high_watermark"] == 34 &&
           topic["partitions"][2]["high_watermark"] == 5;
  })) << topic.dump();
  for (int p = 0; p < 3; ++p) {
    const json& part = topic["partitions"][p];
    EXPECT_EQ(part["leader"], leader("orders", p));
    EXPECT_EQ(part["replicas"].size(), 3u);
    EXPECT_EQ(part["isr"].size(), 3u);
    EXPECT_TRUE(part["size_bytes"].is_number());  // broker 0 holds a replica of each
  }
  EXPECT_EQ(topic["partitions"][0]["high_watermark"], 0);

  // The group, coordinated wherever: committed 30 on partition 1 and 5 on partition 2.
  json group;
  ASSERT_TRUE(eventually([&] {
    json g = get_json(http(0), "/api/groups");
    for (const auto& j : g["groups"]) {
      if (j["group_id"] == "console-group") group = j;
    }
    return group.is_object() && group["lag"] == 4;
  })) << group.dump();
  for (const auto& o : group["offsets"]) {
    if (o["partition"] == 1) {
      EXPECT_EQ(o["committed"], 30);
      EXPECT_EQ(o["lag"], 4);
    }
    if (o["partition"] == 2) {
      EXPECT_EQ(o["lag"], 0);
    }
  }

  // The latest records of a partition led elsewhere, oldest first.
  json r = get_json(http(0), "/api/records?topic=orders&partition=1&limit=6");
  EXPECT_FALSE(r.contains("error")) << r.dump();
  ASSERT_EQ(r["records"].size(), 6u) << r.dump();
  EXPECT_EQ(r["records"][0]["offset"], 28);
  EXPECT_EQ(r["records"][0]["key"], "k28");
  EXPECT_EQ(r["records"][0]["value"], "value-28");
  EXPECT_EQ(r["records"][5]["offset"], 33);
  EXPECT_EQ(r["records"][5]["value"], "value-3");  // the last produce's 4th record
  json empty = get_json(http(1), "/api/records?topic=orders&partition=0&limit=10");
  EXPECT_EQ(empty["records"].size(), 0u) << empty.dump();

  // Bad parameters: 400 with a reason; unknown topic or partition: 404.
  for (const char* bad : {"/api/records", "/api/records?topic=orders", "/api/records?topic=orders&partition=-1",
                          "/api/records?topic=orders&partition=0&limit=500", "/api/records?topic=bad%2Fname&partition=0",
                          "/api/records?topic=orders&partition=0&bogus=1", "/api/cluster?x=1", "/api/topics?x",
                          "/api/groups?a=b", "/api/throughput?x=1"}) {
    json e = get_json(http(0), bad, 400);
    EXPECT_TRUE(e["error"].is_string()) << bad;
  }
  EXPECT_EQ(http_get(http(0), "/api/records?topic=nope&partition=0").status, 404);
  EXPECT_EQ(http_get(http(0), "/api/records?topic=orders&partition=3").status, 404);

  // Throughput: broker 2 appended 30 + 4 records for partition 1, seen within its samples.
  ASSERT_TRUE(eventually([&] {
    json t = get_json(http(2), "/api/throughput");
    double messages = 0;
    for (const auto& s : t["samples"]) messages += s["messages_in"].get<double>();
    return t["broker"] == 2 && messages > 0;
  }, 10s));

  // The assets, compiled in.
  Reply page = http_get(http(1), "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("/console/app.js"), std::string::npos);
  EXPECT_NE(http_get(http(1), "/console/app.js").body.find("/api/cluster"), std::string::npos);
  EXPECT_EQ(http_get(http(1), "/console/app.css").status, 200);

  // The console's sampler and client end with the broker: SIGTERM still shuts it down cleanly.
  const auto stopped = broker(1).stop(30s);
  ASSERT_TRUE(stopped.has_value()) << output();
  EXPECT_EQ(*stopped, 0) << output();
}

// ---- the page in headless Chromium (tests/console/js/console_check.js) ----

// playwright-core from npm (its lockfile in tests/console/js), installed once per test process
// into a temp dir; `error` is empty when it worked.
struct NodeScripts {
  sluice::testing::TempDir dir{"sluice-console-js"};
  std::string error;
};

const NodeScripts& node_scripts() {
  static const NodeScripts* scripts = [] {
    auto* s = new NodeScripts;
    for (const char* file : {"package.json", "package-lock.json", "console_check.js"}) {
      std::filesystem::copy_file(kScripts / file, s->dir.path() / file);
    }
    auto installed = run_program(
        {"npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", s->dir.path().string()}, "", 180s);
    if (installed.exit_code != 0) s->error = "npm ci failed: " + installed.err + installed.out;
    return s;
  }();
  return *scripts;
}

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, false);
}

// One run of console_check.js against `url`: phase1() is what the page shows at first; after the
// caller has killed broker `killed`, phase2() is what it shows once it greyed that broker out.
class ConsoleCheck {
 public:
  ConsoleCheck(const std::string& url, const std::filesystem::path& work, int killed)
      : work_((std::filesystem::create_directories(work), work)),
        node_({"node", (node_scripts().dir.path() / "console_check.js").string(), url, work.string(),
               std::to_string(killed)},
              work / "node") {}

  // Read until it parses: the script may still be writing the file when it first appears.
  json phase1() {
    json first;
    const auto whole = [&] {
      first = read_json(work_ / "phase1.json");
      return first.is_object();
    };
    EXPECT_TRUE(eventually([&] { return whole() || !node_.running(); }, 60s)) << node_.output();
    EXPECT_TRUE(whole()) << node_.output();
    return first;
  }

  json phase2() {
    { std::ofstream(work_ / "go") << "1"; }
    const auto exit_code = node_.wait_exit(90s);
    EXPECT_TRUE(exit_code.has_value()) << node_.output();
    EXPECT_EQ(exit_code.value_or(-1), 0) << node_.output();
    return read_json(work_ / "phase2.json");
  }

 private:
  std::filesystem::path work_;
  sluice::testing::ChildProcess node_;
};

// The first picture of three live brokers: `topic`'s `partitions` rows each with the leader the
// cluster reports, `rf` replica blocks per partition, and each column's leader blocks matching.
void expect_first_view(const json& first, const std::string& topic, int partitions, int rf,
                       const std::function<int(int)>& leader_of) {
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first["title"], "Sluice console");
  EXPECT_EQ(first["errors"].size(), 0u) << first["errors"].dump();
  ASSERT_EQ(first["brokers"].size(), 3u) << first.dump();
  for (const auto& b : first["brokers"]) EXPECT_TRUE(b["alive"].get<bool>());
  ASSERT_EQ(first["cols"].size(), 3u) << first.dump();
  std::map<int, int> expected_leaders;
  for (int p = 0; p < partitions; ++p) ++expected_leaders[leader_of(p)];
  std::map<int, int> leaders_in_col;
  int blocks = 0;
  for (const auto& col : first["cols"]) {
    EXPECT_FALSE(col["dead"].get<bool>());
    for (const auto& b : col["blocks"]) {
      if (b["topic"] != topic) continue;
      ++blocks;
      if (b["leader"].get<bool>()) ++leaders_in_col[col["broker"].get<int>()];
    }
  }
  EXPECT_EQ(blocks, partitions * rf) << first.dump();
  EXPECT_EQ(leaders_in_col, expected_leaders) << first.dump();
  int rows = 0;
  for (const auto& p : first["partitions"]) {
    if (p["topic"] != topic) continue;
    ++rows;
    EXPECT_EQ(p["leader"], leader_of(p["partition"].get<int>())) << p.dump();
  }
  EXPECT_EQ(rows, partitions);
}

// After broker `killed` died: it alone is greyed out and leads nothing; every row shows the
// leader the cluster now reports.
void expect_after_kill(const json& second, const std::string& topic, int killed,
                       const std::function<int(int)>& leader_of) {
  ASSERT_TRUE(second.is_object());
  EXPECT_EQ(second["errors"].size(), 0u) << second["errors"].dump();
  for (const auto& b : second["brokers"]) EXPECT_EQ(b["alive"].get<bool>(), b["broker"] != killed) << b.dump();
  for (const auto& col : second["cols"]) {
    EXPECT_EQ(col["dead"].get<bool>(), col["broker"] == killed) << col.dump();
    if (col["broker"] != killed) continue;
    for (const auto& b : col["blocks"]) EXPECT_FALSE(b["leader"].get<bool>());
  }
  int rows = 0;
  for (const auto& p : second["partitions"]) {
    if (p["topic"] != topic) continue;
    ++rows;
    EXPECT_NE(p["leader"], killed) << p.dump();
    EXPECT_EQ(p["leader"], leader_of(p["partition"].get<int>())) << p.dump();
  }
  EXPECT_GT(rows, 0);
}

class ConsoleBrowserTest : public ConsoleTest {};

TEST_F(ConsoleBrowserTest, PageShowsTheClusterAndGreysOutAKilledBrokerWithoutReload) {
  ASSERT_EQ(node_scripts().error, "");
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium (scripts/install-deps.sh)";
  ASSERT_NO_FATAL_FAILURE(start_cluster());
  // Broker 1 leads partitions 0 and 3; killing it moves them to 2 and 0.
  create_topic("orders", {{1, 2, 0}, {2, 0, 1}, {0, 1, 2}, {1, 0, 2}});
  const auto leader_of = [&](int p) { return leader("orders", p); };
  ConsoleCheck check("http://127.0.0.1:" + std::to_string(http(0)) + "/", dir_.path() / "browser", 1);
  const json first = check.phase1();
  ASSERT_NO_FATAL_FAILURE(expect_first_view(first, "orders", 4, 3, leader_of));
  std::map<int, int> leaders_in_col;
  for (const auto& col : first["cols"]) {
    for (const auto& b : col["blocks"]) leaders_in_col[col["broker"].get<int>()] += b["leader"].get<bool>() ? 1 : 0;
  }
  EXPECT_EQ(leaders_in_col, (std::map<int, int>{{0, 1}, {1, 2}, {2, 1}}));  // the preferred leaders

  broker(1).kill();
  ASSERT_TRUE(eventually([&] { return leader("orders", 0) == 2 && leader("orders", 3) == 0; }, 45s)) << output();
  const json second = check.phase2();
  expect_after_kill(second, "orders", 1, leader_of);
}

// The same page against a dev cluster started the way a user does: `sluice dev up` on free
// ports, the topic made with `sluice topic create`, the console URL `dev up` printed, a broker
// killed with `sluice dev kill-broker`, leaders compared with `sluice topic describe`. TearDown
// always runs `sluice dev down --purge` (and SIGKILLs whatever the state file still names).
class ConsoleDevClusterTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!std::filesystem::exists(cluster_ / "cluster.state")) return;
    auto down = dev({"down", "--purge"});
    if (down.exit_code == 0) return;
    ADD_FAILURE() << "dev down --purge: " << down.out << down.err;
    std::ifstream state(cluster_ / "cluster.state");
    for (std::string line; std::getline(state, line);) {
      const size_t eq = line.find(".pid=");
      if (eq != std::string::npos && std::stoi(line.substr(eq + 5)) > 0) ::kill(std::stoi(line.substr(eq + 5)), SIGKILL);
    }
  }

  static int free_port_run(int count) {
    auto r = run_program({"/usr/bin/python3", (std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/support/free_ports.py").string(),
                          std::to_string(count)});
    if (r.exit_code != 0) throw std::runtime_error("free_ports.py: " + r.err);
    return std::stoi(r.out);
  }

  sluice::testing::RunResult dev(std::vector<std::string> args) {
    args.insert(args.begin(), {BrokerProcess::cli_binary().string(), "dev"});
    args.insert(args.end(), {"--dir", cluster_.string()});
    return run_program(args, "", 120s);
  }

  sluice::testing::RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {BrokerProcess::cli_binary().string(), "-b", bootstrap_});
    return run_program(args, "", 60s);
  }

  // Partition -> leader, as `sluice topic describe` prints it; empty if it failed.
  std::map<int, int> described_leaders(const std::string& topic) {
    std::map<int, int> out;
    auto r = cli({"topic", "describe", topic});
    if (r.exit_code != 0) return out;
    static const std::regex line("Partition: ([0-9]+)\tLeader: (-?[0-9]+)");
    for (std::sregex_iterator it(r.out.begin(), r.out.end(), line), end; it != end; ++it) {
      out[std::stoi((*it)[1])] = std::stoi((*it)[2]);
    }
    return out;
  }

  sluice::testing::TempDir tmp_{"sluice-console-dev"};
  std::filesystem::path cluster_ = tmp_.path() / "cluster";
  std::string bootstrap_;
};

TEST_F(ConsoleDevClusterTest, PageAgainstSluiceDevUpGreysOutABrokerKilledWithDevKillBroker) {
  ASSERT_EQ(node_scripts().error, "");
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium (scripts/install-deps.sh)";
  const int zookeeper_port = free_port_run(1);
  const int broker_port = free_port_run(3);
  const int http_port = free_port_run(3);
  auto up = dev({"up", "--brokers", "3", "--zookeeper-port", std::to_string(zookeeper_port), "--broker-port",
                 std::to_string(broker_port), "--http-port", std::to_string(http_port)});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(up.out, m, std::regex("bootstrap: +([0-9.:,]+)"))) << up.out;
  bootstrap_ = m[1];
  ASSERT_TRUE(std::regex_search(up.out, m, std::regex("console: +(http://[^ \n]+)"))) << up.out;
  const std::string url = m[1];
  EXPECT_EQ(url, "http://127.0.0.1:" + std::to_string(http_port) + "/");  // broker 0's HTTP port

  // Six partitions, replication factor 3: the brokers' round-robin placement makes each of them
  // lead some.
  auto created = cli({"topic", "create", "orders", "-p", "6", "-r", "3"});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  std::map<int, int> leaders;
  ASSERT_TRUE(eventually([&] {
    leaders = described_leaders("orders");
    return leaders.size() == 6 && std::all_of(leaders.begin(), leaders.end(), [](auto& l) { return l.second >= 0; });
  }, 30s));
  // The page is served by broker 0: kill the one of 1 and 2 that leads more partitions.
  std::map<int, int> led;
  for (const auto& [p, l] : leaders) ++led[l];
  const int killed = led[2] > led[1] ? 2 : 1;
  ASSERT_GT(led[killed], 0) << "broker " << killed << " leads nothing";

  ConsoleCheck check(url, tmp_.path() / "browser", killed);
  const json first = check.phase1();
  ASSERT_NO_FATAL_FAILURE(expect_first_view(first, "orders", 6, 3, [&](int p) { return leaders.at(p); }));

  auto kill = dev({"kill-broker", std::to_string(killed)});
  ASSERT_EQ(kill.exit_code, 0) << kill.out << kill.err;
  ASSERT_TRUE(eventually([&] {
    leaders = described_leaders("orders");
    return leaders.size() == 6 && std::all_of(leaders.begin(), leaders.end(),
                                              [&](auto& l) { return l.second >= 0 && l.second != killed; });
  }, 45s)) << "leaders still on broker " << killed;
  const json second = check.phase2();
  // What the page shows once it greyed the broker out, against what topic describe says now.
  leaders = described_leaders("orders");
  ASSERT_EQ(leaders.size(), 6u);
  expect_after_kill(second, "orders", killed, [&](int p) { return leaders.at(p); });
}

}  // namespace
}  // namespace sluice::broker::testing
