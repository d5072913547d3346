// Log: one partition's append-only log, a directory "<topic>-<partition>" of LogSegments, each a
// .log of record batches named by its 20-digit base offset with a sparse .index and .timeindex
// (Kafka 2.8's layout; docs/formats/log.md).
//
// Owner: one Partition. Thread-safe: a mutex guards the segment list and offsets (as Kafka's
// Log.lock); reads hold it only to compute a FileSlice, which is then read or sent without it.
// Invariants: log_start_offset <= high_watermark <= log_end_offset; segment base offsets
//   strictly increase and each segment holds only offsets below the next one's base; the active
//   (last) segment is never deleted by retention.
// Crash behaviour: writes go to the page cache; fsync happens on roll, by flush.messages /
//   flush.ms, and on close. An unclean start recovers every segment from the recovery point: it
//   validates each batch (framing, CRC), truncates at the first bad one, drops later segments and
//   rebuilds the indexes. Nothing before the corruption point is lost; nothing after it is served.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"
#include "storage/clock.h"
#include "storage/file_slice.h"
#include "storage/log_config.h"

namespace sluice::storage {

class LogSegment;
class LeaderEpochFileCache;
class ValidatedBatches;

// What an append did.
struct LogAppendInfo {
  Offset first_offset{-1};            // base offset of the first appended batch
  Offset last_offset{-1};             // last offset appended
  TimestampMs max_timestamp = kNoTimestamp;
  Offset offset_of_max_timestamp{-1};
  TimestampMs log_append_time = kNoTimestamp;  // set when the topic uses LogAppendTime
  int32_t batch_count = 0;
  int64_t record_count = 0;
  int64_t valid_bytes = 0;
};

// Where an offset sits in the log, as Kafka's LogOffsetMetadata: the base offset of the segment
// that holds it and its byte position there. A waiting fetch compares these instead of reading.
struct LogOffsetMetadata {
  Offset offset{-1};
  Offset segment_base{-1};
  int64_t position = 0;
};

struct TimestampAndOffset {
  TimestampMs timestamp;
  Offset offset;
};

// Where a Log starts from when opened; the LogManager fills it from its checkpoints.
struct LogOpenOptions {
  Offset recovery_point{0};            // offsets below are known flushed; recovery starts here
  std::optional<Offset> log_start_offset;  // from log-start-offset-checkpoint, if present
  std::optional<Offset> high_watermark;    // from replication-offset-checkpoint, if present
  bool had_clean_shutdown = false;     // skip recovery (the dir's clean-shutdown marker was seen)
};

class Log {
 public:
  // Opens (creating if absent) the log in `dir`, whose name must be "<topic>-<partition>".
  // Runs recovery unless options.had_clean_shutdown. REQUIRES: clock outlives the Log.
  static Result<std::unique_ptr<Log>> open(std::filesystem::path dir, LogConfig config,
                                           LogOpenOptions options, Clock& clock);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Leader append of a producer's batches (one validation, validated_batches.h, proves them):
  // assigns offsets from log_end_offset and stamps `epoch`, in place; all or nothing.
  Result<LogAppendInfo> append_as_leader(ValidatedBatches& batches, LeaderEpoch epoch);
  // Follower append: keeps the leader's offsets and epochs, which must start at or after
  // log_end_offset (invalid_offset otherwise).
  Result<LogAppendInfo> append_as_follower(const ValidatedBatches& batches);
  // For tools, tests and benchmarks: validate (a copy, for the leader) and append in one call.
  Result<LogAppendInfo> validate_and_append_as_leader(ByteView batches, LeaderEpoch epoch);
  Result<LogAppendInfo> validate_and_append_as_follower(ByteView batches);

  // Reads whole batches starting at the one holding `start` (offset_out_of_range outside
  // [log_start_offset, log_end_offset]), up to `max_bytes` and never past `max_offset`
  // (exclusive; high watermark for consumers, log end for followers). With `min_one_batch` the
  // first batch is returned whole even if larger than max_bytes (KIP-74). Reads one segment.
  Result<FileSlice> read(Offset start, int64_t max_bytes, std::optional<Offset> max_offset,
                         bool min_one_batch) const;
  // The first offset whose timestamp is >= `target`, via the time index; nullopt if none.
  // ListOffsets' special targets answer (-1, log_start_offset) for -2 and (-1, log_end_offset)
  // for -1.
  Result<std::optional<TimestampAndOffset>> fetch_offset_by_timestamp(TimestampMs target) const;

  // The position of `offset` when it is the log end or the end of one of the last appends (the
  // high watermark almost always is: followers fetch at batch ends); nullopt otherwise.
  [[nodiscard]] std::optional<LogOffsetMetadata> offset_metadata(Offset offset) const;

  [[nodiscard]] Offset log_start_offset() const;
  [[nodiscard]] Offset log_end_offset() const;
  [[nodiscard]] Offset recovery_point() const;
  [[nodiscard]] Offset high_watermark() const;
  // Clamped to [log_start_offset, log_end_offset].
  void set_high_watermark(Offset hw);

  // Follower truncation: drops every record at or after `offset` (batch-aligned). No-op if
  // offset >= log_end_offset.
  Status truncate_to(Offset offset);
  // Drops everything and restarts the log empty at `offset` (follower out of range).
  Status truncate_fully_and_start_at(Offset offset);
  // DeleteRecords: raises log_start_offset to `offset` (REQUIRES offset <= high_watermark, else
  // offset_out_of_range). Space is reclaimed by the next retention pass.
  Status delete_records_before(Offset offset);

  // Retention for cleanup.policy=delete: deletes oldest segments past retention.ms, past
  // retention.bytes, or wholly below log_start_offset; only segments wholly below the high
  // watermark, never the active one. Returns how many segments were deleted.
  Result<int> delete_old_segments();
  // Rolls if the active segment is older than segment.ms (called periodically; appends also roll).
  Status roll_if_due();
  // fsyncs segments below log_end_offset and advances the recovery point (flush.ms when due).
  Status flush();
  // Flushes if flush.ms has passed since the last flush. Returns whether it flushed.
  Result<bool> flush_if_due();
  // Flushes, trims the active indexes to their entries, closes files. The Log is unusable after.
  Status close();
  // Closes and removes the directory (topic deletion).
  Status close_and_delete();

  void update_config(LogConfig config);
  [[nodiscard]] LogConfig config() const;
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const TopicPartition& topic_partition() const { return tp_; }
  [[nodiscard]] int64_t size_in_bytes() const;
  [[nodiscard]] int segment_count() const;
  // Base offsets of the segments, oldest first (the last is the active segment).
  [[nodiscard]] std::vector<Offset> segment_base_offsets() const;
  // The leader-epoch cache of this log (leader-epoch-checkpoint in the partition dir).
  [[nodiscard]] LeaderEpochFileCache& leader_epoch_cache();

 private:
  class Impl;
  Log(std::filesystem::path dir, TopicPartition tp, std::unique_ptr<Impl> impl);
  std::filesystem::path dir_;
  TopicPartition tp_;
  std::unique_ptr<Impl> impl_;
};

// Parses "<topic>-<partition>" (the partition is after the last '-'); invalid_config otherwise.
Result<TopicPartition> parse_log_dir_name(const std::string& name);

}  // namespace sluice::storage
