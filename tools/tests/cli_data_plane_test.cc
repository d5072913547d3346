// The real build/bin/sluice producing and consuming against the in-process broker
// (broker/tests/kafka_server_fixture.h), which leads partition 0 of each topic it host()s.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "broker/tests/kafka_server_fixture.h"
#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/net.h"

namespace sluice::tools {
namespace {

using sluice::testing::RunResult;

class CliDataPlane : public ::testing::Test {
 protected:
  RunResult sluice(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {sluice::testing::BrokerProcess::cli_binary().string(), "-b", server_.bootstrap()});
    return sluice::testing::run_program(args, input, std::chrono::seconds(60));
  }
  void host(const std::string& topic) {
    ASSERT_TRUE(server_.started());
    ASSERT_EQ(server_.host(topic), protocol::ErrorCode::none);
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(text.substr(start, nl - start));
    }
    return out;
  }
  static std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    for (const auto& l : lines(text)) out.push_back(nlohmann::json::parse(l));
    return out;
  }

  broker::testing::KafkaServerFixture server_;
};

TEST_F(CliDataPlane, ProducesWithEveryCodecAndConsumesInEveryFormat) {
  host("codecs");
  const std::vector<std::string> codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
  for (const auto& codec : codecs) {
    RunResult r = sluice({"produce", "codecs", "-k", ":", "-H", "src=cli", "-H", "codec=" + codec, "--compression",
                          codec, "--acks", "all"},
                         "k-" + codec + ":v-" + codec + "\nno separator here\n");
    ASSERT_EQ(r.exit_code, 0) << codec << ": " << r.err;
    EXPECT_NE(r.err.find("produced 2 records"), std::string::npos) << r.err;
  }
  EXPECT_EQ(server_.log_end("codecs"), Offset(10));

  RunResult values = sluice({"consume", "codecs", "--from-beginning", "-n", "10", "--timeout-ms", "20000"});
  ASSERT_EQ(values.exit_code, 0) << values.err;
  std::vector<std::string> expected;
  for (const auto& codec : codecs) {
    expected.push_back("v-" + codec);
    expected.push_back("no separator here");
  }
  EXPECT_EQ(lines(values.out), expected);

  RunResult kv = sluice({"consume", "codecs", "--from-beginning", "-n", "2", "--format", "kv", "-k", "|"});
  ASSERT_EQ(kv.exit_code, 0) << kv.err;
  EXPECT_EQ(lines(kv.out), (std::vector<std::string>{"k-none|v-none", "|no separator here"}));

  RunResult js = sluice({"consume", "codecs", "--from-beginning", "-n", "10", "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  const auto records = json_lines(js.out);
  ASSERT_EQ(records.size(), 10u);
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& j = records[i];
    EXPECT_EQ(j["topic"], "codecs");
    EXPECT_EQ(j["partition"], 0);
    EXPECT_EQ(j["offset"], static_cast<int64_t>(i));
    EXPECT_GT(j["timestamp"].get<int64_t>(), 0);
    ASSERT_EQ(j["headers"].size(), 2u);
    EXPECT_EQ(j["headers"][0]["key"], "src");
    EXPECT_EQ(j["headers"][1]["key"], "codec");
    EXPECT_EQ(j["headers"][1]["value"], codecs[i / 2]);
  }
  EXPECT_EQ(records[0]["key"], "k-none");
  EXPECT_TRUE(records[1]["key"].is_null());
}

TEST_F(CliDataPlane, ConsumesFromAnOffsetAndFromATimestamp) {
  host("positions");
  ASSERT_EQ(sluice({"produce", "positions"}, "a\nb\nc\n").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the second run's timestamps are later
  ASSERT_EQ(sluice({"produce", "positions", "--linger-ms", "0"}, "d\ne\n").exit_code, 0);

  RunResult from_offset = sluice({"consume", "positions", "--offset", "1", "-n", "3"});
  ASSERT_EQ(from_offset.exit_code, 0) << from_offset.err;
  EXPECT_EQ(lines(from_offset.out), (std::vector<std::string>{"b", "c", "d"}));

  RunResult all = sluice({"consume", "positions", "--from-beginning", "-n", "5", "--format", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto records = json_lines(all.out);
  ASSERT_EQ(records.size(), 5u);
  const int64_t second_run = records[3]["timestamp"].get<int64_t>();
  ASSERT_GT(second_run, records[2]["timestamp"].get<int64_t>());
  RunResult from_time = sluice({"consume", "positions", "--timestamp", std::to_string(second_run), "-n", "2"});
  ASSERT_EQ(from_time.exit_code, 0) << from_time.err;
  EXPECT_EQ(lines(from_time.out), (std::vector<std::string>{"d", "e"}));

  // From the end with nothing new: exits 0 once idle for --timeout-ms, printing nothing.
  RunResult idle = sluice({"consume", "positions", "--from-end", "--timeout-ms", "300"});
  EXPECT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(idle.out, "");
}

TEST_F(CliDataPlane, ProducesAFileToAPartition) {
  host("fromfile");
  sluice::testing::TempDir dir;
  const auto path = dir.path() / "records.txt";
  {
    std::ofstream f(path);
    for (int i = 0; i < 1000; ++i) f << "line " << i << "\n";
  }
  RunResult r = sluice({"produce", "fromfile", "--file", path.string(), "-p", "0", "--acks", "1", "--batch-size",
                        "4096"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.log_end("fromfile"), Offset(1000));
  RunResult tail = sluice({"consume", "fromfile", "--offset", "998", "-p", "0", "-n", "2"});
  EXPECT_EQ(lines(tail.out), (std::vector<std::string>{"line 998", "line 999"}));
}

TEST_F(CliDataPlane, ErrorsAreOneLineWithTheirCause) {
  ASSERT_TRUE(server_.started());
  RunResult missing = sluice({"consume", "no-such-topic", "--timeout-ms", "500"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(lines(missing.err).size(), 1u) << missing.err;
  EXPECT_NE(missing.err.find("sluice: consume: UNKNOWN_TOPIC_OR_PARTITION"), std::string::npos) << missing.err;

  host("toolong");
  RunResult too_long = sluice({"produce", "toolong", "--max-line-bytes", "4"}, "ok\nmuch too long\n");
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_NE(too_long.err.find("line 2 is longer than --max-line-bytes"), std::string::npos) << too_long.err;
  EXPECT_EQ(server_.log_end("toolong"), Offset(1));  // the line before it was still sent

  RunResult no_file = sluice({"produce", "toolong", "--file", "/nonexistent/x"});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_NE(no_file.err.find("cannot open '/nonexistent/x'"), std::string::npos) << no_file.err;

  RunResult usage = sluice({"consume"});
  EXPECT_EQ(usage.exit_code, 2);

  const uint16_t closed = sluice::testing::free_port();
  RunResult unreachable = sluice::testing::run_program(
      {sluice::testing::BrokerProcess::cli_binary().string(), "cluster", "info"}, "", std::chrono::seconds(60),
      {{"SLUICE_BOOTSTRAP", "127.0.0.1:" + std::to_string(closed)}});
  EXPECT_EQ(unreachable.exit_code, 3);
  EXPECT_NE(unreachable.err.find("cannot reach 127.0.0.1:" + std::to_string(closed)), std::string::npos)
      << unreachable.err;
}

TEST_F(CliDataPlane, ClusterInfo) {
  ASSERT_TRUE(server_.started());
  RunResult r = sluice({"cluster", "info"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Brokers:\n\t0\t127.0.0.1:" + std::to_string(server_.port())), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Controller: "), std::string::npos) << r.out;
}

TEST_F(CliDataPlane, PerfProduceAndConsumeSmoke) {
  host("perf");
  RunResult produced = sluice({"perf", "produce", "perf", "--records", "500", "--record-size", "64", "--json",
                               "--compression", "lz4", "--throughput", "5000"});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  const auto p = nlohmann::json::parse(produced.out);
  EXPECT_EQ(p["records"], 500);
  EXPECT_EQ(p["failed"], 0);
  EXPECT_EQ(p["bytes"], 500 * 64);
  EXPECT_GT(p["latency_ms"]["max"].get<double>(), 0.0);
  EXPECT_LE(p["latency_ms"]["p50"].get<double>(), p["latency_ms"]["p99"].get<double>());
  EXPECT_LE(p["latency_ms"]["p99.9"].get<double>(), p["latency_ms"]["max"].get<double>());
  EXPECT_EQ(server_.log_end("perf"), Offset(500));

  RunResult consumed = sluice({"perf", "consume", "perf", "--records", "500", "--json"});
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  const auto c = nlohmann::json::parse(consumed.out);
  EXPECT_EQ(c["records"], 500);
  EXPECT_EQ(c["bytes"], 500 * 64);

  RunResult text = sluice({"perf", "produce", "perf", "-n", "20", "-s", "10"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("20 records"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("p99.9"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace sluice::tools
