// Partition: one partition hosted by this broker (Kafka's Partition): its Log, the leader epoch,
// the replica set and ISR from the controller, and the high watermark. Only the leader path is
// served: a single broker's ISR is {self}, so the high watermark follows the log end at once.
//
// Owner: the ReplicaManager; every member but the Log is touched only on strand(). The Log is
//   thread-safe, so delayed operations may read it (log()) from other threads.
// Invariants: leader_epoch_ never decreases; high watermark <= log end offset (the Log clamps).
// Crash behaviour: nothing of its own is persisted; the high watermark is checkpointed by the
//   LogManager and the rest comes back with the next LeaderAndIsr.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "protocol/bytes.h"
#include "protocol/error_code.h"
#include "protocol/types.h"
#include "storage/file_slice.h"
#include "storage/log.h"

namespace sluice::broker {

// What a LeaderAndIsr request carries for one partition, plus the topic's config overrides.
struct PartitionState {
  TopicPartition tp;
  BrokerId leader{-1};
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::map<std::string, std::string> topic_config;  // "retention.ms" -> "...", on the broker defaults
};

struct PartitionAppendResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  storage::LogAppendInfo info;
  Offset log_start_offset{-1};
};

struct PartitionReadResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  storage::FileSlice records;
  Offset high_watermark{-1};
  Offset log_start_offset{-1};
  Offset log_end_offset{-1};
};

inline PartitionAppendResult append_error(protocol::ErrorCode e) {
  PartitionAppendResult r;
  r.error = e;
  return r;
}

inline PartitionReadResult read_error(protocol::ErrorCode e) {
  PartitionReadResult r;
  r.error = e;
  return r;
}

struct PartitionReadRequest {
  Offset fetch_offset{0};
  int64_t max_bytes = 0;
  bool min_one_batch = true;  // KIP-74: nothing else is in the response yet
  bool follower = false;      // replica_id >= 0 reads to the log end, consumers to the HW
  LeaderEpoch current_leader_epoch{-1};  // -1: the client does not know it
};

class Partition {
 public:
  // REQUIRES: `strand` is a strand; `log` is this partition's.
  Partition(TopicPartition tp, BrokerId local, std::shared_ptr<storage::Log> log, asio::any_io_executor strand);

  [[nodiscard]] const TopicPartition& topic_partition() const { return tp_; }
  [[nodiscard]] const asio::any_io_executor& strand() const { return strand_; }
  [[nodiscard]] const std::shared_ptr<storage::Log>& log() const { return log_; }

  // The rest REQUIRE running on strand().
  // Applies a LeaderAndIsr state naming this broker as leader (an older epoch is ignored).
  void make_leader(const PartitionState& state);
  // No longer served here (StopReplica, or another broker leads).
  void make_not_leader(LeaderEpoch epoch);
  [[nodiscard]] bool is_leader() const { return leader_; }
  [[nodiscard]] LeaderEpoch leader_epoch() const { return leader_epoch_; }
  [[nodiscard]] const std::vector<BrokerId>& isr() const { return isr_; }

  // Validates (produce_validation.h), checks min.insync.replicas for acks=-1, appends on `pool`
  // (a roll or flush.messages may fsync) and advances the high watermark.
  asio::awaitable<PartitionAppendResult> append_records_to_leader(Bytes records, int16_t produce_version,
                                                                  int16_t acks, asio::thread_pool& pool);
  [[nodiscard]] PartitionReadResult read(const PartitionReadRequest& request) const;
  // NONE, or the error a request carrying `epoch` gets (v9+ Fetch, v4+ ListOffsets).
  [[nodiscard]] protocol::ErrorCode check_leader_epoch(LeaderEpoch epoch) const;

 private:
  void maybe_increment_high_watermark();

  TopicPartition tp_;
  BrokerId local_;
  std::shared_ptr<storage::Log> log_;
  asio::any_io_executor strand_;
  bool leader_ = false;
  LeaderEpoch leader_epoch_{-1};
  std::vector<BrokerId> replicas_;
  std::vector<BrokerId> isr_;
};

}  // namespace sluice::broker
