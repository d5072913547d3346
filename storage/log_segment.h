// LogSegment: one segment of a partition log: "<base>.log" (record batches), "<base>.index"
// (OffsetIndex) and "<base>.timeindex" (TimeIndex), base = 20-digit base offset.
//
// Owner: its Log, which calls every method under the Log's lock, except flush(), which the Log
//   may run outside it (the .log is only fsync'd; index remaps have their own mutex).
// Invariants: size() is the byte length of the valid batches in the .log (tracked in memory, so
//   appends cost one pwrite and no fstat); every offset in the segment is in
//   [base_offset, base_offset + INT32_MAX]; index entries point at batch starts below size().
// Crash behaviour: appends reach the page cache only; flush() makes them durable. After an
//   unclean shutdown recover() rebuilds both indexes from the .log and truncates it at the first
//   batch that fails validation (torn write, garbage, zero-filled preallocation).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"
#include "storage/file_slice.h"
#include "storage/log_config.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace sluice::storage {

class LeaderEpochFileCache;

// Where a batch is: its start position and size, and the offsets it covers.
struct BatchLocation {
  FilePosition position{0};
  int64_t size = 0;
  Offset base_offset{0};
  Offset last_offset{0};
};

// What a roll decision looks at (Kafka's LogSegment.shouldRoll).
struct RollParams {
  int64_t segment_bytes = 0;
  int64_t segment_ms = 0;
  int64_t messages_size = 0;                 // bytes about to be appended
  TimestampMs max_timestamp_in_messages = kNoTimestamp;
  Offset max_offset_in_messages{0};
  TimestampMs now{0};
};

class LogSegment {
 public:
  // Creates empty files for a new active segment. Stale index files of the same base are
  // replaced; an existing .log is an error. `preallocate` sizes the .log to segment.bytes.
  static Result<std::shared_ptr<LogSegment>> create(const std::filesystem::path& dir, Offset base_offset,
                                                    const LogConfig& config, TimestampMs now,
                                                    int64_t roll_jitter_ms);
  // Opens an existing segment. Missing index files are created empty; `*needs_recovery` is set
  // when the .index or .timeindex was missing or fails its sanity check.
  static Result<std::shared_ptr<LogSegment>> open(const std::filesystem::path& dir, Offset base_offset,
                                                  const LogConfig& config, TimestampMs now,
                                                  int64_t roll_jitter_ms, bool* needs_recovery);
  ~LogSegment();
  LogSegment(const LogSegment&) = delete;
  LogSegment& operator=(const LogSegment&) = delete;

  [[nodiscard]] Offset base_offset() const { return base_offset_; }
  [[nodiscard]] int64_t size() const { return size_; }
  [[nodiscard]] const std::filesystem::path& log_path() const { return log_path_; }
  [[nodiscard]] const OffsetIndex& offset_index() const { return *offset_index_; }
  [[nodiscard]] const TimeIndex& time_index() const { return *time_index_; }
  [[nodiscard]] TimestampMs max_timestamp_so_far() const { return max_timestamp_so_far_; }

  // Appends whole batches (already validated, offsets assigned) with one write. Adds an index
  // entry (largest_offset -> start of these bytes) when more than index.interval.bytes were
  // appended since the last one. REQUIRES: largest_offset - base_offset fits an int32.
  Status append(Offset largest_offset, TimestampMs largest_timestamp, Offset offset_of_max_timestamp,
                ByteView batches);
  // The first batch at or after `starting_position` whose last offset >= `offset`; nullopt when
  // the segment has none.
  Result<std::optional<BatchLocation>> translate_offset(Offset offset,
                                                        FilePosition starting_position = FilePosition(0)) const;
  // The largest batch boundary <= `limit` that is >= `from` (whole batches end there).
  Result<FilePosition> batch_boundary_at_or_below(FilePosition from, FilePosition limit) const;
  // Whole batches from the one holding `start_offset`, up to `max_bytes` (the first batch whole if
  // `min_one_batch`) and never past `max_position`. nullopt when no batch holds start_offset.
  Result<std::optional<FileSlice>> read(Offset start_offset, int64_t max_bytes, FilePosition max_position,
                                        bool min_one_batch) const;
  // The first offset >= starting_offset with timestamp >= target, or nullopt.
  Result<std::optional<TimestampOffset>> find_offset_by_timestamp(TimestampMs target,
                                                                  Offset starting_offset) const;
  // The offset after the last batch, or base_offset when empty.
  Result<Offset> read_next_offset() const;

  // Rebuilds the indexes from the .log, validating each batch (framing, CRC, offsets); truncates
  // the .log at the first invalid one (entirely when offsets are out of order or range) and
  // returns how many bytes were cut. Adds leader epochs newer than the cache's latest to
  // `epoch_cache` (if given).
  Result<int64_t> recover(LeaderEpochFileCache* epoch_cache);
  // Drops every batch at or after the one holding `offset`; returns the bytes cut.
  Result<int64_t> truncate_to(Offset offset, TimestampMs now);

  [[nodiscard]] bool should_roll(const RollParams& params) const;
  // Max record timestamp, or the .log's mtime when no batch has a timestamp (retention.ms).
  [[nodiscard]] TimestampMs largest_timestamp() const;
  // fdatasync the .log, msync the indexes.
  Status flush();
  // On roll: final time-index entry, trim indexes (and a preallocated .log) to their data.
  Status on_become_inactive();
  // On load or truncation of the active segment: grow the indexes back to segment.index.bytes.
  Status make_active();
  // Trims the indexes and closes the files (the .log stays open for outstanding FileSlices).
  Status close();
  // Renames the files to "<name>.deleted" and removes them. Open FileSlices keep working.
  Status delete_files();
  // The two halves of delete_files: the renames (quick; a restart finishes a removal that was
  // cut short, since recovery deletes "*.deleted") and the removals (an unlink of a large file
  // can take long, so the Log does it without its lock).
  Status rename_to_deleted();
  Status remove_deleted_files();
  void set_index_interval_bytes(int64_t bytes) { index_interval_bytes_ = bytes; }

 private:
  LogSegment(const std::filesystem::path& dir, Offset base_offset, const LogConfig& config,
             TimestampMs now, int64_t roll_jitter_ms);
  Status open_files(bool create, bool* needs_recovery);
  Status check_indexes() const;
  Status load_rolling_timestamp();
  Status load_largest_timestamp();
  Status truncate_log(int64_t size);
  // The header of the batch at `position` of a segment whose data is trusted: a bad header
  // there is logged and reported as io_error.
  Result<std::optional<protocol::RecordBatchHeader>> header_at(FilePosition position) const;
  // Recovery: checks one batch at `position`; false when recovery must stop there.
  Result<bool> recover_batch(const protocol::RecordBatchHeader& header, FilePosition position,
                             std::optional<Offset> previous_last_offset);
  void index_batch(const protocol::RecordBatchHeader& header, FilePosition position);
  void reset_indexes();

  std::filesystem::path dir_;
  Offset base_offset_;
  std::filesystem::path log_path_;
  std::shared_ptr<SegmentFile> log_file_;
  std::unique_ptr<OffsetIndex> offset_index_;
  std::unique_ptr<TimeIndex> time_index_;
  int64_t size_ = 0;
  int64_t index_interval_bytes_;
  int64_t max_index_size_;
  bool preallocate_;
  int64_t segment_bytes_;
  int64_t roll_jitter_ms_;
  TimestampMs created_;
  std::optional<TimestampMs> rolling_based_timestamp_;  // first batch's max timestamp
  int64_t bytes_since_last_index_entry_ = 0;
  TimestampMs max_timestamp_so_far_ = kNoTimestamp;
  Offset offset_of_max_timestamp_so_far_{0};
};

}  // namespace sluice::storage
