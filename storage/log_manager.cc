// LogManager: opening the log dirs (locks, markers, checkpoints), parallel loading, and the
// log map (create, get, delete).
#include "storage/log_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "storage/checkpoint_file.h"
#include "storage/errc.h"
#include "storage/file_util.h"
#include "storage/log_manager_dir.h"

namespace sluice::storage {
namespace {

// "<topic>-<p>.<32 hex>-delete", the topic cut so the name fits 255 bytes.
std::string delete_dir_name(const TopicPartition& tp) {
  std::random_device rd;
  const std::string suffix = fmt::format("-{}.{:08x}{:08x}{:08x}{:08x}-delete", tp.partition.value(), rd(), rd(), rd(), rd());
  std::string name(tp.topic, 0, 255 - suffix.size());
  name.append(suffix);
  return name;
}

}  // namespace

LogManager::LogManager(LogManagerConfig config, Clock& clock, TopicConfigFn topic_config)
    : config_(std::move(config)), clock_(clock), topic_config_(std::move(topic_config)) {
  if (!topic_config_) topic_config_ = [this](const std::string&) { return config_.default_config; };
}

LogManager::~LogManager() {
  if (Status s = shutdown(); !s) spdlog::error("storage: log manager shutdown failed: {}", s.error().message());
}

Result<std::unique_ptr<LogManager>> LogManager::open(LogManagerConfig config, Clock& clock,
                                                     TopicConfigFn topic_config) {
  if (config.log_dirs.empty()) {
    spdlog::error("storage: log.dirs is empty");
    return Errc::invalid_config;
  }
  std::unique_ptr<LogManager> manager(new LogManager(std::move(config), clock, std::move(topic_config)));
  if (Status s = manager->open_dirs(); !s) {
    manager->shut_down_ = true;  // nothing was loaded: write no marker, just release the locks
    return s.error();
  }
  return manager;
}

Status LogManager::open_dirs() {
  for (const auto& path : config_.log_dirs) dirs_.push_back(std::make_unique<LogDir>(path));
  for (size_t i = 0; i < dirs_.size(); ++i) {
    Status prepared = prepare_dir(*dirs_[i]);
    if (!prepared && prepared.error() == Errc::log_dir_locked) return prepared;
    if (!prepared) take_dir_offline(i, prepared.error().message());
  }
  {
    std::vector<std::jthread> loaders;
    for (size_t i = 0; i < dirs_.size(); ++i) {
      if (dirs_[i]->online) loaders.emplace_back([this, i] { load_dir(i); });
    }
  }
  if (online_dirs().empty()) {
    spdlog::error("storage: no usable log dir among the {} configured", dirs_.size());
    return Errc::log_dir_offline;
  }
  const TimestampMs now = clock_.now();
  next_due_.retention = now + config_.initial_task_delay_ms;
  next_due_.recovery_points = now + config_.recovery_point_checkpoint_interval_ms;
  next_due_.log_starts = now + config_.log_start_offset_checkpoint_interval_ms;
  next_due_.high_watermarks = now + config_.high_watermark_checkpoint_interval_ms;
  return ok();
}

// Creates and locks the dir, consumes its clean-shutdown marker, reads its checkpoints and lists
// its partition dirs.
Status LogManager::prepare_dir(LogDir& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir.path, ec);
  if (ec) return io_failure("create log dir", dir.path, ec.value());
  SLUICE_TRY(dir.lock_fd, open_file(dir.path / kLockFileName, O_RDWR | O_CREAT));
  if (::flock(dir.lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      spdlog::error("storage: log dir {} is locked by another process", dir.path.string());
      return Errc::log_dir_locked;
    }
    return io_failure("lock", dir.path / kLockFileName, err);
  }
  const auto marker = dir.path / kCleanShutdownFileName;
  dir.had_clean_shutdown = std::filesystem::exists(marker, ec);
  if (dir.had_clean_shutdown) {
    // Deleted at once: a crash from here on must recover.
    SLUICE_TRY(remove_file(marker));
    SLUICE_TRY(fsync_dir(dir.path));
  }
  SLUICE_TRY(dir.read_checkpoints());
  return dir.list_partition_dirs();
}

void LogManager::load_dir(size_t index) {
  LogDir& dir = *dirs_[index];
  std::atomic<size_t> next{0};
  std::mutex results_mutex;
  std::vector<std::shared_ptr<Log>> loaded;
  std::error_code first_error;
  auto worker = [&] {
    for (size_t k = next++; k < dir.partition_dirs.size(); k = next++) {
      auto log = load_log(dir, dir.partition_dirs[k]);
      std::lock_guard lock(results_mutex);
      if (log) loaded.push_back(std::move(log).value());
      else if (!first_error) first_error = log.error();
    }
  };
  {
    std::vector<std::jthread> pool;
    const int threads = std::max(1, config_.num_recovery_threads_per_data_dir);
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  if (first_error) {
    take_dir_offline(index, "a log failed to load: " + first_error.message());
    return;
  }
  std::lock_guard lock(mutex_);
  for (auto& log : loaded) {
    if (logs_.count(log->topic_partition()) != 0) {
      spdlog::error("storage: {} is in more than one log dir; ignoring {}", log->topic_partition().to_string(),
                    log->dir().string());
      continue;
    }
    logs_.emplace(log->topic_partition(), Entry{log, index});
  }
}

Result<std::shared_ptr<Log>> LogManager::load_log(const LogDir& dir, const std::filesystem::path& path) {
  const TopicPartition tp = parse_log_dir_name(path.filename().string()).value();
  LogOpenOptions options;
  options.had_clean_shutdown = dir.had_clean_shutdown;
  if (auto it = dir.recovery_points.find(tp); it != dir.recovery_points.end()) options.recovery_point = it->second;
  if (auto it = dir.log_start_offsets.find(tp); it != dir.log_start_offsets.end()) options.log_start_offset = it->second;
  if (auto it = dir.high_watermarks.find(tp); it != dir.high_watermarks.end()) options.high_watermark = it->second;
  SLUICE_TRY(auto log, Log::open(path, topic_config_(tp.topic), options, clock_));
  return std::shared_ptr<Log>(std::move(log));
}

void LogManager::take_dir_offline(size_t index, const std::string& why) {
  spdlog::error("storage: log dir {} is offline: {}", dirs_[index]->path.string(), why);
  std::lock_guard lock(mutex_);
  dirs_[index]->online = false;
  std::erase_if(logs_, [index](const auto& entry) { return entry.second.dir == index; });
}

Result<std::shared_ptr<Log>> LogManager::create_log(const TopicPartition& tp, const LogConfig& config) {
  std::lock_guard lock(mutex_);
  if (logs_.count(tp) != 0) return Errc::log_exists;
  std::optional<size_t> chosen;
  std::vector<size_t> counts(dirs_.size(), 0);
  for (const auto& [other, entry] : logs_) ++counts[entry.dir];
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (dirs_[i]->online && (!chosen || counts[i] < counts[*chosen])) chosen = i;
  }
  if (!chosen) return Errc::log_dir_offline;
  SLUICE_TRY(auto log, Log::open(dirs_[*chosen]->path / tp.to_string(), config, LogOpenOptions{}, clock_));
  std::shared_ptr<Log> shared(std::move(log));
  logs_.emplace(tp, Entry{shared, *chosen});
  spdlog::info("storage: created log {} in {}", tp.to_string(), dirs_[*chosen]->path.string());
  return shared;
}

std::shared_ptr<Log> LogManager::get_log(const TopicPartition& tp) const {
  std::lock_guard lock(mutex_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log;
}

Status LogManager::delete_log(const TopicPartition& tp) {
  Entry entry;
  {
    std::lock_guard lock(mutex_);
    auto it = logs_.find(tp);
    if (it == logs_.end()) return Errc::log_not_found;
    entry = it->second;
    logs_.erase(it);
  }
  if (Status closed = entry.log->close(); !closed) spdlog::warn("storage: deleting {} after a failed close", tp.to_string());
  const auto path = entry.log->dir();
  const auto doomed = path.parent_path() / delete_dir_name(tp);
  SLUICE_TRY(rename_file(path, doomed, false));
  SLUICE_TRY(fsync_dir(path.parent_path()));
  std::error_code ec;
  std::filesystem::remove_all(doomed, ec);
  if (ec) return io_failure("remove", doomed, ec.value());
  spdlog::info("storage: deleted log {}", tp.to_string());
  SLUICE_TRY(write_checkpoint(entry.dir, kRecoveryPointCheckpoint, [](const Log& l) { return std::optional(l.recovery_point()); }));
  return ok();
}

std::vector<TopicPartition> LogManager::partitions() const {
  std::lock_guard lock(mutex_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, entry] : logs_) out.push_back(tp);
  return out;
}

std::vector<std::filesystem::path> LogManager::online_dirs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::filesystem::path> out;
  for (const auto& d : dirs_) if (d->online) out.push_back(d->path);
  return out;
}

std::vector<std::filesystem::path> LogManager::offline_dirs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::filesystem::path> out;
  for (const auto& d : dirs_) if (!d->online) out.push_back(d->path);
  return out;
}

std::filesystem::path LogManager::dir_of(const TopicPartition& tp) const {
  std::lock_guard lock(mutex_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? std::filesystem::path() : dirs_[it->second.dir]->path;
}

std::vector<LogManager::Entry> LogManager::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  for (const auto& [tp, entry] : logs_) out.push_back(entry);
  return out;
}

}  // namespace sluice::storage
