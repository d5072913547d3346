// Log appends of validated batch sets (validated_batches.h: all or nothing, checked once before
// they get here): assign offsets as leader, roll when due, write once.
#include <spdlog/spdlog.h>

#include "protocol/assert.h"
#include "storage/errc.h"
#include "storage/log_impl.h"

namespace sluice::storage {
namespace {

using protocol::RecordBatchHeader;

constexpr size_t kMaxDeclaredBatch = static_cast<size_t>(INT32_MAX) + protocol::kLogOverhead;

// Leader rewrite in place: offsets from `next`, the leader epoch, and for LogAppendTime topics
// the timestamp type and maxTimestamp (which the CRC covers, so it is recomputed).
void assign_offsets(MutableByteView batches, Offset next, LeaderEpoch epoch, TimestampMs log_append_time,
                    BatchSetSummary& s) {
  s.first_offset = next;
  for (size_t pos = 0; pos < batches.size();) {
    const RecordBatchHeader h = RecordBatchHeader::parse(batches.subspan(pos), kMaxDeclaredBatch).value();
    MutableByteView batch = batches.subspan(pos, h.size_in_bytes());
    protocol::set_base_offset(batch, next);
    protocol::set_partition_leader_epoch(batch, epoch);
    TimestampMs max_ts = h.max_timestamp;
    if (log_append_time != kNoTimestamp) {
      protocol::set_log_append_time(batch, log_append_time);
      max_ts = log_append_time;
    }
    const Offset last = next + h.last_offset_delta;
    if (max_ts > s.max_timestamp) {
      s.max_timestamp = max_ts;
      // Kafka points LogAppendTime's max timestamp at the first offset of the set.
      s.offset_of_max_timestamp = log_append_time != kNoTimestamp ? s.first_offset : last;
    }
    s.last_offset = last;
    next = last + 1;
    pos += h.size_in_bytes();
  }
}

}  // namespace

Result<LogAppendInfo> Log::Impl::append_as_leader(ValidatedBatches& batches, LeaderEpoch epoch) {
  SLUICE_ASSERT(batches.for_leader(), "{}: a follower's batches appended as leader", dir_.string());
  std::unique_lock lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  BatchSetSummary summary = batches.summary();
  if (summary.batch_count == 0) return LogAppendInfo{};
  const TimestampMs append_time =
      config_.timestamp_type == protocol::TimestampType::log_append_time ? clock_.now() : kNoTimestamp;
  assign_offsets(batches.mutable_bytes(), log_end_offset_, epoch, append_time, summary);
  SLUICE_TRY(maybe_roll_locked(summary));
  SLUICE_TRY(write_locked(batches.bytes(), summary));
  if (epoch >= LeaderEpoch(0)) epoch_cache_->assign(epoch, summary.first_offset);
  if (log_end_offset_ - recovery_point_ >= config_.flush_messages) {
    SLUICE_TRY(flush_to_locked(log_end_offset_, lock));
  }
  return append_info(summary, append_time);
}

Result<LogAppendInfo> Log::Impl::append_as_follower(const ValidatedBatches& batches) {
  SLUICE_ASSERT(!batches.for_leader(), "{}: a producer's batches appended as follower", dir_.string());
  std::unique_lock lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  const BatchSetSummary& summary = batches.summary();
  if (summary.batch_count == 0) return LogAppendInfo{};
  // The one check that depends on the log: the leader's offsets continue this log.
  if (summary.first_offset < log_end_offset_) return Errc::invalid_offset;
  SLUICE_TRY(maybe_roll_locked(summary));
  SLUICE_TRY(write_locked(batches.bytes(), summary));
  const ByteView bytes = batches.bytes();
  for (size_t pos = 0; pos < bytes.size();) {
    const auto h = protocol::RecordBatchHeader::parse(bytes.subspan(pos), kMaxDeclaredBatch).value();
    if (h.partition_leader_epoch >= LeaderEpoch(0)) epoch_cache_->assign(h.partition_leader_epoch, h.base_offset);
    pos += h.size_in_bytes();
  }
  if (log_end_offset_ - recovery_point_ >= config_.flush_messages) {
    SLUICE_TRY(flush_to_locked(log_end_offset_, lock));
  }
  return append_info(summary, kNoTimestamp);
}

LogAppendInfo Log::Impl::append_info(const BatchSetSummary& s, TimestampMs log_append_time) const {
  LogAppendInfo info;
  info.first_offset = s.first_offset;
  info.last_offset = s.last_offset;
  info.max_timestamp = s.max_timestamp;
  info.offset_of_max_timestamp = s.offset_of_max_timestamp;
  info.log_append_time = log_append_time;
  info.batch_count = s.batch_count;
  info.record_count = s.record_count;
  info.valid_bytes = s.bytes;
  return info;
}

Status Log::Impl::write_locked(ByteView batches, const BatchSetSummary& s) {
  LogSegment& active = active_locked();
  SLUICE_TRY(active.append(s.last_offset, s.max_timestamp, s.offset_of_max_timestamp, batches));
  log_end_offset_ = s.last_offset + 1;
  recent_ends_[recent_next_ % kRecentEnds] = {log_end_offset_, active.base_offset(), active.size()};
  ++recent_next_;
  return ok();
}

std::optional<LogOffsetMetadata> Log::Impl::offset_metadata_locked(Offset offset) const {
  if (offset == log_end_offset_) {
    const LogSegment& active = active_locked();
    return LogOffsetMetadata{offset, active.base_offset(), active.size()};
  }
  const size_t known = std::min(recent_next_, kRecentEnds);
  for (size_t i = 1; i <= known; ++i) {
    const LogOffsetMetadata& e = recent_ends_[(recent_next_ - i) % kRecentEnds];
    if (e.offset == offset) return e;
    if (e.offset < offset) break;  // older entries are lower still
  }
  return std::nullopt;
}

Status Log::Impl::maybe_roll_locked(const BatchSetSummary& s) {
  RollParams params;
  params.segment_bytes = config_.segment_bytes;
  params.segment_ms = config_.segment_ms;
  params.messages_size = s.bytes;
  params.max_timestamp_in_messages = s.max_timestamp;
  params.max_offset_in_messages = s.last_offset;
  params.now = clock_.now();
  if (!active_locked().should_roll(params)) return ok();
  SLUICE_TRY(roll_locked(std::max(s.first_offset, log_end_offset_)));
  return ok();
}

Status Log::Impl::roll_if_due() {
  std::lock_guard lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  if (active_locked().size() == 0) return ok();
  RollParams params;
  params.segment_bytes = config_.segment_bytes;
  params.segment_ms = config_.segment_ms;
  params.max_timestamp_in_messages = clock_.now();
  params.max_offset_in_messages = log_end_offset_;
  params.now = clock_.now();
  if (!active_locked().should_roll(params)) return ok();
  SLUICE_TRY(roll_locked(log_end_offset_));
  return ok();
}

int64_t Log::Impl::roll_jitter_ms_locked() {
  if (config_.segment_jitter_ms <= 0) return 0;
  const auto bound = static_cast<uint64_t>(std::min(config_.segment_jitter_ms, config_.segment_ms));
  return static_cast<int64_t>(rng_() % bound);
}

// The old active segment gets its final time-index entry and trimmed files; it is flushed later
// (flush_if_due), as Kafka flushes rolled segments asynchronously.
Result<std::shared_ptr<LogSegment>> Log::Impl::roll_locked(Offset new_base) {
  auto& active = segments_.rbegin()->second;
  if (active->base_offset() == new_base && active->size() == 0) return active;
  if (new_base <= active->base_offset()) {
    spdlog::error("storage: {}: cannot roll to {}: active segment starts at {}", dir_.string(), new_base.value(),
                  active->base_offset().value());
    return Errc::invalid_offset;
  }
  SLUICE_TRY(active->on_become_inactive());
  SLUICE_TRY(auto segment, LogSegment::create(dir_, new_base, config_, clock_.now(), roll_jitter_ms_locked()));
  segments_.emplace(new_base, segment);
  spdlog::info("storage: {}: rolled a new segment at offset {}", dir_.string(), new_base.value());
  return segment;
}

}  // namespace sluice::storage
