// The web console (broker/console, docs/console.md): its JSON endpoints on a real three-broker
// cluster (real ZooKeeper, real sluice-broker processes, data produced and consumed with the
// sluice CLI), bad query parameters answered 400, and the page itself in Debian's headless
// Chromium driven by playwright-core (tests/console/js, installed by `npm ci` from the lockfile):
// it shows the brokers, the leaders and the cluster picture, and without a reload greys out a
// SIGKILLed broker and shows the moved leaders.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "broker/console/console_routes.h"
#include "broker/tests/cluster_fixture.h"

namespace sluice::broker::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using sluice::testing::BrokerProcess;
using sluice::testing::run_program;

const std::filesystem::path kScripts = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests" / "console" / "js";

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// GET http://127.0.0.1:port/path with Connection: close; reads until the server closes (10 s
// socket timeouts bound it).
Reply get(uint16_t port, const std::string& path) {
  Reply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[65536];
      for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  std::string headers = raw.substr(0, end);
  for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t ct = headers.find("content-type: ");
  if (ct != std::string::npos) reply.content_type = headers.substr(ct + 14, headers.find("\r\n", ct) - ct - 14);
  reply.body = raw.substr(end + 4);
  return reply;
}

json get_json(uint16_t port, const std::string& path, int expected_status = 200) {
  const Reply r = get(port, path);
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
  EXPECT_EQ(get(http(0), "/api/records?topic=nope&partition=0").status, 404);
  EXPECT_EQ(get(http(0), "/api/records?topic=orders&partition=3").status, 404);

  // Throughput: broker 2 appended 30 + 4 records for partition 1, seen within its samples.
  ASSERT_TRUE(eventually([&] {
    json t = get_json(http(2), "/api/throughput");
    double messages = 0;
    for (const auto& s : t["samples"]) messages += s["messages_in"].get<double>();
    return t["broker"] == 2 && messages > 0;
  }, 10s));

  // The assets, compiled in.
  Reply page = get(http(1), "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("/console/app.js"), std::string::npos);
  EXPECT_NE(get(http(1), "/console/app.js").body.find("/api/cluster"), std::string::npos);
  EXPECT_EQ(get(http(1), "/console/app.css").status, 200);

  // The console's sampler and client end with the broker: SIGTERM still shuts it down cleanly.
  const auto stopped = broker(1).stop(30s);
  ASSERT_TRUE(stopped.has_value()) << output();
  EXPECT_EQ(*stopped, 0) << output();
}

// playwright-core from npm (its lockfile in tests/console/js), installed once per test process.
class ConsoleBrowserTest : public ConsoleTest {
 protected:
  static void SetUpTestSuite() {
    ConsoleTest::SetUpTestSuite();
    node_dir_ = new sluice::testing::TempDir("sluice-console-js");
    for (const char* file : {"package.json", "package-lock.json", "console_check.js"}) {
      std::filesystem::copy_file(kScripts / file, node_dir_->path() / file);
    }
    auto installed = run_program(
        {"npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", node_dir_->path().string()}, "", 180s);
    npm_error_ = installed.exit_code == 0 ? "" : "npm ci failed: " + installed.err + installed.out;
  }
  static void TearDownTestSuite() {
    delete node_dir_;
    node_dir_ = nullptr;
    ConsoleTest::TearDownTestSuite();
  }
  static inline sluice::testing::TempDir* node_dir_ = nullptr;
  static inline std::string npm_error_;
};

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, false);
}

TEST_F(ConsoleBrowserTest, PageShowsTheClusterAndGreysOutAKilledBrokerWithoutReload) {
  ASSERT_EQ(npm_error_, "");
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium (scripts/install-deps.sh)";
  ASSERT_NO_FATAL_FAILURE(start_cluster());
  // Broker 1 leads partitions 0 and 3; killing it moves them to 2 and 0.
  create_topic("orders", {{1, 2, 0}, {2, 0, 1}, {0, 1, 2}, {1, 0, 2}});
  const std::filesystem::path work = dir_.path() / "browser";
  std::filesystem::create_directories(work);
  sluice::testing::ChildProcess node(
      {"node", (node_dir_->path() / "console_check.js").string(),
       "http://127.0.0.1:" + std::to_string(http(0)) + "/", work.string(), "1"},
      work / "node");

  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(work / "phase1.json") || !node.running(); }, 60s))
      << node.output();
  ASSERT_TRUE(std::filesystem::exists(work / "phase1.json")) << node.output();
  const json first = read_json(work / "phase1.json");
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first["title"], "Sluice console");
  EXPECT_EQ(first["errors"].size(), 0u) << first["errors"].dump();
  ASSERT_EQ(first["brokers"].size(), 3u) << first.dump();
  for (const auto& b : first["brokers"]) EXPECT_TRUE(b["alive"].get<bool>());
  ASSERT_EQ(first["cols"].size(), 3u) << first.dump();
  std::map<int, int> blocks;
  std::map<int, int> leaders_in_col;
  for (const auto& col : first["cols"]) {
    EXPECT_FALSE(col["dead"].get<bool>());
    for (const auto& b : col["blocks"]) {
      if (b["topic"] != "orders") continue;
      ++blocks[col["broker"].get<int>()];
      leaders_in_col[col["broker"].get<int>()] += b["leader"].get<bool>() ? 1 : 0;
    }
  }
  EXPECT_EQ(blocks, (std::map<int, int>{{0, 4}, {1, 4}, {2, 4}}));  // RF 3 x 4 partitions over 3 brokers
  EXPECT_EQ(leaders_in_col, (std::map<int, int>{{0, 1}, {1, 2}, {2, 1}}));
  int rows = 0;
  for (const auto& p : first["partitions"]) {
    if (p["topic"] != "orders") continue;
    ++rows;
    EXPECT_EQ(p["leader"], leader("orders", p["partition"].get<int>())) << p.dump();
  }
  EXPECT_EQ(rows, 4);

  broker(1).kill();
  ASSERT_TRUE(eventually([&] { return leader("orders", 0) == 2 && leader("orders", 3) == 0; }, 45s)) << output();
  { std::ofstream(work / "go") << "1"; }
  const auto exit_code = node.wait_exit(90s);
  ASSERT_TRUE(exit_code.has_value()) << node.output();
  ASSERT_EQ(*exit_code, 0) << node.output();
  const json second = read_json(work / "phase2.json");
  ASSERT_TRUE(second.is_object());
  for (const auto& b : second["brokers"]) EXPECT_EQ(b["alive"].get<bool>(), b["broker"] != 1) << b.dump();
  for (const auto& col : second["cols"]) {
    EXPECT_EQ(col["dead"].get<bool>(), col["broker"] == 1) << col.dump();
    if (col["broker"] != 1) continue;
    for (const auto& b : col["blocks"]) EXPECT_FALSE(b["leader"].get<bool>());
  }
  for (const auto& p : second["partitions"]) {
    if (p["topic"] != "orders") continue;
    EXPECT_EQ(p["leader"], leader("orders", p["partition"].get<int>())) << p.dump();
  }
}

}  // namespace
}  // namespace sluice::broker::testing
