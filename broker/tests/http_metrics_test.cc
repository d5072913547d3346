// The broker's HTTP server (http.listener): /metrics in the Prometheus text format with the
// counters and gauges moving as real clients use real sluice-broker processes, /health and
// /ready following the ZooKeeper session, and bad requests answered without harm.
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "broker/kafka_config.h"
#include "broker/metrics/metrics.h"
#include "broker/tests/cluster_fixture.h"
#include "tests/support/http_client.h"

namespace sluice::broker::testing {
namespace {

using namespace std::chrono_literals;
using sluice::testing::BrokerProcess;

using sluice::testing::http_exchange;
using sluice::testing::HttpReply;

HttpReply parse_reply(const std::string& raw) { return sluice::testing::parse_http_reply(raw); }
HttpReply get(uint16_t port, const std::string& path) { return sluice::testing::http_get(port, path); }

// A tiny Prometheus text-format (0.0.4) parser: every line must be a # HELP, a # TYPE or a sample
// of a declared family; samples map "name{labels}" to their value.
struct Scrape {
  bool valid = false;
  std::string error;
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;

  // The value of the one series named `name` whose labels contain every `labels` pair.
  [[nodiscard]] std::optional<double> value(const std::string& name,
                                            const std::vector<std::pair<std::string, std::string>>& labels = {}) const {
    std::optional<double> found;
    for (const auto& [series, v] : samples) {
      if (series != name && series.rfind(name + "{", 0) != 0) continue;
      bool match = true;
      for (const auto& [k, lv] : labels) match = match && series.find(k + "=\"" + lv + "\"") != std::string::npos;
      if (match) {
        if (found) return std::nullopt;  // ambiguous
        found = v;
      }
    }
    return found;
  }
};

Scrape parse_prometheus(const std::string& text) {
  static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$)");
  Scrape s;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      if (!s.types.emplace(m[1], m[2]).second) {
        s.error = "line " + std::to_string(n) + ": second # TYPE for " + m[1].str();
        return s;
      }
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      s.error = "line " + std::to_string(n) + " is not Prometheus text: " + line;
      return s;
    }
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string sfx = suffix;
      if (!s.types.contains(family) && family.size() > sfx.size() &&
          family.compare(family.size() - sfx.size(), sfx.size(), sfx) == 0 &&
          s.types.contains(family.substr(0, family.size() - sfx.size()))) {
        family = family.substr(0, family.size() - sfx.size());
      }
    }
    if (!s.types.contains(family)) {
      s.error = "line " + std::to_string(n) + ": sample of an undeclared family: " + line;
      return s;
    }
    const std::string series = m[1].str() + m[2].str();
    if (!s.samples.emplace(series, std::stod(m[3])).second) {
      s.error = "line " + std::to_string(n) + ": duplicate series " + series;
      return s;
    }
  }
  s.valid = true;
  return s;
}

TEST(MetricsRegistry, RendersEscapedLabelsCumulativeBucketsAndCallbacks) {
  metrics::Registry registry;
  registry.counter("t_requests_total", "Requests.\nSecond line", {"request"}).with({"a\"b\\c\nd"}).inc(3);
  auto& h = registry.histogram("t_latency_ms", "Latency", {}, {1, 10}).with();
  h.observe(0.5);
  h.observe(5);
  h.observe(50);
  std::optional<metrics::CallbackHandle> cb = registry.add_callback(
      "t_gauge", "A callback", metrics::Type::gauge, [] { return std::vector<metrics::Sample>{{{{"k", "v"}}, 2.5}}; });
  const std::string text = registry.render();
  const Scrape s = parse_prometheus(text);
  ASSERT_TRUE(s.valid) << s.error << "\n" << text;
  EXPECT_NE(text.find("# HELP t_requests_total Requests.\\nSecond line\n"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(t_requests_total{request="a\"b\\c\nd"} 3)"), std::string::npos) << text;
  EXPECT_EQ(s.value("t_latency_ms_bucket", {{"le", "1"}}), 1.0);
  EXPECT_EQ(s.value("t_latency_ms_bucket", {{"le", "10"}}), 2.0);
  EXPECT_EQ(s.value("t_latency_ms_bucket", {{"le", "+Inf"}}), 3.0);
  EXPECT_EQ(s.value("t_latency_ms_count"), 3.0);
  EXPECT_EQ(s.value("t_latency_ms_sum"), 55.5);
  EXPECT_EQ(s.value("t_gauge", {{"k", "v"}}), 2.5);
  cb.reset();  // the handle removes its callback
  EXPECT_EQ(registry.render().find("t_gauge"), std::string::npos);
  // The test's own parser refuses what is not the text format.
  EXPECT_FALSE(parse_prometheus("t_x{a=\"unterminated} 1\n").valid);
  EXPECT_FALSE(parse_prometheus("# TYPE t_x gauge\nt_x one\n").valid);
  EXPECT_FALSE(parse_prometheus("t_undeclared 1\n").valid);
}

TEST(HttpListenerConfig, OffByDefaultHostPortOrRefusedNamingTheKey) {
  Properties p{{"broker.id", "0"}, {"zookeeper.connect", "127.0.0.1:2181"}};
  auto off = KafkaConfig::from_properties(p);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off.value().http_listener.has_value());
  p["http.listener"] = "0.0.0.0:9644";
  auto on = KafkaConfig::from_properties(p);
  ASSERT_TRUE(on);
  ASSERT_TRUE(on.value().http_listener.has_value());
  EXPECT_EQ(on.value().http_listener->first, "0.0.0.0");
  EXPECT_EQ(on.value().http_listener->second, 9644);
  for (const char* bad : {"9644", "host:port", "127.0.0.1:70000"}) {
    p["http.listener"] = bad;
    auto refused = KafkaConfig::from_properties(p);
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("http.listener"), std::string::npos) << refused.error().message;
  }
}

// A broker whose http.listener cannot be bound refuses to start, naming the key.
TEST(HttpListenerConfig, UnbindableAddressStopsTheBrokerWithOneLine) {
  sluice::testing::TempDir dir;
  sluice::testing::BrokerOptions options;
  options.zookeeper_connect = "127.0.0.1:1";  // never reached: the HTTP bind fails first
  options.dir = dir.path();
  options.properties = {{"http.listener", "192.0.2.1:9644"}};  // TEST-NET-1: not a local address
  sluice::testing::BrokerProcess broker(options);
  const auto exit_code = broker.process().wait_exit(30s);
  ASSERT_TRUE(exit_code.has_value()) << broker.output();
  EXPECT_NE(*exit_code, 0);
  EXPECT_NE(broker.output().find("http.listener"), std::string::npos) << broker.output();
}

class HttpMetricsTest : public ClusterTest {
 protected:
  // Starts broker `id` with an HTTP listener on a free port.
  void start_with_http(int id) {
    const uint16_t port = sluice::testing::free_port();
    http_ports_[id] = port;
    start_brokers(1, {{"http.listener", "127.0.0.1:" + std::to_string(port)}}, id);
  }
  uint16_t http_port(int id) { return http_ports_.at(id); }

  Scrape scrape(int id) {
    const HttpReply reply = get(http_port(id), "/metrics");
    EXPECT_EQ(reply.status, 200) << reply.headers;
    EXPECT_NE(reply.headers.find("text/plain; version=0.0.4"), std::string::npos) << reply.headers;
    Scrape s = parse_prometheus(reply.body);
    EXPECT_TRUE(s.valid) << s.error;
    return s;
  }
  double metric(int id, const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels = {}) {
    return scrape(id).value(name, labels).value_or(-1);
  }

  void produce(const std::string& topic, int records) {
    std::string lines;
    for (int i = 0; i < records; ++i) lines += "record-" + std::to_string(i) + "\n";
    auto result = sluice::testing::run_program(
        {BrokerProcess::cli_binary().string(), "-b", bootstrap(), "produce", topic}, lines, 60s);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }

  std::map<int, uint16_t> http_ports_;
};

TEST_F(HttpMetricsTest, CountersMoveWithProduceAndFetch) {
  start_with_http(0);
  create_topic("metered", {{0}});
  const Scrape before = scrape(0);
  const double produces_before = before.value("kafka_network_requestmetrics_requests_total", {{"request", "Produce"}}).value_or(0);
  EXPECT_FALSE(before.value("kafka_server_brokertopicmetrics_messagesin_total", {{"topic", "metered"}}).value_or(0) > 0);

  produce("metered", 25);
  Scrape after = scrape(0);
  EXPECT_EQ(after.value("kafka_server_brokertopicmetrics_messagesin_total", {{"topic", "metered"}}), 25.0);
  EXPECT_GT(after.value("kafka_server_brokertopicmetrics_bytesin_total", {{"topic", "metered"}}).value_or(0), 25 * 8.0);
  EXPECT_GT(after.value("kafka_network_requestmetrics_requests_total", {{"request", "Produce"}}).value_or(0), produces_before);
  EXPECT_GE(after.value("kafka_network_requestmetrics_totaltimems_count", {{"request", "Produce"}}).value_or(0), 1.0);
  EXPECT_EQ(after.types["kafka_network_requestmetrics_totaltimems"], "histogram");
  EXPECT_EQ(after.value("kafka_network_requestmetrics_totaltimems_bucket", {{"request", "Produce"}, {"le", "+Inf"}}),
            after.value("kafka_network_requestmetrics_totaltimems_count", {{"request", "Produce"}}));
  EXPECT_GE(after.value("kafka_network_requestmetrics_requests_total", {{"request", "Metadata"}}).value_or(0), 1.0);
  EXPECT_GT(after.value("kafka_log_log_size", {{"topic", "metered"}, {"partition", "0"}}).value_or(0), 0.0);
  EXPECT_EQ(after.value("kafka_controller_kafkacontroller_activecontrollercount"), 1.0);
  EXPECT_EQ(after.value("kafka_server_replicamanager_underreplicatedpartitions"), 0.0);
  EXPECT_EQ(after.value("kafka_server_sessionexpirelistener_sessionstate", {{"state", "connected"}}), 1.0);
  EXPECT_GT(after.value("kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms_count").value_or(0), 0.0);
  EXPECT_EQ(after.value("kafka_server_brokertopicmetrics_bytesout_total", {{"topic", "metered"}}).value_or(0), 0.0);

  auto consumed = sluice::testing::run_program(
      {BrokerProcess::cli_binary().string(), "-b", bootstrap(), "consume", "metered", "--from-beginning", "-n", "25"},
      "", 60s);
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  after = scrape(0);
  EXPECT_GT(after.value("kafka_server_brokertopicmetrics_bytesout_total", {{"topic", "metered"}}).value_or(0), 0.0);
  EXPECT_GE(after.value("kafka_network_requestmetrics_requests_total", {{"request", "Fetch"}}).value_or(0), 1.0);
}

TEST_F(HttpMetricsTest, GroupLagIsHighWatermarkMinusCommitted) {
  start_with_http(0);
  create_topic("lagging", {{0}});
  produce("lagging", 30);
  auto reset = cli({"group", "reset-offsets", "lagger", "-t", "lagging", "--to-offset", "12", "--execute"});
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  const std::vector<std::pair<std::string, std::string>> series{
      {"consumergroup", "lagger"}, {"topic", "lagging"}, {"partition", "0"}};
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_consumergroup_lag", series) == 18.0; }))
      << get(http_port(0), "/metrics").body;
  EXPECT_EQ(metric(0, "kafka_consumergroup_current_offset", series), 12.0);
  produce("lagging", 5);
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_consumergroup_lag", series) == 23.0; }));
}

TEST_F(HttpMetricsTest, UnderReplicatedAfterFollowerDiesAndOneActiveController) {
  start_with_http(0);
  start_with_http(1);
  create_topic("replicated", {{0, 1}});
  ASSERT_EQ(leader("replicated", 0), 0);
  EXPECT_TRUE(eventually([&] {
    return metric(0, "kafka_controller_kafkacontroller_activecontrollercount") +
               metric(1, "kafka_controller_kafkacontroller_activecontrollercount") ==
           1.0;
  }));
  const int active = metric(0, "kafka_controller_kafkacontroller_activecontrollercount") == 1.0 ? 0 : 1;
  EXPECT_EQ(active, controller());
  EXPECT_EQ(metric(0, "kafka_server_replicamanager_underreplicatedpartitions"), 0.0);
  EXPECT_EQ(metric(0, "kafka_server_replicamanager_leadercount"), 1.0);
  EXPECT_EQ(metric(1, "kafka_server_replicamanager_leadercount"), 0.0);
  EXPECT_EQ(metric(1, "kafka_server_replicamanager_partitioncount"), 1.0);

  // The follower dies: the leader's partition is under-replicated, not under min ISR (1).
  broker(1).kill();
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_server_replicamanager_underreplicatedpartitions") == 1.0; },
                         60s))
      << output();
  EXPECT_EQ(metric(0, "kafka_server_replicamanager_underminisrpartitioncount"), 0.0);
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_controller_kafkacontroller_activecontrollercount") == 1.0; }));
  EXPECT_EQ(metric(0, "kafka_controller_kafkacontroller_offlinepartitionscount"), 0.0);

  // It comes back and catches up: the leader expands the ISR.
  broker(1).restart();
  ASSERT_TRUE(broker(1).wait_listening()) << output();
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_server_replicamanager_underreplicatedpartitions") == 0.0; },
                         60s))
      << output();
  EXPECT_GE(metric(0, "kafka_server_replicamanager_isrexpands_total"), 1.0);

  // A partition led by broker 1 loses its leader: the controller (broker 0 once 1 is gone)
  // elects broker 0, which now leads two under-replicated partitions.
  create_topic("moving", {{1, 0}});
  ASSERT_EQ(leader("moving", 0), 1);
  broker(1).kill();
  EXPECT_TRUE(eventually([&] { return leader("moving", 0) == 0; }, 60s)) << output();
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_server_replicamanager_underreplicatedpartitions") == 2.0; },
                         60s))
      << output();
  EXPECT_TRUE(eventually([&] { return metric(0, "kafka_controller_controllerstats_leaderelections_total") >= 1.0; }));
}

TEST_F(HttpMetricsTest, HealthFollowsTheZooKeeperSession) {
  start_with_http(0);
  HttpReply health = get(http_port(0), "/health");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_NE(health.body.find(R"("status":"ok")"), std::string::npos) << health.body;
  EXPECT_NE(health.headers.find("application/json"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return get(http_port(0), "/ready").status == 200; }));

  zookeeper_->pause();
  struct Resume {
    ~Resume() { zookeeper_->resume(); }
  } resume;
  EXPECT_TRUE(eventually([&] { return get(http_port(0), "/health").status == 503; }, 60s)) << output();
  health = get(http_port(0), "/health");
  EXPECT_NE(health.body.find("zookeeper"), std::string::npos) << health.body;
  EXPECT_EQ(get(http_port(0), "/ready").status, 503);
  zookeeper_->resume();
  EXPECT_TRUE(eventually([&] { return get(http_port(0), "/health").status == 200; }, 60s)) << output();
  EXPECT_GE(metric(0, "kafka_server_sessionexpirelistener_zookeeperdisconnects_total"), 1.0);
}

TEST_F(HttpMetricsTest, BadRequestsGetErrorsAndTheServerKeepsServing) {
  start_with_http(0);
  const uint16_t port = http_port(0);
  EXPECT_EQ(parse_reply(http_exchange(port, std::string("\x01\x02 garbage\r\n\r\n", 14))).status, 400);
  EXPECT_EQ(parse_reply(http_exchange(port, "GET /metrics HTTP/9.9\r\n\r\n")).status, 400);
  EXPECT_EQ(parse_reply(http_exchange(port, "GET /health HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n")).status,
            431);
  EXPECT_EQ(parse_reply(http_exchange(port, "GET /health HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" +
                                           std::string(70000, 'b')))
                .status,
            413);
  EXPECT_EQ(parse_reply(http_exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")).status,
            405);
  EXPECT_EQ(get(port, "/no-such-page").status, 404);
  // Half a request, then the peer goes away.
  EXPECT_TRUE(http_exchange(port, "GET /metr").empty());
  // Random bytes.
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 256));
  const HttpReply noisy = parse_reply(http_exchange(port, noise));
  EXPECT_TRUE(noisy.status == 400 || noisy.status == 0) << noisy.status;

  // Keep-alive: two requests on one connection, both answered.
  const std::string two = http_exchange(port,
                                   "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"
                                   "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  size_t answers = 0;
  for (size_t at = two.find("HTTP/1.1 200"); at != std::string::npos; at = two.find("HTTP/1.1 200", at + 1)) ++answers;
  EXPECT_EQ(answers, 2u) << two.substr(0, 400);

  EXPECT_EQ(get(port, "/health").status, 200);
  EXPECT_TRUE(broker(0).process().running());

  // A clean shutdown (exit 0) with an idle keep-alive connection open.
  const int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "GET /health HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(::send(idle, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  char buf[4096];
  ASSERT_GT(::recv(idle, buf, sizeof buf, 0), 0);
  EXPECT_EQ(broker(0).stop(std::chrono::seconds(60)), 0) << output();
  ::close(idle);
}

}  // namespace
}  // namespace sluice::broker::testing
