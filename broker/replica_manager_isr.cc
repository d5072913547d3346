// ReplicaManager's replication control: starting the fetchers, the ISR task (shrink), ISR writes
// to ZooKeeper and the /isr_change_notification announcements (docs/replication.md).
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "broker/spawn.h"

#include "broker/replica_manager.h"
#include "coordination/errc.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/zk_client.h"

namespace sluice::broker {
namespace {

using asio::use_awaitable;
using namespace std::chrono_literals;

// Kafka checks for ISR changes to announce every 2.5 s; the shrink check runs every
// replica.lag.time.max.ms / 2. One task does both, at the shorter of the two.
constexpr std::chrono::milliseconds kMaxIsrTick{2500};
constexpr std::chrono::milliseconds kMinIsrTick{10};
constexpr const char* kIsrChangePrefix = "/isr_change_notification/isr_change_";

asio::awaitable<std::optional<IsrChange>> shrink_on_strand(std::shared_ptr<Partition> partition, int64_t now_ms,
                                                           int64_t max_lag_ms) {
  co_return partition->maybe_shrink_isr(now_ms, max_lag_ms);
}

asio::awaitable<bool> complete_on_strand(std::shared_ptr<Partition> partition, IsrChange change,
                                         std::optional<ZkVersion> written) {
  co_return partition->complete_isr_change(change, written);
}

Bytes isr_change_json(const std::vector<TopicPartition>& tps) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["partitions"] = nlohmann::ordered_json::array();
  for (const TopicPartition& tp : tps) {
    nlohmann::ordered_json p;
    p["topic"] = tp.topic;
    p["partition"] = tp.partition.value();
    j["partitions"].push_back(std::move(p));
  }
  const std::string text = j.dump();
  const ByteView view = as_bytes(text);
  return Bytes(view.begin(), view.end());
}

}  // namespace

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ReplicaManager::start_replication(ReplicationContext context) {
  replication_ = context;
  ReplicaFetcherConfig fetcher_config = config_.fetcher;
  fetcher_config.local = config_.broker_id;
  fetchers_ = std::make_unique<ReplicaFetcherManager>(io_, *context.metadata_cache, fetcher_config);
  isr_strand_ = asio::make_strand(io_);
  isr_timer_ = std::make_unique<asio::steady_timer>(isr_strand_);
  asio::co_spawn(isr_strand_, isr_task(), log_completion("ISR task"));
}

asio::awaitable<void> ReplicaManager::shutdown_replication() {
  replication_stopping_.store(true);
  if (fetchers_) fetchers_->shutdown();
  if (isr_timer_) {
    asio::dispatch(isr_strand_, [timer = isr_timer_.get()] { timer->cancel(); });
  }
  co_return;
}

void ReplicaManager::after_high_watermark_change(const TopicPartition& tp) {
  produce_purgatory_.check_and_complete(tp);
  fetch_purgatory_.check_and_complete(tp);
}

void ReplicaManager::spawn_isr_write(std::shared_ptr<Partition> partition, IsrChange change) {
  if (replication_.kafka_zk == nullptr) {
    // No ZooKeeper (in-process tests): drop the proposal.
    asio::co_spawn(partition->strand(), complete_on_strand(partition, std::move(change), std::nullopt),
                   log_completion("ISR change"));
    return;
  }
  asio::co_spawn(io_, write_isr(std::move(partition), std::move(change)), log_completion("ISR write"));
}

asio::awaitable<void> ReplicaManager::write_isr(std::shared_ptr<Partition> partition, IsrChange change) {
  coordination::LeaderIsrAndControllerEpoch state;
  state.leader_and_isr.leader = config_.broker_id;
  state.leader_and_isr.leader_epoch = change.leader_epoch;
  state.leader_and_isr.isr = change.new_isr;
  state.leader_and_isr.zk_version = change.expected;
  state.controller_epoch = coordination::ControllerEpoch(change.controller_epoch);
  std::optional<ZkVersion> written;
  if (!replication_stopping_.load() && replication_.kafka_zk != nullptr) {
    auto updated = co_await replication_.kafka_zk->update_partition_state(change.tp, state, change.expected);
    if (updated) {
      written = updated.value();
    } else if (updated.error() == coordination::Errc::bad_version) {
      // Someone else wrote the state: if it is what we wanted (a retried write), keep it; else
      // the controller moved on and a LeaderAndIsr with the new state follows.
      auto current = co_await replication_.kafka_zk->get_partition_state(change.tp);
      if (current && current.value().leader_and_isr.leader == config_.broker_id &&
          current.value().leader_and_isr.leader_epoch == change.leader_epoch &&
          current.value().leader_and_isr.isr == change.new_isr) {
        written = current.value().leader_and_isr.zk_version;
      } else {
        spdlog::info("{}: ISR update skipped: the partition state changed (zkVersion {} is stale)",
                     change.tp.to_string(), change.expected.value());
      }
    } else {
      spdlog::warn("{}: ISR update failed: {}", change.tp.to_string(), updated.error().message());
    }
  }
  const bool moved =
      co_await asio::co_spawn(partition->strand(), complete_on_strand(partition, change, written), use_awaitable);
  if (written) {
    std::lock_guard lock(isr_changes_mutex_);
    pending_isr_changes_.push_back(change.tp);
  }
  // A shrink may move the high watermark, and waiting acks=all produces then see the smaller ISR.
  if (moved || written) after_high_watermark_change(change.tp);
}

asio::awaitable<void> ReplicaManager::publish_isr_changes() {
  std::vector<TopicPartition> tps;
  {
    std::lock_guard lock(isr_changes_mutex_);
    tps.swap(pending_isr_changes_);
  }
  if (tps.empty() || replication_.zk == nullptr) co_return;
  std::sort(tps.begin(), tps.end());
  tps.erase(std::unique(tps.begin(), tps.end()), tps.end());
  auto created = co_await replication_.zk->create(kIsrChangePrefix, isr_change_json(tps),
                                                  coordination::CreateMode::persistent_sequential);
  if (!created) {
    spdlog::warn("cannot announce {} ISR changes: {}", tps.size(), created.error().message());
    std::lock_guard lock(isr_changes_mutex_);
    pending_isr_changes_.insert(pending_isr_changes_.end(), tps.begin(), tps.end());
  }
}

asio::awaitable<void> ReplicaManager::isr_task() {
  const auto tick = std::clamp(std::chrono::milliseconds(config_.replica_lag_time_max_ms / 2), kMinIsrTick, kMaxIsrTick);
  while (!replication_stopping_.load()) {
    isr_timer_->expires_after(tick);
    co_await isr_timer_->async_wait(asio::as_tuple(use_awaitable));
    if (replication_stopping_.load()) break;
    std::vector<std::shared_ptr<Partition>> partitions;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [tp, partition] : partitions_) partitions.push_back(partition);
    }
    const int64_t now = steady_now_ms();
    for (const std::shared_ptr<Partition>& partition : partitions) {
      std::optional<IsrChange> change = co_await asio::co_spawn(
          partition->strand(), shrink_on_strand(partition, now, config_.replica_lag_time_max_ms), use_awaitable);
      if (!change) continue;
      spdlog::info("{}: shrinking the ISR to {} members", change->tp.to_string(), change->new_isr.size());
      co_await write_isr(partition, std::move(*change));
    }
    co_await publish_isr_changes();
  }
}

asio::awaitable<EpochEndOffsetResult> ReplicaManager::end_offset_for_epoch(TopicPartition tp,
                                                                           LeaderEpoch current_leader_epoch,
                                                                           LeaderEpoch requested) {
  std::shared_ptr<Partition> partition = get_partition(tp);
  if (!partition) {
    EpochEndOffsetResult r;
    r.error = protocol::ErrorCode::unknown_topic_or_partition;
    co_return r;
  }
  auto query = [](std::shared_ptr<Partition> p, LeaderEpoch current, LeaderEpoch wanted)
      -> asio::awaitable<EpochEndOffsetResult> { co_return p->end_offset_for_epoch(current, wanted); };
  co_return co_await asio::co_spawn(partition->strand(), query(partition, current_leader_epoch, requested),
                                    use_awaitable);
}

}  // namespace sluice::broker
