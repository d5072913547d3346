#include "broker/replica_manager.h"

#include <spdlog/spdlog.h>

#include "broker/error_mapping.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using asio::use_awaitable;

// Runs on the request pool: mkdir, file creation.
// A null log when it could not be opened (logged).
asio::awaitable<std::shared_ptr<storage::Log>> open_log(storage::LogManager* logs, TopicPartition tp,
                                                        storage::LogConfig config) {
  if (auto log = logs->get_log(tp)) {
    log->update_config(config);
    co_return log;
  }
  auto created = logs->create_log(tp, config);
  if (!created) {
    spdlog::warn("{}: cannot create the log: {}", tp.to_string(), created.error().message());
    co_return nullptr;
  }
  co_return created.value();
}

asio::awaitable<void> apply_state(std::shared_ptr<Partition> partition, PartitionState state, BrokerId local) {
  if (state.leader == local) {
    partition->make_leader(state, steady_now_ms());
  } else {
    partition->make_follower(state);
  }
  co_return;
}

asio::awaitable<LeaderEpoch> leader_epoch_on_strand(std::shared_ptr<Partition> partition) {
  co_return partition->leader_epoch();
}

asio::awaitable<ListOffsetResult> list_offset_on_strand(std::shared_ptr<Partition> partition, int64_t timestamp,
                                                        LeaderEpoch current_epoch, bool consumer) {
  if (!partition->is_leader()) co_return list_offset_error(ErrorCode::not_leader_or_follower);
  if (ErrorCode e = partition->check_leader_epoch(current_epoch); e != ErrorCode::none) {
    co_return list_offset_error(e);
  }
  const storage::Log& log = *partition->log();
  ListOffsetResult result;
  result.leader_epoch = partition->leader_epoch();
  if (timestamp == -2) {
    result.offset = log.log_start_offset();
  } else if (timestamp == -1) {
    result.offset = consumer ? log.high_watermark() : log.log_end_offset();
  } else {
    auto found = log.fetch_offset_by_timestamp(TimestampMs(timestamp));
    if (!found) co_return list_offset_error(to_error_code(found.error()));
    if (found.value()) {
      result.timestamp = found.value()->timestamp;
      result.offset = found.value()->offset;
    }
  }
  co_return result;
}

}  // namespace

ReplicaManager::ReplicaManager(asio::io_context& io, asio::thread_pool& request_pool,
                               asio::thread_pool& maintenance_pool, storage::LogManager& logs,
                               ReplicaManagerConfig config)
    : io_(io),
      request_pool_(request_pool),
      maintenance_pool_(maintenance_pool),
      logs_(logs),
      config_(std::move(config)) {}

std::shared_ptr<Partition> ReplicaManager::get_partition(const TopicPartition& tp) const {
  std::lock_guard lock(mutex_);
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : it->second;
}

std::vector<PartitionHealth> ReplicaManager::partition_health() const {
  std::vector<std::shared_ptr<Partition>> partitions;
  {
    std::lock_guard lock(mutex_);
    partitions.reserve(partitions_.size());
    for (const auto& [tp, partition] : partitions_) partitions.push_back(partition);
  }
  std::vector<PartitionHealth> out;
  out.reserve(partitions.size());
  for (const auto& partition : partitions) {
    PartitionHealth h;
    h.tp = partition->topic_partition();
    h.leader = partition->leading_epoch().has_value();
    h.isr_size = partition->isr_size();
    h.replica_count = partition->replica_count();
    h.min_insync_replicas = partition->log()->config().min_insync_replicas;
    h.size_bytes = partition->log()->size_in_bytes();
    h.high_watermark = partition->log()->high_watermark();
    out.push_back(std::move(h));
  }
  return out;
}

asio::awaitable<std::shared_ptr<Partition>> ReplicaManager::get_or_create_partition(const PartitionState& state) {
  std::string error;
  auto config = storage::LogConfig::with_overrides(config_.default_log_config, state.topic_config, &error);
  if (!config) {
    spdlog::warn("{}: invalid topic config: {}", state.tp.to_string(), error);
    co_return nullptr;
  }
  auto log = co_await asio::co_spawn(request_pool_, open_log(&logs_, state.tp, config.value()), use_awaitable);
  if (!log) co_return nullptr;
  std::lock_guard lock(mutex_);
  auto& slot = partitions_[state.tp];
  if (!slot) slot = std::make_shared<Partition>(state.tp, config_.broker_id, log, asio::make_strand(request_pool_));
  co_return slot;
}

asio::awaitable<ErrorCode> ReplicaManager::become_leader_or_follower(PartitionState state) {
  std::shared_ptr<Partition> partition = co_await get_or_create_partition(state);
  if (!partition) co_return ErrorCode::kafka_storage_error;
  // A LeaderAndIsr older than what this broker already applied is ignored, as Kafka does.
  const LeaderEpoch local_epoch =
      co_await asio::co_spawn(partition->strand(), leader_epoch_on_strand(partition), use_awaitable);
  if (state.leader_epoch < local_epoch) {
    spdlog::info("{}: ignoring LeaderAndIsr at leader epoch {} below the local {}", state.tp.to_string(),
                 state.leader_epoch.value(), local_epoch.value());
    co_return ErrorCode::stale_controller_epoch;
  }
  // Stop fetching before the role changes: no fetcher appends to the log after this.
  if (fetchers_) {
    std::vector<TopicPartition> tps{state.tp};
    co_await fetchers_->remove_partitions(std::move(tps));
  }
  co_await asio::co_spawn(partition->strand(), apply_state(partition, state, config_.broker_id), use_awaitable);
  if (fetchers_ && state.leader != config_.broker_id && state.leader >= BrokerId(0)) {
    LeaderAddress address{.host = state.leader_host.value_or(""), .port = state.leader_port};
    FollowedPartition followed{.tp = state.tp, .partition = partition, .leader_epoch = state.leader_epoch};
    co_await fetchers_->add_partition(state.leader, std::move(address), std::move(followed));
  }
  spdlog::info("{}: {} at epoch {}", state.tp.to_string(), state.leader == config_.broker_id ? "leader" : "follower",
               state.leader_epoch.value());
  // Waiting fetches and produces re-check: they may now complete with NOT_LEADER_OR_FOLLOWER.
  fetch_purgatory_.check_and_complete(state.tp);
  produce_purgatory_.check_and_complete(state.tp);
  co_return ErrorCode::none;
}

asio::awaitable<ErrorCode> ReplicaManager::become_leader(PartitionState state) {
  state.leader = config_.broker_id;
  co_return co_await become_leader_or_follower(std::move(state));
}

asio::awaitable<ErrorCode> ReplicaManager::stop_replica(TopicPartition tp, LeaderEpoch epoch, bool delete_partition) {
  std::shared_ptr<Partition> partition = get_partition(tp);
  if (!partition) co_return ErrorCode::none;
  if (fetchers_) {
    std::vector<TopicPartition> tps{tp};
    co_await fetchers_->remove_partitions(std::move(tps));
  }
  auto stop = [](std::shared_ptr<Partition> p, LeaderEpoch e) -> asio::awaitable<void> {
    p->make_not_leader(e);
    co_return;
  };
  co_await asio::co_spawn(partition->strand(), stop(partition, epoch), use_awaitable);
  // Waiting produces and fetches complete now with NOT_LEADER_OR_FOLLOWER, not at their timeout.
  fetch_purgatory_.check_and_complete(tp);
  produce_purgatory_.check_and_complete(tp);
  if (!delete_partition) co_return ErrorCode::none;
  {
    std::lock_guard lock(mutex_);
    partitions_.erase(tp);
  }
  auto remove = [](storage::LogManager* logs, TopicPartition t) -> asio::awaitable<ErrorCode> {
    Status status = logs->delete_log(t);
    co_return status ? ErrorCode::none : to_error_code(status.error());
  };
  co_return co_await asio::co_spawn(maintenance_pool_, remove(&logs_, tp), use_awaitable);
}

asio::awaitable<ListOffsetResult> ReplicaManager::fetch_offset_for_timestamp(TopicPartition tp, int64_t timestamp,
                                                                             LeaderEpoch current_leader_epoch,
                                                                             bool consumer) {
  std::shared_ptr<Partition> partition = get_partition(tp);
  if (!partition) co_return list_offset_error(ErrorCode::unknown_topic_or_partition);
  co_return co_await asio::co_spawn(partition->strand(),
                                    list_offset_on_strand(partition, timestamp, current_leader_epoch, consumer),
                                    use_awaitable);
}

}  // namespace sluice::broker
