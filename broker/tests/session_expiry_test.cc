// A leader whose ZooKeeper session expires (issue 4), end to end with a real ZooKeeper and three
// real sluice-broker processes. The leader of an RF 3, min.insync.replicas=2 partition is frozen
// with SIGSTOP past zookeeper.session.timeout.ms: its registration goes, the controller elects
// another ISR member at a higher leader epoch and that one takes acks=all writes. On SIGCONT the
// old leader still believes it leads with the old ISR; acks=all produces sent to it at once (on a
// connection opened before the pause and on a new one) must not be acknowledged: the followers
// now fetch elsewhere, so its high watermark cannot move, and its ISR shrink fails on the stale
// zkVersion. It re-registers, the controller makes it a follower, it truncates what only it had
// and rejoins the ISR with a log byte-for-byte equal to the new leader's, which holds every
// acknowledged record. Run with the leader an ordinary broker and with the leader the controller;
// with the controller frozen meanwhile so the stale leader's failing ISR shrink is exercised; with
// leadership coming back to it while a truncated acks=all write still waits (needs the produce
// purgatory to fail waiting writes when leadership is lost: helper F's change); and in process,
// repeated expiries of a broker's session while it re-registers. Every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "broker/tests/cluster_fixture.h"
#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "coordination/tests/zk_test_util.h"
#include "protocol/error_code.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using testing::eventually;
using testing::log_bytes;
using testing::tag_of;
using testing::TestClient;

constexpr const char* kTopic = "fenced";
constexpr int16_t kProduceVersion = 8;
constexpr int16_t kNoAnswer = -1;

// The key of a batch's first record (wire_calls.h producer_batch): how a batch is found again.
std::string key_of(const std::string& tag) {
  std::string key = tag;
  key.append("-key-0");
  return key;
}

bool contains_text(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class SessionExpiry : public testing::ClusterTest {
 protected:
  // replica.lag.time.max.ms short enough that the old leader tries (and fails) to shrink its ISR
  // soon after SIGCONT; no preferred-leader rebalance moving leadership back meanwhile.
  void start_cluster(const std::string& replica_lag_time_max_ms) {
    start_brokers(3, {{"replica.lag.time.max.ms", replica_lag_time_max_ms}, {"auto.leader.rebalance.enable", "false"}});
  }

  // Sends an acks=`acks` produce of one batch tagged `tag` without waiting for the answer.
  static bool send_produce(TestClient& client, int16_t acks, const std::string& tag, int32_t correlation,
                           int32_t timeout_ms = 5000) {
    const Bytes batch = testing::producer_batch(protocol::CompressionType::none, 3, tag);
    protocol::ProduceRequest request = testing::produce_request(kTopic, batch, acks);
    request.timeout_ms = timeout_ms;
    return client.send(
        testing::encode_request(protocol::ApiKey::produce, kProduceVersion, correlation, request, kProduceVersion));
  }

  // The partition's error code of the produce answer on `client`; kNoAnswer without one (the
  // connection closed or the read timed out).
  static int16_t read_produce(TestClient& client, int reads = 1) {
    std::optional<Bytes> frame;
    // Each read gives up after testing::kIoTimeout with nothing consumed, so it can be repeated.
    for (int i = 0; i < reads && !frame; ++i) frame = client.read_frame();
    if (!frame) return kNoAnswer;
    Bytes bytes = std::move(frame).value();
    protocol::Reader r(bytes);
    const auto* api = protocol::find_api(protocol::ApiKey::produce);
    auto header = protocol::ResponseHeader::decode(r, protocol::response_header_version(*api, kProduceVersion));
    if (!header) return kNoAnswer;
    auto body = protocol::ProduceResponse::decode(r, kProduceVersion);
    if (!body) return kNoAnswer;
    return testing::only(body.value()).error_code;
  }

  int16_t produce(int32_t to, int16_t acks, const std::string& tag) {
    TestClient client(broker(to).port());
    if (!client.connected() || !send_produce(client, acks, tag, 1)) return kNoAnswer;
    return read_produce(client);
  }

  // What a consumer reads from offset 0 of `from` (below its high watermark); empty on error.
  std::string consume_all(int32_t from) {
    TestClient client(broker(from).port());
    if (!client.connected()) return {};
    auto request = testing::fetch_request(kTopic, Offset(0));
    request.max_bytes = 16 << 20;
    request.topics[0].partitions[0].partition_max_bytes = 16 << 20;
    auto reply = testing::call<protocol::FetchResponse>(client, 11, request);
    if (!reply || testing::only(*reply).error_code != 0 || !testing::only(*reply).records) return {};
    const auto& bytes = testing::only(*reply).records->bytes;
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  // The leader the controller elects in place of the frozen `old_leader`, at an epoch above
  // `old_epoch` (bounded: 45 s, past the session timeout); -1 if none came.
  int32_t wait_for_new_leader(int32_t old_leader, LeaderEpoch old_epoch) {
    int32_t new_leader = -1;
    const bool elected = eventually([&] {
      auto s = state(kTopic, 0);
      if (!s || s->leader_and_isr.leader.value() < 0 || s->leader_and_isr.leader.value() == old_leader) return false;
      new_leader = s->leader_and_isr.leader.value();
      return s->leader_and_isr.leader_epoch > old_epoch;
    }, 45s);
    return elected ? new_leader : -1;
  }

  std::string log_of(int32_t id) { return log_bytes(broker(id).log_dir() / (std::string(kTopic) + "-0")); }

  struct Scenario {
    bool leader_is_controller = false;
    std::string min_insync_replicas = "2";
    // Freeze the (new) controller while the old leader resumes, so no LeaderAndIsr reaches it
    // for a while: it leads with its stale ISR, its lagging followers make it try to shrink the
    // ISR, and that conditional write must fail without shrinking the ISR it holds in memory
    // (which, with min.insync.replicas=1, would let it acknowledge acks=all alone).
    bool hold_controller = false;
  };

  void run(const Scenario& scenario) {
    const bool leader_is_controller = scenario.leader_is_controller;
    const std::string& min_insync_replicas = scenario.min_insync_replicas;
    // Holding the controller must stay under the session timeout: there the old leader has to
    // attempt its shrink quickly. Its followers' last fetches, sent before the pause, reach it
    // on SIGCONT and count as caught up then, so the shrink comes one lag period after that.
    start_cluster(scenario.hold_controller ? "1000" : "3000");
    if (HasFatalFailure()) return;
    const int32_t controller_id = controller();
    ASSERT_GE(controller_id, 0);
    // The partition's preferred leader is the controller or not, as the case asks.
    int32_t old_leader = controller_id;
    if (!leader_is_controller) old_leader = (controller_id + 1) % 3;
    std::vector<int32_t> replicas = {old_leader};
    for (int32_t id = 0; id < 3; ++id) {
      if (id != old_leader) replicas.push_back(id);
    }
    create_topic(kTopic, {replicas}, {{"min.insync.replicas", min_insync_replicas}});
    ASSERT_EQ(leader(kTopic, 0), old_leader);

    std::vector<std::string> acknowledged;
    // The leader learns its leadership from LeaderAndIsr a moment after the znode shows it.
    ASSERT_TRUE(eventually([&] { return produce(old_leader, -1, "a0") == 0; })) << output();
    acknowledged.emplace_back("a0");
    for (int i = 1; i < 5; ++i) {
      const std::string tag = tag_of("a", i);
      ASSERT_EQ(produce(old_leader, -1, tag), 0) << output();
      acknowledged.push_back(tag);
    }
    const LeaderEpoch old_epoch = state(kTopic, 0)->leader_and_isr.leader_epoch;

    TestClient opened_before(broker(old_leader).port());
    ASSERT_TRUE(opened_before.connected());

    broker(old_leader).process().signal(SIGSTOP);
    // Past the session timeout the controller (another broker, or a new one if the frozen broker
    // was it) elects a new leader from the rest of the ISR at a higher epoch.
    const int32_t new_leader = wait_for_new_leader(old_leader, old_epoch);
    ASSERT_GE(new_leader, 0) << output();
    EXPECT_FALSE(testing::contains(state(kTopic, 0)->leader_and_isr.isr, old_leader));
    ASSERT_TRUE(eventually([&] { return produce(new_leader, -1, "b0") == 0; })) << output();
    acknowledged.emplace_back("b0");
    for (int i = 1; i < 5; ++i) {
      const std::string tag = tag_of("b", i);
      ASSERT_EQ(produce(new_leader, -1, tag), 0) << output();
      acknowledged.push_back(tag);
    }

    const int32_t held = scenario.hold_controller ? controller() : -1;
    if (scenario.hold_controller) {
      ASSERT_GE(held, 0);
      ASSERT_NE(held, old_leader);
      broker(held).process().signal(SIGSTOP);
    }
    broker(old_leader).process().signal(SIGCONT);
    // At once, before it can have heard of the new leader: acks=all on the old connection and on
    // a new one, and an acks=1 write (which it may take: Kafka's documented acks=1 loss).
    TestClient opened_after(broker(old_leader).port());
    TestClient acks_one(broker(old_leader).port());
    ASSERT_TRUE(opened_after.connected());
    ASSERT_TRUE(acks_one.connected());
    ASSERT_TRUE(send_produce(opened_before, -1, "stale-before", 7));
    ASSERT_TRUE(send_produce(opened_after, -1, "stale-after", 8));
    ASSERT_TRUE(send_produce(acks_one, 1, "stale-acks1", 9));
    if (scenario.hold_controller) {
      // Well within the session timeout (6 s), so the held controller stays registered.
      const bool skipped = eventually([&] {
        return broker(old_leader).output().find("ISR update skipped") != std::string::npos;
      }, 5000ms);
      broker(held).process().signal(SIGCONT);
      EXPECT_TRUE(skipped) << "the old leader did not try to shrink its ISR while it could\n" << output();
      // Its stale write changed nothing: the new leader's state stands.
      EXPECT_EQ(leader(kTopic, 0), new_leader);
    }
    const int16_t before_error = read_produce(opened_before);
    const int16_t after_error = read_produce(opened_after);
    const int16_t acks_one_error = read_produce(acks_one);
    std::cout << "old leader answered acks=all with " << before_error << " and " << after_error
              << ", acks=1 with " << acks_one_error << "\n";
    EXPECT_NE(before_error, 0) << "the old leader acknowledged acks=all\n" << output();
    EXPECT_NE(after_error, 0) << "the old leader acknowledged acks=all\n" << output();
    // Not answered with success must also mean not committed: the new leader holds none of it
    // below its high watermark once everything settles (checked below).

    // It re-registers, becomes a follower, truncates and catches up; the new leader adds it back.
    ASSERT_TRUE(eventually([&] { return registered(old_leader); }, 30s)) << output();
    ASSERT_TRUE(eventually([&] { return isr(kTopic, 0) == std::vector<int32_t>{0, 1, 2}; }, 45s)) << output();
    EXPECT_EQ(leader(kTopic, 0), new_leader);
    ASSERT_EQ(produce(new_leader, -1, "c0"), 0) << output();
    acknowledged.emplace_back("c0");

    std::string leader_log;
    EXPECT_TRUE(eventually([&] {
      leader_log = log_of(new_leader);
      for (int32_t id = 0; id < 3; ++id) {
        if (log_of(id) != leader_log) return false;
      }
      return true;
    }, 30s)) << "replica logs differ\n" << output();
    const std::string consumed = consume_all(new_leader);
    for (const std::string& tag : acknowledged) {
      EXPECT_TRUE(contains_text(consumed, key_of(tag))) << "acknowledged batch " << tag << " lost";
    }
    // What only the old leader took after the election is gone from every replica.
    for (const char* tag : {"stale-before", "stale-after", "stale-acks1"}) {
      EXPECT_FALSE(contains_text(leader_log, key_of(tag))) << tag << " survived on the new leader";
      EXPECT_FALSE(contains_text(log_of(old_leader), key_of(tag))) << tag << " not truncated";
    }
  }
};

TEST_F(SessionExpiry, PausedLeaderCannotAcknowledgeAndRejoinsAsFollower) { run({}); }

TEST_F(SessionExpiry, PausedLeaderThatWasControllerCannotAcknowledgeAndRejoinsAsFollower) {
  run({.leader_is_controller = true});
}

// The old leader leads on with its stale ISR for seconds: its ISR shrink to itself fails on the
// zkVersion and it must not adopt it, or min.insync.replicas=1 would let it acknowledge alone.
TEST_F(SessionExpiry, StaleLeaderKeepsItsIsrWhenTheShrinkWriteFails) {
  run({.min_insync_replicas = "1", .hold_controller = true});
}

// The old leader takes an acks=all write W after SIGCONT, becomes a follower, truncates W, catches
// up past W's offset with the new leader's records, rejoins the ISR and is made leader again by a
// preferred election, all while W still waits (a long produce timeout). Its high watermark is then
// past W's offset and its ISR full, but W is gone: the answer must not be success. (Before waiting
// acks=all produces failed on loss of leadership, W was acknowledged here: lost after an ack.)
TEST_F(SessionExpiry, WriteTruncatedWhileWaitingIsNotAcknowledgedAfterLeadershipReturns) {
  start_cluster("3000");
  const int32_t old_leader = (controller() + 1) % 3;
  std::vector<int32_t> replicas = {old_leader};
  for (int32_t id = 0; id < 3; ++id) {
    if (id != old_leader) replicas.push_back(id);
  }
  create_topic(kTopic, {replicas}, {{"min.insync.replicas", "2"}});
  ASSERT_TRUE(eventually([&] { return produce(old_leader, -1, "a0") == 0; })) << output();
  const LeaderEpoch old_epoch = state(kTopic, 0)->leader_and_isr.leader_epoch;
  broker(old_leader).process().signal(SIGSTOP);
  const int32_t new_leader = wait_for_new_leader(old_leader, old_epoch);
  ASSERT_GE(new_leader, 0) << output();
  // More records at the new leader than W holds, so the returning follower's HW passes W's offset.
  ASSERT_TRUE(eventually([&] { return produce(new_leader, -1, "b0") == 0; })) << output();
  ASSERT_EQ(produce(new_leader, -1, "b1"), 0) << output();

  broker(old_leader).process().signal(SIGCONT);
  TestClient waiting(broker(old_leader).port());
  ASSERT_TRUE(waiting.connected());
  ASSERT_TRUE(send_produce(waiting, -1, "stale-w", 5, 25000));
  ASSERT_TRUE(eventually([&] { return isr(kTopic, 0) == std::vector<int32_t>{0, 1, 2}; }, 15s)) << output();
  const TopicPartition tp{kTopic, PartitionId(0)};
  // The controller may not have taken in the ISR change yet (it learns it through
  // /isr_change_notification): ask again until the election happens.
  ASSERT_TRUE(eventually([&] {
    if (leader(kTopic, 0) == old_leader) return true;
    auto pending = io_.sync(zk_->exists("/admin/preferred_replica_election"));
    if (pending && !pending.value()) (void)io_.sync(kafka_zk_->create_preferred_replica_election({tp}));
    std::this_thread::sleep_for(200ms);
    return leader(kTopic, 0) == old_leader;
  }, 15s)) << output();
  // Once it leads again (it answers produces), W's wait is checked against its new state.
  ASSERT_TRUE(eventually([&] { return produce(old_leader, -1, "c0") == 0; }, 15s)) << output();
  const int16_t w_error = read_produce(waiting, 3);
  std::cout << "the truncated write was answered with " << w_error << "\n";
  EXPECT_NE(w_error, 0) << "a write truncated away was acknowledged\n" << output();
  EXPECT_FALSE(contains_text(log_of(old_leader), key_of("stale-w")));
  const std::string consumed = consume_all(old_leader);
  for (const char* tag : {"a0", "b0", "b1", "c0"}) {
    EXPECT_TRUE(contains_text(consumed, key_of(tag))) << "acknowledged batch " << tag << " lost";
  }
}

// In process: the broker's session is expired again and again, each time as soon as its new
// session exists (so usually while it is re-registering). One re-registration at a time: in the
// end the broker's current session owns /brokers/ids/0, and keeps it. (Two handlers at once, as
// before, reconnected under each other and closed the session holding the registration the other
// had just written; this test does not force that interleaving, it checks the end state.)
TEST(SessionExpiryInProcess, RepeatedExpiriesEndWithTheCurrentSessionRegistered) {
  testing::KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  coordination::testing::IoThread io;
  const std::string connect = broker.server().config().zookeeper_connect.to_string();
  auto observer = coordination::testing::connected_client(io, coordination::testing::config_for(connect));
  coordination::ZooKeeperClient& own = broker.server().zookeeper_client();
  for (int round = 0; round < 3; ++round) {
    std::optional<coordination::SessionCredentials> credentials;
    // The session of this round: connected, and not one already expired.
    ASSERT_TRUE(eventually([&] {
      credentials = own.session_credentials();
      return credentials && own.state() == coordination::SessionState::connected;
    }, 30s));
    auto config = coordination::testing::config_for(connect);
    config.resume_session = credentials;
    // A second handle on the session closes it, which expires it for the broker's handle. The
    // two take the session from each other until then; if the broker's had it back when the
    // twin closed, the close did not end it: try again (as zk_controller_test.cc does).
    const auto replaced = [&] {
      auto now = own.session_credentials();
      return !now || now->id != credentials->id;
    };
    for (int attempt = 0; attempt < 5 && !replaced(); ++attempt) {
      coordination::ZooKeeperClient twin(io.executor(), config);
      const Status joined = io.sync(twin.connect());
      io.sync(twin.close());
      if (!joined) break;  // an earlier attempt expired it
      if (eventually(replaced, 5s)) break;
    }
    // The next round starts once the broker has a new session, registered or not yet.
    ASSERT_TRUE(eventually(replaced, 30s)) << "round " << round;
  }
  const auto registered_by_current_session = [&] {
    auto node = io.sync(observer->get_data("/brokers/ids/0"));
    return node && own.session_id() != 0 && node.value().stat.ephemeral_owner == own.session_id();
  };
  ASSERT_TRUE(eventually(registered_by_current_session, 45s)) << "the broker is not registered by its session";
  // And it stays so: no second handler replaces the session under the registration.
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(registered_by_current_session());
  EXPECT_TRUE(eventually([&] { return broker.server().controller().is_active(); }, 30s));
  io.sync(observer->close());
}

}  // namespace
}  // namespace sluice::broker
