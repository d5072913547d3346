// Log reads: bounded whole-batch slices and timestamp lookups.
#include "storage/errc.h"
#include "storage/log_impl.h"

namespace sluice::storage {

Result<FileSlice> Log::Impl::read(Offset start, int64_t max_bytes, std::optional<Offset> max_offset,
                                  bool min_one_batch) const {
  std::lock_guard lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  if (start < log_start_offset_ || start > log_end_offset_) return Errc::offset_out_of_range;
  const FileSlice empty{nullptr, FilePosition(0), 0, start, Offset(-1)};
  if (start == log_end_offset_ || (max_offset && *max_offset <= start)) return empty;
  auto it = segments_.upper_bound(start);
  if (it == segments_.begin()) return Errc::offset_out_of_range;
  for (--it; it != segments_.end(); ++it) {
    const LogSegment& segment = *it->second;
    FilePosition max_position(segment.size());
    const auto next = std::next(it);
    if (max_offset && (next == segments_.end() || *max_offset < next->first)) {
      // The bound is the start of the batch holding max_offset (batches end at the bound): known
      // without a read when it ends a recent append (a high watermark almost always does).
      const std::optional<LogOffsetMetadata> known = offset_metadata_locked(*max_offset);
      if (known && known->segment_base == it->first) {
        max_position = FilePosition(known->position);
      } else {
        SLUICE_TRY(auto bound, segment.translate_offset(*max_offset));
        if (bound) max_position = bound->position;
      }
    }
    SLUICE_TRY(auto slice, segment.read(start, max_bytes, max_position, min_one_batch));
    if (slice) return *slice;
    if (max_offset && max_position < FilePosition(segment.size())) break;
  }
  return empty;
}

Result<std::optional<TimestampAndOffset>> Log::Impl::fetch_offset_by_timestamp(TimestampMs target) const {
  std::lock_guard lock(mutex_);
  SLUICE_TRY(ensure_open_locked());
  // ListOffsets' special targets: -2 earliest, -1 latest.
  if (target == TimestampMs(-2)) return TimestampAndOffset{kNoTimestamp, log_start_offset_};
  if (target == TimestampMs(-1)) return TimestampAndOffset{kNoTimestamp, log_end_offset_};
  for (const auto& [base, segment] : segments_) {
    if (segment->max_timestamp_so_far() < target) continue;
    const auto next = segments_.upper_bound(base);
    if (next != segments_.end() && next->first <= log_start_offset_) continue;
    SLUICE_TRY(auto found, segment->find_offset_by_timestamp(target, log_start_offset_));
    if (found) return TimestampAndOffset{found->timestamp, found->offset};
  }
  return std::nullopt;
}

}  // namespace sluice::storage
