#include <unistd.h>

#include <gtest/gtest.h>

#include "storage/log_segment.h"
#include "storage/tests/test_batches.h"
#include "storage/tests/test_util.h"

namespace sluice::storage {
namespace {

using testing::make_batch;
using testing::TempDir;

LogConfig small_config() {
  LogConfig c;
  c.segment_bytes = 1 << 20;
  c.segment_index_bytes = 4096;
  c.index_interval_bytes = 100;
  return c;
}

// Appends `n` one-record batches of ~100 bytes at offsets base, base+1, ... with timestamp 1000+i.
void append_batches(LogSegment& segment, Offset base, int n) {
  for (int i = 0; i < n; ++i) {
    const Offset o = base + i;
    auto batch = make_batch(o, 1, 40, TimestampMs(1000 + o.value()));
    ASSERT_TRUE(segment.append(o, TimestampMs(1000 + o.value()), o, batch));
  }
}

TEST(LogSegment, AppendAddsAnIndexEntryOnlyAfterIndexIntervalBytes) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(0), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(0), 1);
  EXPECT_EQ(segment->offset_index().entries(), 0);
  append_batches(*segment, Offset(1), 10);
  EXPECT_GT(segment->offset_index().entries(), 2);
  EXPECT_EQ(segment->time_index().entries(), segment->offset_index().entries());
}

TEST(LogSegment, TranslateOffsetFindsTheBatchHoldingTheOffset) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(50), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(50), 20);
  auto loc = segment->translate_offset(Offset(63)).value();
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->base_offset, Offset(63));
  EXPECT_EQ(loc->position.value() % loc->size, 0);
  EXPECT_FALSE(segment->translate_offset(Offset(70)).value());
}

TEST(LogSegment, ReadReturnsWholeBatchesWithinMaxBytes) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(0), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(0), 10);
  const int64_t batch_size = segment->size() / 10;
  auto slice = segment->read(Offset(2), batch_size * 3 + batch_size / 2, FilePosition(segment->size()), false).value();
  ASSERT_TRUE(slice);
  EXPECT_EQ(slice->position, FilePosition(2 * batch_size));
  EXPECT_EQ(slice->length, 3 * batch_size);
}

TEST(LogSegment, RecoverRebuildsIndexesAndTruncatesATornTail) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(0), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(0), 10);
  const int64_t good_size = segment->size();
  const auto log_path = segment->log_path();
  ASSERT_TRUE(segment->close());
  segment.reset();
  // A torn write: half a batch after the good ones.
  auto extra = make_batch(Offset(10), 1, 40, TimestampMs(2000));
  auto bytes = testing::read_bytes(log_path);
  bytes.insert(bytes.end(), extra.begin(), extra.begin() + 30);
  testing::write_bytes(log_path, bytes);

  bool needs_recovery = false;
  segment = LogSegment::open(dir.path(), Offset(0), small_config(), TimestampMs(0), 0, &needs_recovery).value();
  EXPECT_EQ(segment->recover(nullptr).value(), 30);
  EXPECT_EQ(segment->size(), good_size);
  EXPECT_EQ(std::filesystem::file_size(log_path), static_cast<uint64_t>(good_size));
  EXPECT_EQ(segment->read_next_offset().value(), Offset(10));
  EXPECT_EQ(segment->max_timestamp_so_far(), TimestampMs(1009));
}

TEST(LogSegment, RecoverTruncatesAtABatchWithABadCrc) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(0), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(0), 4);
  const int64_t batch_size = segment->size() / 4;
  const auto log_path = segment->log_path();
  ASSERT_TRUE(segment->close());
  segment.reset();
  auto bytes = testing::read_bytes(log_path);
  bytes[static_cast<size_t>(2 * batch_size + 70)] ^= std::byte{0xff};
  testing::write_bytes(log_path, bytes);
  bool needs_recovery = false;
  segment = LogSegment::open(dir.path(), Offset(0), small_config(), TimestampMs(0), 0, &needs_recovery).value();
  EXPECT_EQ(segment->recover(nullptr).value(), 2 * batch_size);
  EXPECT_EQ(segment->read_next_offset().value(), Offset(2));
}

TEST(LogSegment, ShouldRollOnSizeTimeFullIndexAndOffsetOverflow) {
  TempDir dir;
  LogConfig config = small_config();
  config.segment_index_bytes = 24;  // 3 offset entries, 2 time entries
  auto segment = LogSegment::create(dir.path(), Offset(0), config, TimestampMs(0), 0).value();
  RollParams p{1000, 500, 10, TimestampMs(0), Offset(0), TimestampMs(0)};
  EXPECT_FALSE(segment->should_roll(p));
  append_batches(*segment, Offset(0), 1);
  p.max_offset_in_messages = Offset(1);
  p.max_timestamp_in_messages = TimestampMs(1000);
  EXPECT_FALSE(segment->should_roll(p));
  p.max_timestamp_in_messages = TimestampMs(1000 + 501);  // first batch's max timestamp was 1000
  EXPECT_TRUE(segment->should_roll(p));
  p.max_timestamp_in_messages = TimestampMs(1000);
  p.messages_size = 1000 - segment->size() + 1;
  EXPECT_TRUE(segment->should_roll(p));
  p.messages_size = 10;
  p.max_offset_in_messages = Offset(int64_t{INT32_MAX} + 1);
  EXPECT_TRUE(segment->should_roll(p));
  p.max_offset_in_messages = Offset(5);
  append_batches(*segment, Offset(1), 6);
  EXPECT_TRUE(segment->time_index().is_full());
  EXPECT_TRUE(segment->should_roll(p));
}

TEST(LogSegment, TruncateToCutsAtTheBatchHoldingTheOffset) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(0), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(0), 10);
  const int64_t batch_size = segment->size() / 10;
  EXPECT_EQ(segment->truncate_to(Offset(6), TimestampMs(0)).value(), 4 * batch_size);
  EXPECT_EQ(segment->size(), 6 * batch_size);
  EXPECT_EQ(segment->read_next_offset().value(), Offset(6));
  EXPECT_EQ(segment->max_timestamp_so_far(), TimestampMs(1005));
}

TEST(LogSegment, DeletedSegmentStaysReadableThroughAnOpenSlice) {
  TempDir dir;
  auto segment = LogSegment::create(dir.path(), Offset(0), small_config(), TimestampMs(0), 0).value();
  append_batches(*segment, Offset(0), 3);
  auto slice = segment->read(Offset(0), 1 << 20, FilePosition(segment->size()), false).value();
  ASSERT_TRUE(slice);
  ASSERT_TRUE(segment->delete_files());
  segment.reset();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  auto bytes = slice->read_all().value();
  EXPECT_EQ(static_cast<int64_t>(bytes.size()), slice->length);
}

}  // namespace
}  // namespace sluice::storage
