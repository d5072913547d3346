// LogManager: per-dir checkpoints and listing, the periodic tasks, and shutdown.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "storage/errc.h"
#include "storage/file_util.h"
#include "storage/log_manager_dir.h"

namespace sluice::storage {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void keep_first_error(Status& first, Status next) {
  if (first && !next) first = next;
}

TimestampMs saturating_add(TimestampMs t, int64_t ms) {
  return ms > INT64_MAX - t.value() ? TimestampMs::max() : t + ms;
}

}  // namespace

Status LogManager::LogDir::read_checkpoints() {
  auto rp = read_offset_checkpoint(path / kRecoveryPointCheckpoint);
  if (rp) recovery_points = std::move(rp).value();
  else spdlog::warn("storage: {}: ignoring the recovery-point checkpoint; recovering every log fully", path.string());
  auto ls = read_offset_checkpoint(path / kLogStartOffsetCheckpoint);
  if (ls) log_start_offsets = std::move(ls).value();
  else spdlog::warn("storage: {}: ignoring the log-start-offset checkpoint", path.string());
  SLUICE_TRY(high_watermarks, read_offset_checkpoint(path / kReplicationOffsetCheckpoint));
  return ok();
}

Status LogManager::LogDir::list_partition_dirs() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    std::error_code type_ec;
    if (!entry.is_directory(type_ec)) continue;
    const std::string name = entry.path().filename().string();
    if (ends_with(name, "-delete")) {
      spdlog::info("storage: removing {} left from a topic deletion", entry.path().string());
      std::filesystem::remove_all(entry.path(), type_ec);
      if (type_ec) return io_failure("remove", entry.path(), type_ec.value());
    } else if (ends_with(name, "-future") || !parse_log_dir_name(name)) {
      spdlog::warn("storage: {}: skipping {}, not a partition log", path.string(), name);
    } else {
      partition_dirs.push_back(entry.path());
    }
  }
  if (ec) return io_failure("list", path, ec.value());
  return ok();
}

Status LogManager::write_checkpoint(size_t dir, const char* name,
                                    const std::function<std::optional<Offset>(const Log&)>& value) {
  if (!dirs_[dir]->online) return ok();
  OffsetCheckpoint offsets;
  for (const auto& entry : snapshot()) {
    if (entry.dir != dir) continue;
    if (auto v = value(*entry.log)) offsets.emplace(entry.log->topic_partition(), *v);
  }
  return write_offset_checkpoint(dirs_[dir]->path / name, offsets);
}

Status LogManager::checkpoint_recovery_points() {
  Status result = ok();
  for (size_t d = 0; d < dirs_.size(); ++d) {
    keep_first_error(result, write_checkpoint(d, kRecoveryPointCheckpoint,
                                              [](const Log& l) { return std::optional(l.recovery_point()); }));
  }
  return result;
}

Status LogManager::checkpoint_log_start_offsets() {
  // Only logs whose start moved past their first segment (DeleteRecords) need remembering.
  auto value = [](const Log& l) -> std::optional<Offset> {
    const Offset start = l.log_start_offset();
    if (start > l.segment_base_offsets().front()) return start;
    return std::nullopt;
  };
  Status result = ok();
  for (size_t d = 0; d < dirs_.size(); ++d) keep_first_error(result, write_checkpoint(d, kLogStartOffsetCheckpoint, value));
  return result;
}

Status LogManager::checkpoint_high_watermarks() {
  Status result = ok();
  for (size_t d = 0; d < dirs_.size(); ++d) {
    keep_first_error(result, write_checkpoint(d, kReplicationOffsetCheckpoint,
                                              [](const Log& l) { return std::optional(l.high_watermark()); }));
  }
  return result;
}

Result<int> LogManager::cleanup_logs() {
  int deleted = 0;
  Status result = ok();
  for (const auto& entry : snapshot()) {
    auto n = entry.log->delete_old_segments();
    if (n) deleted += n.value();
    else keep_first_error(result, n.error());
  }
  if (!result) return result.error();
  return deleted;
}

Status LogManager::flush_dirty_logs() {
  Status result = ok();
  for (const auto& entry : snapshot()) {
    auto flushed = entry.log->flush_if_due();
    if (!flushed) keep_first_error(result, flushed.error());
  }
  return result;
}

Status LogManager::run_due_tasks() {
  const TimestampMs now = clock_.now();
  Status result = flush_dirty_logs();
  auto due = [now](TimestampMs& next, int64_t interval) {
    if (now < next) return false;
    next = saturating_add(now, interval);
    return true;
  };
  if (due(next_due_.retention, config_.retention_check_interval_ms)) {
    auto cleaned = cleanup_logs();
    if (!cleaned) keep_first_error(result, cleaned.error());
  }
  if (due(next_due_.recovery_points, config_.recovery_point_checkpoint_interval_ms)) {
    keep_first_error(result, checkpoint_recovery_points());
  }
  if (due(next_due_.log_starts, config_.log_start_offset_checkpoint_interval_ms)) {
    keep_first_error(result, checkpoint_log_start_offsets());
  }
  if (due(next_due_.high_watermarks, config_.high_watermark_checkpoint_interval_ms)) {
    keep_first_error(result, checkpoint_high_watermarks());
  }
  return result;
}

Status LogManager::write_clean_shutdown_marker(const LogDir& dir) {
  const auto marker = dir.path / kCleanShutdownFileName;
  SLUICE_TRY(int fd, open_file(marker, O_WRONLY | O_CREAT | O_TRUNC));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_failure("fsync", marker, err);
  return fsync_dir(dir.path);
}

Status LogManager::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return ok();
    shut_down_ = true;
  }
  std::vector<bool> clean(dirs_.size(), true);
  for (const auto& entry : snapshot()) {
    if (Status closed = entry.log->close(); !closed) clean[entry.dir] = false;
  }
  Status result = ok();
  for (size_t d = 0; d < dirs_.size(); ++d) {
    if (!dirs_[d]->online) continue;
    Status written = write_checkpoint(d, kRecoveryPointCheckpoint, [](const Log& l) { return std::optional(l.recovery_point()); });
    keep_first_error(written, write_checkpoint(d, kReplicationOffsetCheckpoint,
                                               [](const Log& l) { return std::optional(l.high_watermark()); }));
    keep_first_error(result, written);
    if (!written) clean[d] = false;
  }
  keep_first_error(result, checkpoint_log_start_offsets());
  for (size_t d = 0; d < dirs_.size(); ++d) {
    if (dirs_[d]->online && clean[d]) keep_first_error(result, write_clean_shutdown_marker(*dirs_[d]));
    dirs_[d]->release_lock();
  }
  std::lock_guard lock(mutex_);
  logs_.clear();
  spdlog::info("storage: log manager shut down");
  return result;
}

}  // namespace sluice::storage
