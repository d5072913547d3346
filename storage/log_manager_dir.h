// LogManager::LogDir: one entry of log.dirs as the LogManager sees it. Private to storage/.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "storage/checkpoint_file.h"
#include "storage/log_manager.h"

namespace sluice::storage {

struct LogManager::LogDir {
  explicit LogDir(std::filesystem::path p) : path(std::move(p)) {}
  ~LogDir() { release_lock(); }
  LogDir(const LogDir&) = delete;
  LogDir& operator=(const LogDir&) = delete;

  // Reads the three per-dir checkpoints. A corrupt recovery-point or log-start checkpoint is
  // logged and ignored (full recovery, log start from the segments); a corrupt high-watermark
  // checkpoint is an error that takes the dir offline, as in Kafka.
  Status read_checkpoints();
  // Lists "<topic>-<partition>" dirs; removes "-delete" leftovers, skips what is not a log.
  Status list_partition_dirs();
  void release_lock() {
    if (lock_fd >= 0) ::close(lock_fd);  // closing the descriptor drops the flock
    lock_fd = -1;
  }

  std::filesystem::path path;
  int lock_fd = -1;
  bool online = true;
  bool had_clean_shutdown = false;
  OffsetCheckpoint recovery_points;
  OffsetCheckpoint log_start_offsets;
  OffsetCheckpoint high_watermarks;
  std::vector<std::filesystem::path> partition_dirs;
};

}  // namespace sluice::storage
