// Log::Impl: the state behind storage/log.h, private to storage/. Its methods are spread over
// log.cc (open, accessors), log_load.cc (loading and recovery), log_append.cc (appends and rolls),
// log_read.cc (reads, time lookups) and log_retention.cc (retention, truncation, flush, close).
// Every method named *_locked REQUIRES: mutex held.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "storage/leader_epoch_cache.h"
#include "storage/log.h"
#include "storage/log_segment.h"
#include "storage/validated_batches.h"

namespace sluice::storage {

class Log::Impl {
 public:
  using SegmentMap = std::map<Offset, std::shared_ptr<LogSegment>>;
  using SegmentPredicate = std::function<bool(const LogSegment& segment, const LogSegment* next)>;

  Impl(std::filesystem::path dir, TopicPartition tp, LogConfig config, Clock& clock);

  // log_load.cc
  Status load(const LogOpenOptions& options);

  // log_append.cc
  Result<LogAppendInfo> append_as_leader(ValidatedBatches& batches, LeaderEpoch epoch);
  Result<LogAppendInfo> append_as_follower(const ValidatedBatches& batches);
  Status roll_if_due();

  // log_read.cc
  Result<FileSlice> read(Offset start, int64_t max_bytes, std::optional<Offset> max_offset,
                         bool min_one_batch) const;
  Result<std::optional<TimestampAndOffset>> fetch_offset_by_timestamp(TimestampMs target) const;

  // log_retention.cc
  Result<int> delete_old_segments();
  Result<int> drop_old_segments();  // takes the mutex; leaves the removals queued
  // Removes the files of segments delete_segments_locked renamed. REQUIRES: mutex not held.
  Status remove_queued_files();
  Status truncate_to(Offset offset);
  Status truncate_fully_and_start_at(Offset offset);
  Status delete_records_before(Offset offset);
  Status flush();
  Result<bool> flush_if_due();
  Status close();

  // Shared helpers.
  LogSegment& active_locked() const { return *segments_.rbegin()->second; }
  std::optional<LogOffsetMetadata> offset_metadata_locked(Offset offset) const;
  int64_t roll_jitter_ms_locked();
  Result<std::shared_ptr<LogSegment>> roll_locked(Offset new_base);
  // Drops segments from the map and renames their files *.deleted; the removals wait in
  // removal_queue_ for remove_queued_files(), outside the lock.
  Status delete_segments_locked(const std::vector<std::shared_ptr<LogSegment>>& doomed);
  Result<int> delete_segments_where_locked(const SegmentPredicate& predicate, const char* reason);
  // fsyncs every segment holding offsets in [recovery_point, target) with the lock released,
  // then advances the recovery point unless the log was truncated meanwhile.
  Status flush_to_locked(Offset target, std::unique_lock<std::mutex>& lock);
  Status maybe_roll_locked(const BatchSetSummary& summary);
  Status write_locked(ByteView batches, const BatchSetSummary& summary);
  LogAppendInfo append_info(const BatchSetSummary& summary, TimestampMs log_append_time) const;
  Status ensure_open_locked() const;

  const std::filesystem::path dir_;
  const TopicPartition tp_;
  Clock& clock_;
  mutable std::mutex mutex_;
  LogConfig config_;
  SegmentMap segments_;
  std::unique_ptr<LeaderEpochFileCache> epoch_cache_;
  Offset log_start_offset_{0};
  Offset log_end_offset_{0};
  Offset recovery_point_{0};
  Offset high_watermark_{0};
  TimestampMs last_flush_time_{0};
  // The ends of the last appends (ring, newest at recent_next_ - 1): offset_metadata's memory.
  // Cleared by truncation, which reuses offsets.
  static constexpr size_t kRecentEnds = 64;
  std::array<LogOffsetMetadata, kRecentEnds> recent_ends_{};
  size_t recent_next_ = 0;
  uint64_t truncations_ = 0;  // bumped by every truncation, so a racing flush does not advance
  bool closed_ = false;
  std::vector<std::shared_ptr<LogSegment>> removal_queue_;  // renamed *.deleted, files not yet removed
  std::mt19937_64 rng_;

 private:
  Result<std::vector<Offset>> scan_dir_locked();
  Status open_segments_locked(const std::vector<Offset>& bases, std::vector<Offset>* broken);
  Status recover_segments_locked(const LogOpenOptions& options, const std::vector<Offset>& broken);
  Status finish_load_locked(const LogOpenOptions& options);
};

}  // namespace sluice::storage
