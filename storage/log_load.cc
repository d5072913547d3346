// Log loading: clean the directory, open the segments, recover what may be torn.
#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "storage/errc.h"
#include "storage/file_util.h"
#include "storage/log_impl.h"

namespace sluice::storage {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The base offset of "<20 digits><suffix>", if the name has that shape.
std::optional<Offset> segment_base(const std::string& name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || !ends_with(name, suffix)) return std::nullopt;
  int64_t base = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    if (base > (INT64_MAX - (name[i] - '0')) / 10) return std::nullopt;
    base = base * 10 + (name[i] - '0');
  }
  return Offset(base);
}

}  // namespace

Status Log::Impl::load(const LogOpenOptions& options) {
  std::lock_guard lock(mutex_);
  SLUICE_TRY(epoch_cache_, LeaderEpochFileCache::load(dir_ / kLeaderEpochCheckpoint));
  SLUICE_TRY(auto bases, scan_dir_locked());
  std::vector<Offset> broken;
  SLUICE_TRY(open_segments_locked(bases, &broken));
  log_start_offset_ = options.log_start_offset.value_or(Offset(0));
  if (!segments_.empty()) log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
  SLUICE_TRY(recover_segments_locked(options, broken));
  return finish_load_locked(options);
}

// Removes leftovers of interrupted deletions and swaps and orphan index files; returns the base
// offsets of the .log files in order.
Result<std::vector<Offset>> Log::Impl::scan_dir_locked() {
  std::error_code ec;
  std::set<Offset> logs;
  std::vector<std::pair<Offset, std::filesystem::path>> indexes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (ends_with(name, ".deleted") || ends_with(name, ".cleaned") || ends_with(name, ".swap") ||
        ends_with(name, ".tmp")) {
      if (ends_with(name, ".swap")) spdlog::warn("storage: {}: removing {} (compaction is not supported)", dir_.string(), name);
      SLUICE_TRY(remove_file(entry.path()));
    } else if (auto base = segment_base(name, ".log")) {
      logs.insert(*base);
    } else if (auto index = segment_base(name, ".index")) {
      indexes.emplace_back(*index, entry.path());
    } else if (auto time_index = segment_base(name, ".timeindex")) {
      indexes.emplace_back(*time_index, entry.path());
    }
  }
  if (ec) return io_failure("list", dir_, ec.value());
  for (const auto& [base, path] : indexes) {
    if (logs.count(base) == 0) {
      spdlog::warn("storage: removing orphan index {}", path.string());
      SLUICE_TRY(remove_file(path));
    }
  }
  return std::vector<Offset>(logs.begin(), logs.end());
}

Status Log::Impl::open_segments_locked(const std::vector<Offset>& bases, std::vector<Offset>* broken) {
  for (Offset base : bases) {
    bool needs_recovery = false;
    SLUICE_TRY(auto segment,
               LogSegment::open(dir_, base, config_, clock_.now(), roll_jitter_ms_locked(), &needs_recovery));
    if (needs_recovery) broken->push_back(base);
    segments_.emplace(base, std::move(segment));
  }
  return ok();
}

// Unclean shutdown: every segment from the one holding the recovery point on is recovered; the
// first one that loses bytes ends the log there (later segments are deleted). Segments with
// missing or inconsistent indexes are rebuilt in any case.
Status Log::Impl::recover_segments_locked(const LogOpenOptions& options, const std::vector<Offset>& broken) {
  Offset first_unflushed = Offset::max();
  if (!options.had_clean_shutdown && !segments_.empty()) {
    auto floor = segments_.upper_bound(options.recovery_point);
    first_unflushed = floor == segments_.begin() ? floor->first : std::prev(floor)->first;
  }
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    const bool unflushed = it->first >= first_unflushed;
    if (!unflushed && std::find(broken.begin(), broken.end(), it->first) == broken.end()) continue;
    spdlog::info("storage: recovering segment {}", it->second->log_path().string());
    SLUICE_TRY(int64_t truncated, it->second->recover(epoch_cache_.get()));
    if (truncated > 0 && std::next(it) != segments_.end()) {
      std::vector<std::shared_ptr<LogSegment>> later;
      for (auto after = std::next(it); after != segments_.end(); ++after) later.push_back(after->second);
      spdlog::warn("storage: {}: deleting {} segments after the corruption", dir_.string(), later.size());
      SLUICE_TRY(delete_segments_locked(later));
      break;
    }
  }
  return ok();
}

Status Log::Impl::finish_load_locked(const LogOpenOptions& options) {
  if (segments_.empty()) {
    SLUICE_TRY(auto segment, LogSegment::create(dir_, log_start_offset_, config_, clock_.now(), roll_jitter_ms_locked()));
    segments_.emplace(log_start_offset_, std::move(segment));
  }
  SLUICE_TRY(log_end_offset_, active_locked().read_next_offset());
  if (log_end_offset_ < log_start_offset_) {
    spdlog::warn("storage: {}: log end {} is below log start {}; starting empty at the log start", dir_.string(),
                 log_end_offset_.value(), log_start_offset_.value());
    std::vector<std::shared_ptr<LogSegment>> all;
    for (auto& [base, segment] : segments_) all.push_back(segment);
    SLUICE_TRY(delete_segments_locked(all));
    SLUICE_TRY(auto segment, LogSegment::create(dir_, log_start_offset_, config_, clock_.now(), roll_jitter_ms_locked()));
    segments_.emplace(log_start_offset_, std::move(segment));
    log_end_offset_ = log_start_offset_;
  }
  SLUICE_TRY(active_locked().make_active());
  recovery_point_ = options.had_clean_shutdown ? log_end_offset_ : std::min(options.recovery_point, log_end_offset_);
  recovery_point_ = std::max(recovery_point_, segments_.begin()->first);
  epoch_cache_->truncate_from_end(log_end_offset_);
  epoch_cache_->truncate_from_start(log_start_offset_);
  high_watermark_ = std::clamp(options.high_watermark.value_or(log_start_offset_), log_start_offset_, log_end_offset_);
  last_flush_time_ = clock_.now();
  spdlog::info("storage: loaded {} with {} segments, log start {}, log end {}", dir_.string(), segments_.size(),
               log_start_offset_.value(), log_end_offset_.value());
  return ok();
}

}  // namespace sluice::storage
