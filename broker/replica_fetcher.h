// ReplicaFetcher and ReplicaFetcherManager: the follower side of replication (Kafka's
// ReplicaFetcherThread / ReplicaFetcherManager, docs/replication.md).
//
// num.replica.fetchers ReplicaFetchers per source broker (partitions spread over them by Kafka's
// fetcher-id hash) fetch the partitions this broker follows from that leader, many per Fetch
// request (replica_id = this broker), each over its own client::BrokerConnection and in its own
// incremental fetch session (KIP-227), so a request names only the partitions that moved. A partition
// added to one first truncates its log to the divergence point with the leader
// (OffsetForLeaderEpoch, KIP-101/KIP-279), then fetches from its log end. What a fetch returns
// goes to each Partition's own append step on its strand (Partition::append_records_to_follower,
// the partitions of one response concurrently): the batches appended as they are (the leader's
// offsets and epochs), the high watermark following the leader's (never past the local log end)
// and the log start offset following the leader's (DeleteRecords, retention). Truncations are
// the Partition's steps too.
//
// Owner: the ReplicaManager owns the manager, which owns the fetchers. Thread-safe: each fetcher
//   runs on its own strand, and every call hops to it; the manager's map is under a mutex.
// Invariant: a partition is in at most one fetcher. A step the fetcher started before remove()
//   may still reach the Partition's strand afterwards; the Partition refuses it unless it still
//   follows in the epoch the fetcher had (Partition::is_follower_in).
// Failure: a lost connection or a failed request is retried after the backoff (a new connection,
//   the leader's address re-read from the MetadataCache); a partition whose leader answers with
//   an epoch error waits for the next LeaderAndIsr.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "broker/kafka_config.h"
#include "broker/metadata_cache.h"
#include "protocol/bytes.h"
#include "protocol/types.h"
#include "broker/partition.h"
#include "client/fetch_session_handler.h"
#include "storage/log.h"

namespace sluice::client {
class BrokerConnection;
}

namespace sluice::broker {

// The replica.* settings of KafkaConfig (replica_fetcher_config() copies them); the defaults
// here are Kafka's.
struct ReplicaFetcherConfig {
  BrokerId local{0};
  int32_t num_fetchers = 1;                       // num.replica.fetchers (per source broker)
  std::chrono::milliseconds max_wait{500};        // replica.fetch.wait.max.ms
  int32_t min_bytes = 1;                          // replica.fetch.min.bytes
  int32_t partition_max_bytes = 1024 * 1024;      // replica.fetch.max.bytes
  int32_t response_max_bytes = 10 * 1024 * 1024;  // replica.fetch.response.max.bytes
  std::chrono::milliseconds backoff{1000};        // replica.fetch.backoff.ms
  std::chrono::milliseconds request_timeout{30000};  // replica.socket.timeout.ms
  std::chrono::milliseconds connect_timeout{2000};
};

ReplicaFetcherConfig replica_fetcher_config(const KafkaConfig& config);

// Kafka's AbstractFetcherManager.getFetcherId: which of the `num_fetchers` fetchers for a source
// broker follows `tp` (Java's String.hashCode of the topic, 31 * hash + partition, abs, modulo).
int32_t fetcher_id_for(const TopicPartition& tp, int32_t num_fetchers);

// One followed partition, as become_leader_or_follower hands it over.
struct FollowedPartition {
  TopicPartition tp;
  std::shared_ptr<Partition> partition;
  LeaderEpoch leader_epoch{0};
};

// Where the leader listens; the MetadataCache's entry wins when it has one.
struct LeaderAddress {
  std::string host;
  int32_t port = 0;
};

// The offset a follower truncates to after one OffsetForLeaderEpoch answer (leader_epoch,
// leader_end_offset) given its own log; `done` false means ask again with its new latest epoch.
struct TruncationDecision {
  Offset offset{0};
  bool done = true;
};
TruncationDecision decide_truncation(LeaderEpoch leader_epoch, Offset leader_end_offset, storage::Log& log);

class ReplicaFetcher : public std::enable_shared_from_this<ReplicaFetcher> {
 public:
  ReplicaFetcher(asio::io_context& io, BrokerId source, LeaderAddress fallback, const MetadataCache& metadata,
                 ReplicaFetcherConfig config, int32_t fetcher_id = 0);
  ~ReplicaFetcher();

  void start();
  // Stops the loop and closes the connection; returns at once (the loop ends soon after).
  void stop();
  // Adds or replaces a partition (a new epoch truncates again).
  asio::awaitable<void> add(FollowedPartition partition);
  // Removes the partitions; returns how many are left.
  asio::awaitable<size_t> remove(std::vector<TopicPartition> tps);
  [[nodiscard]] BrokerId source() const { return source_; }

 private:
  struct State {
    FollowedPartition p;
    bool truncating = true;
    std::chrono::steady_clock::time_point delayed_until{};
  };

  asio::awaitable<void> add_on_strand(FollowedPartition partition);
  asio::awaitable<size_t> remove_on_strand(std::vector<TopicPartition> tps);
  static asio::awaitable<void> run_keeping_alive(std::shared_ptr<ReplicaFetcher> self);
  asio::awaitable<void> run();
  asio::awaitable<bool> ensure_connected();
  asio::awaitable<void> truncate_pending();
  asio::awaitable<void> fetch_once();
  // After OFFSET_OUT_OF_RANGE: a follower whose log ends below the leader's log start (records
  // deleted on the leader while it was away) restarts its log empty at the leader's log start.
  asio::awaitable<void> restart_below_leader_log_start(std::map<TopicPartition, LeaderEpoch> asked);
  // A truncation step on the partition's strand; false when it failed or no longer applies.
  asio::awaitable<bool> truncate(const TopicPartition& tp, std::shared_ptr<Partition> partition, Offset offset,
                                 LeaderEpoch epoch);
  asio::awaitable<void> sleep(std::chrono::milliseconds d);
  void delay(const TopicPartition& tp);

  asio::any_io_executor strand_;
  BrokerId source_;
  int32_t fetcher_id_;
  LeaderAddress fallback_;
  const MetadataCache& metadata_;
  ReplicaFetcherConfig config_;
  asio::steady_timer wakeup_;
  std::shared_ptr<client::BrokerConnection> connection_;
  client::FetchSessionHandler session_;  // with source_
  std::map<TopicPartition, State> partitions_;
  bool stopping_ = false;
};

class ReplicaFetcherManager {
 public:
  ReplicaFetcherManager(asio::io_context& io, const MetadataCache& metadata, ReplicaFetcherConfig config);
  ~ReplicaFetcherManager();

  // Follows `partition` from `leader` (removing it from any other fetcher first).
  asio::awaitable<void> add_partition(BrokerId leader, LeaderAddress address, FollowedPartition partition);
  // Stops fetching the partitions; a fetcher left with none is stopped.
  asio::awaitable<void> remove_partitions(std::vector<TopicPartition> tps);
  void shutdown();

 private:
  asio::io_context& io_;
  const MetadataCache& metadata_;
  ReplicaFetcherConfig config_;
  std::mutex mutex_;
  // (source broker, fetcher id) -> fetcher; num.replica.fetchers of them per source broker.
  using FetcherKey = std::pair<BrokerId, int32_t>;
  std::map<FetcherKey, std::shared_ptr<ReplicaFetcher>> fetchers_;
  std::map<TopicPartition, FetcherKey> owner_;
  bool shut_down_ = false;
};

}  // namespace sluice::broker
