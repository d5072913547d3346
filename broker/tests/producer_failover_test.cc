// Issue 4's main promise, end to end: three real sluice-broker processes on a real ZooKeeper, a
// topic with 6 partitions, RF 3 and min.insync.replicas=2, and a real producer with acks=all
// writing all the time while leaders fail. kill -9 of a leader (three rounds: kill, wait for
// the new leaders, restart, wait for the full ISR) and SIGTERM of a leader (controlled shutdown).
// Afterwards every partition is read from the start and checked against the delivery reports:
// each acknowledged value is at its acknowledged offset, the values of a partition are in the
// order produced, and nothing foreign is there. Producers: confluent-kafka (librdkafka, script
// tests/interop/confluent_failover.py) and our own client library (client::Producer).
// Regressions for what these runs found: an acks=all produce or a long poll waiting on a leader
// that becomes a follower is answered NOT_LEADER_OR_FOLLOWER at once; a consumer fetching after
// a leader move is told (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH) and then reads below the new
// leader's high watermark; the controller elects again when its election write met a stale state.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "broker/tests/acked_records.h"
#include "broker/tests/cluster_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "client/kafka_client.h"
#include "protocol/batch_iterator.h"
#include "client/producer.h"
#include "tests/support/child_process.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

constexpr int kPartitions = 6;
const std::string kTopic = "stream";
// Preferred leaders spread so every broker leads two partitions.
const std::vector<std::vector<int32_t>> kSpread = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {1, 0, 2}, {2, 1, 0}};

using testing::Acked;
using testing::Outcome;
using testing::seq_of;
using testing::value_of;

int64_t check_nothing_lost(const Outcome& o) { return testing::check_nothing_lost(o, kPartitions); }

class ProducerFailover : public testing::ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    start_brokers(3, {{"auto.leader.rebalance.enable", "false"}, {"controlled.shutdown.retry.backoff.ms", "200"},
                      {"log.level", "info"}});
    if (HasFatalFailure()) return;
    create_topic(kTopic, kSpread, coordination::TopicConfig{{"min.insync.replicas", "2"}});
  }

  // Every partition has a live leader other than `dead` and an ISR of at least two.
  bool led_without(int32_t dead) {
    for (int p = 0; p < kPartitions; ++p) {
      const int32_t l = leader(kTopic, p);
      if (l < 0 || l == dead || isr(kTopic, p).size() < 2) return false;
    }
    return true;
  }

  // Each partition's leader, epoch and ISR, for failure messages.
  std::string states() {
    std::ostringstream out;
    for (int p = 0; p < kPartitions; ++p) {
      auto s = state(kTopic, p);
      out << kTopic << "-" << p << ": ";
      if (!s) {
        out << "no state\n";
        continue;
      }
      out << "leader " << s->leader_and_isr.leader.value() << " epoch " << s->leader_and_isr.leader_epoch.value()
          << " isr";
      for (BrokerId id : s->leader_and_isr.isr) out << " " << id.value();
      out << "\n";
    }
    return out.str();
  }

  bool full_isr() {
    for (int p = 0; p < kPartitions; ++p) {
      if (isr(kTopic, p).size() != 3) return false;
    }
    return true;
  }

  // kill -9 of the leader of partition `round % 6` (and so of every partition it leads) while
  // `acked` keeps growing, then a restart; three rounds. `acked` counts delivery reports so far.
  void kill_nine_rounds(const std::function<size_t()>& acked) {
    for (int round = 0; round < 3; ++round) {
      const size_t before = acked();
      ASSERT_TRUE(eventually([&] { return acked() >= before + 200; }, 60s)) << "the producer is stuck\n" << output();
      const int32_t victim = leader(kTopic, round % kPartitions);
      ASSERT_GE(victim, 0);
      std::ostringstream trace;
      trace << "round " << round << ": kill -9 of broker " << victim;
      SCOPED_TRACE(trace.str());
      broker(victim).kill();
      ASSERT_TRUE(eventually([&] { return led_without(victim); }, 60s)) << states() << output();
      const size_t moved = acked();
      ASSERT_TRUE(eventually([&] { return acked() >= moved + 200; }, 60s))
          << "no writes acknowledged on the new leaders\n" << output();
      broker(victim).restart();
      ASSERT_TRUE(broker(victim).wait_listening()) << output();
      ASSERT_TRUE(eventually([&] { return full_isr(); }, 60s)) << "broker " << victim << " did not rejoin\n" << output();
    }
  }

  // SIGTERM of the leader of partition 0: leadership moves before it exits; then it comes back.
  void controlled_shutdown_round(const std::function<size_t()>& acked) {
    const size_t before = acked();
    ASSERT_TRUE(eventually([&] { return acked() >= before + 200; }, 60s)) << "the producer is stuck\n" << output();
    const int32_t victim = leader(kTopic, 0);
    ASSERT_GE(victim, 0);
    auto status = broker(victim).stop(60s);
    ASSERT_TRUE(status.has_value()) << "SIGTERM did not stop broker " << victim << "\n" << output();
    EXPECT_EQ(*status, 0) << output();
    EXPECT_TRUE(led_without(victim)) << "leadership moved before the exit\n" << output();
    const size_t moved = acked();
    ASSERT_TRUE(eventually([&] { return acked() >= moved + 200; }, 60s)) << output();
    broker(victim).restart();
    ASSERT_TRUE(broker(victim).wait_listening()) << output();
    ASSERT_TRUE(eventually([&] { return full_isr(); }, 60s)) << output();
  }

  void dump_into(Outcome& o) { testing::dump_into(o, dir_.path(), bootstrap(), kTopic, kPartitions, states() + output()); }

  // confluent-kafka producing while `failures` runs.
  Outcome with_confluent_producer(const std::function<void(const std::function<size_t()>&)>& failures) {
    return testing::with_confluent_producer(dir_.path(), bootstrap(), kTopic, kPartitions, failures);
  }

  // Our client library's producer (acks=all, retries) in a thread, writing like the script.
  Outcome with_our_producer(const std::function<void(const std::function<size_t()>&)>& failures) {
    Outcome o;
    std::mutex mutex;
    std::vector<client::DeliveryReport> reports;
    std::vector<int64_t> report_seq;
    std::atomic<size_t> reported{0};
    coordination::testing::IoThread io;
    client::ClientConfig cc;
    cc.bootstrap_servers = bootstrap();
    cc.connection.request_timeout = 10s;
    cc.connection.connect_timeout = 2s;
    cc.retry_backoff = 50ms;
    auto kafka = std::make_unique<client::KafkaClient>(io.executor(), cc);
    auto bootstrap_ok = [](client::KafkaClient* k) -> asio::awaitable<bool> {
      const Status st = co_await k->bootstrap();
      co_return static_cast<bool>(st);
    };
    auto boot = asio::co_spawn(kafka->executor(), bootstrap_ok(kafka.get()), asio::use_future);
    EXPECT_EQ(boot.wait_for(30s), std::future_status::ready);
    EXPECT_TRUE(boot.get()) << "bootstrap";
    client::ProducerConfig pc;
    pc.acks = -1;
    pc.linger = 5ms;
    pc.retry_backoff = 100ms;
    pc.delivery_timeout = 90s;
    pc.request_timeout = 10s;
    auto producer = std::make_unique<client::Producer>(*kafka, pc);
    std::atomic<bool> stop{false};
    std::atomic<int64_t> sent{0};
    std::thread writer([&] {
      for (int64_t i = 0; !stop.load(); ++i) {
        while (!stop.load() && sent.load() - static_cast<int64_t>(reported.load()) > 2000) std::this_thread::sleep_for(5ms);
        client::ProducerRecord record;
        record.topic = kTopic;
        const std::string value = value_of(i);
        record.value = Bytes(as_bytes(value).begin(), as_bytes(value).end());
        record.partition = PartitionId(static_cast<int32_t>(i % kPartitions));
        producer->produce(std::move(record), [&, i](const client::DeliveryReport& r) {
          std::lock_guard lock(mutex);
          reports.push_back(r);
          report_seq.push_back(i);
          reported.fetch_add(1);
        });
        sent.store(i + 1);
        if (i % 20 == 19) std::this_thread::sleep_for(10ms);
      }
    });
    auto acked = [&] { return reported.load(); };
    failures(acked);
    stop.store(true);
    writer.join();
    auto closed = asio::co_spawn(kafka->executor(), producer->close(), asio::use_future);
    EXPECT_EQ(closed.wait_for(120s), std::future_status::ready) << "the producer did not flush";
    if (reported.load() != static_cast<size_t>(sent.load())) ADD_FAILURE() << states() << output();
    auto close_client = [](client::KafkaClient* k) -> asio::awaitable<void> {
      k->close();
      co_return;
    };
    auto client_closed = asio::co_spawn(kafka->executor(), close_client(kafka.get()), asio::use_future);
    EXPECT_EQ(client_closed.wait_for(30s), std::future_status::ready);
    o.sent = sent.load();
    std::lock_guard lock(mutex);
    EXPECT_EQ(reports.size(), static_cast<size_t>(o.sent)) << "every record gets one delivery report";
    for (size_t i = 0; i < reports.size(); ++i) {
      if (reports[i].error) {
        ++o.failed;
        ADD_FAILURE() << "delivery of " << value_of(report_seq[i]) << " failed: " << reports[i].error.message();
        continue;
      }
      Acked a;
      a.partition = reports[i].partition.value();
      a.offset = reports[i].offset.value();
      a.seq = report_seq[i];
      o.acked.push_back(a);
    }
    return o;
  }
};

TEST_F(ProducerFailover, ConfluentProducerLosesNothingAcknowledgedAcrossKillNineOfLeaders) {
  Outcome o = with_confluent_producer([&](const std::function<size_t()>& acked) { kill_nine_rounds(acked); });
  dump_into(o);
  const int64_t duplicates = check_nothing_lost(o);
  std::cout << "sent " << o.sent << ", acknowledged " << o.acked.size() << ", duplicates " << duplicates << "\n";
}

TEST_F(ProducerFailover, OurProducerLosesNothingAcknowledgedAcrossKillNineOfLeaders) {
  Outcome o = with_our_producer([&](const std::function<size_t()>& acked) { kill_nine_rounds(acked); });
  dump_into(o);
  const int64_t duplicates = check_nothing_lost(o);
  std::cout << "sent " << o.sent << ", acknowledged " << o.acked.size() << ", duplicates " << duplicates << "\n";
}

TEST_F(ProducerFailover, ControlledShutdownGivesTheProducerOnlyRetriableErrors) {
  Outcome o = with_confluent_producer([&](const std::function<size_t()>& acked) { controlled_shutdown_round(acked); });
  dump_into(o);
  EXPECT_EQ(o.failed, 0);
  const int64_t duplicates = check_nothing_lost(o);
  std::cout << "sent " << o.sent << ", acknowledged " << o.acked.size() << ", duplicates " << duplicates << "\n";
}


// Regression: an acks=all produce waiting in the purgatory on a leader that becomes a follower
// is answered at once with NOT_LEADER_OR_FOLLOWER (the producer retries on the new leader), not
// with REQUEST_TIMED_OUT after its timeout, nor acknowledged later by the follower's high
// watermark over a log that truncation may rewrite. The produce waits because the other follower
// is SIGSTOPped (in the ISR, not fetching); a preferred election then moves leadership away.
TEST_F(ProducerFailover, WaitingAcksAllProduceIsAnsweredNotLeaderWhenLeadershipMoves) {
  // Roles: the controller C leads "moving" (off its preferred replica X), and F, the follower
  // stopped later, is not the controller. Replicas [X, C, F]: after X's controlled shutdown and
  // restart, C leads and X is back in the ISR.
  const int32_t c = controller();
  ASSERT_GE(c, 0);
  const int32_t x = (c + 1) % 3;
  const int32_t stalled = (c + 2) % 3;
  const std::string topic = "moving";
  create_topic(topic, {{x, c, stalled}}, coordination::TopicConfig{{"min.insync.replicas", "2"}});
  ASSERT_EQ(leader(topic, 0), x);
  ASSERT_TRUE(broker(x).stop(60s).has_value()) << output();
  ASSERT_TRUE(eventually([&] { return leader(topic, 0) == c; })) << output();
  broker(x).restart();
  ASSERT_TRUE(broker(x).wait_listening()) << output();
  ASSERT_TRUE(eventually([&] { return isr(topic, 0).size() == 3; }, 60s)) << output();
  // The controller knows X is back in the ISR once it handled the ISR change notification,
  // which the leader writes within its 2.5 s announcement tick.
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(eventually([&] {
    auto children = io_.sync(zk_->get_children("/isr_change_notification"));
    return children && children.value().empty();
  })) << output();
  ASSERT_EQ(controller(), c);
  const int32_t old_leader = c;

  broker(stalled).process().signal(SIGSTOP);
  testing::TestClient client(broker(old_leader).port());
  const Bytes batch = testing::producer_batch(protocol::CompressionType::none, 3, "waiting");
  protocol::ProduceRequest request = testing::produce_request(topic, ByteView(batch), -1);
  request.timeout_ms = 30000;  // beyond the client's read timeout: only an early answer is read
  ASSERT_TRUE(client.send(testing::encode_request(protocol::ProduceRequest::kApiKey, 8, 7, request, 8)));
  // A consumer's long poll past the end, waiting in the fetch purgatory (nothing is committed).
  testing::TestClient poller(broker(old_leader).port());
  const protocol::FetchRequest poll = testing::fetch_request(topic, Offset(0), 30000, 1);
  ASSERT_TRUE(poller.send(testing::encode_request(protocol::FetchRequest::kApiKey, 11, 9, poll, 11)));
  std::this_thread::sleep_for(500ms);  // the append happens and the requests wait
  // The CLI bootstraps from the brokers that answer (a stopped one would hold it for a timeout),
  // and all of this has to happen within the stopped broker's ZooKeeper session (6 s): once it
  // expires, the controller drops it from the ISR and the produce completes legitimately.
  std::string answering = broker(x).bootstrap();
  answering.push_back(',');
  answering.append(broker(c).bootstrap());
  auto elected = sluice::testing::run_program({sluice::testing::BrokerProcess::cli_binary().string(), "-b",
                                               answering, "cluster", "elect-leaders", "--topic", topic,
                                               "--partition", "0"},
                                              "", 60s);
  EXPECT_EQ(elected.exit_code, 0) << elected.out << elected.err;
  auto frame = client.read_frame();
  auto at_answer_state = state(topic, 0);
  std::ostringstream at_answer;
  if (at_answer_state) {
    at_answer << "at the answer: leader " << at_answer_state->leader_and_isr.leader.value() << " epoch "
              << at_answer_state->leader_and_isr.leader_epoch.value() << " isr size "
              << at_answer_state->leader_and_isr.isr.size() << "\n";
  }
  broker(stalled).process().signal(SIGCONT);
  ASSERT_TRUE(frame) << "no answer within the read timeout\n" << states() << output();
  protocol::Reader r(*frame);
  auto header = protocol::ResponseHeader::decode(
      r, protocol::response_header_version(*protocol::find_api(protocol::ProduceRequest::kApiKey), 8));
  ASSERT_TRUE(header && header.value().correlation_id == 7);
  auto body = protocol::ProduceResponse::decode(r, 8);
  ASSERT_TRUE(body);
  EXPECT_EQ(testing::only(body.value()).error_code, static_cast<int16_t>(protocol::ErrorCode::not_leader_or_follower))
      << "old leader " << old_leader << ", stalled " << stalled << "\n" << at_answer.str() << output();
  EXPECT_EQ(leader(topic, 0), x);
  // The long poll is answered at once too, not after its 30 s.
  auto fetched = poller.read_frame();
  ASSERT_TRUE(fetched) << "the long poll got no answer within the read timeout";
  protocol::Reader fr(*fetched);
  ASSERT_TRUE(protocol::ResponseHeader::decode(
      fr, protocol::response_header_version(*protocol::find_api(protocol::FetchRequest::kApiKey), 11)));
  auto fetch_body = protocol::FetchResponse::decode(fr, 11);
  ASSERT_TRUE(fetch_body);
  EXPECT_EQ(testing::only(fetch_body.value()).error_code,
            static_cast<int16_t>(protocol::ErrorCode::not_leader_or_follower));
}


TEST_F(ProducerFailover, OurProducerSeesNoFailureAcrossAControlledShutdown) {
  Outcome o = with_our_producer([&](const std::function<size_t()>& acked) { controlled_shutdown_round(acked); });
  dump_into(o);
  EXPECT_EQ(o.failed, 0);
  const int64_t duplicates = check_nothing_lost(o);
  std::cout << "sent " << o.sent << ", acknowledged " << o.acked.size() << ", duplicates " << duplicates << "\n";
}

// A consumer that still fetches from the old leader after a leader move is told
// NOT_LEADER_OR_FOLLOWER there, FENCED_LEADER_EPOCH at the new leader while it sends the old epoch
// (Fetch v9+), and reads the acknowledged records at the new leader with the new epoch; below the
// new leader's high watermark only.
TEST_F(ProducerFailover, ConsumerFetchAfterALeaderMoveIsToldThenRecovers) {
  const int32_t old_leader = leader(kTopic, 0);
  ASSERT_GE(old_leader, 0);
  const LeaderEpoch old_epoch = state(kTopic, 0)->leader_and_isr.leader_epoch;
  {
    // The state znode is written before the leader has its LeaderAndIsr: until then it answers
    // UNKNOWN_TOPIC_OR_PARTITION (and appends nothing), so ask until it takes the batch.
    const Bytes batch = testing::producer_batch(protocol::CompressionType::none, 3, "moved");
    int16_t error = -1;
    ASSERT_TRUE(eventually([&] {
      testing::TestClient client(broker(old_leader).port());
      auto reply = testing::call<protocol::ProduceResponse>(client, 8, testing::produce_request(kTopic, ByteView(batch), -1));
      error = reply ? testing::only(*reply).error_code : int16_t{-1};
      return error == 0;
    })) << "last error " << error << "\n" << output();
  }
  ASSERT_TRUE(broker(old_leader).stop(60s).has_value()) << output();
  ASSERT_TRUE(eventually([&] { return leader(kTopic, 0) >= 0 && leader(kTopic, 0) != old_leader; })) << output();
  broker(old_leader).restart();
  ASSERT_TRUE(broker(old_leader).wait_listening()) << output();
  ASSERT_TRUE(eventually([&] { return full_isr(); }, 60s)) << output();
  const int32_t new_leader = leader(kTopic, 0);
  const LeaderEpoch new_epoch = state(kTopic, 0)->leader_and_isr.leader_epoch;
  ASSERT_GT(new_epoch, old_epoch);

  auto fetch = [&](int32_t from, LeaderEpoch epoch) {
    testing::TestClient client(broker(from).port());
    protocol::FetchRequest request = testing::fetch_request(kTopic, Offset(0));
    request.topics[0].partitions[0].current_leader_epoch = epoch;
    return testing::call<protocol::FetchResponse>(client, 11, request);
  };
  auto at_old = fetch(old_leader, new_epoch);
  ASSERT_TRUE(at_old);
  EXPECT_EQ(testing::only(*at_old).error_code, static_cast<int16_t>(protocol::ErrorCode::not_leader_or_follower));
  auto fenced = fetch(new_leader, old_epoch);
  ASSERT_TRUE(fenced);
  EXPECT_EQ(testing::only(*fenced).error_code, static_cast<int16_t>(protocol::ErrorCode::fenced_leader_epoch));
  // A new leader's high watermark may lag until every ISR member fetched from it: meanwhile the
  // consumer gets no error and nothing above it; then the records.
  testing::Reply<protocol::FetchResponse> recovered;
  ASSERT_TRUE(eventually([&] {
    recovered = fetch(new_leader, new_epoch);
    if (!recovered) return false;
    const auto& d = testing::only(*recovered);
    EXPECT_EQ(d.error_code, 0);
    EXPECT_LE(d.high_watermark, Offset(3));
    if (d.high_watermark < Offset(3)) {
      EXPECT_TRUE(!d.records || d.records->bytes.empty()) << "records above the high watermark";
    }
    return d.high_watermark == Offset(3);
  })) << states() << output();
  const auto& data = testing::only(*recovered);
  ASSERT_TRUE(data.records.has_value());
  int64_t next = 0;
  const protocol::BatchScan scan = protocol::for_each_batch(data.records->bytes, 1 << 20, [&](const protocol::BatchView& b) {
    EXPECT_EQ(b.header.base_offset.value(), next);
    next = b.header.last_offset().value() + 1;
    return Status(ok());
  });
  EXPECT_TRUE(scan.ok());
  EXPECT_EQ(next, 3) << "the acknowledged records, nothing above the high watermark";
}


// Regression (controller): a broker dies while the controller's copy of a partition state is
// stale (a leader changed the ISR and the notification is not handled yet; here the test writes
// the state itself, which bumps its zkVersion without a notification). The fenced election
// write fails on the version, the controller re-reads, and must elect again on the fresh state
// instead of leaving the partition leaderless when it removes the dead broker from the ISR.
TEST_F(ProducerFailover, LeaderDiesWhileTheControllerHoldsAStaleStateAndTheElectionStillHappens) {
  const int32_t c = controller();
  ASSERT_GE(c, 0);
  const int32_t victim = (c + 1) % 3;
  const int32_t other = (c + 2) % 3;
  const std::string topic = "stale";
  create_topic(topic, {{victim, other, c}});
  auto s = state(topic, 0);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->leader_and_isr.leader.value(), victim);
  auto written = io_.sync(kafka_zk_->update_partition_state(TopicPartition{topic, PartitionId(0)}, *s,
                                                           s->leader_and_isr.zk_version));
  ASSERT_TRUE(written) << written.error().message();
  broker(victim).kill();
  ASSERT_TRUE(eventually([&] {
    const int32_t l = leader(topic, 0);
    return l == other || l == c;
  })) << states() << "stale-0 leader " << leader(topic, 0) << "\n" << output();
}

}  // namespace
}  // namespace sluice::broker
