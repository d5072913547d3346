#include "coordination/partition_state_machine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sluice::coordination {

std::optional<LeaderAndIsr> new_partition_leader(const std::vector<BrokerId>& replicas,
                                                 const std::function<bool(BrokerId)>& is_live) {
  LeaderAndIsr out;
  for (BrokerId r : replicas) {
    if (is_live(r)) out.isr.push_back(r);
  }
  if (out.isr.empty()) return std::nullopt;
  out.leader = out.isr.front();
  out.leader_epoch = LeaderEpoch(0);
  return out;
}

std::optional<LeaderAndIsr> offline_partition_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                     const std::function<bool(BrokerId)>& is_live) {
  if (current.leader != kNoLeader && is_live(current.leader)) return std::nullopt;
  const auto in_isr = [&](BrokerId r) { return std::find(current.isr.begin(), current.isr.end(), r) != current.isr.end(); };
  LeaderAndIsr next = current;
  next.leader_epoch = LeaderEpoch(current.leader_epoch.value() + 1);
  next.leader = kNoLeader;
  for (BrokerId r : replicas) {
    if (in_isr(r) && is_live(r)) {
      next.leader = r;
      break;
    }
  }
  if (next.leader == kNoLeader) {
    if (current.leader == kNoLeader) return std::nullopt;  // already offline: nothing to write
    return next;                                           // the ISR stays as it was
  }
  next.isr.clear();
  for (BrokerId r : current.isr) {
    if (is_live(r)) next.isr.push_back(r);
  }
  return next;
}

asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::elect_new(
    std::vector<TopicPartition> partitions) {
  std::vector<TopicPartition> created;
  const auto live = [this](BrokerId id) { return is_live(id); };
  for (const TopicPartition& tp : partitions) {
    if (context_.partition_states.contains(tp)) continue;
    auto decision = new_partition_leader(context_.replicas(tp), live);
    if (!decision) {
      spdlog::warn("controller: no live replica for new partition {}", tp.to_string());
      continue;
    }
    LeaderIsrAndControllerEpoch state;
    state.leader_and_isr = *decision;
    state.controller_epoch = context_.epoch.epoch;
    auto written = co_await zk_.create_partition_state(tp, state, context_.epoch.zk_version);
    if (!written && written.error() == Errc::node_exists) {
      // Written by an earlier controller that died before telling anyone: adopt it.
      SLUICE_CO_TRY(state, co_await zk_.get_partition_state(tp));
      context_.partition_states[tp] = state;
      created.push_back(tp);
      continue;
    }
    if (!written) co_return written.error();
    state.leader_and_isr.zk_version = written.value();
    context_.partition_states[tp] = state;
    created.push_back(tp);
  }
  co_return created;
}

asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::elect_offline(
    std::vector<TopicPartition> partitions) {
  std::vector<TopicPartition> changed;
  const auto live = [this](BrokerId id) { return is_live(id); };
  for (const TopicPartition& tp : partitions) {
    auto current = context_.partition_states.find(tp);
    if (current == context_.partition_states.end()) continue;
    auto decision = offline_partition_leader(current->second.leader_and_isr, context_.replicas(tp), live);
    if (!decision) continue;
    LeaderIsrAndControllerEpoch state;
    state.leader_and_isr = *decision;
    state.controller_epoch = context_.epoch.epoch;
    auto written = co_await zk_.update_partition_state(tp, state, current->second.leader_and_isr.zk_version,
                                                       context_.epoch.zk_version);
    if (!written && written.error() == Errc::bad_version) {
      SLUICE_CO_TRY(current->second, co_await zk_.get_partition_state(tp));
      spdlog::warn("controller: state of {} changed under us; re-read", tp.to_string());
      continue;
    }
    if (!written) co_return written.error();
    state.leader_and_isr.zk_version = written.value();
    current->second = state;
    spdlog::info("controller: {} leader {} epoch {}", tp.to_string(), state.leader_and_isr.leader.value(),
                 state.leader_and_isr.leader_epoch.value());
    changed.push_back(tp);
  }
  co_return changed;
}

}  // namespace sluice::coordination
