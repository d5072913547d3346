// LeaderEpochFileCache: which leader epoch began at which offset in this partition's log, as
// Kafka's LeaderEpochFileCache; serves OffsetForLeaderEpoch and follower truncation.
// Persisted as "leader-epoch-checkpoint" in the partition dir, rewritten (atomically) on every
// change.
// Owner: its Log; thread-safe (an internal mutex), so the broker may query it while the Log
//   appends.
// Invariants: epochs and start offsets strictly increase along the entries.
// Crash behaviour: the file is replaced atomically; the Log trims entries past its end offset
//   after recovery, so a stale file cannot point beyond the data.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "protocol/result.h"
#include "protocol/types.h"
#include "storage/checkpoint_file.h"

namespace sluice::storage {

class LeaderEpochFileCache {
 public:
  // Loads `checkpoint_path` (absent = empty). A malformed file is Errc::corrupt_checkpoint.
  static Result<std::unique_ptr<LeaderEpochFileCache>> load(std::filesystem::path checkpoint_path);

  // Records that `epoch` starts at `start_offset`. No-op when epoch is the latest and
  // start_offset is not below its start; otherwise drops entries with an epoch >= `epoch` or a
  // start offset >= `start_offset` first, so the entries stay increasing. Persists on change.
  // REQUIRES: epoch >= 0, start_offset >= 0.
  void assign(LeaderEpoch epoch, Offset start_offset);
  [[nodiscard]] std::optional<LeaderEpoch> latest_epoch() const;
  [[nodiscard]] std::optional<EpochEntry> latest_entry() const;
  // OffsetForLeaderEpoch: (epoch, end offset) where end offset is the start of the next higher
  // epoch, or log_end_offset for the latest epoch. (-1, -1) for an undefined or unknown higher
  // epoch; a requested epoch below every entry answers (requested, first entry's start).
  [[nodiscard]] std::pair<LeaderEpoch, Offset> end_offset_for(LeaderEpoch requested, Offset log_end_offset) const;
  // The epoch of the entry holding `offset`, if any.
  [[nodiscard]] std::optional<LeaderEpoch> epoch_for_offset(Offset offset) const;
  // Drops entries whose start offset >= end_offset (follower truncation).
  void truncate_from_end(Offset end_offset);
  // Drops entries that start at or below start_offset, keeping the last of them re-based to
  // start_offset (the log start moved).
  void truncate_from_start(Offset start_offset);
  // Drops everything (truncate_fully_and_start_at).
  void clear();
  [[nodiscard]] std::vector<EpochEntry> entries() const;
  // The last persist failure, if any (the cache keeps serving from memory).
  [[nodiscard]] Status last_flush_status() const;

 private:
  LeaderEpochFileCache(std::filesystem::path path, std::vector<EpochEntry> entries);
  void flush_locked();

  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::vector<EpochEntry> entries_;
  Status last_flush_ = ok();
};

}  // namespace sluice::storage
