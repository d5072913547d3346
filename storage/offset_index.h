// OffsetIndex: sparse map offset -> .log position for one LogSegment (the .index file).
// Entry (8 bytes, big-endian): offset relative to base_offset (int32), position (int32) of the
//   start of a batch set in the .log.
// Owner: one LogSegment, under its Log's lock; not thread-safe otherwise.
// Invariant: offsets and positions strictly increase.
// Crash behaviour: not checksummed; rebuilt from the .log when sanity_check() fails or the
//   segment is recovered.
#pragma once

#include <memory>

#include "storage/abstract_index.h"

namespace sluice::storage {

struct OffsetPosition {
  Offset offset;
  FilePosition position;
};

class OffsetIndex final : public AbstractIndex {
 public:
  static constexpr size_t kEntrySize = 8;

  static Result<std::unique_ptr<OffsetIndex>> open(std::filesystem::path path, Offset base_offset,
                                                   int64_t max_index_size);

  // The entry with the largest offset <= target; (base_offset, 0) if there is none.
  [[nodiscard]] OffsetPosition lookup(Offset target) const;
  // The entry with the largest position <= target; (base_offset, 0) if there is none.
  [[nodiscard]] OffsetPosition lookup_by_position(FilePosition target) const;
  [[nodiscard]] OffsetPosition entry(int64_t slot) const;
  // The last entry's offset, or base_offset when empty.
  [[nodiscard]] Offset last_offset() const;
  // Adds an entry. Ignored (the index is sparse) when full or not above the last entry.
  // REQUIRES: offset - base_offset fits an int32.
  void append(Offset offset, FilePosition position);
  // Drops entries whose offset >= target.
  void truncate_to(Offset target);
  // Offsets and positions strictly increase, the last entry points inside the .log
  // (`log_size` bytes) at an offset within the int32 range.
  Status check_against(int64_t log_size) const;
  [[nodiscard]] Status sanity_check() const override { return check_against(INT64_MAX); }

 private:
  using AbstractIndex::AbstractIndex;
};

}  // namespace sluice::storage
