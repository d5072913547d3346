// The pure parts of replication: the leader's high watermark over the ISR, the follower
// caught-up rule and the ISR shrink decision (Partition), and the follower's view of fetched
// records and its truncation decision (ReplicaFetcher) against a real Log on disk.
#include <gtest/gtest.h>

#include <map>

#include "broker/partition.h"
#include "broker/replica_fetcher.h"
#include "broker/tests/wire_calls.h"
#include "protocol/bytes.h"
#include "storage/clock.h"
#include "storage/leader_epoch_cache.h"
#include "storage/log.h"
#include "tests/support/temp_dir.h"

namespace sluice::broker {
namespace {

constexpr BrokerId kLeader{1};
constexpr BrokerId kF2{2};
constexpr BrokerId kF3{3};

FollowerState at(int64_t leo, int64_t caught_up_ms = 0) {
  FollowerState f;
  f.log_end_offset = Offset(leo);
  f.last_caught_up_ms = caught_up_ms;
  return f;
}

TEST(HighWatermark, IsTheSmallestLogEndOffsetInTheIsr) {
  std::map<BrokerId, FollowerState> followers{{kF2, at(7)}, {kF3, at(4)}};
  EXPECT_EQ(isr_high_watermark(kLeader, Offset(10), {kLeader, kF2, kF3}, followers), Offset(4));
  EXPECT_EQ(isr_high_watermark(kLeader, Offset(10), {kLeader, kF2}, followers), Offset(7));
  // Only the leader in the ISR: everything it has is committed.
  EXPECT_EQ(isr_high_watermark(kLeader, Offset(10), {kLeader}, followers), Offset(10));
  // The leader's own end bounds it too.
  EXPECT_EQ(isr_high_watermark(kLeader, Offset(3), {kLeader, kF2}, followers), Offset(3));
}

TEST(HighWatermark, AnIsrFollowerThatHasNotFetchedHoldsItBack) {
  std::map<BrokerId, FollowerState> followers{{kF2, at(7)}, {kF3, FollowerState{}}};
  EXPECT_LT(isr_high_watermark(kLeader, Offset(10), {kLeader, kF2, kF3}, followers), Offset(0));
  std::map<BrokerId, FollowerState> none;
  EXPECT_LT(isr_high_watermark(kLeader, Offset(10), {kLeader, kF2}, none), Offset(0));
}

TEST(FollowerFetch, ReachingTheLeaderEndIsCaughtUpNow) {
  FollowerState f;
  record_follower_fetch(f, Offset(10), Offset(10), 1000);
  EXPECT_EQ(f.log_end_offset, Offset(10));
  EXPECT_EQ(f.last_caught_up_ms, 1000);
}

TEST(FollowerFetch, ReachingTheEndSeenAtThePreviousFetchIsCaughtUpThen) {
  FollowerState f;
  record_follower_fetch(f, Offset(0), Offset(5), 1000);  // behind, first fetch
  EXPECT_EQ(f.last_caught_up_ms, 0);
  record_follower_fetch(f, Offset(5), Offset(9), 1500);  // has what the leader had at 1000
  EXPECT_EQ(f.last_caught_up_ms, 1000);
  record_follower_fetch(f, Offset(6), Offset(12), 2000);  // not what the leader had at 1500
  EXPECT_EQ(f.last_caught_up_ms, 1000);
}

TEST(IsrShrink, RemovesOnlyFollowersBehindForLongerThanTheLag) {
  const int64_t now = 100'000;
  std::map<BrokerId, FollowerState> followers{{kF2, at(10, now - 50'000)}, {kF3, at(4, now - 100)}};
  // F2 is at the leader's end: in sync however long ago it last had to catch up.
  EXPECT_TRUE(out_of_sync_replicas(kLeader, Offset(10), {kLeader, kF2, kF3}, followers, now, 30'000).empty());
  // F3 behind, but caught up 100 ms ago.
  followers[kF3] = at(4, now - 30'001);
  EXPECT_EQ(out_of_sync_replicas(kLeader, Offset(10), {kLeader, kF2, kF3}, followers, now, 30'000),
            std::vector<BrokerId>{kF3});
  followers[kF2] = at(9, now - 40'000);
  EXPECT_EQ(out_of_sync_replicas(kLeader, Offset(10), {kLeader, kF2, kF3}, followers, now, 30'000),
            (std::vector<BrokerId>{kF2, kF3}));
  // A replica outside the ISR is never "shrunk"; the leader never is.
  EXPECT_EQ(out_of_sync_replicas(kLeader, Offset(10), {kLeader, kF3}, followers, now, 30'000),
            std::vector<BrokerId>{kF3});
}

// A real Log in a temp dir, with batches appended as a follower at given epochs.
class FollowerLog : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = storage::Log::open(dir_.path() / "t-0", storage::LogConfig{}, storage::LogOpenOptions{},
                                  storage::SystemClock::instance());
    ASSERT_TRUE(log) << log.error().message();
    log_ = std::move(log).value();
  }
  // Appends a leader-stamped batch of `n` records at epoch `epoch`.
  void append(int n, int32_t epoch) {
    std::string tag = "e";
    tag.append(std::to_string(epoch));
    Bytes batch = testing::producer_batch(protocol::CompressionType::none, n, tag);
    auto info = log_->validate_and_append_as_leader(batch, LeaderEpoch(epoch));
    ASSERT_TRUE(info) << info.error().message();
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Log> log_;
};

TEST_F(FollowerLog, SameEpochTruncatesToTheSmallerEnd) {
  append(5, 0);
  append(5, 1);  // epochs: 0@0, 1@5; LEO 10
  auto d = decide_truncation(LeaderEpoch(1), Offset(8), *log_);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.offset, Offset(8));
  d = decide_truncation(LeaderEpoch(1), Offset(20), *log_);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.offset, Offset(10));  // never past the local end
}

TEST_F(FollowerLog, EpochUnknownToTheFollowerDropsLaterEpochsAndAsksAgain) {
  append(5, 0);
  append(5, 2);  // epochs: 0@0, 2@5
  // The leader knows epoch 1 (which this follower never saw), ending at 7.
  auto d = decide_truncation(LeaderEpoch(1), Offset(7), *log_);
  EXPECT_FALSE(d.done);
  EXPECT_EQ(d.offset, Offset(5));  // where epoch 2 began here
}

TEST_F(FollowerLog, UndefinedAnswerFallsBackToTheHighWatermark) {
  append(5, 0);
  log_->set_high_watermark(Offset(3));
  auto d = decide_truncation(LeaderEpoch(-1), Offset(-1), *log_);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.offset, Offset(3));
}

TEST_F(FollowerLog, FetchedRecordsKeepWholeBatchesFromTheLogEnd) {
  append(3, 0);
  append(2, 0);
  append(4, 0);  // batches at 0, 3, 5; LEO 9
  auto slice = log_->read(Offset(0), 1 << 20, std::nullopt, true);
  ASSERT_TRUE(slice);
  auto bytes = slice.value().read_all();
  ASSERT_TRUE(bytes);
  const Bytes all = std::move(bytes).value();
  // Everything from offset 0; from 3 the first batch goes; from 4 the batch holding 4 stays.
  EXPECT_EQ(batches_from(all, Offset(0)).size(), all.size());
  const size_t first = 12 + static_cast<size_t>(load_be<int32_t>(all.data() + 8));
  EXPECT_EQ(batches_from(all, Offset(3)).size(), all.size() - first);
  EXPECT_EQ(batches_from(all, Offset(4)).size(), all.size() - first);
  EXPECT_TRUE(batches_from(all, Offset(9)).empty());
  // A cut-off last batch is left out.
  const ByteView cut = ByteView(all).first(all.size() - 5);
  EXPECT_LT(batches_from(cut, Offset(0)).size(), cut.size());
  // Appending what is kept reproduces the leader's log in a follower.
  auto follower = storage::Log::open(dir_.path() / "f-0", storage::LogConfig{}, storage::LogOpenOptions{},
                                     storage::SystemClock::instance());
  ASSERT_TRUE(follower);
  ASSERT_TRUE(follower.value()->validate_and_append_as_follower(batches_from(all, Offset(0))));
  EXPECT_EQ(follower.value()->log_end_offset(), Offset(9));
  EXPECT_EQ(follower.value()->leader_epoch_cache().latest_epoch(), LeaderEpoch(0));
}

}  // namespace
}  // namespace sluice::broker
