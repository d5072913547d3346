// TimeIndex: sparse map timestamp -> offset for one LogSegment (the .timeindex file).
// Entry (12 bytes, big-endian): timestamp (int64), offset relative to base_offset (int32),
//   meaning "the largest timestamp seen in the segment up to this offset".
// Owner: one LogSegment, under its Log's lock; not thread-safe otherwise.
// Invariants: timestamps strictly increase, offsets never decrease. The last slot is kept for the
//   entry written when the segment stops being active, so is_full() is true at max_entries - 1.
// Crash behaviour: as OffsetIndex, rebuilt from the .log when inconsistent.
#pragma once

#include <memory>

#include "storage/abstract_index.h"

namespace sluice::storage {

struct TimestampOffset {
  TimestampMs timestamp;
  Offset offset;
};

class TimeIndex final : public AbstractIndex {
 public:
  static constexpr size_t kEntrySize = 12;

  static Result<std::unique_ptr<TimeIndex>> open(std::filesystem::path path, Offset base_offset,
                                                 int64_t max_index_size);

  [[nodiscard]] bool is_full() const override { return entries() >= max_entries() - 1; }
  // The entry with the largest timestamp <= target; (kNoTimestamp, base_offset) if none.
  [[nodiscard]] TimestampOffset lookup(TimestampMs target) const;
  [[nodiscard]] TimestampOffset entry(int64_t slot) const;
  // The last entry, or (kNoTimestamp, base_offset) when empty.
  [[nodiscard]] TimestampOffset last_entry() const;
  // Appends when `timestamp` is above the last entry's. Unless `skip_full_check`, does nothing
  // once is_full(). REQUIRES: offset - base_offset fits an int32.
  void maybe_append(TimestampMs timestamp, Offset offset, bool skip_full_check = false);
  // Drops entries whose offset >= target.
  void truncate_to(Offset target);
  [[nodiscard]] Status sanity_check() const override;

 private:
  using AbstractIndex::AbstractIndex;
};

}  // namespace sluice::storage
