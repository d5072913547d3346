#include "storage/offset_index.h"

#include <spdlog/spdlog.h>

#include "storage/errc.h"

namespace sluice::storage {

Result<std::unique_ptr<OffsetIndex>> OffsetIndex::open(std::filesystem::path path, Offset base_offset,
                                                       int64_t max_index_size) {
  std::unique_ptr<OffsetIndex> index(new OffsetIndex(std::move(path), base_offset, kEntrySize));
  SLUICE_TRY(index->AbstractIndex::open(max_index_size));
  return index;
}

OffsetPosition OffsetIndex::entry(int64_t slot) const {
  const std::byte* p = entry_ptr(slot);
  return {base_offset() + load_be<int32_t>(p), FilePosition(load_be<int32_t>(p + 4))};
}

OffsetPosition OffsetIndex::lookup(Offset target) const {
  const int64_t slot = largest_slot_at_or_below(target - base_offset(), [this](int64_t s) {
    return static_cast<int64_t>(load_be<int32_t>(entry_ptr(s)));
  });
  if (slot < 0) return {base_offset(), FilePosition(0)};
  return entry(slot);
}

OffsetPosition OffsetIndex::lookup_by_position(FilePosition target) const {
  const int64_t slot = largest_slot_at_or_below(target.value(), [this](int64_t s) {
    return static_cast<int64_t>(load_be<int32_t>(entry_ptr(s) + 4));
  });
  if (slot < 0) return {base_offset(), FilePosition(0)};
  return entry(slot);
}

Offset OffsetIndex::last_offset() const {
  return entries() == 0 ? base_offset() : entry(entries() - 1).offset;
}

void OffsetIndex::append(Offset offset, FilePosition position) {
  if (is_full()) return;
  if (entries() > 0) {
    const OffsetPosition last = entry(entries() - 1);
    if (offset <= last.offset || position <= last.position) {
      spdlog::debug("storage: {} skips entry {}@{} not above {}@{}", path().string(), offset.value(),
                    position.value(), last.offset.value(), last.position.value());
      return;
    }
  }
  std::byte* p = mutable_entry_ptr(entries());
  store_be<int32_t>(p, relative_offset(offset));
  store_be<int32_t>(p + 4, static_cast<int32_t>(position.value()));
  set_entries(entries() + 1);
}

void OffsetIndex::truncate_to(Offset target) {
  const int64_t slot = largest_slot_at_or_below(target - base_offset(), [this](int64_t s) {
    return static_cast<int64_t>(load_be<int32_t>(entry_ptr(s)));
  });
  // Keep slots [0, slot], minus the slot itself when it equals the target.
  int64_t keep = slot + 1;
  if (slot >= 0 && entry(slot).offset == target) keep = slot;
  set_entries(std::max<int64_t>(0, keep));
}

Status OffsetIndex::check_against(int64_t log_size) const {
  for (int64_t slot = 0; slot < entries(); ++slot) {
    const int32_t rel = load_be<int32_t>(entry_ptr(slot));
    const int32_t pos = load_be<int32_t>(entry_ptr(slot) + 4);
    const bool increasing =
        slot == 0 || (rel > load_be<int32_t>(entry_ptr(slot - 1)) && pos > load_be<int32_t>(entry_ptr(slot - 1) + 4));
    if (rel < 0 || pos < 0 || pos >= log_size || !increasing) {
      spdlog::warn("storage: corrupt offset index {}: entry {} of {} is ({}, {})", path().string(), slot,
                   entries(), rel, pos);
      return Errc::io_error;
    }
  }
  return ok();
}

}  // namespace sluice::storage
