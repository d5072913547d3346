// Partition: one partition hosted by this broker (Kafka's Partition): its Log, the leader epoch,
// the replica set and ISR from the controller, and the high watermark. As leader it tracks each
// follower's log end offset and last caught-up time (from their fetches), keeps the high
// watermark at the smallest log end offset of the ISR, and proposes ISR shrinks and expansions,
// which the ReplicaManager writes to ZooKeeper (docs/replication.md). As follower
// it serves nothing: the ReplicaFetcher hands it what it fetched.
//
// Every append, a leader's or a follower's, is one step on strand(): the role and leader-epoch
// check, validation, offset assignment, the write and the high watermark, with no other step of
// this partition in between (Kafka holds leaderIsrUpdateLock's read side across appendAsLeader;
// a strand gives the same exclusion without blocking a thread). The strand runs on the broker's
// request pool (num.io.threads), never on a network thread, so the write may block there.
//
// Owner: the ReplicaManager; every member but the Log is touched only on strand(). The Log is
//   thread-safe, so delayed operations may read it (log()) from other threads.
// Invariants: leader_epoch_ never decreases; high watermark <= log end offset (the Log clamps);
//   leader_ and follower_ are never both true; nothing is appended unless leader_ (produce) or
//   follower_ in the fetcher's epoch (replication).
// Crash behaviour: nothing of its own is persisted; the high watermark is checkpointed by the
//   LogManager and the rest comes back with the next LeaderAndIsr.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "broker/metrics/broker_metrics.h"
#include "protocol/bytes.h"
#include "protocol/error_code.h"
#include "protocol/result.h"
#include "protocol/types.h"
#include "storage/file_slice.h"
#include "storage/log.h"
#include "storage/validated_batches.h"

namespace sluice::broker {

// What a LeaderAndIsr request carries for one partition, plus the topic's config overrides.
struct PartitionState {
  TopicPartition tp;
  BrokerId leader{-1};
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::map<std::string, std::string> topic_config;  // "retention.ms" -> "...", on the broker defaults
  ZkVersion zk_version{0};       // of the partition state znode, for conditional ISR writes
  int32_t controller_epoch = 0;  // of the controller that made this decision
  // The leader's address when LeaderAndIsr's live_leaders names it (followers fetch from it).
  std::optional<std::string> leader_host;
  int32_t leader_port = 0;
};

// What the leader knows of one follower, from its fetches.
struct FollowerState {
  Offset log_end_offset{-1};  // -1: not fetched since this broker became leader
  int64_t last_caught_up_ms = 0;
  int64_t last_fetch_ms = 0;
  Offset leader_end_offset_at_last_fetch{-1};
};

// Keeps the whole v2 batches of `records` that end at or after `log_end_offset` (the fetched
// range can begin inside an old batch, and a response may end with a partial batch).
ByteView batches_from(ByteView records, Offset log_end_offset);

// Pure replication rules (unit-tested):
// The high watermark the ISR allows: the smallest log end offset among the ISR (the leader's own
// is `leader_leo`); a follower that has not fetched yet holds it back.
Offset isr_high_watermark(BrokerId local, Offset leader_leo, const std::vector<BrokerId>& isr,
                          const std::map<BrokerId, FollowerState>& followers);
// A follower fetch at `fetch_offset` while the leader's log ends at `leader_leo`: records its
// position and, as Kafka, its last caught-up time (now if it reached the leader's end, else the
// previous fetch's time if it reached the end the leader had then).
void record_follower_fetch(FollowerState& state, Offset fetch_offset, Offset leader_leo, int64_t now_ms);
// ISR members (never the leader) that are behind the leader's end and have not caught up for
// more than `max_lag_ms`.
std::vector<BrokerId> out_of_sync_replicas(BrokerId local, Offset leader_leo, const std::vector<BrokerId>& isr,
                                           const std::map<BrokerId, FollowerState>& followers, int64_t now_ms,
                                           int64_t max_lag_ms);

// An ISR change the leader proposes: written to the state znode at `expected` (the zkVersion it
// holds), with its leader epoch and the controller epoch it got.
struct IsrChange {
  TopicPartition tp;
  std::vector<BrokerId> new_isr;
  LeaderEpoch leader_epoch{0};
  int32_t controller_epoch = 0;
  ZkVersion expected{0};
};

// What a follower fetch changed on the leader.
struct FollowerFetchOutcome {
  bool high_watermark_moved = false;
  std::optional<IsrChange> expand;
};

struct PartitionAppendResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  storage::LogAppendInfo info;
  Offset log_start_offset{-1};
  LeaderEpoch leader_epoch{-1};  // the epoch the records were appended in (when error is NONE)
};

// What a follower's step (an append or a truncation) did.
struct FollowerStepResult {
  bool stale = false;  // no longer a follower in the fetcher's epoch: nothing was written
  std::error_code error;  // the append failed: the fetcher truncates and fetches again
};

struct PartitionReadResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  storage::FileSlice records;
  // Where the fetch offset sits (its batch's start), when known: a waiting fetch compares it
  // with the end's position instead of reading again (DelayedFetch).
  std::optional<storage::LogOffsetMetadata> fetch_position;
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

// OffsetForLeaderEpoch for one partition.
struct EpochEndOffsetResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  LeaderEpoch epoch{-1};
  Offset end_offset{-1};
};

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
  // Applies a LeaderAndIsr state naming this broker as leader (an older epoch is ignored):
  // records (epoch, log end) in the leader-epoch cache and resets the followers' tracking.
  void make_leader(const PartitionState& state, int64_t now_ms);
  // Another broker leads: nothing is served here; the ReplicaFetcher appends to the log.
  void make_follower(const PartitionState& state);
  // No longer served here (StopReplica).
  void make_not_leader(LeaderEpoch epoch);
  [[nodiscard]] bool is_leader() const { return leader_; }
  [[nodiscard]] LeaderEpoch leader_epoch() const { return leader_epoch_; }
  [[nodiscard]] const std::vector<BrokerId>& isr() const { return isr_; }
  // The ISR's size, readable from any thread (DelayedProduce checks min.insync.replicas).
  [[nodiscard]] size_t isr_size() const { return isr_size_.load(); }
  // The replica set's size, readable from any thread (the under-replicated metrics).
  [[nodiscard]] size_t replica_count() const { return replica_count_.load(); }
  // This topic's BytesIn/MessagesIn/BytesOut counters, found once.
  [[nodiscard]] const metrics::BrokerTopicMetrics& topic_metrics() const { return topic_metrics_; }
  // The leader epoch while this broker leads, std::nullopt while it does not; readable from any
  // thread (a waiting acks=all produce must not be acknowledged by a former leader, whose log a
  // follower truncation may rewrite under the same offsets).
  [[nodiscard]] std::optional<LeaderEpoch> leading_epoch() const {
    const int64_t e = leading_epoch_.load();
    return e == kNotLeading ? std::nullopt : std::optional<LeaderEpoch>(LeaderEpoch(static_cast<int32_t>(e)));
  }

  // Leader: a fetch from follower `replica` at `fetch_offset`. Moves the high watermark and may
  // propose an ISR expansion (one ISR change in flight at a time).
  FollowerFetchOutcome update_follower_fetch(BrokerId replica, Offset fetch_offset, int64_t now_ms);
  // Leader: the ISR shrink the lag rule asks for, if any and none is in flight.
  std::optional<IsrChange> maybe_shrink_isr(int64_t now_ms, int64_t max_lag_ms);
  // The written ISR change: `new_version` is the znode's version after the write, nullopt when it
  // was not written (the controller moved on). Returns whether the high watermark moved.
  bool complete_isr_change(const IsrChange& change, std::optional<ZkVersion> new_version);

  // The leader's append step: checks leadership and min.insync.replicas for acks=-1, validates
  // (produce_validation.h), appends in the current leader epoch and advances the high watermark.
  PartitionAppendResult append_records_to_leader(storage::ProducedBytes records, int16_t produce_version, int16_t acks);
  // The follower's append step for what a fetch from the leader of `epoch` returned: the whole
  // batches from the log end on (`owner` keeps `records` alive), then the leader's high
  // watermark (never past the local log end) and log start offset.
  FollowerStepResult append_records_to_follower(ByteView records, std::shared_ptr<const void> owner,
                                                  LeaderEpoch epoch, Offset leader_high_watermark,
                                                  Offset leader_log_start_offset);
  // A follower's truncation in `epoch` (after OffsetForLeaderEpoch), a step like an append.
  FollowerStepResult truncate_as_follower(Offset offset, LeaderEpoch epoch);
  // A follower whose log ends below the leader's log start restarts its log empty at `offset`.
  FollowerStepResult truncate_fully_as_follower(Offset offset, LeaderEpoch epoch);
  [[nodiscard]] bool is_follower_in(LeaderEpoch epoch) const { return follower_ && leader_epoch_ == epoch; }
  [[nodiscard]] PartitionReadResult read(const PartitionReadRequest& request) const;
  // Leader: the end offset of `requested` epoch from the leader-epoch cache (KIP-279).
  [[nodiscard]] EpochEndOffsetResult end_offset_for_epoch(LeaderEpoch current_leader_epoch,
                                                          LeaderEpoch requested) const;
  // NONE, or the error a request carrying `epoch` gets (v9+ Fetch, v4+ ListOffsets).
  [[nodiscard]] protocol::ErrorCode check_leader_epoch(LeaderEpoch epoch) const;

 private:
  bool maybe_increment_high_watermark();
  void follow_log_start_offset(Offset leader_log_start_offset);
  // Runs `step` if this replica follows in `epoch`, else reports it stale.
  FollowerStepResult follower_step(LeaderEpoch epoch, const std::function<Status()>& step);
  IsrChange isr_change(std::vector<BrokerId> new_isr) const;

  TopicPartition tp_;
  BrokerId local_;
  std::shared_ptr<storage::Log> log_;
  asio::any_io_executor strand_;
  bool leader_ = false;
  bool follower_ = false;
  LeaderEpoch leader_epoch_{-1};
  std::vector<BrokerId> replicas_;
  std::vector<BrokerId> isr_;
  std::atomic<size_t> isr_size_{0};
  std::atomic<size_t> replica_count_{0};
  const metrics::BrokerTopicMetrics& topic_metrics_;
  static constexpr int64_t kNotLeading = INT64_MIN;
  std::atomic<int64_t> leading_epoch_{kNotLeading};  // leader_epoch_ while leader_
  ZkVersion zk_version_{0};
  int32_t controller_epoch_ = 0;
  std::map<BrokerId, FollowerState> followers_;
  bool isr_change_in_flight_ = false;
};

}  // namespace sluice::broker
