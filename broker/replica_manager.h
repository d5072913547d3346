// ReplicaManager: the partitions this broker hosts (Kafka's ReplicaManager): the map
// TopicPartition -> Partition, the entry points the controller drives (become_leader_or_follower
// for LeaderAndIsr, stop_replica for StopReplica), and the data plane the Produce, Fetch and
// ListOffsets handlers call, with the produce and fetch purgatories.
//
// Owner: the KafkaServer. Thread-safe: a mutex guards the partition map (lookups only; no I/O
//   under it); each Partition's state lives on its own strand on the request pool
//   (num.io.threads), which every call hops to: appends, reads and log creation run there, never
//   on a network thread. Log deletion runs on the maintenance pool with retention and flushes,
//   which never stall an append. A request's partitions are appended concurrently (client::gather).
// Invariant: a Partition is in the map iff its log is open in the LogManager.
// Crash behaviour: no state of its own; the controller re-sends LeaderAndIsr after a restart.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "broker/asio_net.h"
#include "broker/delayed_operation_purgatory.h"
#include "broker/metadata_cache.h"
#include "broker/partition.h"
#include "broker/replica_fetcher.h"
#include "storage/log_manager.h"

namespace sluice::coordination {
class KafkaZkClient;
class ZkClient;
}  // namespace sluice::coordination

namespace sluice::broker {

struct ReplicaManagerConfig {
  BrokerId broker_id{0};
  storage::LogConfig default_log_config;  // the broker's log.* settings
  int64_t replica_lag_time_max_ms = 30000;  // replica.lag.time.max.ms
  ReplicaFetcherConfig fetcher;             // replica.fetch.*, num.replica.fetchers
};

// What replication needs beyond the logs; start_replication() hands it over once ZooKeeper is up.
struct ReplicationContext {
  const MetadataCache* metadata_cache = nullptr;  // the leaders' addresses
  coordination::KafkaZkClient* kafka_zk = nullptr;  // ISR writes
  coordination::ZkClient* zk = nullptr;             // /isr_change_notification
};

struct ProducePartitionInput {
  TopicPartition tp;
  storage::ProducedBytes records;  // empty when the request carried none
};

struct ProducePartitionOutput {
  TopicPartition tp;
  PartitionAppendResult result;
};

struct FetchPartitionInput {
  TopicPartition tp;
  Offset fetch_offset{0};
  int32_t max_bytes = 0;
  LeaderEpoch current_leader_epoch{-1};
};

struct FetchParams {
  BrokerId replica_id{-1};  // >= 0: a follower, which reads to the log end
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;
};

struct FetchPartitionOutput {
  TopicPartition tp;
  PartitionReadResult result;
};

struct ListOffsetResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  TimestampMs timestamp = kNoTimestamp;
  Offset offset{-1};
  LeaderEpoch leader_epoch{-1};
};

// DeleteRecords for one partition: the log start offset after the call (Kafka's low watermark).
struct DeleteRecordsResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  Offset low_watermark{-1};
};

// One hosted partition as the metrics see it; read from any thread (atomics and the thread-safe
// Log), so the fields may be from slightly different instants.
struct PartitionHealth {
  TopicPartition tp;
  bool leader = false;
  size_t isr_size = 0;
  size_t replica_count = 0;
  int32_t min_insync_replicas = 1;
  int64_t size_bytes = 0;
  Offset high_watermark{-1};
};

inline ListOffsetResult list_offset_error(protocol::ErrorCode e) {
  ListOffsetResult r;
  r.error = e;
  return r;
}

class ReplicaManager {
 public:
  // REQUIRES: io, the pools and logs outlive the ReplicaManager and every coroutine it starts.
  ReplicaManager(asio::io_context& io, asio::thread_pool& request_pool, asio::thread_pool& maintenance_pool,
                 storage::LogManager& logs, ReplicaManagerConfig config);

  // LeaderAndIsr for one partition: opens (or creates) its log and makes it leader when
  // state.leader is this broker, otherwise a non-serving replica (NOT_LEADER_OR_FOLLOWER).
  asio::awaitable<protocol::ErrorCode> become_leader_or_follower(PartitionState state);
  // REQUIRES: state.leader is this broker.
  asio::awaitable<protocol::ErrorCode> become_leader(PartitionState state);
  // StopReplica: stops serving the partition; deletes its log when `delete_partition`.
  asio::awaitable<protocol::ErrorCode> stop_replica(TopicPartition tp, LeaderEpoch epoch, bool delete_partition);

  [[nodiscard]] std::shared_ptr<Partition> get_partition(const TopicPartition& tp) const;

  // Starts the replica fetchers and the ISR task (every replica.lag.time.max.ms / 2: shrink
  // lagging ISRs, publish ISR changes). Before it, follower partitions are not fetched and the ISR
  // never changes. REQUIRES: the context outlives shutdown_replication().
  void start_replication(ReplicationContext context);
  // Stops the fetchers and the ISR task; pending ISR-change notifications are published first.
  asio::awaitable<void> shutdown_replication();

  // OffsetForLeaderEpoch for one partition (the leader answers).
  asio::awaitable<EpochEndOffsetResult> end_offset_for_epoch(TopicPartition tp, LeaderEpoch current_leader_epoch,
                                                             LeaderEpoch requested);

  // DeleteRecords (replica_manager_delete_records.cc): on the leader, raises the log start offset
  // to `offset` (-1: the high watermark). OFFSET_OUT_OF_RANGE for an offset below -1 or past the
  // high watermark; an offset at or below the log start changes nothing. With one replica the
  // low watermark is the leader's log start at once (no DelayedDeleteRecords wait).
  asio::awaitable<DeleteRecordsResult> delete_records(TopicPartition tp, Offset offset);

  // acks 0 and 1 return after the appends; acks -1 waits (up to `timeout`) for each appended
  // partition's high watermark to pass its last offset, calling `appended` (when set) once the
  // appends are made and before that wait. Errors are per partition.
  asio::awaitable<std::vector<ProducePartitionOutput>> append_records(int16_t acks, std::chrono::milliseconds timeout,
                                                                      int16_t produce_version,
                                                                      std::vector<ProducePartitionInput> inputs,
                                                                      std::function<void()> appended = {});
  // Reads each partition; when fewer than min_bytes are available (and no partition failed),
  // waits up to max_wait_ms for appends to make them available, then reads again.
  asio::awaitable<std::vector<FetchPartitionOutput>> fetch_messages(FetchParams params,
                                                                    std::vector<FetchPartitionInput> inputs);
  // ListOffsets: -2 earliest, -1 latest (HW for consumers), else the first offset with a
  // timestamp >= `timestamp`.
  asio::awaitable<ListOffsetResult> fetch_offset_for_timestamp(TopicPartition tp, int64_t timestamp,
                                                               LeaderEpoch current_leader_epoch, bool consumer);

  // Every hosted partition, for the metrics (scrape time).
  [[nodiscard]] std::vector<PartitionHealth> partition_health() const;

  DelayedOperationPurgatory& fetch_purgatory() { return fetch_purgatory_; }
  DelayedOperationPurgatory& produce_purgatory() { return produce_purgatory_; }
  [[nodiscard]] BrokerId broker_id() const { return config_.broker_id; }

 private:
  asio::awaitable<std::shared_ptr<Partition>> get_or_create_partition(const PartitionState& state);
  asio::awaitable<ProducePartitionOutput> append_one(ProducePartitionInput input, int16_t produce_version,
                                                     int16_t acks);
  asio::awaitable<std::vector<FetchPartitionOutput>> read_all(FetchParams params,
                                                              std::vector<FetchPartitionInput> inputs);
  // Writes a proposed ISR to the partition state znode (conditional on its zkVersion) and
  // applies it to the Partition if it was written (replica_manager_isr.cc).
  asio::awaitable<void> write_isr(std::shared_ptr<Partition> partition, IsrChange change);
  void spawn_isr_write(std::shared_ptr<Partition> partition, IsrChange change);
  asio::awaitable<void> isr_task();
  asio::awaitable<void> publish_isr_changes();
  void after_high_watermark_change(const TopicPartition& tp);

  asio::io_context& io_;
  asio::thread_pool& request_pool_;      // partition strands: appends, reads, log creation
  asio::thread_pool& maintenance_pool_;  // log deletion
  storage::LogManager& logs_;
  ReplicaManagerConfig config_;
  mutable std::mutex mutex_;
  std::map<TopicPartition, std::shared_ptr<Partition>> partitions_;
  DelayedOperationPurgatory fetch_purgatory_;
  DelayedOperationPurgatory produce_purgatory_;
  // Replication, once started.
  ReplicationContext replication_;
  std::unique_ptr<ReplicaFetcherManager> fetchers_;
  std::unique_ptr<asio::steady_timer> isr_timer_;  // on isr_strand_
  asio::any_io_executor isr_strand_;
  std::atomic<bool> replication_stopping_{false};
  std::mutex isr_changes_mutex_;
  std::vector<TopicPartition> pending_isr_changes_;  // written, not yet announced
};

// Milliseconds on the steady clock (follower caught-up times).
int64_t steady_now_ms();

}  // namespace sluice::broker
