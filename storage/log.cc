// Log: construction and the thin public layer over Log::Impl (log_impl.h).
#include "storage/log.h"

#include <charconv>

#include <spdlog/spdlog.h>

#include "storage/errc.h"
#include "storage/file_util.h"
#include "storage/log_impl.h"
#include "storage/validated_batches.h"

namespace sluice::storage {

Result<TopicPartition> parse_log_dir_name(const std::string& name) {
  const size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) return Errc::invalid_config;
  int32_t partition = 0;
  const char* first = name.data() + dash + 1;
  const char* last = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(first, last, partition);
  if (ec != std::errc() || ptr != last || partition < 0) return Errc::invalid_config;
  return TopicPartition{name.substr(0, dash), PartitionId(partition)};
}

Log::Impl::Impl(std::filesystem::path dir, TopicPartition tp, LogConfig config, Clock& clock)
    : dir_(std::move(dir)), tp_(std::move(tp)), clock_(clock), config_(config), rng_(std::random_device{}()) {}

Status Log::Impl::ensure_open_locked() const {
  if (closed_) {
    spdlog::error("storage: {} is closed", dir_.string());
    return Errc::log_dir_offline;
  }
  return ok();
}

Result<std::unique_ptr<Log>> Log::open(std::filesystem::path dir, LogConfig config, LogOpenOptions options,
                                       Clock& clock) {
  auto tp = parse_log_dir_name(dir.filename().string());
  if (!tp) {
    spdlog::error("storage: {} is not named <topic>-<partition>", dir.string());
    return tp.error();
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_failure("create directory", dir, ec.value());
  auto impl = std::make_unique<Impl>(dir, tp.value(), config, clock);
  SLUICE_TRY(impl->load(options));
  SLUICE_TRY(impl->remove_queued_files());
  return std::unique_ptr<Log>(new Log(std::move(dir), std::move(tp).value(), std::move(impl)));
}

Log::Log(std::filesystem::path dir, TopicPartition tp, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), tp_(std::move(tp)), impl_(std::move(impl)) {}

Log::~Log() {
  if (impl_ && !impl_->closed_) {
    if (Status s = impl_->close(); !s) spdlog::error("storage: closing {} failed", dir_.string());
  }
}

Result<LogAppendInfo> Log::append_as_leader(ValidatedBatches& batches, LeaderEpoch epoch) {
  return impl_->append_as_leader(batches, epoch);
}
Result<LogAppendInfo> Log::append_as_follower(const ValidatedBatches& batches) {
  return impl_->append_as_follower(batches);
}

Result<LogAppendInfo> Log::validate_and_append_as_leader(ByteView batches, LeaderEpoch epoch) {
  SLUICE_TRY(auto validated, ValidatedBatches::for_leader(Bytes(batches.begin(), batches.end()), config()));
  return impl_->append_as_leader(validated, epoch);
}
Result<LogAppendInfo> Log::validate_and_append_as_follower(ByteView batches) {
  SLUICE_TRY(auto validated, ValidatedBatches::for_follower(batches, nullptr, config()));
  return impl_->append_as_follower(validated);
}

Result<FileSlice> Log::read(Offset start, int64_t max_bytes, std::optional<Offset> max_offset,
                            bool min_one_batch) const {
  return impl_->read(start, max_bytes, max_offset, min_one_batch);
}

Result<std::optional<TimestampAndOffset>> Log::fetch_offset_by_timestamp(TimestampMs target) const {
  return impl_->fetch_offset_by_timestamp(target);
}

Offset Log::log_start_offset() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->log_start_offset_;
}
Offset Log::log_end_offset() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->log_end_offset_;
}
Offset Log::recovery_point() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->recovery_point_;
}
Offset Log::high_watermark() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->high_watermark_;
}
std::optional<LogOffsetMetadata> Log::offset_metadata(Offset offset) const {
  std::lock_guard lock(impl_->mutex_);
  if (impl_->closed_) return std::nullopt;
  return impl_->offset_metadata_locked(offset);
}

void Log::set_high_watermark(Offset hw) {
  std::lock_guard lock(impl_->mutex_);
  impl_->high_watermark_ = std::clamp(hw, impl_->log_start_offset_, impl_->log_end_offset_);
}

// Truncations remove whole segments too; their files go after the lock is released.
Status Log::truncate_to(Offset offset) {
  SLUICE_TRY(impl_->truncate_to(offset));
  return impl_->remove_queued_files();
}
Status Log::truncate_fully_and_start_at(Offset offset) {
  SLUICE_TRY(impl_->truncate_fully_and_start_at(offset));
  return impl_->remove_queued_files();
}
Status Log::delete_records_before(Offset offset) { return impl_->delete_records_before(offset); }
Result<int> Log::delete_old_segments() { return impl_->delete_old_segments(); }
Status Log::roll_if_due() { return impl_->roll_if_due(); }
Status Log::flush() { return impl_->flush(); }
Result<bool> Log::flush_if_due() { return impl_->flush_if_due(); }
Status Log::close() { return impl_->close(); }

Status Log::close_and_delete() {
  SLUICE_TRY(impl_->close());
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) return io_failure("remove", dir_, ec.value());
  return ok();
}

void Log::update_config(LogConfig config) {
  std::lock_guard lock(impl_->mutex_);
  impl_->config_ = config;
  for (auto& [base, segment] : impl_->segments_) segment->set_index_interval_bytes(config.index_interval_bytes);
}

LogConfig Log::config() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->config_;
}

int64_t Log::size_in_bytes() const {
  std::lock_guard lock(impl_->mutex_);
  int64_t total = 0;
  for (const auto& [base, segment] : impl_->segments_) total += segment->size();
  return total;
}

int Log::segment_count() const {
  std::lock_guard lock(impl_->mutex_);
  return static_cast<int>(impl_->segments_.size());
}

std::vector<Offset> Log::segment_base_offsets() const {
  std::lock_guard lock(impl_->mutex_);
  std::vector<Offset> bases;
  for (const auto& [base, segment] : impl_->segments_) bases.push_back(base);
  return bases;
}

LeaderEpochFileCache& Log::leader_epoch_cache() { return *impl_->epoch_cache_; }

}  // namespace sluice::storage
