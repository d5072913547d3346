#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/leader_epoch_cache.h"
#include "storage/tests/log_fixture.h"

namespace sluice::storage {
namespace {

using testing::batch_offsets;
using testing::kStartMs;

// Five one-batch segments (offsets 0..4) of about 500 bytes; record timestamps kStartMs + 1000 * offset.
class LogRetentionTest : public testing::LogTest {
 protected:
  std::unique_ptr<Log> five_segments() {
    config_.segment_bytes = 600;
    config_.retention_ms = -1;
    auto log = open();
    for (int i = 0; i < 5; ++i) append(*log, 1, 420, TimestampMs(kStartMs + 1000 * i));
    EXPECT_EQ(log->segment_count(), 5);
    return log;
  }
};

TEST_F(LogRetentionTest, SizeRetentionDeletesOldestSegmentsBelowTheHighWatermark) {
  auto log = five_segments();
  const int64_t segment = log->size_in_bytes() / 5;
  config_.retention_bytes = 2 * segment;
  log->update_config(config_);
  log->set_high_watermark(Offset(2));
  EXPECT_EQ(log->delete_old_segments().value(), 2);  // the third would cross the high watermark
  EXPECT_EQ(log->log_start_offset(), Offset(2));
  log->set_high_watermark(Offset(5));
  EXPECT_EQ(log->delete_old_segments().value(), 1);
  EXPECT_EQ(log->segment_base_offsets().front(), Offset(3));
  EXPECT_FALSE(std::filesystem::exists(log_dir() / "00000000000000000000.log"));
  EXPECT_FALSE(std::filesystem::exists(log_dir() / "00000000000000000000.log.deleted"));
}

TEST_F(LogRetentionTest, TimeRetentionDeletesSegmentsOlderThanRetentionMs) {
  auto log = five_segments();
  config_.retention_ms = 10000;
  log->update_config(config_);
  log->set_high_watermark(Offset(4));
  clock_.set(TimestampMs(kStartMs + 1000 * 2 + 10001));  // offsets 0..2 are older than 10 s
  EXPECT_EQ(log->delete_old_segments().value(), 3);
  EXPECT_EQ(log->log_start_offset(), Offset(3));
  EXPECT_EQ(log->segment_count(), 2);
}

TEST_F(LogRetentionTest, ActiveSegmentStaysWhileTheHighWatermarkIsBelowTheLogEnd) {
  auto log = five_segments();
  config_.retention_ms = 0;
  log->update_config(config_);
  log->set_high_watermark(Offset(4));
  clock_.advance(1000000);
  EXPECT_EQ(log->delete_old_segments().value(), 4);
  EXPECT_EQ(log->segment_count(), 1);
  EXPECT_EQ(log->segment_base_offsets().front(), Offset(4));
}

TEST_F(LogRetentionTest, DeletingEverySegmentRollsAnEmptyActiveSegmentFirst) {
  auto log = five_segments();
  config_.retention_ms = 0;
  log->update_config(config_);
  log->set_high_watermark(Offset(5));
  clock_.advance(1000000);
  EXPECT_EQ(log->delete_old_segments().value(), 5);
  EXPECT_EQ(log->segment_base_offsets(), std::vector<Offset>{Offset(5)});
  EXPECT_EQ(log->log_start_offset(), Offset(5));
  EXPECT_EQ(log->log_end_offset(), Offset(5));
  // The empty active segment is never deleted.
  EXPECT_EQ(log->delete_old_segments().value(), 0);
  append(*log, 1);
  EXPECT_EQ(log->log_end_offset(), Offset(6));
}

TEST_F(LogRetentionTest, DeleteRecordsRaisesTheLogStartAndRetentionReclaimsWholeSegments) {
  auto log = five_segments();
  log->set_high_watermark(Offset(5));
  EXPECT_EQ(log->delete_records_before(Offset(6)).error(), Errc::offset_out_of_range);
  ASSERT_TRUE(log->delete_records_before(Offset(3)));
  EXPECT_EQ(log->log_start_offset(), Offset(3));
  EXPECT_EQ(log->segment_count(), 5);
  EXPECT_EQ(log->delete_old_segments().value(), 3);
  EXPECT_EQ(log->segment_base_offsets().front(), Offset(3));
  EXPECT_EQ(log->log_start_offset(), Offset(3));
}

TEST_F(LogRetentionTest, TruncateToDropsLaterSegmentsAndCutsTheOneHoldingTheOffset) {
  config_.segment_bytes = 1200;
  auto log = open();
  for (int i = 0; i < 10; ++i) append(*log, 1, 420, TimestampMs(kStartMs), LeaderEpoch(i < 5 ? 1 : 2));
  log->set_high_watermark(Offset(10));
  ASSERT_GE(log->segment_count(), 4);
  ASSERT_TRUE(log->truncate_to(Offset(3)));
  EXPECT_EQ(log->log_end_offset(), Offset(3));
  EXPECT_EQ(log->high_watermark(), Offset(3));
  EXPECT_EQ(log->segment_base_offsets().back(), Offset(2));
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(2))).back().second, 2);
  EXPECT_EQ(log->leader_epoch_cache().latest_epoch(), LeaderEpoch(1));
  append(*log, 1);
  EXPECT_EQ(log->log_end_offset(), Offset(4));
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(3))).front().first, 3);
}

TEST_F(LogRetentionTest, TruncateToAtOrPastTheLogEndChangesNothing) {
  auto log = open();
  append(*log, 3);
  ASSERT_TRUE(log->truncate_to(Offset(3)));
  ASSERT_TRUE(log->truncate_to(Offset(10)));
  EXPECT_EQ(log->log_end_offset(), Offset(3));
}

TEST_F(LogRetentionTest, TruncateFullyAndStartAtLeavesOneEmptySegmentAtTheOffset) {
  auto log = five_segments();
  ASSERT_TRUE(log->truncate_fully_and_start_at(Offset(100)));
  EXPECT_EQ(log->segment_base_offsets(), std::vector<Offset>{Offset(100)});
  EXPECT_EQ(log->log_start_offset(), Offset(100));
  EXPECT_EQ(log->log_end_offset(), Offset(100));
  EXPECT_TRUE(log->leader_epoch_cache().entries().empty());
  EXPECT_TRUE(std::filesystem::exists(log_dir() / "00000000000000000100.log"));
  EXPECT_FALSE(std::filesystem::exists(log_dir() / "00000000000000000000.log"));
  auto info = append(*log, 1);
  EXPECT_EQ(info.first_offset, Offset(100));
}

TEST_F(LogRetentionTest, HighWatermarkIsClampedToTheLog) {
  auto log = open();
  append(*log, 3);
  log->set_high_watermark(Offset(10));
  EXPECT_EQ(log->high_watermark(), Offset(3));
  log->set_high_watermark(Offset(-5));
  EXPECT_EQ(log->high_watermark(), Offset(0));
}

}  // namespace
}  // namespace sluice::storage
