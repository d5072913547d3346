#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/leader_epoch_cache.h"
#include "storage/tests/log_fixture.h"

namespace sluice::storage {
namespace {

using testing::batch_offsets;
using testing::kStartMs;
using testing::read_bytes;
using testing::write_bytes;

class LogRecovery : public testing::LogTest {
 protected:
  LogRecovery() { config_.segment_bytes = 1200; }

  // Ten ~490-byte batches, two per segment: segments at 0, 2, 4, 6, 8. Closed afterwards.
  Bytes write_ten_batches() {
    auto log = open();
    for (int i = 0; i < 10; ++i) append(*log, 1, 420, TimestampMs(kStartMs + i), LeaderEpoch(i / 4));
    EXPECT_EQ(log->segment_count(), 5);
    Bytes all;
    for (int64_t o : {0, 2, 4, 6, 8}) {
      auto part = read_bytes_at(*log, Offset(o));
      all.insert(all.end(), part.begin(), part.end());
    }
    EXPECT_TRUE(log->close());
    return all;
  }

  Bytes read_everything(const Log& log) {
    Bytes all;
    for (Offset o = log.log_start_offset(); o < log.log_end_offset();) {
      auto part = read_bytes_at(log, o);
      auto offsets = batch_offsets(part);
      if (offsets.empty()) break;
      o = Offset(offsets[offsets.size() - 1].second + 1);
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }

  std::filesystem::path segment(int64_t base, const char* suffix) const {
    std::string digits = std::to_string(base);
    return log_dir() / (std::string(20 - digits.size(), '0') + digits + suffix);
  }

  static LogOpenOptions clean() {
    LogOpenOptions o;
    o.had_clean_shutdown = true;
    return o;
  }
};

TEST_F(LogRecovery, ReopenAfterCleanShutdownKeepsOffsetsAndContentWithoutScanning) {
  Bytes before = write_ten_batches();
  // Flip a record byte in the middle segment: a clean start trusts the data and does not notice.
  auto bytes = read_bytes(segment(4, ".log"));
  bytes[100] ^= std::byte{1};
  write_bytes(segment(4, ".log"), bytes);
  auto log = open(clean());
  EXPECT_EQ(log->log_end_offset(), Offset(10));
  EXPECT_EQ(log->segment_count(), 5);
  EXPECT_EQ(log->recovery_point(), Offset(10));
  EXPECT_EQ(read_everything(*log).size(), before.size());
}

TEST_F(LogRecovery, CleanReopenGrowsTheActiveIndexesBackAndAppendsContinue) {
  write_ten_batches();
  EXPECT_EQ(std::filesystem::file_size(segment(8, ".index")) % 8, 0u);
  auto log = open(clean());
  EXPECT_EQ(std::filesystem::file_size(segment(8, ".index")), 4096u);
  EXPECT_EQ(append(*log, 1, 10).first_offset, Offset(10));
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(10))).front().first, 10);
}

TEST_F(LogRecovery, UncleanReopenRecoversFromTheRecoveryPointAndDropsLaterSegments) {
  Bytes before = write_ten_batches();
  auto bytes = read_bytes(segment(4, ".log"));
  bytes[100] ^= std::byte{1};  // the first batch of segment 4 now fails its CRC
  write_bytes(segment(4, ".log"), bytes);
  LogOpenOptions options;
  options.recovery_point = Offset(3);
  auto log = open(options);
  EXPECT_EQ(log->log_end_offset(), Offset(4));
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<Offset>{Offset(0), Offset(2), Offset(4)}));
  EXPECT_FALSE(std::filesystem::exists(segment(6, ".log")));
  EXPECT_EQ(std::filesystem::file_size(segment(4, ".log")), 0u);
  EXPECT_EQ(read_everything(*log), Bytes(before.begin(), before.begin() + static_cast<long>(before.size() * 4 / 10)));
  EXPECT_EQ(log->leader_epoch_cache().latest_epoch(), LeaderEpoch(0));
}

TEST_F(LogRecovery, UncleanReopenTruncatesATornTailOfTheActiveSegment) {
  write_ten_batches();
  auto bytes = read_bytes(segment(8, ".log"));
  const size_t one_batch = bytes.size() / 2;
  bytes.resize(one_batch + 200);
  write_bytes(segment(8, ".log"), bytes);
  LogOpenOptions options;
  options.recovery_point = Offset(8);
  auto log = open(options);
  EXPECT_EQ(log->log_end_offset(), Offset(9));
  EXPECT_EQ(std::filesystem::file_size(segment(8, ".log")), one_batch);
  EXPECT_EQ(append(*log, 1).first_offset, Offset(9));
}

TEST_F(LogRecovery, GarbageLogFileIsTruncatedSafely) {
  std::filesystem::create_directories(log_dir());
  Bytes garbage(5000);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::byte>((i * 7919) % 251);
  write_bytes(segment(0, ".log"), garbage);
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  EXPECT_EQ(std::filesystem::file_size(segment(0, ".log")), 0u);
  EXPECT_EQ(append(*log, 1).first_offset, Offset(0));
}

TEST_F(LogRecovery, ZeroFilledPreallocatedTailIsTruncated) {
  config_.preallocate = true;
  {
    auto log = open();
    append(*log, 2);
    EXPECT_EQ(std::filesystem::file_size(segment(0, ".log")), 1200u);
    // No close: as after a crash, the .log keeps its preallocated zeros.
    std::filesystem::copy_file(segment(0, ".log"), log_dir() / "saved", std::filesystem::copy_options::overwrite_existing);
  }
  std::filesystem::rename(log_dir() / "saved", segment(0, ".log"));
  std::filesystem::remove(segment(0, ".index"));
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), Offset(2));
  EXPECT_LT(std::filesystem::file_size(segment(0, ".log")), 1200u);
}

TEST_F(LogRecovery, CorruptIndexFileIsRebuiltEvenAfterACleanShutdown) {
  write_ten_batches();
  Bytes nonsense(64, std::byte{0x7f});
  write_bytes(segment(2, ".index"), nonsense);
  write_bytes(segment(2, ".timeindex"), Bytes(24, std::byte{0x01}));
  auto log = open(clean());
  EXPECT_EQ(log->log_end_offset(), Offset(10));
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(3))).front().first, 3);
  EXPECT_EQ(log->fetch_offset_by_timestamp(TimestampMs(kStartMs + 3)).value()->offset, Offset(3));
  EXPECT_LE(std::filesystem::file_size(segment(2, ".index")), 16u);
}

TEST_F(LogRecovery, MissingIndexIsRebuilt) {
  write_ten_batches();
  std::filesystem::remove(segment(4, ".index"));
  std::filesystem::remove(segment(4, ".timeindex"));
  auto log = open(clean());
  EXPECT_TRUE(std::filesystem::exists(segment(4, ".index")));
  EXPECT_EQ(batch_offsets(read_bytes_at(*log, Offset(5))).front().first, 5);
  EXPECT_EQ(log->fetch_offset_by_timestamp(TimestampMs(kStartMs + 5)).value()->offset, Offset(5));
}

TEST_F(LogRecovery, LeftoverAndOrphanFilesAreRemovedOnLoad) {
  write_ten_batches();
  testing::write_text(segment(2, ".log.deleted"), "x");
  testing::write_text(segment(2, ".cleaned"), "x");
  testing::write_text(segment(30, ".index"), "");
  testing::write_text(segment(30, ".timeindex"), "");
  auto log = open(clean());
  EXPECT_FALSE(std::filesystem::exists(segment(2, ".log.deleted")));
  EXPECT_FALSE(std::filesystem::exists(segment(2, ".cleaned")));
  EXPECT_FALSE(std::filesystem::exists(segment(30, ".index")));
  EXPECT_FALSE(std::filesystem::exists(segment(30, ".timeindex")));
  EXPECT_EQ(log->segment_count(), 5);
}

TEST_F(LogRecovery, LogStartBeyondTheDataStartsAnEmptyLogThere) {
  write_ten_batches();
  LogOpenOptions options = clean();
  options.log_start_offset = Offset(50);
  auto log = open(options);
  EXPECT_EQ(log->log_start_offset(), Offset(50));
  EXPECT_EQ(log->log_end_offset(), Offset(50));
  EXPECT_EQ(log->segment_base_offsets(), std::vector<Offset>{Offset(50)});
}

TEST_F(LogRecovery, CheckpointedLogStartInsideTheLogIsKeptAndHighWatermarkClamped) {
  write_ten_batches();
  LogOpenOptions options = clean();
  options.log_start_offset = Offset(3);
  options.high_watermark = Offset(99);
  auto log = open(options);
  EXPECT_EQ(log->log_start_offset(), Offset(3));
  EXPECT_EQ(log->high_watermark(), Offset(10));
}

TEST_F(LogRecovery, RecoveryRebuildsLeaderEpochsFromTheBatches) {
  write_ten_batches();
  std::filesystem::remove(log_dir() / "leader-epoch-checkpoint");
  auto log = open();
  auto entries = log->leader_epoch_cache().entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1], (EpochEntry{LeaderEpoch(1), Offset(4)}));
  EXPECT_EQ(entries[2], (EpochEntry{LeaderEpoch(2), Offset(8)}));
}

TEST_F(LogRecovery, CorruptLeaderEpochCheckpointFailsTheOpen) {
  write_ten_batches();
  testing::write_text(log_dir() / "leader-epoch-checkpoint", "0\n1\nnot numbers\n");
  auto log = Log::open(log_dir(), config_, clean(), clock_);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error(), Errc::corrupt_checkpoint);
}

}  // namespace
}  // namespace sluice::storage
