// OffsetCommit, OffsetFetch and DeleteGroups over real sockets against in-process KafkaServers on
// a real ZooKeeper; groups get members through real JoinGroup requests.
// Values are checked in ZooKeeper with a raw ZkClient (what zkCli shows).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/group/group_interfaces.h"
#include "broker/kafka_server.h"
#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "coordination/consumer_offsets_zk.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/tests/zk_test_util.h"
#include "protocol/messages/delete_groups_request.h"
#include "protocol/messages/delete_groups_response.h"
#include "protocol/messages/join_group_request.h"
#include "protocol/messages/join_group_response.h"
#include "protocol/messages/offset_commit_request.h"
#include "protocol/messages/offset_commit_response.h"
#include "protocol/messages/offset_fetch_request.h"
#include "protocol/messages/offset_fetch_response.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using coordination::ConsumerOffsetsZk;
using protocol::ErrorCode;
using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;
using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;
using testing::TestClient;

// Waits (bounded) for `done`, polling.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// One in-process broker in a shared chroot; groups join at once (no initial rebalance delay).
class OffsetBroker {
 public:
  OffsetBroker(int32_t id, const std::string& zookeeper_connect, std::vector<std::string> overrides = {}) {
    const auto props = dir_.path() / "server.properties";
    if (std::FILE* f = std::fopen(props.c_str(), "w")) std::fclose(f);
    std::vector<std::string> settings = {"broker.id=" + std::to_string(id), "listeners=PLAINTEXT://127.0.0.1:0",
                                         "zookeeper.connect=" + zookeeper_connect,
                                         "log.dirs=" + (dir_.path() / "logs").string(),
                                         "controlled.shutdown.enable=false", "group.initial.rebalance.delay.ms=0"};
    settings.insert(settings.end(), overrides.begin(), overrides.end());
    auto loaded = KafkaConfig::load(props, settings);
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (!loaded) return;
    auto started = KafkaServer::start(std::move(loaded).value());
    EXPECT_TRUE(started) << started.error().message;
    if (!started) return;
    server_ = std::move(started).value();
    runner_ = std::thread([this] { (void)server_->run(); });
  }
  ~OffsetBroker() { stop(); }
  OffsetBroker(const OffsetBroker&) = delete;
  OffsetBroker& operator=(const OffsetBroker&) = delete;

  void stop() {
    if (!server_) return;
    server_->shutdown();
    runner_.join();
    server_.reset();
  }
  [[nodiscard]] bool started() const { return server_ != nullptr; }
  [[nodiscard]] uint16_t port() const { return server_->local_endpoints().at(0).port(); }
  KafkaServer& server() { return *server_; }
  [[nodiscard]] size_t live_brokers() const { return server_->metadata_cache().snapshot()->brokers.size(); }
  [[nodiscard]] bool knows(const std::string& topic) const {
    return server_->metadata_cache().snapshot()->topics.contains(topic);
  }

 private:
  sluice::testing::TempDir dir_;
  std::unique_ptr<KafkaServer> server_;
  std::thread runner_;
};

// A raw ZooKeeper client in the brokers' chroot, for setup and for what zkCli would show.
class Zk {
 public:
  explicit Zk(const std::string& connect) : client_(coordination::testing::connected_client(io_, config(connect))) {}
  ~Zk() { io_.sync(client_->close()); }
  static coordination::ZooKeeperConfig config(const std::string& connect) {
    return coordination::testing::config_for(connect);
  }
  // The znode's data, or nullopt when absent.
  std::optional<std::string> get(const std::string& path) {
    auto node = io_.sync(client_->get_data(path));
    if (!node) return std::nullopt;
    return std::string(as_chars(node.value().data));
  }
  void create_topic(const std::string& topic, int partitions, BrokerId replica = BrokerId(0)) {
    coordination::KafkaZkClient kafka(*client_);
    coordination::TopicAssignment assignment;
    for (int p = 0; p < partitions; ++p) assignment.partitions[PartitionId(p)].replicas = {replica};
    ASSERT_TRUE(io_.sync(kafka.create_topic_assignment(topic, assignment)));
  }
  void mark_for_deletion(const std::string& topic) {
    coordination::KafkaZkClient kafka(*client_);
    ASSERT_TRUE(io_.sync(kafka.create_delete_topic_path(topic)));
  }
  void commit(const std::string& group, coordination::GroupOffsetMap offsets) {
    ConsumerOffsetsZk zk_offsets(*client_);
    ASSERT_TRUE(io_.sync(zk_offsets.commit(group, std::move(offsets))));
  }

 private:
  sluice::testing::IoThread io_;
  std::unique_ptr<coordination::ZooKeeperClient> client_;
};

OffsetCommitRequest::OffsetCommitRequestPartition part(int32_t p, int64_t offset, std::optional<std::string> metadata = "",
                                                       int32_t epoch = -1) {
  OffsetCommitRequest::OffsetCommitRequestPartition out;
  out.partition_index = PartitionId(p);
  out.committed_offset = Offset(offset);
  out.committed_metadata = std::move(metadata);
  out.committed_leader_epoch = LeaderEpoch(epoch);
  return out;
}

OffsetCommitRequest commit_request(const std::string& group, const std::string& topic,
                                   std::vector<OffsetCommitRequest::OffsetCommitRequestPartition> partitions,
                                   int32_t generation = -1) {
  OffsetCommitRequest request;
  request.group_id = group;
  request.generation_id = generation;
  request.topics.push_back({topic, std::move(partitions)});
  return request;
}

OffsetFetchRequest fetch_request(const std::string& group, const std::string& topic, std::vector<int32_t> partitions) {
  OffsetFetchRequest request;
  request.group_id = group;
  OffsetFetchRequest::OffsetFetchRequestTopic t;
  t.name = topic;
  for (const int32_t p : partitions) t.partition_indexes.push_back(PartitionId(p));
  request.topics = std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{t};
  return request;
}

std::vector<int16_t> errors_of(const OffsetCommitResponse& r) {
  std::vector<int16_t> out;
  for (const auto& t : r.topics) {
    for (const auto& p : t.partitions) out.push_back(p.error_code);
  }
  return out;
}

// The partitions of a fetch answer, in order: offset, epoch, metadata, error.
struct Fetched {
  int64_t offset;
  int32_t epoch;
  std::string metadata;
  int16_t error;
  bool operator==(const Fetched&) const = default;
};
std::vector<Fetched> fetched(const OffsetFetchResponse& r) {
  std::vector<Fetched> out;
  for (const auto& t : r.topics) {
    for (const auto& p : t.partitions) {
      out.push_back({p.committed_offset.value(), p.committed_leader_epoch.value(), p.metadata.value_or("<null>"),
                     p.error_code});
    }
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Fetched& f) {
  return os << "{" << f.offset << ", " << f.epoch << ", \"" << f.metadata << "\", " << f.error << "}";
}

class OffsetCommitTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> overrides = {}) {
    connect_ = testing::shared_zookeeper().connect_string(testing::fresh_chroot());
    broker_ = std::make_unique<OffsetBroker>(0, connect_, std::move(overrides));
    ASSERT_TRUE(broker_->started());
    zk_ = std::make_unique<Zk>(connect_);
    zk_->create_topic("t", 2);
    ASSERT_TRUE(eventually([&] { return broker_->knows("t"); })) << "topic t never reached the MetadataCache";
    client_ = std::make_unique<TestClient>(broker_->port());
  }
  // A member joins `group` for real (JoinGroup v1 on its own connection: one member and no
  // initial delay, so the join completes at once); the group has members until its 60 s
  // session runs out.
  void join_member(const std::string& group) {
    member_clients_.push_back(std::make_unique<TestClient>(broker_->port()));
    protocol::JoinGroupRequest request;
    request.group_id = group;
    request.session_timeout_ms = 60000;
    request.rebalance_timeout_ms = 60000;
    request.protocol_type = "consumer";
    protocol::JoinGroupRequest::JoinGroupRequestProtocol range;
    range.name = "range";
    request.protocols.push_back(range);
    auto r = testing::call<protocol::JoinGroupResponse>(*member_clients_.back(), 1, request);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->error_code, 0);
  }
  std::string connect_;
  std::unique_ptr<OffsetBroker> broker_;
  std::vector<std::unique_ptr<TestClient>> member_clients_;
  std::unique_ptr<Zk> zk_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(OffsetCommitTest, V0CommitIsAPlainDecimalInZooKeeperAndFetchesBack) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto r = testing::call<OffsetCommitResponse>(*client_, 0, commit_request("g0", "t", {part(0, 42, "hello")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(errors_of(*r), std::vector<int16_t>{0});
  EXPECT_EQ(zk_->get("/consumers/g0/offsets/t/0"), "42");
  const auto meta = ConsumerOffsetsZk::decode_meta(zk_->get("/consumers/g0/offsets_meta/t/0").value_or(""));
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->metadata, "hello");

  // v0: a present offset, an absent one (-1 with error 3), a partition that does not exist.
  auto f0 = testing::call<OffsetFetchResponse>(*client_, 0, fetch_request("g0", "t", {0, 1, 9}));
  ASSERT_TRUE(f0);
  EXPECT_EQ(fetched(*f0), (std::vector<Fetched>{{42, -1, "hello", 0}, {-1, -1, "", 3}, {-1, -1, "", 3}}));
  // v1: absent -> -1, "", 0.
  auto f1 = testing::call<OffsetFetchResponse>(*client_, 1, fetch_request("g0", "t", {0, 1}));
  ASSERT_TRUE(f1);
  EXPECT_EQ(fetched(*f1), (std::vector<Fetched>{{42, -1, "hello", 0}, {-1, -1, "", 0}}));
}

TEST_F(OffsetCommitTest, V2AndV8CommitsV7FetchWithEpochAndNullTopics) {
  ASSERT_NO_FATAL_FAILURE(start());
  OffsetCommitRequest v2 = commit_request("g", "t", {part(0, 7, std::nullopt)});
  v2.retention_time_ms = 60000;
  auto r2 = testing::call<OffsetCommitResponse>(*client_, 2, v2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(errors_of(*r2), std::vector<int16_t>{0});
  auto r8 = testing::call<OffsetCommitResponse>(*client_, 8, commit_request("g", "t", {part(1, 1234, "m", 5)}));
  ASSERT_TRUE(r8);
  EXPECT_EQ(errors_of(*r8), std::vector<int16_t>{0});
  EXPECT_EQ(zk_->get("/consumers/g/offsets/t/0"), "7");
  EXPECT_EQ(zk_->get("/consumers/g/offsets/t/1"), "1234");

  auto f7 = testing::call<OffsetFetchResponse>(*client_, 7, fetch_request("g", "t", {0, 1}));
  ASSERT_TRUE(f7);
  EXPECT_EQ(f7->error_code, 0);
  EXPECT_EQ(fetched(*f7), (std::vector<Fetched>{{7, -1, "", 0}, {1234, 5, "m", 0}}));
  OffsetFetchRequest all;
  all.group_id = "g";
  all.topics = std::nullopt;
  all.require_stable = true;
  for (const int16_t version : {2, 5, 7}) {
    auto f = testing::call<OffsetFetchResponse>(*client_, version, all);
    ASSERT_TRUE(f);
    const int32_t epoch = version >= 5 ? 5 : -1;
    EXPECT_EQ(fetched(*f), (std::vector<Fetched>{{7, -1, "", 0}, {1234, epoch, "m", 0}})) << "v" << version;
  }
  // An unknown group has nothing: -1 per asked partition, no partitions for null topics.
  auto none = testing::call<OffsetFetchResponse>(*client_, 7, fetch_request("other", "t", {0}));
  ASSERT_TRUE(none);
  EXPECT_EQ(fetched(*none), (std::vector<Fetched>{{-1, -1, "", 0}}));
}

TEST_F(OffsetCommitTest, GenerationChecksApplyFromV1AndChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(start());
  // Nobody joined "g": a generation 3 commit is ILLEGAL_GENERATION for every partition.
  auto r = testing::call<OffsetCommitResponse>(*client_, 8, commit_request("g", "t", {part(0, 5), part(1, 6)}, 3));
  ASSERT_TRUE(r);
  EXPECT_EQ(errors_of(*r), (std::vector<int16_t>{22, 22}));
  EXPECT_EQ(zk_->get("/consumers/g/offsets/t/0"), std::nullopt);
  // v0 has no generation: it is stored even for a group with members.
  ASSERT_NO_FATAL_FAILURE(join_member("busy"));
  auto v1 = testing::call<OffsetCommitResponse>(*client_, 1, commit_request("busy", "t", {part(0, 5)}));
  ASSERT_TRUE(v1);
  EXPECT_EQ(errors_of(*v1), std::vector<int16_t>{25});
  auto v0 = testing::call<OffsetCommitResponse>(*client_, 0, commit_request("busy", "t", {part(0, 5)}));
  ASSERT_TRUE(v0);
  EXPECT_EQ(errors_of(*v0), std::vector<int16_t>{0});
  EXPECT_EQ(zk_->get("/consumers/busy/offsets/t/0"), "5");
}

TEST_F(OffsetCommitTest, UnknownPartitionsAndLargeMetadataFailAloneTheRestIsStored) {
  ASSERT_NO_FATAL_FAILURE(start({"offset.metadata.max.bytes=10"}));
  OffsetCommitRequest request = commit_request("g", "t", {part(0, 1, "0123456789"), part(1, 2, "01234567890"), part(5, 3)});
  request.topics.push_back({"nope", {part(0, 4)}});
  auto r = testing::call<OffsetCommitResponse>(*client_, 3, request);
  ASSERT_TRUE(r);
  EXPECT_EQ(errors_of(*r), (std::vector<int16_t>{0, 12, 3, 3}));
  EXPECT_EQ(zk_->get("/consumers/g/offsets/t/0"), "1");
  EXPECT_EQ(zk_->get("/consumers/g/offsets/t/1"), std::nullopt);
  EXPECT_EQ(zk_->get("/consumers/g/offsets/t/5"), std::nullopt);
  EXPECT_EQ(zk_->get("/consumers/g/offsets/nope"), std::nullopt);
}

TEST_F(OffsetCommitTest, EscapedAndOverlongGroupIds) {
  ASSERT_NO_FATAL_FAILURE(start());
  for (const std::string group : {"a/b", "", ".."}) {
    auto r = testing::call<OffsetCommitResponse>(*client_, 8, commit_request(group, "t", {part(0, 5)}));
    ASSERT_TRUE(r);
    EXPECT_EQ(errors_of(*r), std::vector<int16_t>{0}) << group;
    auto f = testing::call<OffsetFetchResponse>(*client_, 7, fetch_request(group, "t", {0}));
    ASSERT_TRUE(f);
    EXPECT_EQ(fetched(*f), (std::vector<Fetched>{{5, -1, "", 0}})) << group;
  }
  EXPECT_EQ(zk_->get("/consumers/%a%2Fb/offsets/t/0"), "5");
  EXPECT_EQ(zk_->get("/consumers/%/offsets/t/0"), "5");
  EXPECT_EQ(zk_->get("/consumers/%../offsets/t/0"), "5");
  const std::string long_id(256, 'x');
  auto r = testing::call<OffsetCommitResponse>(*client_, 8, commit_request(long_id, "t", {part(0, 5)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(errors_of(*r), std::vector<int16_t>{24});
  auto f = testing::call<OffsetFetchResponse>(*client_, 7, fetch_request(long_id, "t", {0}));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error_code, 24);
  EXPECT_TRUE(f->topics.empty());
  auto f1 = testing::call<OffsetFetchResponse>(*client_, 1, fetch_request(long_id, "t", {0}));
  ASSERT_TRUE(f1);
  EXPECT_EQ(fetched(*f1), (std::vector<Fetched>{{-1, -1, "", 24}}));
}

TEST_F(OffsetCommitTest, DeleteGroups) {
  ASSERT_NO_FATAL_FAILURE(start());
  for (const std::string group : {"with-offsets", "busy"}) {
    auto r = testing::call<OffsetCommitResponse>(*client_, 8, commit_request(group, "t", {part(0, 5)}));
    ASSERT_TRUE(r);
  }
  ASSERT_NO_FATAL_FAILURE(join_member("busy"));
  protocol::DeleteGroupsRequest request;
  request.groups_names = {"with-offsets", "never-seen", "busy", std::string(300, 'x')};
  for (const int16_t version : {0, 2}) {
    auto r = testing::call<protocol::DeleteGroupsResponse>(*client_, version, request);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->results.size(), 4u);
    // The second round finds the first group gone.
    EXPECT_EQ(r->results[0].error_code, version == 0 ? 0 : 69);
    EXPECT_EQ(r->results[1].error_code, 69);
    EXPECT_EQ(r->results[2].error_code, 68);
    EXPECT_EQ(r->results[3].error_code, 24);
  }
  EXPECT_EQ(zk_->get("/consumers/with-offsets"), std::nullopt);
  EXPECT_EQ(zk_->get("/consumers/busy/offsets/t/0"), "5");
  auto f = testing::call<OffsetFetchResponse>(*client_, 7, fetch_request("with-offsets", "t", {0}));
  ASSERT_TRUE(f);
  EXPECT_EQ(fetched(*f), (std::vector<Fetched>{{-1, -1, "", 0}}));
}

// offsets.retention.minutes=1 is the smallest setting: the commits are written straight into
// ZooKeeper with timestamps older than that, then the broker's expiry (every 200 ms) must
// remove the old ones of groups without members and keep the rest.
TEST_F(OffsetCommitTest, OffsetsOfEmptyGroupsExpireAfterRetention) {
  ASSERT_NO_FATAL_FAILURE(start({"offsets.retention.minutes=1", "offsets.retention.check.interval.ms=200"}));
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  coordination::CommittedOffset old_commit;
  old_commit.offset = Offset(3);
  old_commit.commit_timestamp = TimestampMs(now - 120000);
  coordination::CommittedOffset fresh = old_commit;
  fresh.commit_timestamp = TimestampMs(now);
  ASSERT_NO_FATAL_FAILURE(join_member("busy"));
  zk_->commit("idle", {{TopicPartition{"t", PartitionId(0)}, old_commit}, {TopicPartition{"t", PartitionId(1)}, fresh}});
  zk_->commit("busy", {{TopicPartition{"t", PartitionId(0)}, old_commit}});
  EXPECT_TRUE(eventually([&] { return !zk_->get("/consumers/idle/offsets/t/0").has_value(); }))
      << "the old offset of an idle group did not expire";
  EXPECT_EQ(zk_->get("/consumers/idle/offsets_meta/t/0"), std::nullopt);
  EXPECT_EQ(zk_->get("/consumers/idle/offsets/t/1"), "3");
  EXPECT_EQ(zk_->get("/consumers/busy/offsets/t/0"), "3");
  auto f = testing::call<OffsetFetchResponse>(*client_, 7, fetch_request("idle", "t", {0, 1}));
  ASSERT_TRUE(f);
  EXPECT_EQ(fetched(*f), (std::vector<Fetched>{{-1, -1, "", 0}, {3, -1, "", 0}}));
}

// The controller's topic deletion also removes the topic's offsets from every group.
TEST_F(OffsetCommitTest, DeletingATopicDropsItsOffsetsFromEveryGroup) {
  ASSERT_NO_FATAL_FAILURE(start());
  zk_->create_topic("gone", 1);
  ASSERT_TRUE(eventually([&] { return broker_->knows("gone"); }));
  for (const std::string group : {"g1", "g2"}) {
    OffsetCommitRequest request = commit_request(group, "gone", {part(0, 8)});
    request.topics.push_back({"t", {part(0, 9)}});
    auto r = testing::call<OffsetCommitResponse>(*client_, 8, request);
    ASSERT_TRUE(r);
    EXPECT_EQ(errors_of(*r), (std::vector<int16_t>{0, 0}));
  }
  zk_->mark_for_deletion("gone");
  EXPECT_TRUE(eventually([&] {
    return !zk_->get("/consumers/g1/offsets/gone").has_value() && !zk_->get("/consumers/g2/offsets/gone").has_value();
  })) << "the deleted topic's offsets are still in ZooKeeper";
  EXPECT_EQ(zk_->get("/consumers/g1/offsets_meta/gone"), std::nullopt);
  EXPECT_EQ(zk_->get("/consumers/g2/offsets/t/0"), "9");
}

// The group hashes to broker 1 while both live and to broker 0 alone. Broker 0 caches the
// group, the group moves to broker 1, which takes a commit, and back: broker 0 must not answer
// from its old cache entry.
TEST(OffsetCommitCluster, CacheIsReloadedAfterTheGroupMovedAwayAndBack) {
  const std::string connect = testing::shared_zookeeper().connect_string(testing::fresh_chroot());
  OffsetBroker b0(0, connect);
  ASSERT_TRUE(b0.started());
  Zk zk(connect);
  zk.create_topic("t", 1);
  ASSERT_TRUE(eventually([&] { return b0.knows("t"); }));

  // A group broker 1 coordinates when brokers 0 and 1 are live.
  MetadataCache::Snapshot two;
  two.brokers = {{BrokerId(0), "h", 1, std::nullopt}, {BrokerId(1), "h", 2, std::nullopt}};
  std::string group;
  for (int i = 0; group.empty(); ++i) {
    if (group::coordinates(two, BrokerId(1), "moving-" + std::to_string(i))) group = "moving-" + std::to_string(i);
  }

  TestClient c0(b0.port());
  auto r = testing::call<OffsetCommitResponse>(c0, 8, commit_request(group, "t", {part(0, 10)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(errors_of(*r), std::vector<int16_t>{0});
  auto f = testing::call<OffsetFetchResponse>(c0, 7, fetch_request(group, "t", {0}));
  ASSERT_TRUE(f);
  EXPECT_EQ(fetched(*f), (std::vector<Fetched>{{10, -1, "", 0}}));

  auto b1 = std::make_unique<OffsetBroker>(1, connect);
  ASSERT_TRUE(b1->started());
  ASSERT_TRUE(eventually([&] { return b0.live_brokers() == 2 && b1->live_brokers() == 2 && b1->knows("t"); }));
  // Broker 0 no longer coordinates the group; broker 1 does and takes the commit.
  auto moved = testing::call<OffsetCommitResponse>(c0, 8, commit_request(group, "t", {part(0, 11)}));
  ASSERT_TRUE(moved);
  EXPECT_EQ(errors_of(*moved), std::vector<int16_t>{16});
  auto not_here = testing::call<OffsetFetchResponse>(c0, 7, fetch_request(group, "t", {0}));
  ASSERT_TRUE(not_here);
  EXPECT_EQ(not_here->error_code, 16);
  {
    TestClient c1(b1->port());
    auto r1 = testing::call<OffsetCommitResponse>(c1, 8, commit_request(group, "t", {part(0, 20)}));
    ASSERT_TRUE(r1);
    EXPECT_EQ(errors_of(*r1), std::vector<int16_t>{0});
  }
  EXPECT_EQ(zk.get("/consumers/" + group + "/offsets/t/0"), "20");
  b1->stop();
  ASSERT_TRUE(eventually([&] { return b0.live_brokers() == 1; }));
  auto back = testing::call<OffsetFetchResponse>(c0, 7, fetch_request(group, "t", {0}));
  ASSERT_TRUE(back);
  EXPECT_EQ(fetched(*back), (std::vector<Fetched>{{20, -1, "", 0}}));
}

}  // namespace
}  // namespace sluice::broker
