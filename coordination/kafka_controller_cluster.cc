// KafkaController: ISR change notifications, controlled shutdown and preferred leader elections
// (on request through /admin/preferred_replica_election, and the periodic imbalance check)
// (docs/replication.md).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordination/kafka_controller.h"
#include "protocol/error_code.h"

namespace sluice::coordination {

// Kafka's IsrChangeNotification: leaders changed ISRs in the state znodes themselves; re-read
// those partitions, tell every broker, then delete the notifications.
asio::awaitable<Status> KafkaController::on_isr_change() {
  SLUICE_CO_TRY(const auto children, co_await kafka_zk_.get_isr_change_notifications(watcher(EventType::isr_change)));
  if (children.empty()) co_return ok();
  std::set<TopicPartition> changed;
  for (const std::string& child : children) {
    auto partitions = co_await kafka_zk_.get_isr_change_notification(child);
    if (!partitions && partitions.error() == Errc::corrupt_data) {
      spdlog::warn("controller: ignoring malformed ISR change notification {}", child);
      continue;
    }
    if (!partitions) co_return partitions.error();
    for (const TopicPartition& tp : partitions.value()) changed.insert(tp);
  }
  for (const TopicPartition& tp : changed) {
    if (!context_.partition_states.contains(tp)) continue;
    auto state = co_await kafka_zk_.get_partition_state(tp);
    if (!state && state.error() == Errc::no_node) continue;
    if (!state) co_return state.error();
    context_.partition_states[tp] = state.value();
  }
  spdlog::info("controller: ISR changed for {} partitions", changed.size());
  send_update_metadata();
  SLUICE_CO_TRY(co_await kafka_zk_.delete_isr_change_notifications(children));
  // A reassignment finishes once every target replica is in the ISR.
  co_return co_await maybe_complete_reassignments();
}

// Kafka's ReplicaLeaderElection through the admin znode: elect the preferred replica of each
// listed partition that exists, then delete the znode.
asio::awaitable<Status> KafkaController::on_preferred_replica_election() {
  SLUICE_CO_TRY(const auto asked,
                co_await kafka_zk_.get_preferred_replica_election(watcher(EventType::preferred_replica_election)));
  if (!asked) co_return ok();
  std::vector<TopicPartition> partitions;
  for (const TopicPartition& tp : *asked) {
    if (context_.partition_states.contains(tp) && !context_.topics_being_deleted.contains(tp.topic)) {
      partitions.push_back(tp);
    }
  }
  SLUICE_CO_TRY(co_await elect_preferred(std::move(partitions)));
  co_return co_await kafka_zk_.delete_preferred_replica_election();
}

asio::awaitable<Status> KafkaController::elect_preferred(std::vector<TopicPartition> partitions) {
  SLUICE_CO_TRY(const auto changed, co_await partitions_.elect_preferred(std::move(partitions)));
  if (changed.empty()) co_return ok();
  spdlog::info("controller: preferred leaders elected for {} partitions", changed.size());
  send_leader_and_isr(changed);
  send_update_metadata();
  co_return ok();
}

// Kafka's AutoPreferredReplicaLeaderElection: brokers leading too few of the partitions they are
// preferred for get them back.
asio::awaitable<Status> KafkaController::on_auto_rebalance() {
  schedule_rebalance();
  if (!config_.auto_leader_rebalance_enable) co_return ok();
  // As Kafka: no rebalance while partitions are being reassigned.
  if (reassignment_in_progress()) co_return ok();
  auto candidates = rebalance_candidates(context_, config_.leader_imbalance_per_broker_percentage);
  if (candidates.empty()) co_return ok();
  spdlog::info("controller: leader imbalance: {} partitions to their preferred leaders", candidates.size());
  co_return co_await elect_preferred(std::move(candidates));
}

void KafkaController::schedule_rebalance() {
  if (!config_.auto_leader_rebalance_enable || !is_active()) return;
  rebalance_timer_.expires_after(config_.leader_imbalance_check_interval);
  rebalance_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !is_active()) return;
    Event event;
    event.type = EventType::auto_rebalance;
    enqueue(std::move(event));
  });
}

asio::awaitable<bool> KafkaController::unclean_allowed(std::string topic) {
  auto config = co_await kafka_zk_.get_topic_config(topic);
  if (config) {
    auto it = config.value().find("unclean.leader.election.enable");
    if (it != config.value().end()) co_return it->second == "true";
  } else {
    spdlog::warn("controller: cannot read the config of {}: {}", topic, config.error().message());
  }
  co_return config_.unclean_leader_election_enable;
}

// Kafka's doControlledShutdown: the broker joins the shutting-down set (never elected again), its
// leaderships move to other ISR members, it leaves the ISRs; the answer lists what it still leads.
asio::awaitable<Status> KafkaController::on_controlled_shutdown(BrokerId broker, int64_t broker_epoch,
                                                                std::function<void(ControlledShutdownResult)> done) {
  ControlledShutdownResult result;
  if (!is_active()) {
    result.error_code = static_cast<int16_t>(protocol::ErrorCode::not_controller);
    done(std::move(result));
    co_return ok();
  }
  auto info = context_.live_brokers.find(broker);
  if (info == context_.live_brokers.end()) {
    result.error_code = static_cast<int16_t>(protocol::ErrorCode::broker_not_available);
    done(std::move(result));
    co_return ok();
  }
  if (broker_epoch != -1 && broker_epoch != info->second.epoch) {
    result.error_code = static_cast<int16_t>(protocol::ErrorCode::stale_broker_epoch);
    done(std::move(result));
    co_return ok();
  }
  spdlog::info("controller: controlled shutdown of broker {}", broker.value());
  context_.shutting_down.insert(broker);
  std::vector<TopicPartition> changed;
  auto remaining = co_await partitions_.elect_for_controlled_shutdown(broker, context_.shutting_down, &changed);
  if (!remaining) {
    result.error_code = static_cast<int16_t>(protocol::ErrorCode::unknown_server_error);
    done(std::move(result));
    co_return remaining.error();
  }
  send_leader_and_isr(changed);
  send_update_metadata();
  result.remaining = std::move(remaining.value());
  spdlog::info("controller: broker {} shut down with {} partitions remaining", broker.value(), result.remaining.size());
  done(std::move(result));
  co_return ok();
}

asio::awaitable<ControlledShutdownResult> KafkaController::controlled_shutdown(BrokerId broker, int64_t broker_epoch) {
  Event event;
  event.type = EventType::controlled_shutdown;
  event.broker = broker;
  event.broker_epoch = broker_epoch;
  co_return co_await ask(std::move(event), &Event::done);
}

}  // namespace sluice::coordination

namespace sluice::coordination {

asio::awaitable<Status> KafkaController::on_elect_leaders(std::optional<std::vector<TopicPartition>> partitions,
                                                          int8_t election_type,
                                                          std::function<void(ElectLeadersResult)> done) {
  using protocol::ErrorCode;
  ElectLeadersResult result;
  if (!is_active()) {
    result.error_code = static_cast<int16_t>(ErrorCode::not_controller);
    done(std::move(result));
    co_return ok();
  }
  const bool unclean = election_type == 1;
  const auto live = [this](BrokerId id) { return context_.is_live(id) && !context_.shutting_down.contains(id); };
  const bool all = !partitions.has_value();
  std::vector<TopicPartition> asked = all ? context_.all_partitions() : std::move(*partitions);
  std::vector<TopicPartition> eligible;
  for (const TopicPartition& tp : asked) {
    auto current = context_.partition_states.find(tp);
    if (current == context_.partition_states.end() || context_.topics_being_deleted.contains(tp.topic)) {
      if (!all) result.partitions[tp] = static_cast<int16_t>(ErrorCode::unknown_topic_or_partition);
      continue;
    }
    const LeaderAndIsr& l = current->second.leader_and_isr;
    const auto replicas = context_.replicas(tp);
    ErrorCode e = ErrorCode::none;
    if (unclean) {
      if (l.leader != kNoLeader && live(l.leader)) {
        e = ErrorCode::election_not_needed;
      } else if (!offline_partition_leader(l, replicas, live, true) ||
                 offline_partition_leader(l, replicas, live, true)->leader == kNoLeader) {
        e = ErrorCode::eligible_leaders_not_available;
      }
    } else {
      if (!replicas.empty() && l.leader == replicas.front()) {
        e = ErrorCode::election_not_needed;
      } else if (!preferred_replica_leader(l, replicas, live)) {
        e = ErrorCode::preferred_leader_not_available;
      }
    }
    if (e == ErrorCode::none) eligible.push_back(tp);
    if (!all || e == ErrorCode::none) result.partitions[tp] = static_cast<int16_t>(e);
  }
  Result<std::vector<TopicPartition>> changed = std::vector<TopicPartition>{};
  if (!eligible.empty()) {
    // (Two co_awaits in one conditional expression miscompile with GCC 12: keep them apart.)
    if (unclean) {
      changed = co_await partitions_.elect_offline(eligible, true);
    } else {
      changed = co_await partitions_.elect_preferred(eligible);
    }
  }
  if (!changed) {
    for (const TopicPartition& tp : eligible) result.partitions[tp] = static_cast<int16_t>(ErrorCode::unknown_server_error);
    done(std::move(result));
    co_return changed.error();
  }
  // Those another writer changed meanwhile were not elected: the caller may ask again.
  std::set<TopicPartition> elected(changed.value().begin(), changed.value().end());
  for (const TopicPartition& tp : eligible) {
    if (!elected.contains(tp)) result.partitions[tp] = static_cast<int16_t>(ErrorCode::preferred_leader_not_available);
  }
  if (!changed.value().empty()) {
    send_leader_and_isr(changed.value());
    send_update_metadata();
  }
  done(std::move(result));
  co_return ok();
}

asio::awaitable<KafkaController::ElectLeadersResult> KafkaController::elect_leaders(
    std::optional<std::vector<TopicPartition>> partitions, int8_t election_type) {
  Event event;
  event.type = EventType::elect_leaders;
  event.partitions = std::move(partitions);
  event.election_type = election_type;
  co_return co_await ask(std::move(event), &Event::elect_done);
}

}  // namespace sluice::coordination
