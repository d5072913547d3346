// Replication between three real sluice-broker processes on one real ZooKeeper: followers fetch
// from the leader and hold the same batches, acks=all waits for the ISR, consumers read below the
// high watermark only, a killed follower leaves the ISR (written to the partition state znode and
// announced under /isr_change_notification) and rejoins after a restart, and min.insync.replicas
// rejects acks=all once the ISR is too small. Every wait is bounded.
#include <gtest/gtest.h>

#include <csignal>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "broker/tests/cluster_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/tests/zk_test_util.h"
#include "protocol/error_code.h"
#include "protocol/messages/list_offsets_request.h"
#include "protocol/messages/list_offsets_response.h"
#include "tests/support/broker_process.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using testing::call;
using testing::TestClient;

constexpr int kBrokers = 3;
constexpr int64_t kLagMs = 3000;  // replica.lag.time.max.ms in these tests: room for a slow (sanitizer) build

using testing::eventually;
using testing::log_bytes;
using testing::tag_of;

class Replication : public testing::ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    start_brokers(kBrokers, {{"replica.lag.time.max.ms", std::to_string(kLagMs)}});
  }

  void create_topic(const std::string& name, coordination::TopicConfig config = {}) {
    coordination::AdminZkClient admin(*kafka_zk_);
    coordination::NewTopic topic;
    topic.name = name;
    topic.partitions = 1;
    topic.replication_factor = kBrokers;
    topic.config = std::move(config);
    auto created = io_.sync(admin.create_topic(topic, false));
    ASSERT_TRUE(created) << created.error().message;
  }

  using ClusterTest::isr;
  using ClusterTest::state;
  std::optional<coordination::LeaderIsrAndControllerEpoch> state(const std::string& topic) { return state(topic, 0); }
  std::vector<int32_t> isr(const std::string& topic) { return isr(topic, 0); }

  // Waits until the leader answers produces; returns it.
  BrokerId wait_for_leader(const std::string& topic) {
    BrokerId leader{-1};
    EXPECT_TRUE(eventually([&] {
      auto s = state(topic);
      if (!s || s->leader_and_isr.leader < BrokerId(0)) return false;
      leader = s->leader_and_isr.leader;
      return high_watermark(leader, topic) >= 0;
    })) << output();
    return leader;
  }

  // One batch of three records; the error code (or -1 without an answer) and the base offset.
  std::pair<int16_t, int64_t> produce(BrokerId to, const std::string& topic, int16_t acks, const std::string& tag) {
    TestClient client(broker(to).port());
    if (!client.connected()) return {-1, -1};
    const Bytes batch = testing::producer_batch(protocol::CompressionType::none, 3, tag);
    auto reply = call<protocol::ProduceResponse>(client, 8, testing::produce_request(topic, batch, acks));
    if (!reply) return {-1, -1};
    return {testing::only(*reply).error_code, testing::only(*reply).base_offset.value()};
  }

  // A consumer's fetch from offset 0: the high watermark, and how many record bytes came back.
  int64_t high_watermark(BrokerId from, const std::string& topic, size_t* bytes = nullptr) {
    TestClient client(broker(from).port());
    if (!client.connected()) return -1;
    auto reply = call<protocol::FetchResponse>(client, 11, testing::fetch_request(topic, Offset(0)));
    if (!reply || testing::only(*reply).error_code != 0) return -1;
    if (bytes != nullptr) {
      const auto& records = testing::only(*reply).records;
      *bytes = records ? records->bytes.size() : 0;
    }
    return testing::only(*reply).high_watermark.value();
  }

  std::string log_of(BrokerId id, const std::string& topic) { return log_bytes(broker(id).log_dir() / (topic + "-0")); }

  bool all_logs_equal(const std::string& topic, size_t min_size) {
    const std::string first = log_of(BrokerId(0), topic);
    if (first.size() < min_size) return false;
    for (int id = 1; id < kBrokers; ++id) {
      if (log_of(BrokerId(id), topic) != first) return false;
    }
    return true;
  }
};

TEST_F(Replication, AcksAllBatchesReachEveryReplicaByteForByte) {
  create_topic("rep");
  const BrokerId leader = wait_for_leader("rep");
  ASSERT_GE(leader, BrokerId(0));
  EXPECT_EQ(isr("rep"), (std::vector<int32_t>{0, 1, 2}));
  for (int i = 0; i < 20; ++i) {
    const auto [error, base] = produce(leader, "rep", -1, tag_of("b", i));
    ASSERT_EQ(error, 0) << output();
    EXPECT_EQ(base, 3 * i);
  }
  // acks=all answered: the leader's high watermark covers every record.
  EXPECT_EQ(high_watermark(leader, "rep"), 60);
  // Followers append the leader's batches as they are (offsets, epochs, CRCs), so the segment
  // files are the same bytes.
  EXPECT_TRUE(eventually([&] { return all_logs_equal("rep", 60 * 70); }, 10s)) << output();
  // Followers serve no consumer.
  for (int id = 0; id < kBrokers; ++id) {
    if (BrokerId(id) == leader) continue;
    TestClient client(broker(BrokerId(id)).port());
    auto reply = call<protocol::FetchResponse>(client, 11, testing::fetch_request("rep", Offset(0)));
    ASSERT_TRUE(reply);
    EXPECT_EQ(testing::only(*reply).error_code, static_cast<int16_t>(ErrorCode::not_leader_or_follower));
  }
}

TEST_F(Replication, ConsumersSeeOnlyRecordsBelowTheHighWatermark) {
  create_topic("hw");
  const BrokerId leader = wait_for_leader("hw");
  ASSERT_GE(leader, BrokerId(0));
  ASSERT_EQ(produce(leader, "hw", -1, "a").first, 0);
  ASSERT_EQ(high_watermark(leader, "hw"), 3);
  // Freeze one follower: still in the ISR until replica.lag.time.max.ms, it holds the high
  // watermark where it is, so an acks=1 write is in the leader's log but not visible.
  const BrokerId frozen((leader.value() + 1) % kBrokers);
  broker(frozen).process().signal(SIGSTOP);
  ASSERT_EQ(produce(leader, "hw", 1, "b").first, 0);
  size_t bytes = 0;
  EXPECT_EQ(high_watermark(leader, "hw", &bytes), 3) << output();
  const size_t visible = bytes;
  EXPECT_GT(visible, 0u);
  {
    TestClient client(broker(leader).port());
    protocol::ListOffsetsRequest request;
    request.replica_id = BrokerId(-1);
    request.topics.push_back({.name = "hw", .partitions = {}});
    protocol::ListOffsetsRequest::ListOffsetsPartition p;
    p.partition_index = PartitionId(0);
    p.timestamp = -1;
    request.topics[0].partitions.push_back(p);
    auto reply = call<protocol::ListOffsetsResponse>(client, 4, request);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->topics.at(0).partitions.at(0).offset, Offset(3));  // latest = the high watermark
  }
  // Once the frozen follower leaves the ISR, the second batch is committed and readable.
  ASSERT_TRUE(eventually([&] { return high_watermark(leader, "hw", &bytes) == 6; }, 10s)) << output();
  EXPECT_GT(bytes, visible);
  const std::vector<int32_t> shrunk = isr("hw");
  EXPECT_EQ(std::find(shrunk.begin(), shrunk.end(), frozen.value()), shrunk.end());
  broker(frozen).process().signal(SIGCONT);
}

TEST_F(Replication, KilledFollowerLeavesTheIsrAndRejoinsAfterRestart) {
  create_topic("fail");
  const BrokerId leader = wait_for_leader("fail");
  ASSERT_GE(leader, BrokerId(0));
  ASSERT_EQ(produce(leader, "fail", -1, "a").first, 0);
  const BrokerId victim((leader.value() + 2) % kBrokers);
  // A children watch: it fires when a notification appears, even if the controller removes it.
  std::atomic<bool> notified{false};
  auto watched = io_.sync(zk_->get_children(
      "/isr_change_notification",
      coordination::Watcher{io_.executor(), [&notified](coordination::WatchEvent) { notified = true; }}));
  ASSERT_TRUE(watched);
  broker(victim).kill();
  // A dead follower that had everything is still in sync (as in Kafka): the next write makes it
  // lag, and the leader drops it after replica.lag.time.max.ms (checked every half of it).
  ASSERT_EQ(produce(leader, "fail", 1, "lag").first, 0);
  ASSERT_TRUE(eventually([&] { return isr("fail").size() == 2; }, 20s)) << output();
  const std::vector<int32_t> shrunk = isr("fail");
  EXPECT_EQ(std::find(shrunk.begin(), shrunk.end(), victim.value()), shrunk.end());
  EXPECT_EQ(state("fail")->leader_and_isr.leader, leader);
  EXPECT_TRUE(eventually([&] { return notified.load(); }, 10s)) << output();
  // Writes go on with two in sync.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(produce(leader, "fail", -1, tag_of("b", i)).first, 0) << output();
  // Restarted, it truncates to the leader's log, catches up and rejoins the ISR.
  broker(victim).restart();
  ASSERT_TRUE(broker(victim).wait_listening()) << broker(victim).output();
  ASSERT_TRUE(eventually([&] { return isr("fail").size() == 3; }, 25s)) << output();
  EXPECT_TRUE(eventually([&] { return all_logs_equal("fail", 21 * 70); }, 10s)) << output();
  ASSERT_EQ(produce(leader, "fail", -1, "c").first, 0);
  EXPECT_EQ(high_watermark(leader, "fail"), 24);
}

// Leader epochs end to end (KIP-101): the leader takes an acks=1 batch no follower got, then
// dies; a follower leads at a higher epoch and writes other records at those offsets. The old
// leader comes back as a follower, asks OffsetForLeaderEpoch where epoch 0 ends, truncates its
// divergent tail and ends up with exactly the new leader's log.
TEST_F(Replication, OldLeaderRejoinsAsFollowerWithTheNewLeadersLog) {
  create_topic("epochs");
  const BrokerId first = wait_for_leader("epochs");
  ASSERT_GE(first, BrokerId(0));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(produce(first, "epochs", -1, tag_of("a", i)).first, 0) << output();
  // Followers frozen (well within replica.lag.time.max.ms, so still in the ISR): this batch stays
  // on the leader alone, unacknowledged by the ISR.
  for (int id = 0; id < kBrokers; ++id) {
    if (BrokerId(id) != first) broker(BrokerId(id)).process().signal(SIGSTOP);
  }
  // Their long-poll fetches (replica.fetch.wait.max.ms, 500) expire empty first, so no fetch of
  // theirs is waiting at the leader when the batch arrives.
  std::this_thread::sleep_for(700ms);
  const auto divergent = produce(first, "epochs", 1, "divergent");
  EXPECT_EQ(divergent.first, 0);
  EXPECT_EQ(divergent.second, 15);
  broker(first).kill();
  for (int id = 0; id < kBrokers; ++id) {
    if (BrokerId(id) != first) broker(BrokerId(id)).process().signal(SIGCONT);
  }
  BrokerId second{-1};
  ASSERT_TRUE(eventually([&] {
    auto s = state("epochs");
    if (!s || s->leader_and_isr.leader < BrokerId(0) || s->leader_and_isr.leader == first) return false;
    second = s->leader_and_isr.leader;
    return s->leader_and_isr.leader_epoch > LeaderEpoch(0);
  }, 25s)) << output();
  // Everything acknowledged before is there; the new leader takes more.
  ASSERT_TRUE(eventually([&] { return produce(second, "epochs", -1, "b").first == 0; }, 10s)) << output();
  EXPECT_EQ(high_watermark(second, "epochs"), 18);
  broker(first).restart();
  ASSERT_TRUE(broker(first).wait_listening()) << broker(first).output();
  ASSERT_TRUE(eventually([&] { return isr("epochs").size() == 3; }, 25s)) << output();
  EXPECT_TRUE(eventually([&] { return all_logs_equal("epochs", 18 * 70); }, 10s)) << output();
  // The leader-epoch checkpoints agree too (the new epoch starts at offset 15 everywhere).
  const auto checkpoint = [&](int id) {
    std::ifstream in(broker(BrokerId(id)).log_dir() / "epochs-0" / "leader-epoch-checkpoint");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  EXPECT_TRUE(eventually([&] { return checkpoint(0) == checkpoint(1) && checkpoint(1) == checkpoint(2); }, 5s))
      << checkpoint(0) << "\n" << checkpoint(1) << "\n" << checkpoint(2);
  EXPECT_NE(checkpoint(first.value()).find("1 15"), std::string::npos) << checkpoint(first.value());
}

TEST_F(Replication, MinInsyncReplicasRejectsAcksAllWhenTwoFollowersAreDown) {
  create_topic("safe", {{"min.insync.replicas", "2"}});
  const BrokerId leader = wait_for_leader("safe");
  ASSERT_GE(leader, BrokerId(0));
  ASSERT_EQ(produce(leader, "safe", -1, "a").first, 0);
  for (int id = 0; id < kBrokers; ++id) {
    if (BrokerId(id) != leader) broker(BrokerId(id)).kill();
  }
  ASSERT_EQ(produce(leader, "safe", 1, "lag").first, 0);  // makes the dead followers lag
  ASSERT_TRUE(eventually([&] { return isr("safe") == std::vector<int32_t>{leader.value()}; }, 10s)) << output();
  // The leader may learn its ISR a moment after the znode shows it: retry until it answers so.
  int16_t error = 0;
  EXPECT_TRUE(eventually([&] {
    error = produce(leader, "safe", -1, "b").first;
    return error == static_cast<int16_t>(ErrorCode::not_enough_replicas);
  }, 5s)) << "last error " << error << "\n" << output();
  // acks=1 does not ask for replicas.
  EXPECT_EQ(produce(leader, "safe", 1, "c").first, 0);
}

}  // namespace
}  // namespace sluice::broker
