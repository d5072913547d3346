#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/tests/log_fixture.h"

namespace sluice::storage {
namespace {

using testing::batch_offsets;
using testing::kStartMs;
using testing::make_batch;
using LogRead = testing::LogTest;
using Pairs = std::vector<std::pair<int64_t, int64_t>>;

TEST_F(LogRead, ReadStartsAtTheBatchHoldingTheOffset) {
  auto log = open();
  append(*log, 3);  // 0..2
  append(*log, 3);  // 3..5
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(4))), (Pairs{{3, 5}}));
  auto slice = log->read(Offset(4), 1 << 20, std::nullopt, false).value();
  EXPECT_EQ(slice.first_offset, Offset(4));
}

TEST_F(LogRead, ReadAtTheLogEndIsEmptyAndBeyondIsOutOfRange) {
  auto log = open();
  append(*log, 2);
  auto at_end = log->read(Offset(2), 1000, std::nullopt, false);
  ASSERT_TRUE(at_end);
  EXPECT_TRUE(at_end.value().empty());
  EXPECT_EQ(log->read(Offset(3), 1000, std::nullopt, false).error(), Errc::offset_out_of_range);
  EXPECT_EQ(log->read(Offset(-1), 1000, std::nullopt, false).error(), Errc::offset_out_of_range);
}

TEST_F(LogRead, ReadBelowTheLogStartIsOutOfRange) {
  auto log = open();
  for (int i = 0; i < 5; ++i) append(*log, 1);
  log->set_high_watermark(Offset(5));
  ASSERT_TRUE(log->delete_records_before(Offset(3)));
  EXPECT_EQ(log->read(Offset(2), 1000, std::nullopt, false).error(), Errc::offset_out_of_range);
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(3))).front().first, 3);
}

TEST_F(LogRead, MaxBytesCutsAtAWholeBatchBoundary) {
  auto log = open();
  for (int i = 0; i < 10; ++i) append(*log, 1, 100);
  const int64_t batch = log->size_in_bytes() / 10;
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(0), 3 * batch + batch / 2)), (Pairs{{0, 0}, {1, 1}, {2, 2}}));
}

TEST_F(LogRead, MinOneBatchReturnsAFirstBatchLargerThanMaxBytes) {
  auto log = open();
  append(*log, 1, 1000);
  append(*log, 1, 1000);
  auto without = log->read(Offset(0), 100, std::nullopt, false).value();
  EXPECT_TRUE(without.empty());
  auto with = log->read(Offset(0), 100, std::nullopt, true).value();
  EXPECT_EQ(batch_offsets(with.read_all().value()), (Pairs{{0, 0}}));
}

TEST_F(LogRead, MaxOffsetBoundsTheReadToBatchesBelowIt) {
  auto log = open();
  for (int i = 0; i < 5; ++i) append(*log, 2);  // batches 0-1, 2-3, 4-5, 6-7, 8-9
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(2), 1 << 20, Offset(6))), (Pairs{{2, 3}, {4, 5}}));
  EXPECT_TRUE(log->read(Offset(6), 1 << 20, Offset(6), true).value().empty());
  EXPECT_TRUE(log->read(Offset(7), 1 << 20, Offset(6), true).value().empty());
}

TEST_F(LogRead, ReadsCrossSegmentBoundariesOneSegmentAtATime) {
  config_.segment_bytes = 1000;
  auto log = open();
  for (int i = 0; i < 12; ++i) append(*log, 1, 200);
  auto bases = log->segment_base_offsets();
  ASSERT_GE(bases.size(), 3u);
  // A read from inside the first segment stops at its end.
  auto first = batch_offsets(read_bytes_at(*log, Offset(1)));
  EXPECT_EQ(first.front().first, 1);
  EXPECT_EQ(first.back().second, bases[1].value() - 1);
  // Reading on from the next segment's base continues there, and every offset is readable.
  for (int64_t o = 0; o < 12; ++o) EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(o))).front().first, o);
  // A max_offset inside a later segment does not bound an earlier one.
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(0), 1 << 20, Offset(11))).back().second, bases[1].value() - 1);
}

TEST_F(LogRead, FetchOffsetByTimestampFindsTheFirstRecordAtOrAfterTheTarget) {
  config_.segment_bytes = 1500;
  auto log = open();
  for (int i = 0; i < 10; ++i) append(*log, 3, 100, TimestampMs(1000 + i * 100), LeaderEpoch(0));
  // Batch i holds offsets 3i..3i+2 with timestamps 1000+100i, +1, +2.
  ASSERT_GE(log->segment_count(), 2);
  auto exact = log->fetch_offset_by_timestamp(TimestampMs(1501)).value();
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->offset, Offset(16));
  EXPECT_EQ(exact->timestamp, TimestampMs(1501));
  auto between = log->fetch_offset_by_timestamp(TimestampMs(1550)).value();
  ASSERT_TRUE(between);
  EXPECT_EQ(between->offset, Offset(18));
  EXPECT_EQ(log->fetch_offset_by_timestamp(TimestampMs(0)).value()->offset, Offset(0));
  EXPECT_FALSE(log->fetch_offset_by_timestamp(TimestampMs(5000)).value());
}

TEST_F(LogRead, FetchOffsetByTimestampAnswersTheSpecialTargets) {
  auto log = open();
  append(*log, 4);
  EXPECT_EQ(log->fetch_offset_by_timestamp(TimestampMs(-2)).value()->offset, Offset(0));
  EXPECT_EQ(log->fetch_offset_by_timestamp(TimestampMs(-1)).value()->offset, Offset(4));
}

}  // namespace
}  // namespace sluice::storage
