// Issue 4, smaller parts, on three real sluice-broker processes and a real ZooKeeper:
// - the leader's log start offset reaches its followers (DeleteRecords on the leader; followers
//   checkpoint the new start and delete the whole segments below it; a restarted follower that
//   takes leadership answers ListOffsets(earliest) with it), with num.replica.fetchers=2;
// - unclean.leader.election.enable is a topic config through CreateTopics, AlterConfigs,
//   IncrementalAlterConfigs and DescribeConfigs (the sluice CLI and confluent-kafka);
// - replica fetcher settings that break Kafka's rules stop the broker with a one-line reason.
// Every wait is bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "broker/tests/cluster_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "protocol/messages/delete_records_request.h"
#include "protocol/messages/delete_records_response.h"
#include "protocol/messages/list_offsets_request.h"
#include "protocol/messages/list_offsets_response.h"
#include "tests/support/child_process.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

constexpr int kRecords = 200;
constexpr int64_t kNewStart = 150;

// The offsets of "<topic> <partition> <offset>" lines in a Kafka offset checkpoint file.
std::optional<int64_t> checkpointed(const std::filesystem::path& file, const std::string& topic, int partition) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string t;
    int p = -1;
    int64_t offset = -1;
    if (fields >> t >> p >> offset && t == topic && p == partition) return offset;
  }
  return std::nullopt;
}

// Base offsets of the partition's segment files, sorted.
std::vector<int64_t> segment_bases(const std::filesystem::path& partition_dir) {
  std::vector<int64_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(partition_dir, ec)) {
    if (entry.path().extension() == ".log") out.push_back(std::stoll(entry.path().stem().string()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The follower's log starts at `start` on disk: no whole segment below it is left (the first
// segment holds `start`), and a start inside that segment is checkpointed (a start at its base
// needs no checkpoint entry).
bool follower_starts_at(const sluice::testing::BrokerProcess& b, const std::string& topic, int64_t start) {
  const auto offset = checkpointed(b.log_dir() / "log-start-offset-checkpoint", topic, 0);
  const auto bases = segment_bases(b.log_dir() / (topic + "-0"));
  if (bases.empty() || bases.front() > start || (bases.size() > 1 && bases[1] <= start)) return false;
  return bases.front() == start ? (!offset || offset == start) : offset == start;
}

class ReplicaSettings : public testing::ClusterTest {
 protected:
  // `count` records of about 50 bytes to partition 0 with acks=all, in batches under 2 KiB.
  void produce(const std::string& topic, int first, int count) {
    std::string lines;
    for (int i = first; i < first + count; ++i) lines += "record-" + std::to_string(i) + "-" + std::string(40, 'x') + "\n";
    auto produced = sluice::testing::run_program({sluice::testing::BrokerProcess::cli_binary().string(), "-b",
                                                  bootstrap(), "produce", topic, "-p", "0", "--acks", "all",
                                                  "--batch-size", "600"},
                                                 lines, 60s);
    ASSERT_EQ(produced.exit_code, 0) << produced.err << output();
  }

  // DeleteRecords(topic-0 before `offset`) on broker `id`.
  void delete_records(int32_t id, const std::string& name, int64_t offset) {
    testing::TestClient client(broker(id).port());
    ASSERT_TRUE(client.connected());
    protocol::DeleteRecordsRequest request;
    request.timeout_ms = 10000;
    protocol::DeleteRecordsRequest::DeleteRecordsTopic topic;
    topic.name = name;
    protocol::DeleteRecordsRequest::DeleteRecordsPartition partition;
    partition.partition_index = PartitionId(0);
    partition.offset = Offset(offset);
    topic.partitions.push_back(partition);
    request.topics.push_back(topic);
    auto reply = testing::call<protocol::DeleteRecordsResponse>(client, 1, request);
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->topics.size(), 1u);
    ASSERT_EQ(reply->topics[0].partitions.size(), 1u);
    EXPECT_EQ(reply->topics[0].partitions[0].error_code, 0);
    EXPECT_EQ(reply->topics[0].partitions[0].low_watermark, Offset(offset));
  }
};

TEST_F(ReplicaSettings, LeadersLogStartOffsetReachesFollowers) {
  start_brokers(3, {{"num.replica.fetchers", "2"},
                    {"log.flush.start.offset.checkpoint.interval.ms", "100"},
                    {"auto.leader.rebalance.enable", "false"},
                    {"controlled.shutdown.retry.backoff.ms", "200"}});
  // Small segments so that the records span many; a second partition puts both fetchers to work.
  create_topic("starts", {{0, 1, 2}, {1, 2, 0}}, {{"segment.bytes", "2048"}});
  produce("starts", 0, kRecords);
  ASSERT_EQ(isr("starts", 0), (std::vector<int32_t>{0, 1, 2}));

  const int32_t leader_id = leader("starts", 0);
  ASSERT_GE(leader_id, 0);
  std::vector<int32_t> followers;
  for (int32_t id = 0; id < 3; ++id) {
    if (id != leader_id) followers.push_back(id);
  }
  // The followers hold the whole log, in several segments, from offset 0.
  for (int32_t f : followers) {
    ASSERT_TRUE(eventually([&] {
      const auto bases = segment_bases(broker(f).log_dir() / "starts-0");
      return bases.size() > 3 && bases.front() == 0;
    })) << "broker " << f << "\n" << output();
  }

  delete_records(leader_id, "starts", kNewStart);  // on the leader

  // Each follower's log start offset follows: checkpointed, and the segments below it are gone.
  for (int32_t f : followers) {
    EXPECT_TRUE(eventually([&] { return follower_starts_at(broker(f), "starts", kNewStart); }, 30s))
        << "broker " << f << ": checkpoint "
        << checkpointed(broker(f).log_dir() / "log-start-offset-checkpoint", "starts", 0).value_or(-1)
        << ", first segments " << ::testing::PrintToString(segment_bases(broker(f).log_dir() / "starts-0")) << "\n"
        << output();
  }
  // The other partition's start did not move.
  for (int32_t f : followers) {
    EXPECT_EQ(checkpointed(broker(f).log_dir() / "log-start-offset-checkpoint", "starts", 1).value_or(0), 0);
  }

  // A restarted follower keeps that start and, once the others are gone, leads with it.
  const int32_t survivor = followers[0];
  ASSERT_TRUE(broker(survivor).stop(60s)) << output();
  broker(survivor).restart();
  ASSERT_TRUE(broker(survivor).wait_listening()) << output();
  ASSERT_TRUE(eventually([&] { return isr("starts", 0) == std::vector<int32_t>{0, 1, 2}; }, 60s)) << output();
  ASSERT_TRUE(broker(leader_id).stop(60s)) << output();
  ASSERT_TRUE(broker(followers[1]).stop(60s)) << output();
  ASSERT_TRUE(eventually([&] { return leader("starts", 0) == survivor; }, 60s)) << output();

  // ListOffsets(earliest) and (latest) on the new leader.
  auto earliest_and_latest = [&]() -> std::optional<std::pair<int64_t, int64_t>> {
    testing::TestClient client(broker(survivor).port());
    if (!client.connected()) return std::nullopt;
    std::pair<int64_t, int64_t> out{-1, -1};
    for (int64_t timestamp : {-2, -1}) {
      protocol::ListOffsetsRequest request;
      request.replica_id = BrokerId(-1);
      protocol::ListOffsetsRequest::ListOffsetsTopic topic;
      topic.name = "starts";
      protocol::ListOffsetsRequest::ListOffsetsPartition partition;
      partition.partition_index = PartitionId(0);
      partition.timestamp = timestamp;
      topic.partitions.push_back(partition);
      request.topics.push_back(topic);
      auto reply = testing::call<protocol::ListOffsetsResponse>(client, 1, request);
      if (!reply || reply->topics.empty() || reply->topics[0].partitions.empty()) return std::nullopt;
      const auto& p = reply->topics[0].partitions[0];
      if (p.error_code != 0) return std::nullopt;
      (timestamp == -2 ? out.first : out.second) = p.offset.value();
    }
    return out;
  };
  std::optional<std::pair<int64_t, int64_t>> offsets;
  ASSERT_TRUE(eventually([&] { return (offsets = earliest_and_latest()).has_value(); }, 30s)) << output();
  EXPECT_EQ(offsets->first, kNewStart);
  EXPECT_EQ(offsets->second, kRecords);
}

TEST_F(ReplicaSettings, FollowerBehindTheLeadersLogStartRestartsItsLogThere) {
  start_brokers(3, {{"log.flush.start.offset.checkpoint.interval.ms", "100"},
                    {"auto.leader.rebalance.enable", "false"},
                    {"controlled.shutdown.retry.backoff.ms", "200"}});
  const int32_t leader_id = (controller() + 1) % 3;
  const int32_t away = (controller() + 2) % 3;  // not the controller: its stop is quick
  create_topic("behind", {{leader_id, away, controller()}}, {{"segment.bytes", "2048"}});
  produce("behind", 0, 50);
  ASSERT_TRUE(eventually([&] { return segment_bases(broker(away).log_dir() / "behind-0").size() > 1; })) << output();
  ASSERT_TRUE(broker(away).stop(60s)) << output();
  ASSERT_TRUE(eventually([&] { return !testing::contains(state("behind", 0)->leader_and_isr.isr, away); })) << output();

  // While it is away the leader moves on and deletes past its log end (50).
  produce("behind", 50, 150);
  delete_records(leader_id, "behind", 120);

  // Back, it fetches out of range, restarts its log at the leader's log start, catches up and
  // rejoins the ISR.
  broker(away).restart();
  ASSERT_TRUE(broker(away).wait_listening()) << output();
  EXPECT_TRUE(eventually([&] { return testing::contains(state("behind", 0)->leader_and_isr.isr, away); }, 60s))
      << output();
  EXPECT_TRUE(eventually([&] { return follower_starts_at(broker(away), "behind", 120); }, 30s))
      << "segments " << ::testing::PrintToString(segment_bases(broker(away).log_dir() / "behind-0")) << "\n"
      << output();
}

TEST_F(ReplicaSettings, UncleanLeaderElectionIsATopicConfig) {
  start_brokers(3);
  // CreateTopics (the CLI) accepts it and DescribeConfigs reports it.
  auto created = cli({"topic", "create", "loose", "-p", "2", "-r", "3", "--config", "unclean.leader.election.enable=true"});
  ASSERT_EQ(created.exit_code, 0) << created.err << created.out;
  // The brokers learn the new topic from the controller's UpdateMetadata.
  sluice::testing::RunResult described;
  EXPECT_TRUE(eventually([&] {
    described = cli({"topic", "describe", "loose"});
    return described.exit_code == 0 && described.out.find("unclean.leader.election.enable=true") != std::string::npos;
  })) << described.err << described.out;
  auto znode = io().sync(zk().get_data("/config/topics/loose"));
  ASSERT_TRUE(znode);
  const std::string json(reinterpret_cast<const char*>(znode.value().data.data()), znode.value().data.size());
  EXPECT_NE(json.find("\"unclean.leader.election.enable\":\"true\""), std::string::npos) << json;

  // Not a boolean: INVALID_CONFIG, nothing created.
  auto refused = cli({"topic", "create", "strict", "--config", "unclean.leader.election.enable=maybe"});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("unclean.leader.election.enable"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find('\n'), refused.err.size() - 1) << "one line: " << refused.err;
  EXPECT_FALSE(io().sync(zk().exists("/brokers/topics/strict")).value().has_value());

  // IncrementalAlterConfigs (the CLI) sets it off; then deletes the override.
  auto altered = cli({"topic", "alter-config", "loose", "--set", "unclean.leader.election.enable=false"});
  ASSERT_EQ(altered.exit_code, 0) << altered.err;
  EXPECT_TRUE(eventually([&] {
    described = cli({"topic", "describe", "loose"});
    return described.out.find("unclean.leader.election.enable=false") != std::string::npos;
  })) << described.err << described.out;
  auto bad_alter = cli({"topic", "alter-config", "loose", "--set", "unclean.leader.election.enable=1"});
  EXPECT_NE(bad_alter.exit_code, 0) << bad_alter.out;

  // confluent-kafka: CreateTopics with it, AlterConfigs (the non-incremental API) and
  // DescribeConfigs read it back.
  const std::string script = R"PY(
import sys
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
a = AdminClient({"bootstrap.servers": sys.argv[1]})
f = a.create_topics([NewTopic("loose-ck", 1, 3, config={"unclean.leader.election.enable": "true"})], request_timeout=30)
f["loose-ck"].result(30)
r = ConfigResource(ConfigResource.Type.TOPIC, "loose-ck")
print("created", a.describe_configs([r])[r].result(30)["unclean.leader.election.enable"].value)
r.set_config("unclean.leader.election.enable", "false")
a.alter_configs([r])[r].result(30)
r2 = ConfigResource(ConfigResource.Type.TOPIC, "loose-ck")
print("altered", a.describe_configs([r2])[r2].result(30)["unclean.leader.election.enable"].value)
bad = ConfigResource(ConfigResource.Type.TOPIC, "loose-ck", set_config={"unclean.leader.election.enable": "yes"})
try:
    a.alter_configs([bad])[bad].result(30)
    print("bad accepted")
except Exception as e:
    print("bad refused", e.args[0].name())
)PY";
  auto ck = sluice::testing::run_program({"/usr/bin/python3", "-c", script, bootstrap()}, "", 90s);
  ASSERT_EQ(ck.exit_code, 0) << ck.err << ck.out;
  EXPECT_EQ(ck.out, "created true\naltered false\nbad refused INVALID_CONFIG\n") << ck.err;
}

TEST_F(ReplicaSettings, FetchWaitLongerThanTheSocketTimeoutStopsTheBroker) {
  sluice::testing::TempDir dir;
  const auto config = dir.path() / "server.properties";
  std::ofstream(config) << "broker.id=0\nzookeeper.connect=" << zookeeper_connect() << "\nlog.dirs=" << (dir.path() / "logs").string()
                        << "\nlisteners=PLAINTEXT://127.0.0.1:" << sluice::testing::free_port()
                        << "\nreplica.fetch.wait.max.ms=5000\nreplica.socket.timeout.ms=1000\n";
  auto run = sluice::testing::run_program({sluice::testing::BrokerProcess::broker_binary().string(), config.string()}, "",
                                          30s);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("replica.socket.timeout.ms (1000) must be at least replica.fetch.wait.max.ms (5000)"),
            std::string::npos)
      << run.err << run.out;
}

}  // namespace
}  // namespace sluice::broker
