// Kafka's text checkpoint files: line 1 the format version (0), line 2 the entry count, then one
// entry per line, fields separated by one space, '\n' line ends.
//   recovery-point-offset-checkpoint, replication-offset-checkpoint, log-start-offset-checkpoint
//     (per log dir): "<topic> <partition> <offset>"
//   leader-epoch-checkpoint (per partition dir): "<epoch> <start offset>"
// Written atomically (<name>.tmp, fsync, rename, fsync dir), so a crash leaves the old or the new
// file. Readers are strict: any nonsense is Errc::corrupt_checkpoint (logged with the reason);
// the caller decides whether to ignore the file or fail.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::storage {

inline constexpr const char* kRecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
inline constexpr const char* kReplicationOffsetCheckpoint = "replication-offset-checkpoint";
inline constexpr const char* kLogStartOffsetCheckpoint = "log-start-offset-checkpoint";
inline constexpr const char* kLeaderEpochCheckpoint = "leader-epoch-checkpoint";

// One "<epoch> <start offset>" entry: epoch began at start_offset.
struct EpochEntry {
  LeaderEpoch epoch;
  Offset start_offset;
  auto operator<=>(const EpochEntry&) const = default;
};

using OffsetCheckpoint = std::map<TopicPartition, Offset>;

// A missing file reads as empty (a fresh dir); a present one must be well formed.
Result<OffsetCheckpoint> read_offset_checkpoint(const std::filesystem::path& path);
Status write_offset_checkpoint(const std::filesystem::path& path, const OffsetCheckpoint& offsets);

// Entries in file order; epochs and start offsets must be non-negative and increasing.
Result<std::vector<EpochEntry>> read_leader_epoch_checkpoint(const std::filesystem::path& path);
Status write_leader_epoch_checkpoint(const std::filesystem::path& path, const std::vector<EpochEntry>& entries);

// The generic layer: entries as lines of exactly `fields` space-separated fields.
Result<std::vector<std::vector<std::string>>> read_checkpoint_entries(const std::filesystem::path& path,
                                                                      size_t fields);
Status write_checkpoint_entries(const std::filesystem::path& path, const std::vector<std::string>& lines);

}  // namespace sluice::storage
