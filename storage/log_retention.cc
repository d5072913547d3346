// Log retention, truncation, flushing and closing.
#include <spdlog/spdlog.h>

#include "storage/errc.h"
#include "storage/log_impl.h"

namespace sluice::storage {

Result<int> Log::Impl::delete_old_segments() {
  SLUICE_TRY(auto deleted, drop_old_segments());
  SLUICE_TRY(remove_queued_files());
  return deleted;
}

Result<int> Log::Impl::drop_old_segments() {
  std::lock_guard lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  int deleted = 0;
  if (config_.retention_ms >= 0) {
    const TimestampMs now = clock_.now();
    const int64_t retention_ms = config_.retention_ms;
    SLUICE_TRY(int n, delete_segments_where_locked(
                          [&](const LogSegment& s, const LogSegment*) { return now - s.largest_timestamp() > retention_ms; },
                          "retention.ms"));
    deleted += n;
  }
  int64_t total = 0;
  for (const auto& [base, segment] : segments_) total += segment->size();
  if (config_.retention_bytes >= 0 && total >= config_.retention_bytes) {
    int64_t excess = total - config_.retention_bytes;
    SLUICE_TRY(int n, delete_segments_where_locked(
                          [&](const LogSegment& s, const LogSegment*) {
                            if (excess - s.size() < 0) return false;
                            excess -= s.size();
                            return true;
                          },
                          "retention.bytes"));
    deleted += n;
  }
  SLUICE_TRY(int n, delete_segments_where_locked(
                        [this](const LogSegment&, const LogSegment* next) {
                          return next != nullptr && next->base_offset() <= log_start_offset_;
                        },
                        "log start offset"));
  return deleted + n;
}

// Walks from the oldest segment while `predicate` holds for segments wholly below the high
// watermark (an empty last segment never qualifies); deletes those, rolling first when that is
// every segment, so the log always keeps an active segment.
Result<int> Log::Impl::delete_segments_where_locked(const SegmentPredicate& predicate, const char* reason) {
  std::vector<std::shared_ptr<LogSegment>> doomed;
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    const auto next = std::next(it);
    const Offset upper = next == segments_.end() ? log_end_offset_ : next->first;
    const bool last_and_empty = next == segments_.end() && it->second->size() == 0;
    const LogSegment* next_segment = next == segments_.end() ? nullptr : next->second.get();
    if (high_watermark_ < upper || last_and_empty || !predicate(*it->second, next_segment)) break;
    doomed.push_back(it->second);
  }
  if (doomed.empty()) return 0;
  if (doomed.size() == segments_.size()) {
    SLUICE_TRY(roll_locked(log_end_offset_));
  }
  spdlog::info("storage: {}: deleting {} segments by {}", dir_.string(), doomed.size(), reason);
  SLUICE_TRY(delete_segments_locked(doomed));
  if (segments_.begin()->first > log_start_offset_) {
    log_start_offset_ = segments_.begin()->first;
    epoch_cache_->truncate_from_start(log_start_offset_);
  }
  high_watermark_ = std::max(high_watermark_, log_start_offset_);
  recovery_point_ = std::max(recovery_point_, log_start_offset_);
  return static_cast<int>(doomed.size());
}

Status Log::Impl::delete_segments_locked(const std::vector<std::shared_ptr<LogSegment>>& doomed) {
  for (const auto& segment : doomed) {
    segments_.erase(segment->base_offset());
    SLUICE_TRY(segment->rename_to_deleted());
    removal_queue_.push_back(segment);
  }
  return ok();
}

Status Log::Impl::remove_queued_files() {
  std::vector<std::shared_ptr<LogSegment>> queued;
  {
    std::lock_guard lock(mutex_);
    queued.swap(removal_queue_);
  }
  Status result = ok();
  for (const auto& segment : queued) {
    if (Status s = segment->remove_deleted_files(); !s && result) result = s;
  }
  return result;
}

Status Log::Impl::delete_records_before(Offset offset) {
  std::lock_guard lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  if (offset < Offset(0) || offset > high_watermark_) return Errc::offset_out_of_range;
  if (offset > log_start_offset_) {
    log_start_offset_ = offset;
    epoch_cache_->truncate_from_start(offset);
  }
  return ok();
}

Status Log::Impl::truncate_to(Offset offset) {
  if (offset < Offset(0)) return Errc::offset_out_of_range;
  std::unique_lock lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  if (offset >= log_end_offset_) {
    epoch_cache_->truncate_from_end(log_end_offset_);
    return ok();
  }
  if (offset < segments_.begin()->first) {
    lock.unlock();
    return truncate_fully_and_start_at(offset);
  }
  spdlog::info("storage: {}: truncating to offset {}", dir_.string(), offset.value());
  std::vector<std::shared_ptr<LogSegment>> later;
  for (auto it = segments_.upper_bound(offset); it != segments_.end(); ++it) later.push_back(it->second);
  SLUICE_TRY(delete_segments_locked(later));
  SLUICE_TRY(active_locked().truncate_to(offset, clock_.now()));
  log_end_offset_ = offset;
  epoch_cache_->truncate_from_end(offset);
  log_start_offset_ = std::min(log_start_offset_, offset);
  recovery_point_ = std::min(recovery_point_, offset);
  high_watermark_ = std::min(high_watermark_, offset);
  ++truncations_;
  recent_next_ = 0;  // the offsets above are written anew
  return ok();
}

Status Log::Impl::truncate_fully_and_start_at(Offset offset) {
  if (offset < Offset(0)) return Errc::offset_out_of_range;
  std::lock_guard lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  spdlog::info("storage: {}: truncating fully and starting at offset {}", dir_.string(), offset.value());
  std::vector<std::shared_ptr<LogSegment>> all;
  for (auto& [base, segment] : segments_) all.push_back(segment);
  SLUICE_TRY(delete_segments_locked(all));
  SLUICE_TRY(auto segment, LogSegment::create(dir_, offset, config_, clock_.now(), roll_jitter_ms_locked()));
  segments_.emplace(offset, std::move(segment));
  epoch_cache_->clear();
  log_start_offset_ = log_end_offset_ = recovery_point_ = high_watermark_ = offset;
  ++truncations_;
  recent_next_ = 0;  // the offsets above are written anew
  return ok();
}

Status Log::Impl::flush_to_locked(Offset target, std::unique_lock<std::mutex>& lock) {
  if (target <= recovery_point_) return ok();
  std::vector<std::shared_ptr<LogSegment>> dirty;
  auto it = segments_.upper_bound(recovery_point_);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end() && it->first < target; ++it) dirty.push_back(it->second);
  const uint64_t truncations = truncations_;
  lock.unlock();
  Status flushed = ok();
  for (const auto& segment : dirty) {
    flushed = segment->flush();
    if (!flushed) break;
  }
  lock.lock();
  if (!flushed) return flushed;
  if (truncations == truncations_ && target > recovery_point_) recovery_point_ = std::min(target, log_end_offset_);
  last_flush_time_ = clock_.now();
  return ok();
}

Status Log::Impl::flush() {
  std::unique_lock lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  return flush_to_locked(log_end_offset_, lock);
}

Result<bool> Log::Impl::flush_if_due() {
  std::unique_lock lock(mutex_);
  if (closed_) return false;
  Offset target = recovery_point_;
  if (clock_.now() - last_flush_time_ >= config_.flush_ms) target = log_end_offset_;
  else if (recovery_point_ < active_locked().base_offset()) target = active_locked().base_offset();
  if (target <= recovery_point_) return false;
  SLUICE_TRY(flush_to_locked(target, lock));
  return true;
}

Status Log::Impl::close() {
  std::lock_guard lock(mutex_);
  if (closed_) return ok();
  closed_ = true;
  Status result = active_locked().on_become_inactive();
  auto it = segments_.upper_bound(recovery_point_);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end() && result; ++it) result = it->second->flush();
  if (result) recovery_point_ = log_end_offset_;
  for (auto& [base, segment] : segments_) {
    if (Status s = segment->close(); !s && result) result = s;
  }
  if (!result) spdlog::error("storage: {}: close failed; the next start will recover it", dir_.string());
  return result;
}

}  // namespace sluice::storage
