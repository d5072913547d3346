// LogManager: every partition Log of this broker, over one or more log dirs (log.dirs), as
// Kafka's LogManager. Holds each dir's ".lock" (flock, exclusive) for its lifetime, reads and
// writes the dir's checkpoints (recovery points, log start offsets, high watermarks) and the
// ".kafka_cleanshutdown" marker, loads the partition dirs in parallel at open.
//
// Owner: the broker. Thread-safe: a mutex guards the log map; each Log has its own lock. Periodic
//   work is exposed as synchronous methods the broker's timers call (storage has no threads of
//   its own beyond the load pool).
// Invariants: a TopicPartition lives in at most one dir; logs of an offline dir are not served.
// Crash behaviour: the clean-shutdown marker is written last on shutdown and deleted first at
//   open, so any crash in between makes the next open recover from the checkpointed recovery
//   points. A dir that fails (missing, unwritable, corrupt high-watermark checkpoint, a log that
//   cannot load) is logged and goes offline; open fails only when no dir is left, or when
//   another process holds a dir's lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "protocol/types.h"
#include "storage/clock.h"
#include "storage/log.h"
#include "storage/log_config.h"

namespace sluice::storage {

inline constexpr const char* kLockFileName = ".lock";
inline constexpr const char* kCleanShutdownFileName = ".kafka_cleanshutdown";

struct LogManagerConfig {
  std::vector<std::filesystem::path> log_dirs;               // log.dirs
  LogConfig default_config;                                  // broker-level log.* settings
  int num_recovery_threads_per_data_dir = 1;                 // num.recovery.threads.per.data.dir
  int64_t retention_check_interval_ms = 300000;              // log.retention.check.interval.ms
  int64_t initial_task_delay_ms = 30000;                     // log.initial.task.delay.ms
  int64_t recovery_point_checkpoint_interval_ms = 60000;     // log.flush.offset.checkpoint.interval.ms
  int64_t log_start_offset_checkpoint_interval_ms = 60000;   // log.flush.start.offset.checkpoint.interval.ms
  int64_t high_watermark_checkpoint_interval_ms = 5000;      // replica.high.watermark.checkpoint.interval.ms
};

class LogManager {
 public:
  // The config of a topic's logs (topic overrides on the defaults); default: default_config.
  using TopicConfigFn = std::function<LogConfig(const std::string& topic)>;

  static Result<std::unique_ptr<LogManager>> open(LogManagerConfig config, Clock& clock,
                                                  TopicConfigFn topic_config = {});
  // Shuts down if shutdown() was not called.
  ~LogManager();
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  // Creates the log in the online dir holding the fewest logs. log_exists if already present.
  Result<std::shared_ptr<Log>> create_log(const TopicPartition& tp, const LogConfig& config);
  // nullptr when absent.
  [[nodiscard]] std::shared_ptr<Log> get_log(const TopicPartition& tp) const;
  // Closes the log, renames its dir to "<topic>-<p>.<32 hex>-delete" and removes it.
  Status delete_log(const TopicPartition& tp);
  [[nodiscard]] std::vector<TopicPartition> partitions() const;
  [[nodiscard]] std::vector<std::filesystem::path> online_dirs() const;
  [[nodiscard]] std::vector<std::filesystem::path> offline_dirs() const;
  // The log dir holding `tp`'s log (empty path when absent).
  [[nodiscard]] std::filesystem::path dir_of(const TopicPartition& tp) const;

  // Periodic tasks (Kafka's scheduler tasks), each synchronous.
  Result<int> cleanup_logs();                 // kafka-log-retention: retention on every log
  Status flush_dirty_logs();                  // kafka-log-flusher: flush.ms, and rolled segments
  Status checkpoint_recovery_points();        // kafka-recovery-point-checkpoint
  Status checkpoint_log_start_offsets();      // kafka-log-start-offset-checkpoint
  Status checkpoint_high_watermarks();        // highwatermark-checkpoint
  // Runs each task whose interval has elapsed on the clock (flush_dirty_logs on every call).
  Status run_due_tasks();

  // Flushes and closes every log, writes the checkpoints, then the clean-shutdown marker in each
  // dir whose logs all closed cleanly, and releases the locks. Idempotent.
  Status shutdown();

 private:
  struct LogDir;
  struct Entry {
    std::shared_ptr<Log> log;
    size_t dir = 0;
  };
  // When each periodic task is next due.
  struct TaskTimes {
    TimestampMs retention{0}, recovery_points{0}, log_starts{0}, high_watermarks{0};
  };

  LogManager(LogManagerConfig config, Clock& clock, TopicConfigFn topic_config);
  Status open_dirs();
  Status prepare_dir(LogDir& dir);
  void load_dir(size_t index);
  Result<std::shared_ptr<Log>> load_log(const LogDir& dir, const std::filesystem::path& path);
  void take_dir_offline(size_t index, const std::string& why);
  Status write_checkpoint(size_t dir, const char* name, const std::function<std::optional<Offset>(const Log&)>& value);
  Status write_clean_shutdown_marker(const LogDir& dir);
  std::vector<Entry> snapshot() const;

  LogManagerConfig config_;
  Clock& clock_;
  TopicConfigFn topic_config_;
  std::vector<std::unique_ptr<LogDir>> dirs_;
  mutable std::mutex mutex_;
  std::map<TopicPartition, Entry> logs_;
  TaskTimes next_due_;
  bool shut_down_ = false;
};

}  // namespace sluice::storage
