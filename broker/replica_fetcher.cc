#include "broker/replica_fetcher.h"

#include <algorithm>
#include <limits>

#include <spdlog/spdlog.h>

#include "broker/spawn.h"
#include "client/async_util.h"
#include "client/connection.h"
#include "protocol/error_code.h"
#include "protocol/messages/fetch_request.h"
#include "protocol/messages/list_offsets_request.h"
#include "protocol/messages/offset_for_leader_epoch_request.h"
#include "storage/leader_epoch_cache.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using namespace std::chrono_literals;

// Fetch v11: the last version without tagged fields; no truncate-on-fetch (the follower truncates
// through OffsetForLeaderEpoch before it fetches).
constexpr int16_t kFetchVersion = 11;
// Rounds of OffsetForLeaderEpoch per loop iteration (each one moves to an older epoch).
constexpr int kMaxTruncationRounds = 8;
// The partition's step for one partition of a fetch response, on its strand.
asio::awaitable<FollowerStepResult> append_on_strand(std::shared_ptr<Partition> partition, ByteView records,
                                                     std::shared_ptr<const void> owner, LeaderEpoch epoch,
                                                     Offset leader_high_watermark, Offset leader_log_start_offset) {
  co_return partition->append_records_to_follower(records, std::move(owner), epoch, leader_high_watermark,
                                                  leader_log_start_offset);
}

asio::awaitable<FollowerStepResult> restart_on_strand(std::shared_ptr<Partition> partition, Offset offset,
                                                      LeaderEpoch epoch) {
  co_return partition->truncate_fully_as_follower(offset, epoch);
}

asio::awaitable<FollowerStepResult> truncate_on_strand(std::shared_ptr<Partition> partition, Offset offset,
                                                       LeaderEpoch epoch) {
  co_return partition->truncate_as_follower(offset, epoch);
}

}  // namespace

TruncationDecision decide_truncation(LeaderEpoch leader_epoch, Offset leader_end_offset, storage::Log& log) {
  const Offset leo = log.log_end_offset();
  if (leader_end_offset < Offset(0)) return {std::min(log.high_watermark(), leo), true};  // epochs unknown
  if (leader_epoch < LeaderEpoch(0)) return {std::min(leader_end_offset, leo), true};     // v0 answer
  const auto [epoch, end] = log.leader_epoch_cache().end_offset_for(leader_epoch, leo);
  if (end < Offset(0)) return {std::min(leader_end_offset, leo), true};
  // The follower does not know the leader's epoch: drop what it wrote in later epochs, ask again.
  if (epoch != leader_epoch) return {std::min(end, leo), false};
  return {std::min({leader_end_offset, end, leo}), true};
}

ReplicaFetcher::ReplicaFetcher(asio::io_context& io, BrokerId source, LeaderAddress fallback,
                               const MetadataCache& metadata, ReplicaFetcherConfig config, int32_t fetcher_id)
    : strand_(asio::make_strand(io)),
      source_(source),
      fetcher_id_(fetcher_id),
      fallback_(std::move(fallback)),
      metadata_(metadata),
      config_(config),
      wakeup_(strand_) {}

ReplicaFetcher::~ReplicaFetcher() = default;

void ReplicaFetcher::start() {
  // Posted: the loop never starts inline on the caller's stack.
  asio::post(strand_, [self = shared_from_this()] {
    asio::co_spawn(self->strand_, run_keeping_alive(self), log_completion("replica fetcher"));
  });
}

void ReplicaFetcher::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->connection_) self->connection_->close();
    self->wakeup_.cancel();
  });
}

asio::awaitable<void> ReplicaFetcher::add(FollowedPartition partition) {
  co_await asio::co_spawn(strand_, add_on_strand(std::move(partition)), asio::use_awaitable);
}

asio::awaitable<size_t> ReplicaFetcher::remove(std::vector<TopicPartition> tps) {
  co_return co_await asio::co_spawn(strand_, remove_on_strand(std::move(tps)), asio::use_awaitable);
}

asio::awaitable<void> ReplicaFetcher::add_on_strand(FollowedPartition partition) {
  spdlog::info("{}: following broker {} at epoch {}", partition.tp.to_string(), source_.value(),
               partition.leader_epoch.value());
  TopicPartition tp = partition.tp;
  partitions_[tp] = State{.p = std::move(partition), .truncating = true, .delayed_until = {}};
  wakeup_.cancel();
  co_return;
}

asio::awaitable<size_t> ReplicaFetcher::remove_on_strand(std::vector<TopicPartition> tps) {
  for (const TopicPartition& tp : tps) partitions_.erase(tp);
  co_return partitions_.size();
}

asio::awaitable<void> ReplicaFetcher::sleep(std::chrono::milliseconds d) {
  wakeup_.expires_after(d);
  co_await wakeup_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<bool> ReplicaFetcher::truncate(const TopicPartition& tp, std::shared_ptr<Partition> partition,
                                               Offset offset, LeaderEpoch epoch) {
  const FollowerStepResult r =
      co_await asio::co_spawn(partition->strand(), truncate_on_strand(partition, offset, epoch), asio::use_awaitable);
  if (r.error) spdlog::warn("{}: truncation to {} failed: {}", tp.to_string(), offset.value(), r.error.message());
  co_return !r.stale && !r.error;
}

void ReplicaFetcher::delay(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (it != partitions_.end()) it->second.delayed_until = std::chrono::steady_clock::now() + config_.backoff;
}

// `self` keeps the fetcher alive until the loop ends.
asio::awaitable<void> ReplicaFetcher::run_keeping_alive(std::shared_ptr<ReplicaFetcher> self) {
  co_await self->run();
}

asio::awaitable<void> ReplicaFetcher::run() {
  while (!stopping_) {
    if (partitions_.empty()) {
      const std::chrono::milliseconds idle = std::chrono::hours(1);
      co_await sleep(idle);
      continue;
    }
    const bool connected = co_await ensure_connected();
    if (!connected) {
      const std::chrono::milliseconds backoff = config_.backoff;
      co_await sleep(backoff);
      continue;
    }
    co_await truncate_pending();
    if (stopping_) break;
    co_await fetch_once();
  }
  if (connection_) connection_->close();
  connection_.reset();
  spdlog::debug("replica fetcher for broker {} stopped", source_.value());
}

asio::awaitable<bool> ReplicaFetcher::ensure_connected() {
  if (connection_ && connection_->is_open()) co_return true;
  LeaderAddress address = fallback_;
  for (const BrokerEndpoint& b : metadata_.snapshot()->brokers) {
    if (b.id == source_) address = LeaderAddress{.host = b.host, .port = b.port};
  }
  if (address.host.empty() || address.port <= 0) co_return false;
  client::ConnectionConfig config;
  config.client_id = "broker-" + std::to_string(config_.local.value()) + "-fetcher-" + std::to_string(fetcher_id_) +
                     "-" + std::to_string(source_.value());
  config.connect_timeout = config_.connect_timeout;
  config.request_timeout = config_.request_timeout;
  connection_ = std::make_shared<client::BrokerConnection>(strand_, address.host,
                                                           static_cast<uint16_t>(address.port), config);
  const Status connected = co_await connection_->connect();
  if (!connected || stopping_) {
    spdlog::debug("replica fetcher: cannot connect to broker {} at {}:{}: {}", source_.value(), address.host,
                  address.port, connected ? "stopping" : connected.error().message());
    connection_.reset();
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> ReplicaFetcher::truncate_pending() {
  for (int round = 0; round < kMaxTruncationRounds && !stopping_; ++round) {
    const auto now = std::chrono::steady_clock::now();
    protocol::OffsetForLeaderEpochRequest request;
    request.replica_id = config_.local;
    std::map<TopicPartition, LeaderEpoch> asked;  // partition -> its leader epoch when asked
    std::vector<TopicPartition> without_epochs;
    for (auto& [tp, state] : partitions_) {
      if (!state.truncating || state.delayed_until > now) continue;
      storage::Log& log = *state.p.partition->log();
      const std::optional<LeaderEpoch> latest = log.leader_epoch_cache().latest_epoch();
      if (!latest) {
        without_epochs.push_back(tp);
        continue;
      }
      if (request.topics.empty() || request.topics.back().topic != tp.topic) {
        request.topics.push_back({.topic = tp.topic, .partitions = {}});
      }
      protocol::OffsetForLeaderEpochRequest::OffsetForLeaderPartition p;
      p.partition = tp.partition;
      p.current_leader_epoch = state.p.leader_epoch;
      p.leader_epoch = *latest;
      request.topics.back().partitions.push_back(p);
      asked[tp] = state.p.leader_epoch;
    }
    // No epochs (an empty or pre-epoch log): the high watermark is all that is known safe.
    for (const TopicPartition& tp : without_epochs) {
      auto it = partitions_.find(tp);
      if (it == partitions_.end()) continue;  // removed while an earlier step ran
      const FollowedPartition followed = it->second.p;
      if (co_await truncate(tp, followed.partition, followed.partition->log()->high_watermark(), followed.leader_epoch)) {
        auto again = partitions_.find(tp);
        if (again != partitions_.end() && again->second.p.leader_epoch == followed.leader_epoch) {
          again->second.truncating = false;
        }
      }
    }
    if (asked.empty()) co_return;
    auto response = co_await connection_->send(std::move(request));
    if (!response) {
      spdlog::info("replica fetcher: OffsetForLeaderEpoch to broker {} failed: {}", source_.value(),
                   response.error().message());
      connection_->close();
      co_return;
    }
    for (const auto& topic : response.value().body.topics) {
      for (const auto& r : topic.partitions) {
        TopicPartition tp{topic.topic, r.partition};
        auto it = partitions_.find(tp);
        auto sent = asked.find(tp);
        if (it == partitions_.end() || sent == asked.end() || it->second.p.leader_epoch != sent->second) continue;
        if (r.error_code != 0) {
          spdlog::debug("{}: OffsetForLeaderEpoch error {}", tp.to_string(), r.error_code);
          delay(tp);
          continue;
        }
        const FollowedPartition followed = it->second.p;
        storage::Log& log = *followed.partition->log();
        const TruncationDecision decision = decide_truncation(r.leader_epoch, r.end_offset, log);
        if (decision.offset < log.log_end_offset()) {
          spdlog::info("{}: truncating from {} to {} (leader epoch {} ends at {})", tp.to_string(),
                       log.log_end_offset().value(), decision.offset.value(), r.leader_epoch.value(),
                       r.end_offset.value());
          if (!co_await truncate(tp, followed.partition, decision.offset, followed.leader_epoch)) {
            delay(tp);
            continue;
          }
        }
        // Looked up again: the strand was free during the truncation step.
        auto again = partitions_.find(tp);
        if (decision.done && again != partitions_.end() && again->second.p.leader_epoch == followed.leader_epoch) {
          again->second.truncating = false;
        }
      }
    }
  }
}

asio::awaitable<void> ReplicaFetcher::fetch_once() {
  const auto now = std::chrono::steady_clock::now();
  protocol::FetchRequest request;
  request.replica_id = config_.local;
  request.max_wait_ms = static_cast<int32_t>(config_.max_wait.count());
  request.min_bytes = config_.min_bytes;
  request.max_bytes = config_.response_max_bytes;
  std::vector<client::FetchTarget> wanted;
  std::map<TopicPartition, LeaderEpoch> asked;
  auto next_ready = now + config_.backoff;
  for (const auto& [tp, state] : partitions_) {
    if (state.truncating) continue;
    if (state.delayed_until > now) {
      next_ready = std::min(next_ready, state.delayed_until);
      continue;
    }
    const storage::Log& log = *state.p.partition->log();
    wanted.push_back({.tp = tp,
                      .fetch_offset = log.log_end_offset(),
                      .log_start_offset = log.log_start_offset(),
                      .max_bytes = config_.partition_max_bytes,
                      .current_leader_epoch = state.p.leader_epoch});
    asked[tp] = state.p.leader_epoch;
  }
  if (asked.empty()) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_ready - now) + 1ms;
    co_await sleep(wait);
    co_return;
  }
  // KIP-227: after the first full request, only the partitions whose position moved are sent.
  session_.build(wanted, request);
  auto response = co_await connection_->send(std::move(request), kFetchVersion);
  if (!response) {
    if (!stopping_) {
      spdlog::info("replica fetcher: Fetch from broker {} failed: {}", source_.value(), response.error().message());
    }
    session_.handle_error();
    connection_->close();
    co_return;
  }
  if (!session_.handle_response(response.value().body)) {
    spdlog::debug("replica fetcher: fetch session with broker {}: {}; the next fetch is a full one", source_.value(),
                  protocol::error_code_name(static_cast<ErrorCode>(response.value().body.error_code)));
    co_return;
  }
  // Each partition's data goes to its own append step, all at once; errors are handled here.
  const std::shared_ptr<const void> owner = response.value().frame;
  std::vector<TopicPartition> appended_tps;
  std::vector<asio::awaitable<FollowerStepResult>> appends;
  std::map<TopicPartition, LeaderEpoch> out_of_range;
  for (const auto& topic : response.value().body.responses) {
    for (const auto& pd : topic.partitions) {
      TopicPartition tp{topic.topic, pd.partition_index};
      auto it = partitions_.find(tp);
      auto sent = asked.find(tp);
      // Removed or re-added (a new epoch) while the fetch was out: not ours to apply.
      if (it == partitions_.end() || sent == asked.end() || it->second.p.leader_epoch != sent->second) continue;
      const FollowedPartition& followed = it->second.p;
      const auto error = static_cast<ErrorCode>(pd.error_code);
      if (error == ErrorCode::offset_out_of_range) {
        spdlog::info("{}: fetch offset {} out of range on broker {}: truncating again", tp.to_string(),
                     followed.partition->log()->log_end_offset().value(), source_.value());
        it->second.truncating = true;
        delay(tp);
        out_of_range[tp] = sent->second;
        continue;
      }
      if (error != ErrorCode::none) {
        spdlog::debug("{}: fetch error {} from broker {}", tp.to_string(), pd.error_code, source_.value());
        delay(tp);
        continue;
      }
      const ByteView records = pd.records ? pd.records->bytes : ByteView{};
      appends.push_back(asio::co_spawn(followed.partition->strand(),
                                       append_on_strand(followed.partition, records, owner, followed.leader_epoch,
                                                        pd.high_watermark, pd.log_start_offset),
                                       asio::use_awaitable));
      appended_tps.push_back(std::move(tp));
    }
  }
  const std::vector<FollowerStepResult> results = co_await client::gather(std::move(appends));
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].error) continue;
    const TopicPartition& tp = appended_tps[i];
    spdlog::warn("{}: follower append failed: {}", tp.to_string(), results[i].error.message());
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    it->second.truncating = true;
    delay(tp);
  }
  if (!out_of_range.empty() && !stopping_) co_await restart_below_leader_log_start(std::move(out_of_range));
}

asio::awaitable<void> ReplicaFetcher::restart_below_leader_log_start(std::map<TopicPartition, LeaderEpoch> asked) {
  protocol::ListOffsetsRequest request;
  request.replica_id = config_.local;
  for (const auto& [tp, epoch] : asked) {
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      request.topics.push_back({.name = tp.topic, .partitions = {}});
    }
    protocol::ListOffsetsRequest::ListOffsetsPartition p;
    p.partition_index = tp.partition;
    p.current_leader_epoch = epoch;
    p.timestamp = -2;  // earliest: the leader's log start offset
    request.topics.back().partitions.push_back(p);
  }
  auto response = co_await connection_->send(std::move(request));
  if (!response) {
    spdlog::info("replica fetcher: ListOffsets to broker {} failed: {}", source_.value(), response.error().message());
    co_return;
  }
  for (const auto& topic : response.value().body.topics) {
    for (const auto& r : topic.partitions) {
      TopicPartition tp{topic.name, r.partition_index};
      auto it = partitions_.find(tp);
      auto sent = asked.find(tp);
      if (it == partitions_.end() || sent == asked.end() || it->second.p.leader_epoch != sent->second) continue;
      if (r.error_code != 0 || r.offset < Offset(0)) continue;
      const FollowedPartition followed = it->second.p;
      const Offset log_end = followed.partition->log()->log_end_offset();
      if (log_end >= r.offset) continue;  // not below: truncation decides
      spdlog::info("{}: log end {} is below the leader's log start {}: restarting the log there", tp.to_string(),
                   log_end.value(), r.offset.value());
      const FollowerStepResult restarted = co_await asio::co_spawn(
          followed.partition->strand(), restart_on_strand(followed.partition, r.offset, followed.leader_epoch),
          asio::use_awaitable);
      if (restarted.error) {
        spdlog::warn("{}: cannot restart the log at {}: {}", tp.to_string(), r.offset.value(),
                     restarted.error.message());
      }
      auto again = partitions_.find(tp);  // the strand was free during the step
      if (restarted.stale || restarted.error || again == partitions_.end() ||
          again->second.p.leader_epoch != followed.leader_epoch) {
        continue;
      }
      again->second.truncating = false;
      again->second.delayed_until = {};
    }
  }
}

ReplicaFetcherConfig replica_fetcher_config(const KafkaConfig& config) {
  ReplicaFetcherConfig out;
  out.local = config.broker_id;
  out.num_fetchers = config.num_replica_fetchers;
  out.max_wait = std::chrono::milliseconds(config.replica_fetch_wait_max_ms);
  out.min_bytes = config.replica_fetch_min_bytes;
  out.partition_max_bytes = config.replica_fetch_max_bytes;
  out.response_max_bytes = config.replica_fetch_response_max_bytes;
  out.backoff = std::chrono::milliseconds(config.replica_fetch_backoff_ms);
  out.request_timeout = std::chrono::milliseconds(config.replica_socket_timeout_ms);
  return out;
}

int32_t fetcher_id_for(const TopicPartition& tp, int32_t num_fetchers) {
  // Java int arithmetic: wraps modulo 2^32.
  uint32_t hash = 0;
  for (const char c : tp.topic) hash = 31U * hash + static_cast<uint32_t>(static_cast<unsigned char>(c));
  const auto mixed = static_cast<int32_t>(31U * hash + static_cast<uint32_t>(tp.partition.value()));
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0.
  const int32_t positive = mixed == std::numeric_limits<int32_t>::min() ? 0 : (mixed < 0 ? -mixed : mixed);
  return positive % std::max(num_fetchers, 1);
}

ReplicaFetcherManager::ReplicaFetcherManager(asio::io_context& io, const MetadataCache& metadata,
                                             ReplicaFetcherConfig config)
    : io_(io), metadata_(metadata), config_(config) {}

ReplicaFetcherManager::~ReplicaFetcherManager() { shutdown(); }

asio::awaitable<void> ReplicaFetcherManager::add_partition(BrokerId leader, LeaderAddress address,
                                                           FollowedPartition partition) {
  std::shared_ptr<ReplicaFetcher> previous;
  std::shared_ptr<ReplicaFetcher> target;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) co_return;
    const FetcherKey key{leader, fetcher_id_for(partition.tp, config_.num_fetchers)};
    auto owner = owner_.find(partition.tp);
    if (owner != owner_.end() && owner->second != key) previous = fetchers_[owner->second];
    auto& slot = fetchers_[key];
    if (!slot) {
      slot = std::make_shared<ReplicaFetcher>(io_, leader, std::move(address), metadata_, config_, key.second);
      slot->start();
    }
    target = slot;
    owner_[partition.tp] = key;
  }
  if (previous) {
    std::vector<TopicPartition> tps{partition.tp};
    co_await previous->remove(std::move(tps));
  }
  co_await target->add(std::move(partition));
}

asio::awaitable<void> ReplicaFetcherManager::remove_partitions(std::vector<TopicPartition> tps) {
  std::map<std::shared_ptr<ReplicaFetcher>, std::vector<TopicPartition>> by_fetcher;
  {
    std::lock_guard lock(mutex_);
    for (const TopicPartition& tp : tps) {
      auto owner = owner_.find(tp);
      if (owner == owner_.end()) continue;
      by_fetcher[fetchers_[owner->second]].push_back(tp);
      owner_.erase(owner);
    }
  }
  // An idle fetcher stays (sleeping): the next partition from that leader reuses it.
  for (auto& [fetcher, list] : by_fetcher) {
    if (fetcher) co_await fetcher->remove(std::move(list));
  }
}

void ReplicaFetcherManager::shutdown() {
  std::lock_guard lock(mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& [key, fetcher] : fetchers_) fetcher->stop();
  fetchers_.clear();
  owner_.clear();
}

}  // namespace sluice::broker
