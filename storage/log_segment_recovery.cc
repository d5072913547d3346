// LogSegment's repair side: recovery after an unclean shutdown, and truncation.
#include <spdlog/spdlog.h>

#include "storage/batch_reader.h"
#include "storage/errc.h"
#include "storage/leader_epoch_cache.h"
#include "storage/log_segment.h"

namespace sluice::storage {

void LogSegment::reset_indexes() {
  offset_index_->reset();
  time_index_->reset();
  max_timestamp_so_far_ = kNoTimestamp;
  offset_of_max_timestamp_so_far_ = base_offset_;
  bytes_since_last_index_entry_ = 0;
}

void LogSegment::index_batch(const protocol::RecordBatchHeader& header, FilePosition position) {
  if (header.max_timestamp > max_timestamp_so_far_) {
    max_timestamp_so_far_ = header.max_timestamp;
    offset_of_max_timestamp_so_far_ = header.last_offset();
  }
  if (bytes_since_last_index_entry_ > index_interval_bytes_) {
    offset_index_->append(header.last_offset(), position);
    time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_);
    bytes_since_last_index_entry_ = 0;
  }
  bytes_since_last_index_entry_ += static_cast<int64_t>(header.size_in_bytes());
}

Result<bool> LogSegment::recover_batch(const protocol::RecordBatchHeader& header, FilePosition position,
                                       std::optional<Offset> previous_last_offset) {
  if (Status crc = verify_batch_crc(log_file_->fd(), position, header, log_path_); !crc) {
    if (crc.error() != Errc::corrupt_batch) return crc.error();
    spdlog::warn("storage: {}: batch at position {} fails its CRC", log_path_.string(), position.value());
    return false;
  }
  const bool in_range = header.last_offset_delta >= 0 && header.base_offset >= base_offset_ &&
                        header.last_offset() - base_offset_ <= INT32_MAX &&
                        (!previous_last_offset || header.base_offset > *previous_last_offset);
  if (!in_range) {
    // Kafka's rule: offsets out of order make the whole segment untrustworthy.
    spdlog::warn("storage: {}: batch at position {} has offsets [{}, {}] out of order; dropping the segment",
                 log_path_.string(), position.value(), header.base_offset.value(), header.last_offset().value());
    reset_indexes();
    return Errc::invalid_offset;
  }
  return true;
}

Result<int64_t> LogSegment::recover(LeaderEpochFileCache* epoch_cache) {
  SLUICE_TRY(make_active());
  reset_indexes();
  int64_t valid_bytes = 0;
  std::optional<Offset> previous_last_offset;
  while (true) {
    auto header = read_batch_header(log_file_->fd(), FilePosition(valid_bytes), size_, log_path_);
    if (!header && header.error() != Errc::corrupt_batch) return header.error();
    if (!header || !header.value()) break;
    const protocol::RecordBatchHeader& h = *header.value();
    auto good = recover_batch(h, FilePosition(valid_bytes), previous_last_offset);
    if (!good && good.error() == Errc::invalid_offset) {
      valid_bytes = 0;
      break;
    }
    if (!good) return good.error();
    if (!good.value()) break;
    index_batch(h, FilePosition(valid_bytes));
    if (epoch_cache != nullptr && h.partition_leader_epoch >= LeaderEpoch(0)) {
      auto latest = epoch_cache->latest_epoch();
      if (!latest || h.partition_leader_epoch > *latest) epoch_cache->assign(h.partition_leader_epoch, h.base_offset);
    }
    previous_last_offset = h.last_offset();
    valid_bytes += static_cast<int64_t>(h.size_in_bytes());
  }
  const int64_t truncated = size_ - valid_bytes;
  if (truncated > 0) {
    spdlog::warn("storage: {}: truncating {} invalid bytes after position {}", log_path_.string(), truncated,
                 valid_bytes);
    SLUICE_TRY(truncate_log(valid_bytes));
  }
  time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_, true);
  SLUICE_TRY(offset_index_->trim_to_valid_size());
  SLUICE_TRY(time_index_->trim_to_valid_size());
  SLUICE_TRY(load_rolling_timestamp());
  return truncated;
}

Result<int64_t> LogSegment::truncate_to(Offset offset, TimestampMs now) {
  SLUICE_TRY(auto location, translate_offset(offset));
  offset_index_->truncate_to(offset);
  time_index_->truncate_to(offset);
  SLUICE_TRY(make_active());
  int64_t cut = 0;
  if (location) {
    cut = size_ - location->position.value();
    SLUICE_TRY(truncate_log(location->position.value()));
  }
  if (size_ == 0) {
    created_ = now;
    rolling_based_timestamp_.reset();
  }
  bytes_since_last_index_entry_ = 0;
  if (max_timestamp_so_far_ >= TimestampMs(0)) {
    SLUICE_TRY(load_largest_timestamp());
  }
  return cut;
}

Status LogSegment::load_largest_timestamp() {
  const TimestampOffset last = time_index_->last_entry();
  max_timestamp_so_far_ = last.timestamp;
  offset_of_max_timestamp_so_far_ = last.offset;
  FilePosition position = offset_index_->lookup(last.offset).position;
  while (true) {
    SLUICE_TRY(auto header, header_at(position));
    if (!header) return ok();
    if (header->max_timestamp > max_timestamp_so_far_) {
      max_timestamp_so_far_ = header->max_timestamp;
      offset_of_max_timestamp_so_far_ = header->last_offset();
    }
    position += static_cast<int64_t>(header->size_in_bytes());
  }
}

}  // namespace sluice::storage
