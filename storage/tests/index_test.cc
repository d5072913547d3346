#include <gtest/gtest.h>

#include "storage/offset_index.h"
#include "storage/tests/test_util.h"
#include "storage/time_index.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

std::unique_ptr<OffsetIndex> open_offset_index(const TempDir& dir, int64_t max_size = 4096) {
  return OffsetIndex::open(dir.path() / "00000000000000000100.index", Offset(100), max_size).value();
}

std::unique_ptr<TimeIndex> open_time_index(const TempDir& dir, int64_t max_size = 4096) {
  return TimeIndex::open(dir.path() / "00000000000000000100.timeindex", Offset(100), max_size).value();
}

TEST(OffsetIndex, NewIndexIsPreallocatedRoundedDownToEntrySize) {
  TempDir dir;
  auto index = open_offset_index(dir, 4099);
  EXPECT_EQ(index->entries(), 0);
  EXPECT_EQ(index->max_entries(), 512);
  EXPECT_EQ(std::filesystem::file_size(index->path()), 4096u);
}

TEST(OffsetIndex, EmptyIndexLooksUpToBaseOffsetAtPositionZero) {
  TempDir dir;
  auto index = open_offset_index(dir);
  auto found = index->lookup(Offset(150));
  EXPECT_EQ(found.offset, Offset(100));
  EXPECT_EQ(found.position, FilePosition(0));
}

TEST(OffsetIndex, LookupReturnsLargestEntryAtOrBelow) {
  TempDir dir;
  auto index = open_offset_index(dir);
  for (int i = 1; i <= 10; ++i) index->append(Offset(100 + i * 10), FilePosition(i * 1000));
  EXPECT_EQ(index->lookup(Offset(135)).offset, Offset(130));
  EXPECT_EQ(index->lookup(Offset(135)).position, FilePosition(3000));
  EXPECT_EQ(index->lookup(Offset(140)).position, FilePosition(4000));
  EXPECT_EQ(index->lookup(Offset(105)).position, FilePosition(0));
  EXPECT_EQ(index->lookup(Offset(5000)).offset, Offset(200));
}

TEST(OffsetIndex, LookupFindsEntriesInTheColdSectionOfALargeIndex) {
  TempDir dir;
  auto index = open_offset_index(dir, 1 << 20);
  // 8 KiB of 8-byte entries is 1024 warm entries; 5000 leaves most of the index cold.
  for (int i = 0; i < 5000; ++i) index->append(Offset(100 + i * 2), FilePosition(i * 100));
  EXPECT_EQ(index->lookup(Offset(100 + 2 * 17 + 1)).position, FilePosition(1700));
  EXPECT_EQ(index->lookup(Offset(100 + 2 * 4990)).position, FilePosition(499000));
  EXPECT_EQ(index->lookup(Offset(100 + 2 * 3975)).position, FilePosition(397500));
  EXPECT_EQ(index->lookup_by_position(FilePosition(1750)).offset, Offset(100 + 2 * 17));
}

TEST(OffsetIndex, AppendIgnoresEntriesNotAboveTheLastOne) {
  TempDir dir;
  auto index = open_offset_index(dir);
  index->append(Offset(110), FilePosition(100));
  index->append(Offset(110), FilePosition(200));
  index->append(Offset(105), FilePosition(300));
  EXPECT_EQ(index->entries(), 1);
}

TEST(OffsetIndex, IsFullAtMaxEntries) {
  TempDir dir;
  auto index = open_offset_index(dir, 16);
  index->append(Offset(101), FilePosition(10));
  EXPECT_FALSE(index->is_full());
  index->append(Offset(102), FilePosition(20));
  EXPECT_TRUE(index->is_full());
  index->append(Offset(103), FilePosition(30));
  EXPECT_EQ(index->entries(), 2);
}

TEST(OffsetIndex, TruncateToDropsEntriesAtOrAboveTheOffset) {
  TempDir dir;
  auto index = open_offset_index(dir);
  for (int i = 1; i <= 5; ++i) index->append(Offset(100 + i * 10), FilePosition(i * 100));
  index->truncate_to(Offset(130));
  EXPECT_EQ(index->entries(), 2);
  EXPECT_EQ(index->last_offset(), Offset(120));
  index->truncate_to(Offset(50));
  EXPECT_EQ(index->entries(), 0);
}

TEST(OffsetIndex, TrimmedIndexReopensWithItsEntries) {
  TempDir dir;
  {
    auto index = open_offset_index(dir);
    for (int i = 1; i <= 3; ++i) index->append(Offset(100 + i), FilePosition(i * 100));
    ASSERT_TRUE(index->close());
  }
  EXPECT_EQ(std::filesystem::file_size(dir.path() / "00000000000000000100.index"), 24u);
  auto index = open_offset_index(dir);
  EXPECT_EQ(index->entries(), 3);
  EXPECT_TRUE(index->sanity_check());
  EXPECT_EQ(index->lookup(Offset(102)).position, FilePosition(200));
  ASSERT_TRUE(index->resize(4096));
  EXPECT_EQ(index->entries(), 3);
  EXPECT_EQ(index->max_entries(), 512);
}

TEST(OffsetIndex, UntrimmedIndexFailsItsSanityCheck) {
  TempDir dir;
  {
    auto index = open_offset_index(dir);
    index->append(Offset(101), FilePosition(100));
    // No close: the file keeps its zero-filled preallocated tail, as after a crash.
  }
  auto index = open_offset_index(dir);
  EXPECT_EQ(index->entries(), 512);
  EXPECT_FALSE(index->sanity_check());
}

TEST(TimeIndex, IsFullOneEntryBeforeMaxToKeepTheFinalSlot) {
  TempDir dir;
  auto index = open_time_index(dir, 36);
  EXPECT_EQ(index->max_entries(), 3);
  index->maybe_append(TimestampMs(10), Offset(101));
  index->maybe_append(TimestampMs(20), Offset(102));
  EXPECT_TRUE(index->is_full());
  index->maybe_append(TimestampMs(30), Offset(103));
  EXPECT_EQ(index->entries(), 2);
  index->maybe_append(TimestampMs(30), Offset(103), true);
  EXPECT_EQ(index->entries(), 3);
}

TEST(TimeIndex, AppendsOnlyStrictlyLargerTimestamps) {
  TempDir dir;
  auto index = open_time_index(dir);
  index->maybe_append(kNoTimestamp, Offset(100));
  EXPECT_EQ(index->entries(), 0);
  index->maybe_append(TimestampMs(50), Offset(101));
  index->maybe_append(TimestampMs(50), Offset(102));
  index->maybe_append(TimestampMs(40), Offset(103));
  index->maybe_append(TimestampMs(60), Offset(104));
  ASSERT_EQ(index->entries(), 2);
  EXPECT_EQ(index->last_entry().timestamp, TimestampMs(60));
  EXPECT_EQ(index->last_entry().offset, Offset(104));
}

TEST(TimeIndex, LookupReturnsLargestTimestampAtOrBelowTarget) {
  TempDir dir;
  auto index = open_time_index(dir);
  EXPECT_EQ(index->lookup(TimestampMs(5)).offset, Offset(100));
  EXPECT_EQ(index->lookup(TimestampMs(5)).timestamp, kNoTimestamp);
  for (int i = 1; i <= 4; ++i) index->maybe_append(TimestampMs(i * 100), Offset(100 + i * 10));
  EXPECT_EQ(index->lookup(TimestampMs(250)).offset, Offset(120));
  EXPECT_EQ(index->lookup(TimestampMs(300)).offset, Offset(130));
  EXPECT_EQ(index->lookup(TimestampMs(50)).offset, Offset(100));
}

TEST(TimeIndex, TruncateToDropsEntriesAtOrAboveTheOffset) {
  TempDir dir;
  auto index = open_time_index(dir);
  for (int i = 1; i <= 4; ++i) index->maybe_append(TimestampMs(i * 100), Offset(100 + i * 10));
  index->truncate_to(Offset(125));
  EXPECT_EQ(index->entries(), 2);
  EXPECT_EQ(index->last_entry().timestamp, TimestampMs(200));
}

TEST(TimeIndex, DecreasingTimestampsOnDiskFailTheSanityCheck) {
  TempDir dir;
  {
    auto index = open_time_index(dir);
    index->maybe_append(TimestampMs(100), Offset(101));
    index->maybe_append(TimestampMs(200), Offset(102));
    ASSERT_TRUE(index->close());
  }
  auto path = dir.path() / "00000000000000000100.timeindex";
  auto bytes = testing::read_bytes(path);
  store_be<int64_t>(bytes.data() + 12, 50);
  testing::write_bytes(path, bytes);
  EXPECT_FALSE(open_time_index(dir)->sanity_check());
}

}  // namespace
}  // namespace sluice::storage
