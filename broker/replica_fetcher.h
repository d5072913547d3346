// ReplicaFetcher and ReplicaFetcherManager: the follower side of replication (Kafka's
// ReplicaFetcherThread / ReplicaFetcherManager, controller-and-replication.md §11-13).
//
// One ReplicaFetcher per source broker fetches every partition this broker follows from that
// leader in one Fetch request (replica_id = this broker) over one client::BrokerConnection. A
// partition added to it first truncates its log to the divergence point with the leader
// (OffsetForLeaderEpoch, KIP-101/KIP-279), then fetches from its log end; fetched batches are
// appended as they are (Log::append_as_follower keeps the leader's offsets and epochs) and the
// high watermark follows the leader's (never past the local log end).
//
// Owner: the ReplicaManager owns the manager, which owns the fetchers. Thread-safe: each fetcher
//   runs on its own strand, and every call hops to it; the manager's map is under a mutex.
// Invariant: a partition is in at most one fetcher; once remove() returned, its log is not
//   appended to or truncated by any fetcher (appends run on the fetcher's strand, synchronously).
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
#include "broker/metadata_cache.h"
#include "protocol/bytes.h"
#include "protocol/types.h"
#include "storage/log.h"

namespace sluice::client {
class BrokerConnection;
}

namespace sluice::broker {

struct ReplicaFetcherConfig {
  BrokerId local{0};
  std::chrono::milliseconds max_wait{500};      // replica.fetch.wait.max.ms
  int32_t partition_max_bytes = 1024 * 1024;     // replica.fetch.max.bytes
  int32_t response_max_bytes = 10 * 1024 * 1024;  // replica.fetch.response.max.bytes
  std::chrono::milliseconds backoff{500};        // replica.fetch.backoff.ms (Kafka: 1000)
  std::chrono::milliseconds connect_timeout{2000};
};

// One followed partition, as become_leader_or_follower hands it over.
struct FollowedPartition {
  TopicPartition tp;
  std::shared_ptr<storage::Log> log;
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

// Keeps the whole v2 batches of `records` that end at or after `log_end_offset` (the fetched
// range can begin inside an old batch, and a response may end with a partial batch).
ByteView batches_from(ByteView records, Offset log_end_offset);

class ReplicaFetcher : public std::enable_shared_from_this<ReplicaFetcher> {
 public:
  ReplicaFetcher(asio::io_context& io, BrokerId source, LeaderAddress fallback, const MetadataCache& metadata,
                 ReplicaFetcherConfig config);
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
  asio::awaitable<void> sleep(std::chrono::milliseconds d);
  void delay(const TopicPartition& tp);

  asio::any_io_executor strand_;
  BrokerId source_;
  LeaderAddress fallback_;
  const MetadataCache& metadata_;
  ReplicaFetcherConfig config_;
  asio::steady_timer wakeup_;
  std::shared_ptr<client::BrokerConnection> connection_;
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
  std::map<BrokerId, std::shared_ptr<ReplicaFetcher>> fetchers_;
  std::map<TopicPartition, BrokerId> owner_;
  bool shut_down_ = false;
};

}  // namespace sluice::broker
