// The append path as the broker wires it (issue 10): a ReplicaManager whose partition strands
// run on a request pool, with a separate maintenance pool for retention (LogTaskScheduler), over
// real logs in a temp dir. No ZooKeeper and no fetchers: the test plays the controller by
// calling become_leader_or_follower, as LeaderAndIsr would.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "broker/log_task_scheduler.h"
#include "broker/replica_manager.h"
#include "broker/tests/wire_calls.h"
#include "protocol/batch_iterator.h"
#include "protocol/record_batch.h"
#include "storage/clock.h"
#include "storage/leader_epoch_cache.h"
#include "storage/log_manager.h"
#include "tests/support/io_thread.h"
#include "tests/support/temp_dir.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using testing::producer_batch;

constexpr BrokerId kLocal{1};
constexpr BrokerId kOther{2};

class AppendPath : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::LogManagerConfig log_config;
    log_config.log_dirs = {dir_.path() / "logs"};
    log_config.default_config = default_config_;
    log_config.retention_check_interval_ms = 10;
    auto logs = storage::LogManager::open(log_config, storage::SystemClock::instance());
    ASSERT_TRUE(logs) << logs.error().message();
    logs_ = std::move(logs).value();
    ReplicaManagerConfig config;
    config.broker_id = kLocal;
    config.default_log_config = default_config_;
    replica_manager_ = std::make_unique<ReplicaManager>(io_, request_pool_, maintenance_pool_, *logs_, config);
    threads_.emplace_back([this] { io_.run(); });
    threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (scheduler_) scheduler_->stop();
    work_.reset();
    for (auto& t : threads_) t.join();
    request_pool_.join();
    maintenance_pool_.join();
    if (logs_) (void)logs_->shutdown();
  }

  template <typename T>
  T sync(asio::awaitable<T> task) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    EXPECT_EQ(future.wait_for(60s), std::future_status::ready) << "a coroutine hung";
    return future.get();
  }

  PartitionState state(const TopicPartition& tp, BrokerId leader, int32_t epoch,
                       std::map<std::string, std::string> topic_config = {}) {
    PartitionState s;
    s.tp = tp;
    s.leader = leader;
    s.leader_epoch = LeaderEpoch(epoch);
    s.replicas = {kLocal, kOther};
    s.isr = {kLocal};
    s.topic_config = std::move(topic_config);
    return s;
  }

  ErrorCode apply(PartitionState s) { return sync(replica_manager_->become_leader_or_follower(std::move(s))); }

  storage::LogConfig default_config_;
  sluice::testing::TempDir dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  asio::thread_pool request_pool_{4};
  asio::thread_pool maintenance_pool_{1};
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replica_manager_;
  std::unique_ptr<LogTaskScheduler> scheduler_;
  std::vector<std::thread> threads_;
};

// One acknowledged append: where it went and in which epoch.
struct Acked {
  Offset offset{-1};
  LeaderEpoch epoch{-1};
  std::string tag;
};

struct ProducerLog {
  std::vector<Acked> acked;
  int refused = 0;
};

// Produces one-batch requests (acks=1, tagged "<producer>-<n>") until `stop`, on its own strand.
asio::awaitable<void> produce_until(ReplicaManager* rm, TopicPartition tp, int producer, std::atomic<bool>* stop,
                                    ProducerLog* out) {
  for (int n = 0; !stop->load(); ++n) {
    const std::string tag = std::to_string(producer) + "-" + std::to_string(n);
    std::vector<ProducePartitionInput> inputs;
    inputs.push_back({.tp = tp, .records = producer_batch(protocol::CompressionType::none, 2, tag)});
    auto outputs = co_await rm->append_records(1, 1s, 9, std::move(inputs));
    const PartitionAppendResult& r = outputs.at(0).result;
    if (r.error == ErrorCode::none) {
      out->acked.push_back({r.info.first_offset, r.leader_epoch, tag});
    } else {
      ++out->refused;
      asio::steady_timer pause(co_await asio::this_coro::executor, 100us);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

// Every batch of the log: base offset -> (leader epoch, the first record's key).
std::map<Offset, std::pair<LeaderEpoch, std::string>> batches_in(const storage::Log& log) {
  std::map<Offset, std::pair<LeaderEpoch, std::string>> out;
  auto slice = log.read(log.log_start_offset(), INT32_MAX, std::nullopt, true);
  EXPECT_TRUE(slice);
  if (!slice) return out;
  const Bytes bytes = slice.value().read_all().value();
  protocol::BatchIterator it(bytes, bytes.size());
  for (;;) {
    auto next = it.next();
    EXPECT_TRUE(next);
    if (!next || !next.value()) break;
    auto decoded = protocol::decode_records(next.value()->bytes);
    EXPECT_TRUE(decoded);
    if (!decoded) break;
    const auto& key = decoded.value().records.at(0).key;
    std::string k = key ? std::string(as_chars(*key)) : std::string();
    out[decoded.value().header.base_offset] = {decoded.value().header.partition_leader_epoch, k};
  }
  return out;
}

// Leader changes race appends, round after round: each append is one step on the partition's
// strand, so none lands after the partition became a follower (the log end does not move while
// it follows), each leader term's epoch entry starts where that term's first append went, and
// every acknowledged record is in the log where its acknowledgement said, in its epoch.
TEST_F(AppendPath, AppendsRacingLeaderChangesLandOnlyWhileLeadingAndLoseNothing) {
  const TopicPartition tp{"race", PartitionId(0)};
  ASSERT_EQ(apply(state(tp, kLocal, 0)), ErrorCode::none);
  std::shared_ptr<Partition> partition = replica_manager_->get_partition(tp);
  ASSERT_TRUE(partition);
  std::atomic<bool> stop{false};
  constexpr int kProducers = 3;
  std::vector<ProducerLog> logs(kProducers);
  std::vector<std::future<void>> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.push_back(asio::co_spawn(asio::make_strand(io_), produce_until(replica_manager_.get(), tp, p, &stop,
                                                                             &logs[p]),
                                       asio::use_future));
  }
  // epoch -> the log end when this broker became leader in it
  std::map<LeaderEpoch, Offset> term_starts{{LeaderEpoch(0), Offset(0)}};
  constexpr int kRounds = 150;
  int32_t epoch = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 + (round % 7) * 150));
    ASSERT_EQ(apply(state(tp, kOther, ++epoch)), ErrorCode::none);
    const Offset while_following = partition->log()->log_end_offset();
    std::this_thread::sleep_for(std::chrono::microseconds(100 + (round % 5) * 100));
    ASSERT_EQ(partition->log()->log_end_offset(), while_following) << "an append landed on a follower, round "
                                                                    << round;
    ASSERT_EQ(apply(state(tp, kLocal, ++epoch)), ErrorCode::none);
    term_starts[LeaderEpoch(epoch)] = while_following;
  }
  stop = true;
  for (auto& f : producers) ASSERT_EQ(f.wait_for(30s), std::future_status::ready);

  const auto stored = batches_in(*partition->log());
  size_t acked_total = 0;
  std::map<LeaderEpoch, Offset> first_append_in;
  for (const ProducerLog& log : logs) {
    acked_total += log.acked.size();
    for (const Acked& a : log.acked) {
      auto it = stored.find(a.offset);
      ASSERT_NE(it, stored.end()) << "acknowledged " << a.tag << " at " << a.offset.value() << " is not in the log";
      EXPECT_EQ(it->second.first, a.epoch) << a.tag;
      EXPECT_EQ(it->second.second, a.tag + "-key-0");
      auto [slot, added] = first_append_in.emplace(a.epoch, a.offset);
      if (!added) slot->second = std::min(slot->second, a.offset);
    }
  }
  EXPECT_GT(acked_total, 100u) << "too few appends to race anything";
  // Nothing landed that was not acknowledged (a refused append writes nothing).
  EXPECT_EQ(stored.size(), acked_total);
  // Every term that appended has its epoch entry, starting where its first append went.
  const auto entries = partition->log()->leader_epoch_cache().entries();
  std::map<LeaderEpoch, Offset> cached;
  for (const auto& e : entries) cached[e.epoch] = e.start_offset;
  for (const auto& [e, first] : first_append_in) {
    ASSERT_TRUE(cached.count(e)) << "leader epoch " << e.value() << " lost from the cache";
    EXPECT_EQ(cached[e], term_starts.at(e)) << "epoch " << e.value();
    EXPECT_EQ(cached[e], first) << "epoch " << e.value();
  }
}

// Retention flushing and deleting a thousand segments of one partition while another takes
// produce requests: the pass runs on the maintenance pool, the appends on the request pool, so
// no request waits for it. Bound: 250 ms for any one request (the pass itself takes longer here,
// which the test checks, so a shared thread would break the bound).
TEST_F(AppendPath, RetentionDeletingSegmentsNeverStallsProduceRequests) {
  const TopicPartition doomed{"expiring", PartitionId(0)};
  const TopicPartition live{"live", PartitionId(0)};
  // Small segments, nothing deleted until retention.bytes is lowered below.
  ASSERT_EQ(apply(state(doomed, kLocal, 0, {{"segment.bytes", "16384"}})), ErrorCode::none);
  ASSERT_EQ(apply(state(live, kLocal, 0)), ErrorCode::none);
  auto doomed_partition = replica_manager_->get_partition(doomed);
  const Bytes batch = producer_batch(protocol::CompressionType::none, 40, "fill");  // about 3 KiB
  while (doomed_partition->log()->segment_count() < 1200) {
    std::vector<ProducePartitionInput> inputs;
    for (int i = 0; i < 16; ++i) inputs.push_back({.tp = doomed, .records = batch});
    auto out = sync(replica_manager_->append_records(1, 1s, 9, std::move(inputs)));
    ASSERT_EQ(out.at(0).result.error, ErrorCode::none);
  }
  const int segments_before = doomed_partition->log()->segment_count();

  std::atomic<bool> stop{false};
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::chrono::microseconds>> requests;
  auto producer = asio::co_spawn(
      asio::make_strand(io_),
      [](ReplicaManager* rm, TopicPartition tp, std::atomic<bool>* stop_flag,
         std::vector<std::pair<std::chrono::steady_clock::time_point, std::chrono::microseconds>>* out)
          -> asio::awaitable<void> {
        while (!stop_flag->load()) {
          std::vector<ProducePartitionInput> inputs;
          inputs.push_back({.tp = tp, .records = producer_batch(protocol::CompressionType::none, 5, "live")});
          const auto started = std::chrono::steady_clock::now();
          auto outputs = co_await rm->append_records(1, 1s, 9, std::move(inputs));
          const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
          EXPECT_EQ(outputs.at(0).result.error, ErrorCode::none);
          out->emplace_back(started, took);
        }
      }(replica_manager_.get(), live, &stop, &requests),
      asio::use_future);

  // The broker's periodic log tasks, on the maintenance pool, as KafkaServer wires them.
  std::this_thread::sleep_for(100ms);
  storage::LogConfig expiring = doomed_partition->log()->config();
  expiring.retention_bytes = 0;
  const auto retention_started = std::chrono::steady_clock::now();
  doomed_partition->log()->update_config(expiring);
  scheduler_ = std::make_unique<LogTaskScheduler>(io_, maintenance_pool_, *logs_, 10ms);
  scheduler_->start();
  while (doomed_partition->log()->segment_count() > 1 && std::chrono::steady_clock::now() - retention_started < 60s) {
    std::this_thread::sleep_for(5ms);
  }
  const auto retention_took = std::chrono::steady_clock::now() - retention_started;
  std::this_thread::sleep_for(100ms);
  stop = true;
  ASSERT_EQ(producer.wait_for(30s), std::future_status::ready);

  ASSERT_EQ(doomed_partition->log()->segment_count(), 1) << "retention did not finish";
  EXPECT_GE(segments_before, 1200);
  auto max_during = std::chrono::microseconds(0);
  int during = 0;
  for (const auto& [at, took] : requests) {
    if (at < retention_started || at > retention_started + retention_took) continue;
    ++during;
    max_during = std::max(max_during, took);
  }
  const auto bound = std::chrono::milliseconds(250);
  std::printf("retention pass (flush and deletion of %d segments): %lld ms; %d produce requests during it, the "
              "slowest %lld us\n",
              segments_before, static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(retention_took).count()),
              during, static_cast<long long>(max_during.count()));
  EXPECT_GT(retention_took, bound) << "the retention pass was too short to show a stall";
  EXPECT_GT(during, 10) << "requests served while the segments were deleted";
  EXPECT_LT(max_during, bound) << "a produce request waited for retention";
}

}  // namespace
}  // namespace sluice::broker
