// The sluice-broker binary itself: started with a temp config, asked ApiVersions, stopped with a
// signal. Every wait is bounded.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "tests/support/child_process.h"
#include "tests/support/zookeeper_server.h"
#include "protocol/messages/api_versions_request.h"
#include "storage/log_manager.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using testing::TestClient;

// The daemon, its output in <dir>/<name>.out and .err.
class Daemon : public sluice::testing::ChildProcess {
 public:
  Daemon(const TempDir& dir, std::vector<std::string> args, const std::string& name = "broker")
      : ChildProcess(with_binary(std::move(args)), dir.path() / name) {}

 private:
  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    std::vector<std::string> argv;
    argv.reserve(args.size() + 1);
    argv.emplace_back(SLUICE_BROKER_BINARY);
    for (auto& arg : args) argv.push_back(std::move(arg));
    return argv;
  }
};

// The daemon registers in ZooKeeper: one real server for this test process.
const std::string& zookeeper_connect() {
  static sluice::testing::ZooKeeperServer server;
  static const std::string connect = "127.0.0.1:" + std::to_string(server.port());
  return connect;
}

std::filesystem::path write_config(const TempDir& dir, uint16_t port, const std::string& extra = "") {
  const auto path = dir.path() / "server.properties";
  std::ofstream(path) << "broker.id=0\n"
                      << "listeners=PLAINTEXT://127.0.0.1:" << port << "\n"
                      << "log.dirs=" << (dir.path() / "logs").string() << "\n"
                      << "zookeeper.connect=" << zookeeper_connect() << "\n"
                      << extra;
  return path;
}

// Connects, retrying while the daemon starts, and checks it answers ApiVersions.
bool answers_api_versions(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    TestClient client(port);
    if (!client.connected()) {
      std::this_thread::sleep_for(20ms);
      continue;
    }
    const Bytes request = testing::encode_request(protocol::ApiKey::api_versions, 0, 42,
                                                  protocol::ApiVersionsRequest{}, 0);
    auto frame = client.send(request) ? client.read_frame() : std::nullopt;
    return frame && frame->size() >= 4 && load_be<int32_t>(frame->data()) == 42;
  }
  return false;
}

void expect_one_line(const std::string& text, const std::string& must_contain) {
  EXPECT_NE(text.find(must_contain), std::string::npos) << text;
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "not one line: " << text;
}

class DaemonSignal : public ::testing::TestWithParam<int> {};

TEST_P(DaemonSignal, ServesThenShutsDownCleanly) {
  TempDir dir;
  const uint16_t port = testing::free_port();
  Daemon broker(dir, {write_config(dir, port).string()});
  ASSERT_TRUE(answers_api_versions(port)) << broker.stdout_text() << broker.stderr_text();
  TestClient idle(port);  // an open connection must not hold the shutdown up
  broker.signal(GetParam());
  EXPECT_EQ(broker.wait_exit(10s), 0) << broker.stdout_text() << broker.stderr_text();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "logs" / storage::kCleanShutdownFileName));
  EXPECT_TRUE(idle.closed_by_peer());
}

INSTANTIATE_TEST_SUITE_P(SigtermAndSigint, DaemonSignal, ::testing::Values(SIGTERM, SIGINT));

TEST(Daemon, InvalidConfigExitsOneWithOneLineNamingTheKey) {
  TempDir dir;
  Daemon broker(dir, {write_config(dir, testing::free_port(), "log.segment.bytes=10\n").string()});
  EXPECT_EQ(broker.wait_exit(10s), 1);
  expect_one_line(broker.stderr_text(), "log.segment.bytes");
}

TEST(Daemon, UnknownKeyGivenAsOverrideExitsOne) {
  TempDir dir;
  Daemon broker(dir, {write_config(dir, testing::free_port()).string(), "--override", "no.such.key=1"});
  EXPECT_EQ(broker.wait_exit(10s), 1);
  expect_one_line(broker.stderr_text(), "no.such.key");
}

TEST(Daemon, MissingConfigFileExitsOne) {
  TempDir dir;
  Daemon broker(dir, {(dir.path() / "absent.properties").string()});
  EXPECT_EQ(broker.wait_exit(10s), 1);
  expect_one_line(broker.stderr_text(), "absent.properties");
}

TEST(Daemon, LockedLogDirExitsOneWithOneLine) {
  TempDir dir;
  const uint16_t port = testing::free_port();
  Daemon first(dir, {write_config(dir, port).string()}, "first");
  ASSERT_TRUE(answers_api_versions(port));
  Daemon second(dir, {write_config(dir, port).string(), "--override",
                      "listeners=PLAINTEXT://127.0.0.1:" + std::to_string(testing::free_port())},
                "second");
  EXPECT_EQ(second.wait_exit(10s), 1);
  expect_one_line(second.stderr_text(), "log.dirs");
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(10s), 0);
}

TEST(Daemon, HelpPrintsUsage) {
  TempDir dir;
  Daemon broker(dir, {"--help"});
  EXPECT_EQ(broker.wait_exit(10s), 0);
  EXPECT_NE(broker.stdout_text().find("usage: sluice-broker CONFIG"), std::string::npos);
}

}  // namespace
}  // namespace sluice::broker
