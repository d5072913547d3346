// sluice topic create|list|describe|alter-config|delete and cluster info against a real
// ZooKeeper and a real sluice-broker daemon: these need the controller and the admin APIs
// (CreateTopics, DeleteTopics, DescribeConfigs, IncrementalAlterConfigs) on the broker side.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/broker_process.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::tools {
namespace {

using sluice::testing::RunResult;

class CliAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    sluice::testing::BrokerOptions options;
    options.zookeeper_connect = zk_.connect_string();
    options.dir = dir_.path() / "broker0";
    options.properties["auto.create.topics.enable"] = "false";
    broker_ = std::make_unique<sluice::testing::BrokerProcess>(options);
    ASSERT_TRUE(broker_->wait_listening()) << broker_->output();
  }

  RunResult sluice(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {sluice::testing::BrokerProcess::cli_binary().string(), "-b", broker_->bootstrap()});
    return sluice::testing::run_program(args, input, std::chrono::seconds(60));
  }

  // Runs `args` until it exits 0 (the controller may not have elected itself yet), at most ~20 s.
  // Runs the CLI until it succeeds and prints `expect` (the controller's first UpdateMetadata
  // may land after the broker starts answering, as in Kafka).
  RunResult eventually(const std::vector<std::string>& args, const std::string& expect = "") {
    RunResult r;
    for (int i = 0; i < 40; ++i) {
      r = sluice(args);
      if (r.exit_code == 0 && r.out.find(expect) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return r;
  }

  sluice::testing::ZooKeeperServer zk_;
  sluice::testing::TempDir dir_;
  std::unique_ptr<sluice::testing::BrokerProcess> broker_;
};

TEST_F(CliAdmin, TopicLifecycle) {
  RunResult created = sluice({"topic", "create", "orders", "-p", "3", "-r", "1", "--config", "retention.ms=600000"});
  ASSERT_EQ(created.exit_code, 0) << created.err << broker_->output();
  EXPECT_EQ(created.out, "created topic 'orders'\n");

  RunResult again = sluice({"topic", "create", "orders", "-p", "3"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err.substr(0, again.err.find('\n')).rfind("sluice: topic create: TOPIC_ALREADY_EXISTS: ", 0), 0u)
      << again.err;

  RunResult listed = eventually({"topic", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("orders\n"), std::string::npos) << listed.out;

  RunResult described = eventually({"topic", "describe", "orders"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("Topic: orders\tPartitions: 3\tReplicationFactor: 1"), std::string::npos)
      << described.out;
  EXPECT_NE(described.out.find("\tPartition: 2\tLeader: 0\tReplicas: 0\tIsr: 0"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("\tretention.ms=600000\n"), std::string::npos) << described.out;

  RunResult altered = sluice({"topic", "alter-config", "orders", "--set", "segment.bytes=1048576", "--delete",
                              "retention.ms"});
  ASSERT_EQ(altered.exit_code, 0) << altered.err;
  RunResult after = sluice({"topic", "describe", "orders"});
  EXPECT_NE(after.out.find("\tsegment.bytes=1048576\n"), std::string::npos) << after.out;
  EXPECT_EQ(after.out.find("retention.ms"), std::string::npos) << after.out;

  RunResult bad = sluice({"topic", "alter-config", "orders", "--set", "retention.ms=soon"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("INVALID_CONFIG"), std::string::npos) << bad.err;

  ASSERT_EQ(sluice({"produce", "orders", "-p", "1"}, "x\n").exit_code, 0);
  RunResult consumed = sluice({"consume", "orders", "--from-beginning", "-n", "1", "--timeout-ms", "10000"});
  EXPECT_EQ(consumed.out, "x\n") << consumed.err;

  RunResult deleted = sluice({"topic", "delete", "orders"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "deleted topic 'orders'\n");
  RunResult gone = sluice({"topic", "describe", "orders"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("UNKNOWN_TOPIC_OR_PARTITION"), std::string::npos) << gone.err;
}

TEST_F(CliAdmin, ClusterInfoNamesTheController) {
  RunResult info = eventually({"cluster", "info"}, "Controller: 0\n");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("Controller: 0\n"), std::string::npos) << info.out;
  EXPECT_EQ(info.out.find("Cluster id: (none)"), std::string::npos) << info.out;  // /cluster/id exists
}

}  // namespace
}  // namespace sluice::tools
