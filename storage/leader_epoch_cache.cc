#include "storage/leader_epoch_cache.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "protocol/assert.h"

namespace sluice::storage {

LeaderEpochFileCache::LeaderEpochFileCache(std::filesystem::path path, std::vector<EpochEntry> entries)
    : path_(std::move(path)), entries_(std::move(entries)) {}

Result<std::unique_ptr<LeaderEpochFileCache>> LeaderEpochFileCache::load(std::filesystem::path checkpoint_path) {
  SLUICE_TRY(auto entries, read_leader_epoch_checkpoint(checkpoint_path));
  return std::unique_ptr<LeaderEpochFileCache>(
      new LeaderEpochFileCache(std::move(checkpoint_path), std::move(entries)));
}

void LeaderEpochFileCache::assign(LeaderEpoch epoch, Offset start_offset) {
  SLUICE_ASSERT(epoch >= LeaderEpoch(0) && start_offset >= Offset(0), "bad epoch entry ({}, {})", epoch.value(),
                start_offset.value());
  std::lock_guard lock(mutex_);
  if (!entries_.empty() && entries_.back().epoch == epoch && start_offset >= entries_.back().start_offset) return;
  size_t removed = 0;
  Offset last_removed_start{-1};
  while (!entries_.empty() && (entries_.back().epoch >= epoch || entries_.back().start_offset >= start_offset)) {
    if (removed == 0) last_removed_start = entries_.back().start_offset;
    entries_.pop_back();
    ++removed;
  }
  // As Kafka 2.8 (LeaderEpochFileCache.maybeTruncateNonMonotonicEntries): replacing one epoch
  // that started where the new one starts means it never got a record (a leader change with
  // nothing written in between), which is expected and not worth a warning.
  if (removed > 1 || (removed == 1 && last_removed_start != start_offset)) {
    spdlog::warn("storage: {}: epoch {} at offset {} replaced {} later entries", path_.string(), epoch.value(),
                 start_offset.value(), removed);
  }
  entries_.push_back({epoch, start_offset});
  flush_locked();
}

std::optional<LeaderEpoch> LeaderEpochFileCache::latest_epoch() const {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<EpochEntry> LeaderEpochFileCache::latest_entry() const {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::pair<LeaderEpoch, Offset> LeaderEpochFileCache::end_offset_for(LeaderEpoch requested,
                                                                     Offset log_end_offset) const {
  const std::pair<LeaderEpoch, Offset> undefined{kNoLeaderEpoch, Offset(-1)};
  std::lock_guard lock(mutex_);
  if (requested == kNoLeaderEpoch || entries_.empty()) return undefined;
  if (entries_.back().epoch == requested) return {requested, log_end_offset};
  auto higher = std::upper_bound(entries_.begin(), entries_.end(), requested,
                                 [](LeaderEpoch e, const EpochEntry& entry) { return e < entry.epoch; });
  if (higher == entries_.end()) return undefined;
  if (higher == entries_.begin()) return {requested, higher->start_offset};
  return {std::prev(higher)->epoch, higher->start_offset};
}

std::optional<LeaderEpoch> LeaderEpochFileCache::epoch_for_offset(Offset offset) const {
  std::lock_guard lock(mutex_);
  auto after = std::upper_bound(entries_.begin(), entries_.end(), offset,
                                [](Offset o, const EpochEntry& entry) { return o < entry.start_offset; });
  if (after == entries_.begin()) return std::nullopt;
  return std::prev(after)->epoch;
}

void LeaderEpochFileCache::truncate_from_end(Offset end_offset) {
  std::lock_guard lock(mutex_);
  if (entries_.empty() || entries_.back().start_offset < end_offset) return;
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) entries_.pop_back();
  flush_locked();
}

void LeaderEpochFileCache::truncate_from_start(Offset start_offset) {
  std::lock_guard lock(mutex_);
  auto first_after = std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                                      [](Offset o, const EpochEntry& entry) { return o < entry.start_offset; });
  if (first_after == entries_.begin()) return;
  const auto kept = std::prev(first_after);
  if (kept == entries_.begin() && kept->start_offset == start_offset) return;
  kept->start_offset = start_offset;
  entries_.erase(entries_.begin(), kept);
  flush_locked();
}

void LeaderEpochFileCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  flush_locked();
}

std::vector<EpochEntry> LeaderEpochFileCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

Status LeaderEpochFileCache::last_flush_status() const {
  std::lock_guard lock(mutex_);
  return last_flush_;
}

void LeaderEpochFileCache::flush_locked() {
  last_flush_ = write_leader_epoch_checkpoint(path_, entries_);
  if (!last_flush_) spdlog::error("storage: cannot persist leader epochs to {}", path_.string());
}

}  // namespace sluice::storage
