// LogSegment's read side: offset translation, bounded reads, time lookups.
#include <algorithm>
#include <vector>

#include "storage/errc.h"
#include "storage/file_util.h"
#include "storage/log_segment.h"
#include "storage/record_scan.h"

namespace sluice::storage {

Result<std::optional<BatchLocation>> LogSegment::translate_offset(Offset offset,
                                                                  FilePosition starting_position) const {
  FilePosition position = std::max(offset_index_->lookup(offset).position, starting_position);
  while (true) {
    SLUICE_TRY(auto header, header_at(position));
    if (!header) return std::nullopt;
    const auto size = static_cast<int64_t>(header->size_in_bytes());
    if (header->last_offset() >= offset) {
      return BatchLocation{position, size, header->base_offset, header->last_offset()};
    }
    position += size;
  }
}

Result<FilePosition> LogSegment::batch_boundary_at_or_below(FilePosition from, FilePosition limit) const {
  FilePosition position = std::max(offset_index_->lookup_by_position(limit).position, from);
  FilePosition boundary = position;
  while (position < limit) {
    SLUICE_TRY(auto header, header_at(position));
    if (!header) break;
    const FilePosition end = position + static_cast<int64_t>(header->size_in_bytes());
    if (end > limit) break;
    boundary = end;
    position = end;
  }
  return boundary;
}

Result<std::optional<FileSlice>> LogSegment::read(Offset start_offset, int64_t max_bytes,
                                                  FilePosition max_position, bool min_one_batch) const {
  SLUICE_TRY(auto location, translate_offset(start_offset));
  if (!location) return std::nullopt;
  const FilePosition start = location->position;
  FileSlice slice{log_file_, start, 0, start_offset, base_offset_};
  if (start >= max_position) return slice;
  const int64_t budget = min_one_batch ? std::max(max_bytes, location->size) : max_bytes;
  const int64_t room = std::min<int64_t>(std::min<int64_t>(max_position - start, size_ - start.value()), budget);
  if (room <= 0) return slice;
  SLUICE_TRY(FilePosition end, batch_boundary_at_or_below(start, start + room));
  slice.length = end - start;
  return slice;
}

Result<std::optional<TimestampOffset>> LogSegment::find_offset_by_timestamp(TimestampMs target,
                                                                            Offset starting_offset) const {
  const TimestampOffset indexed = time_index_->lookup(target);
  FilePosition position = offset_index_->lookup(std::max(indexed.offset, starting_offset)).position;
  std::vector<std::byte> batch;
  while (true) {
    SLUICE_TRY(auto header, header_at(position));
    if (!header) return std::nullopt;
    const auto size = static_cast<int64_t>(header->size_in_bytes());
    if (header->max_timestamp >= target && header->last_offset() >= starting_offset) {
      if (header->compression() != protocol::CompressionType::none) {
        // Without decoding the codec the batch is the finest answer: its first offset.
        return TimestampOffset{header->max_timestamp, std::max(header->base_offset, starting_offset)};
      }
      batch.resize(static_cast<size_t>(size));
      SLUICE_TRY(size_t n, pread_full(log_file_->fd(), batch, position.value(), log_path_));
      if (n < batch.size()) return Errc::io_error;
      if (auto found = first_record_at_or_after(batch, *header, target, starting_offset)) {
        return TimestampOffset{found->timestamp, found->offset};
      }
    }
    position += size;
  }
}

Result<Offset> LogSegment::read_next_offset() const {
  const int64_t entries = offset_index_->entries();
  FilePosition position = entries == 0 ? FilePosition(0) : offset_index_->entry(entries - 1).position;
  Offset next = base_offset_;
  while (true) {
    SLUICE_TRY(auto header, header_at(position));
    if (!header) return next;
    next = header->next_offset();
    position += static_cast<int64_t>(header->size_in_bytes());
  }
}

}  // namespace sluice::storage
