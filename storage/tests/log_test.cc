#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/leader_epoch_cache.h"
#include "storage/tests/log_fixture.h"

namespace sluice::storage {
namespace {

using testing::batch_offsets;
using testing::kStartMs;
using testing::make_batch;
using Log_ = testing::LogTest;

TEST_F(Log_, NewLogStartsEmptyWithOneSegmentFile) {
  auto log = open();
  EXPECT_EQ(log->log_start_offset(), Offset(0));
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  EXPECT_EQ(log->topic_partition(), (TopicPartition{"orders", PartitionId(0)}));
  EXPECT_TRUE(std::filesystem::exists(log_dir() / "00000000000000000000.log"));
  EXPECT_TRUE(std::filesystem::exists(log_dir() / "00000000000000000000.index"));
  EXPECT_TRUE(std::filesystem::exists(log_dir() / "00000000000000000000.timeindex"));
}

TEST_F(Log_, LeaderAppendAssignsOffsetsAndStampsTheEpoch) {
  auto log = open();
  auto first = append(*log, 3);
  auto second = append(*log, 2, 100, TimestampMs(kStartMs), LeaderEpoch(7));
  EXPECT_EQ(first.first_offset, Offset(0));
  EXPECT_EQ(first.last_offset, Offset(2));
  EXPECT_EQ(second.first_offset, Offset(3));
  EXPECT_EQ(second.last_offset, Offset(4));
  EXPECT_EQ(second.record_count, 2);
  EXPECT_EQ(log->log_end_offset(), Offset(5));
  auto bytes = read_bytes_at(*log, Offset(3));
  auto header = protocol::RecordBatchHeader::parse(bytes, bytes.size()).value();
  EXPECT_EQ(header.base_offset, Offset(3));
  EXPECT_EQ(header.partition_leader_epoch, LeaderEpoch(7));
  EXPECT_TRUE(protocol::verify_crc(bytes));
}

TEST_F(Log_, AppendWithABadCrcWritesNothing) {
  auto log = open();
  Bytes batches = testing::concat({make_batch(Offset(0), 1, 10, TimestampMs(1)), make_batch(Offset(0), 1, 10, TimestampMs(1))});
  batches.back() ^= std::byte{1};
  EXPECT_EQ(log->validate_and_append_as_leader(batches, LeaderEpoch(0)).error(), Errc::corrupt_batch);
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  EXPECT_EQ(log->size_in_bytes(), 0);
}

TEST_F(Log_, AppendRejectsTruncatedFramingAndOversizedBatches) {
  auto log = open();
  Bytes batch = make_batch(Offset(0), 1, 100, TimestampMs(1));
  Bytes torn(batch.begin(), batch.end() - 1);
  EXPECT_EQ(log->validate_and_append_as_leader(torn, LeaderEpoch(0)).error(), Errc::corrupt_batch);
  config_.max_message_bytes = 100;
  log->update_config(config_);
  EXPECT_EQ(log->validate_and_append_as_leader(batch, LeaderEpoch(0)).error(), Errc::batch_too_large);
}

TEST_F(Log_, AppendLargerThanASegmentIsRecordListTooLarge) {
  config_.segment_bytes = 1000;
  auto log = open();
  Bytes batch = make_batch(Offset(0), 10, 100, TimestampMs(1));
  EXPECT_EQ(log->validate_and_append_as_leader(batch, LeaderEpoch(0)).error(), Errc::record_list_too_large);
}

TEST_F(Log_, LogAppendTimeSetsTheAttributeAndMaxTimestampAndKeepsTheCrcValid) {
  config_.timestamp_type = protocol::TimestampType::log_append_time;
  auto log = open();
  clock_.set(TimestampMs(kStartMs + 5000));
  auto info = append(*log, 2, 10, TimestampMs(5));
  EXPECT_EQ(info.log_append_time, TimestampMs(kStartMs + 5000));
  EXPECT_EQ(info.max_timestamp, TimestampMs(kStartMs + 5000));
  auto bytes = read_bytes_at(*log, Offset(0));
  auto header = protocol::RecordBatchHeader::parse(bytes, bytes.size()).value();
  EXPECT_EQ(header.timestamp_type(), protocol::TimestampType::log_append_time);
  EXPECT_EQ(header.max_timestamp, TimestampMs(kStartMs + 5000));
  EXPECT_TRUE(protocol::verify_crc(bytes));
}

TEST_F(Log_, FollowerAppendKeepsTheLeadersOffsetsAndEpochs) {
  auto log = open();
  Bytes batches = testing::concat({make_batch(Offset(0), 2, 10, TimestampMs(1), 1, LeaderEpoch(1)),
                                   make_batch(Offset(2), 3, 10, TimestampMs(1), 1, LeaderEpoch(4))});
  auto info = log->validate_and_append_as_follower(batches).value();
  EXPECT_EQ(info.first_offset, Offset(0));
  EXPECT_EQ(info.last_offset, Offset(4));
  EXPECT_EQ(log->log_end_offset(), Offset(5));
  auto entries = log->leader_epoch_cache().entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1], (EpochEntry{LeaderEpoch(4), Offset(2)}));
}

TEST_F(Log_, FollowerAppendBelowTheLogEndIsInvalidOffset) {
  auto log = open();
  append(*log, 3);
  Bytes batch = make_batch(Offset(1), 1, 10, TimestampMs(1));
  EXPECT_EQ(log->validate_and_append_as_follower(batch).error(), Errc::invalid_offset);
}

TEST_F(Log_, LeaderAppendsRecordNewEpochsInTheCache) {
  auto log = open();
  append(*log, 2, 10, TimestampMs(1), LeaderEpoch(0));
  append(*log, 2, 10, TimestampMs(1), LeaderEpoch(0));
  append(*log, 1, 10, TimestampMs(1), LeaderEpoch(3));
  auto entries = log->leader_epoch_cache().entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], (EpochEntry{LeaderEpoch(0), Offset(0)}));
  EXPECT_EQ(entries[1], (EpochEntry{LeaderEpoch(3), Offset(4)}));
  EXPECT_TRUE(std::filesystem::exists(log_dir() / "leader-epoch-checkpoint"));
}

TEST_F(Log_, RollsWhenTheSegmentIsFull) {
  config_.segment_bytes = 2000;
  auto log = open();
  for (int i = 0; i < 10; ++i) append(*log, 1, 400);
  EXPECT_GE(log->segment_count(), 3);
  auto bases = log->segment_base_offsets();
  for (size_t i = 1; i < bases.size(); ++i) {
    EXPECT_TRUE(std::filesystem::exists(log_dir() / (std::string(20 - std::to_string(bases[i].value()).size(), '0') +
                                                     std::to_string(bases[i].value()) + ".log")));
  }
}

TEST_F(Log_, RollsByTimeUsingRecordTimestamps) {
  config_.segment_ms = 60000;
  auto log = open();
  append(*log, 1, 10, TimestampMs(kStartMs));
  append(*log, 1, 10, TimestampMs(kStartMs + 60000));
  EXPECT_EQ(log->segment_count(), 1);
  append(*log, 1, 10, TimestampMs(kStartMs + 60001));
  EXPECT_EQ(log->segment_count(), 2);
  EXPECT_EQ(log->segment_base_offsets().back(), Offset(2));
}

TEST_F(Log_, RollIfDueRollsAnOldSegmentByTheClock) {
  config_.segment_ms = 1000;
  auto log = open();
  append(*log, 1, 10, TimestampMs(-1));  // no timestamps: the segment's age counts
  ASSERT_TRUE(log->roll_if_due());
  EXPECT_EQ(log->segment_count(), 1);
  clock_.advance(1001);
  ASSERT_TRUE(log->roll_if_due());
  EXPECT_EQ(log->segment_count(), 2);
  ASSERT_TRUE(log->roll_if_due());  // an empty active segment never rolls
  EXPECT_EQ(log->segment_count(), 2);
}

TEST_F(Log_, RollsWhenTheIndexIsFull) {
  config_.segment_index_bytes = 36;  // the time index holds 3 entries and is full at 2
  config_.index_interval_bytes = 0;
  auto log = open();
  for (int i = 0; i < 8; ++i) append(*log, 1, 10, TimestampMs(kStartMs + i));
  EXPECT_GE(log->segment_count(), 3);
}

TEST_F(Log_, FlushMessagesFlushesAndAdvancesTheRecoveryPoint) {
  config_.flush_messages = 3;
  auto log = open();
  append(*log, 1);
  append(*log, 1);
  EXPECT_EQ(log->recovery_point(), Offset(0));
  append(*log, 1);
  EXPECT_EQ(log->recovery_point(), Offset(3));
}

TEST_F(Log_, FlushIfDueFlushesAfterFlushMsAndAfterARoll) {
  config_.flush_ms = 1000;
  config_.segment_bytes = 1000;
  auto log = open();
  append(*log, 1, 10);
  EXPECT_FALSE(log->flush_if_due().value());
  clock_.advance(1000);
  EXPECT_TRUE(log->flush_if_due().value());
  EXPECT_EQ(log->recovery_point(), Offset(1));
  for (int i = 0; i < 4; ++i) append(*log, 1, 300);
  ASSERT_GE(log->segment_count(), 2);
  EXPECT_TRUE(log->flush_if_due().value());
  EXPECT_EQ(log->recovery_point(), log->segment_base_offsets().back());
}

TEST_F(Log_, OperationsAfterCloseFailInsteadOfCrashing) {
  auto log = open();
  append(*log, 1);
  ASSERT_TRUE(log->close());
  Bytes batch = make_batch(Offset(0), 1, 10, TimestampMs(1));
  EXPECT_FALSE(log->validate_and_append_as_leader(batch, LeaderEpoch(0)));
  EXPECT_FALSE(log->read(Offset(0), 100, std::nullopt, false));
  EXPECT_TRUE(log->close());
}

TEST(LogDirName, ParsesTopicAndPartitionAfterTheLastDash) {
  auto tp = parse_log_dir_name("my-topic-12").value();
  EXPECT_EQ(tp.topic, "my-topic");
  EXPECT_EQ(tp.partition, PartitionId(12));
  EXPECT_FALSE(parse_log_dir_name("nodash"));
  EXPECT_FALSE(parse_log_dir_name("topic-"));
  EXPECT_FALSE(parse_log_dir_name("topic-x1"));
  EXPECT_FALSE(parse_log_dir_name("-3"));
}

}  // namespace
}  // namespace sluice::storage
