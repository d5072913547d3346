#include "storage/log_segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "protocol/assert.h"
#include "storage/batch_reader.h"
#include "storage/errc.h"
#include "storage/file_util.h"

namespace sluice::storage {

LogSegment::LogSegment(const std::filesystem::path& dir, Offset base_offset, const LogConfig& config,
                       TimestampMs now, int64_t roll_jitter_ms)
    : dir_(dir),
      base_offset_(base_offset),
      log_path_(segment_file_path(dir, base_offset, ".log")),
      index_interval_bytes_(config.index_interval_bytes),
      max_index_size_(config.segment_index_bytes),
      preallocate_(config.preallocate),
      segment_bytes_(config.segment_bytes),
      roll_jitter_ms_(roll_jitter_ms),
      created_(now),
      offset_of_max_timestamp_so_far_(base_offset) {}

LogSegment::~LogSegment() = default;

Result<std::shared_ptr<LogSegment>> LogSegment::create(const std::filesystem::path& dir, Offset base_offset,
                                                       const LogConfig& config, TimestampMs now,
                                                       int64_t roll_jitter_ms) {
  std::shared_ptr<LogSegment> segment(new LogSegment(dir, base_offset, config, now, roll_jitter_ms));
  SLUICE_TRY(remove_file(segment_file_path(dir, base_offset, ".index")));
  SLUICE_TRY(remove_file(segment_file_path(dir, base_offset, ".timeindex")));
  SLUICE_TRY(segment->open_files(true, nullptr));
  return segment;
}

Result<std::shared_ptr<LogSegment>> LogSegment::open(const std::filesystem::path& dir, Offset base_offset,
                                                     const LogConfig& config, TimestampMs now,
                                                     int64_t roll_jitter_ms, bool* needs_recovery) {
  std::shared_ptr<LogSegment> segment(new LogSegment(dir, base_offset, config, now, roll_jitter_ms));
  SLUICE_TRY(segment->open_files(false, needs_recovery));
  return segment;
}

Status LogSegment::open_files(bool create, bool* needs_recovery) {
  const auto index_path = segment_file_path(dir_, base_offset_, ".index");
  const auto time_index_path = segment_file_path(dir_, base_offset_, ".timeindex");
  std::error_code ec;
  const bool indexes_existed =
      std::filesystem::exists(index_path, ec) && std::filesystem::exists(time_index_path, ec);
  SLUICE_TRY(int fd, open_file(log_path_, create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR));
  log_file_ = std::make_shared<SegmentFile>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_failure("fstat", log_path_, errno);
  size_ = create ? 0 : st.st_size;
  if (create && preallocate_ && ::ftruncate(fd, segment_bytes_) != 0) {
    return io_failure("preallocate", log_path_, errno);
  }
  SLUICE_TRY(offset_index_, OffsetIndex::open(index_path, base_offset_, max_index_size_));
  SLUICE_TRY(time_index_, TimeIndex::open(time_index_path, base_offset_, max_index_size_));
  if (create) return ok();
  if (!indexes_existed || !check_indexes()) {
    if (indexes_existed) spdlog::warn("storage: rebuilding the indexes of {}", log_path_.string());
    *needs_recovery = true;
    return ok();
  }
  const TimestampOffset last = time_index_->last_entry();
  max_timestamp_so_far_ = last.timestamp;
  offset_of_max_timestamp_so_far_ = last.offset;
  return load_rolling_timestamp();
}

Status LogSegment::check_indexes() const {
  SLUICE_TRY(offset_index_->check_against(size_));
  SLUICE_TRY(time_index_->sanity_check());
  if (offset_index_->entries() == 0) return ok();
  // The last entry must point at a batch holding offsets up to the entry's.
  const OffsetPosition last = offset_index_->entry(offset_index_->entries() - 1);
  auto header = read_batch_header(log_file_->fd(), last.position, size_, log_path_);
  if (!header || !header.value() || header.value()->base_offset > last.offset) {
    spdlog::warn("storage: offset index {} points at no batch for offset {}", offset_index_->path().string(),
                 last.offset.value());
    return Errc::io_error;
  }
  return ok();
}

Status LogSegment::load_rolling_timestamp() {
  rolling_based_timestamp_.reset();
  SLUICE_TRY(auto first, header_at(FilePosition(0)));
  if (first) rolling_based_timestamp_ = first->max_timestamp;
  return ok();
}

Status LogSegment::append(Offset largest_offset, TimestampMs largest_timestamp, Offset offset_of_max_timestamp,
                          ByteView batches) {
  if (batches.empty()) return ok();
  SLUICE_ASSERT(largest_offset >= base_offset_ && largest_offset - base_offset_ <= INT32_MAX,
                "offset {} does not fit segment {}", largest_offset.value(), log_path_.string());
  const FilePosition position(size_);
  if (Status written = pwrite_full(log_file_->fd(), batches, size_, log_path_); !written) {
    // Best effort: drop a partial write so the file ends at a batch boundary.
    [[maybe_unused]] int rc = ::ftruncate(log_file_->fd(), size_);
    return written;
  }
  size_ += static_cast<int64_t>(batches.size());
  if (position == FilePosition(0)) rolling_based_timestamp_ = largest_timestamp;
  if (largest_timestamp > max_timestamp_so_far_) {
    max_timestamp_so_far_ = largest_timestamp;
    offset_of_max_timestamp_so_far_ = offset_of_max_timestamp;
  }
  if (bytes_since_last_index_entry_ > index_interval_bytes_) {
    offset_index_->append(largest_offset, position);
    time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_);
    bytes_since_last_index_entry_ = 0;
  }
  bytes_since_last_index_entry_ += static_cast<int64_t>(batches.size());
  return ok();
}

bool LogSegment::should_roll(const RollParams& p) const {
  const int64_t time_waited = rolling_based_timestamp_ && *rolling_based_timestamp_ >= TimestampMs(0)
                                  ? p.max_timestamp_in_messages - *rolling_based_timestamp_
                                  : p.now - created_;
  const bool non_empty = size_ > 0;
  const bool fits_relative = p.max_offset_in_messages >= base_offset_ &&
                             p.max_offset_in_messages - base_offset_ <= INT32_MAX;
  return size_ > p.segment_bytes - p.messages_size ||
         (non_empty && time_waited > p.segment_ms - roll_jitter_ms_) ||
         (non_empty && (offset_index_->is_full() || time_index_->is_full())) || !fits_relative;
}

TimestampMs LogSegment::largest_timestamp() const {
  if (max_timestamp_so_far_ >= TimestampMs(0)) return max_timestamp_so_far_;
  struct stat st {};
  if (::fstat(log_file_->fd(), &st) != 0) return TimestampMs(0);
  return TimestampMs(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000);
}

Status LogSegment::flush() {
  if (::fdatasync(log_file_->fd()) != 0) return io_failure("fdatasync", log_path_, errno);
  SLUICE_TRY(offset_index_->flush());
  return time_index_->flush();
}

Status LogSegment::on_become_inactive() {
  time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_, true);
  SLUICE_TRY(offset_index_->trim_to_valid_size());
  SLUICE_TRY(time_index_->trim_to_valid_size());
  if (preallocate_ && ::ftruncate(log_file_->fd(), size_) != 0) return io_failure("ftruncate", log_path_, errno);
  return ok();
}

Status LogSegment::make_active() {
  SLUICE_TRY(offset_index_->resize(max_index_size_));
  return time_index_->resize(max_index_size_);
}

Status LogSegment::close() {
  SLUICE_TRY(on_become_inactive());
  SLUICE_TRY(offset_index_->close());
  return time_index_->close();
}

namespace {
std::filesystem::path deleted_path(const std::filesystem::path& p) { return {p.string() + ".deleted"}; }
}  // namespace

Status LogSegment::delete_files() {
  SLUICE_TRY(rename_to_deleted());
  return remove_deleted_files();
}

Status LogSegment::rename_to_deleted() {
  SLUICE_TRY(rename_file(log_path_, deleted_path(log_path_), true));
  SLUICE_TRY(offset_index_->rename_to(deleted_path(offset_index_->path())));
  return time_index_->rename_to(deleted_path(time_index_->path()));
}

// REQUIRES: rename_to_deleted() succeeded (the indexes' paths are the .deleted ones now).
Status LogSegment::remove_deleted_files() {
  SLUICE_TRY(remove_file(deleted_path(log_path_)));
  SLUICE_TRY(offset_index_->delete_file());
  return time_index_->delete_file();
}

Status LogSegment::truncate_log(int64_t size) {
  if (::ftruncate(log_file_->fd(), size) != 0) return io_failure("ftruncate", log_path_, errno);
  size_ = size;
  return ok();
}

Result<std::optional<protocol::RecordBatchHeader>> LogSegment::header_at(FilePosition position) const {
  auto header = read_batch_header(log_file_->fd(), position, size_, log_path_);
  if (!header && header.error() == Errc::corrupt_batch) {
    spdlog::error("storage: {} holds a corrupt batch at position {}", log_path_.string(), position.value());
    return Errc::io_error;
  }
  return header;
}

}  // namespace sluice::storage
