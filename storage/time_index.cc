#include "storage/time_index.h"

#include <spdlog/spdlog.h>

#include "storage/errc.h"

namespace sluice::storage {

Result<std::unique_ptr<TimeIndex>> TimeIndex::open(std::filesystem::path path, Offset base_offset,
                                                   int64_t max_index_size) {
  std::unique_ptr<TimeIndex> index(new TimeIndex(std::move(path), base_offset, kEntrySize));
  SLUICE_TRY(index->AbstractIndex::open(max_index_size));
  return index;
}

TimestampOffset TimeIndex::entry(int64_t slot) const {
  const std::byte* p = entry_ptr(slot);
  return {TimestampMs(load_be<int64_t>(p)), base_offset() + load_be<int32_t>(p + 8)};
}

TimestampOffset TimeIndex::last_entry() const {
  if (entries() == 0) return {kNoTimestamp, base_offset()};
  return entry(entries() - 1);
}

TimestampOffset TimeIndex::lookup(TimestampMs target) const {
  const int64_t slot =
      largest_slot_at_or_below(target.value(), [this](int64_t s) { return load_be<int64_t>(entry_ptr(s)); });
  if (slot < 0) return {kNoTimestamp, base_offset()};
  return entry(slot);
}

void TimeIndex::maybe_append(TimestampMs timestamp, Offset offset, bool skip_full_check) {
  if (entries() >= max_entries() || (!skip_full_check && is_full())) return;
  const TimestampOffset last = last_entry();
  // Only a new maximum is indexed; an empty index's "last" timestamp is kNoTimestamp (-1).
  if (timestamp <= last.timestamp || (entries() > 0 && offset < last.offset)) return;
  std::byte* p = mutable_entry_ptr(entries());
  store_be<int64_t>(p, timestamp.value());
  store_be<int32_t>(p + 8, relative_offset(offset));
  set_entries(entries() + 1);
}

void TimeIndex::truncate_to(Offset target) {
  // Offsets are non-decreasing, so the kept entries are a prefix: find its end by binary search.
  int64_t lo = 0;
  int64_t hi = entries();
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset < target) lo = mid + 1;
    else hi = mid;
  }
  set_entries(lo);
}

Status TimeIndex::sanity_check() const {
  for (int64_t slot = 0; slot < entries(); ++slot) {
    const TimestampOffset e = entry(slot);
    bool good = e.offset >= base_offset() && e.timestamp >= TimestampMs(0);
    if (slot > 0) {
      const TimestampOffset prev = entry(slot - 1);
      good = good && e.timestamp > prev.timestamp && e.offset >= prev.offset;
    }
    if (!good) {
      spdlog::warn("storage: corrupt time index {}: entry {} of {} is ({}, {})", path().string(), slot,
                   entries(), e.timestamp.value(), e.offset.value());
      return Errc::io_error;
    }
  }
  return ok();
}

}  // namespace sluice::storage
