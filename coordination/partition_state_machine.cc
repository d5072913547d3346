#include "coordination/partition_state_machine.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "client/async_util.h"

namespace sluice::coordination {
namespace {

bool contains(const std::vector<BrokerId>& v, BrokerId id) { return std::find(v.begin(), v.end(), id) != v.end(); }

LeaderAndIsr bumped(const LeaderAndIsr& current) {
  LeaderAndIsr next = current;
  next.leader_epoch = LeaderEpoch(current.leader_epoch.value() + 1);
  return next;
}

}  // namespace

std::optional<LeaderAndIsr> new_partition_leader(const std::vector<BrokerId>& replicas, const IsLive& is_live) {
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
                                                     const IsLive& is_live, bool unclean) {
  if (current.leader != kNoLeader && is_live(current.leader)) return std::nullopt;
  LeaderAndIsr next = bumped(current);
  next.leader = kNoLeader;
  for (BrokerId r : replicas) {
    if (contains(current.isr, r) && is_live(r)) {
      next.leader = r;
      break;
    }
  }
  if (next.leader != kNoLeader) {
    next.isr.clear();
    for (BrokerId r : current.isr) {
      if (is_live(r)) next.isr.push_back(r);
    }
    return next;
  }
  if (unclean) {
    for (BrokerId r : replicas) {
      if (is_live(r)) {
        next.leader = r;
        next.isr = {r};
        return next;
      }
    }
  }
  if (current.leader == kNoLeader) return std::nullopt;  // already offline: nothing to write
  return next;                                           // the ISR stays as it was
}

std::optional<LeaderAndIsr> remove_replicas_from_isr(const LeaderAndIsr& current, const std::set<BrokerId>& gone) {
  LeaderAndIsr next = bumped(current);
  bool changed = false;
  for (BrokerId r : gone) {
    if (!contains(next.isr, r)) continue;
    if (next.leader == r) {
      next.leader = kNoLeader;
      changed = true;
    }
    if (next.isr.size() > 1) {
      next.isr.erase(std::find(next.isr.begin(), next.isr.end(), r));
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return next;
}

std::optional<LeaderAndIsr> controlled_shutdown_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                       const IsLive& is_live, const std::set<BrokerId>& shutting_down) {
  if (current.leader == kNoLeader || !shutting_down.contains(current.leader)) return std::nullopt;
  LeaderAndIsr next = bumped(current);
  next.leader = kNoLeader;
  for (BrokerId r : replicas) {
    if (contains(current.isr, r) && is_live(r) && !shutting_down.contains(r)) {
      next.leader = r;
      break;
    }
  }
  if (next.leader == kNoLeader) return std::nullopt;
  next.isr.clear();
  for (BrokerId r : current.isr) {
    if (!shutting_down.contains(r)) next.isr.push_back(r);
  }
  return next;
}

std::optional<LeaderAndIsr> preferred_replica_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                     const IsLive& is_live) {
  if (replicas.empty()) return std::nullopt;
  const BrokerId preferred = replicas.front();
  if (current.leader == preferred || !is_live(preferred) || !contains(current.isr, preferred)) return std::nullopt;
  LeaderAndIsr next = bumped(current);
  next.leader = preferred;
  return next;
}

std::optional<LeaderAndIsr> reassignment_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& target,
                                                const IsLive& is_live) {
  std::vector<BrokerId> isr;
  for (BrokerId r : target) {
    if (contains(current.isr, r)) isr.push_back(r);
  }
  BrokerId leader = kNoLeader;
  if (contains(isr, current.leader) && is_live(current.leader)) {
    leader = current.leader;
  } else {
    for (BrokerId r : isr) {
      if (is_live(r)) {
        leader = r;
        break;
      }
    }
  }
  if (leader == kNoLeader) return std::nullopt;
  LeaderAndIsr next = bumped(current);
  next.leader = leader;
  next.isr = std::move(isr);
  return next;
}

std::map<BrokerId, double> leader_imbalance(const ControllerContext& context) {
  std::map<BrokerId, std::pair<int, int>> counts;  // preferred broker -> (not led by it, total)
  for (const auto& [tp, state] : context.partition_states) {
    const auto replicas = context.replicas(tp);
    if (replicas.empty() || context.topics_being_deleted.contains(tp.topic)) continue;
    auto& [not_led, total] = counts[replicas.front()];
    ++total;
    if (state.leader_and_isr.leader != replicas.front()) ++not_led;
  }
  std::map<BrokerId, double> out;
  for (const auto& [broker, c] : counts) out[broker] = static_cast<double>(c.first) / c.second;
  return out;
}

std::vector<TopicPartition> rebalance_candidates(const ControllerContext& context, int32_t percentage) {
  const auto imbalance = leader_imbalance(context);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : context.partition_states) {
    const auto replicas = context.replicas(tp);
    if (replicas.empty() || context.topics_being_deleted.contains(tp.topic)) continue;
    const BrokerId preferred = replicas.front();
    auto ratio = imbalance.find(preferred);
    if (ratio == imbalance.end() || ratio->second <= percentage / 100.0) continue;
    if (state.leader_and_isr.leader == preferred || !context.is_live(preferred) ||
        context.shutting_down.contains(preferred) || !contains(state.leader_and_isr.isr, preferred)) {
      continue;
    }
    out.push_back(tp);
  }
  return out;
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
    std::vector<TopicPartition> partitions, bool force_unclean) {
  std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions;
  std::map<std::string, bool> unclean_by_topic;  // looked up only for partitions a clean election leaves offline
  const auto live = [this](BrokerId id) { return is_live(id); };
  for (const TopicPartition& tp : partitions) {
    auto current = context_.partition_states.find(tp);
    if (current == context_.partition_states.end()) continue;
    const auto replicas = context_.replicas(tp);
    auto decision = offline_partition_leader(current->second.leader_and_isr, replicas, live);
    const bool offline = (decision && decision->leader == kNoLeader) ||
                         (!decision && current->second.leader_and_isr.leader == kNoLeader);
    if (offline && (unclean_ || force_unclean) && std::any_of(replicas.begin(), replicas.end(), live)) {
      auto known = unclean_by_topic.find(tp.topic);
      if (known == unclean_by_topic.end()) {
        bool allowed = force_unclean;
        if (!allowed) allowed = co_await unclean_(tp.topic);
        known = unclean_by_topic.emplace(tp.topic, allowed).first;
      }
      if (known->second) {
        decision = offline_partition_leader(current->second.leader_and_isr, replicas, live, true);
        if (decision) unclean_leader_elections_.fetch_add(1, std::memory_order_relaxed);
        if (decision) spdlog::warn("controller: unclean election of {} for {}: data may be lost", decision->leader.value(), tp.to_string());
      }
    }
    if (decision) decisions.emplace_back(tp, *decision);
  }
  co_return co_await write(std::move(decisions));
}

asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::remove_from_isr(const std::set<BrokerId>& gone) {
  std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions;
  for (const auto& [tp, state] : context_.partition_states) {
    auto decision = remove_replicas_from_isr(state.leader_and_isr, gone);
    if (decision) decisions.emplace_back(tp, *decision);
  }
  co_return co_await write(std::move(decisions));
}

asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::elect_for_controlled_shutdown(
    BrokerId broker, const std::set<BrokerId>& shutting_down, std::vector<TopicPartition>* changed) {
  const auto live = [this](BrokerId id) { return context_.is_live(id); };
  std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions;
  for (const auto& [tp, state] : context_.partition_states) {
    if (state.leader_and_isr.leader != broker) continue;
    const auto replicas = context_.replicas(tp);
    if (replicas.size() <= 1) continue;  // nobody else can lead: stays with the broker
    auto decision = controlled_shutdown_leader(state.leader_and_isr, replicas, live, shutting_down);
    if (decision) decisions.emplace_back(tp, *decision);
  }
  SLUICE_CO_TRY(auto moved, co_await write(std::move(decisions)));
  if (changed) *changed = moved;
  // Its follower replicas leave the ISRs (Kafka's OfflineReplica for the shutting-down broker),
  // where that leaves someone in them.
  std::vector<std::pair<TopicPartition, LeaderAndIsr>> shrinks;
  for (const auto& [tp, state] : context_.partition_states) {
    const LeaderAndIsr& l = state.leader_and_isr;
    if (l.leader == broker || l.leader == kNoLeader || !contains(l.isr, broker) || l.isr.size() <= 1) continue;
    LeaderAndIsr next = bumped(l);
    next.isr.erase(std::find(next.isr.begin(), next.isr.end(), broker));
    shrinks.emplace_back(tp, next);
  }
  SLUICE_CO_TRY(auto shrunk, co_await write(std::move(shrinks)));
  if (changed) changed->insert(changed->end(), shrunk.begin(), shrunk.end());
  std::vector<TopicPartition> remaining;
  for (const auto& [tp, state] : context_.partition_states) {
    if (state.leader_and_isr.leader == broker) remaining.push_back(tp);
  }
  co_return remaining;
}

asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::elect_preferred(
    std::vector<TopicPartition> partitions) {
  const auto live = [this](BrokerId id) { return is_live(id); };
  std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions;
  for (const TopicPartition& tp : partitions) {
    auto current = context_.partition_states.find(tp);
    if (current == context_.partition_states.end()) continue;
    auto decision = preferred_replica_leader(current->second.leader_and_isr, context_.replicas(tp), live);
    if (decision) decisions.emplace_back(tp, *decision);
  }
  co_return co_await write(std::move(decisions));
}

void PartitionStateMachine::count_election(const LeaderAndIsr& previous, const LeaderAndIsr& next) {
  if (next.leader != kNoLeader && next.leader != previous.leader) {
    leader_elections_.fetch_add(1, std::memory_order_relaxed);
  }
}

// The batches go to ZooKeeper all at once (the client bounds the requests in flight), so a
// failover's thousands of elections cost ZooKeeper's throughput, not a round trip per batch.
asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::write(
    std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions) {
  std::vector<std::vector<KafkaZkClient::PartitionStateWrite>> batches;
  for (size_t start = 0; start < decisions.size(); start += kBatchSize) {
    const size_t end = std::min(decisions.size(), start + kBatchSize);
    std::vector<KafkaZkClient::PartitionStateWrite> batch;
    for (size_t i = start; i < end; ++i) {
      KafkaZkClient::PartitionStateWrite w;
      w.tp = decisions[i].first;
      w.state.leader_and_isr = decisions[i].second;
      w.state.controller_epoch = context_.epoch.epoch;
      w.expected = context_.partition_states[w.tp].leader_and_isr.zk_version;
      batch.push_back(std::move(w));
    }
    batches.push_back(std::move(batch));
  }
  std::vector<asio::awaitable<Result<std::vector<ZkVersion>>>> writes;
  writes.reserve(batches.size());
  for (const auto& batch : batches) writes.push_back(zk_.update_partition_states(batch, context_.epoch.zk_version));
  auto results = co_await client::gather(std::move(writes));
  std::vector<TopicPartition> written;
  for (size_t b = 0; b < batches.size(); ++b) {
    const auto& batch = batches[b];
    auto& versions = results[b];
    if (!versions && versions.error() == Errc::bad_version) {
      // Some leader changed its ISR meanwhile: one by one, so the others still go through.
      for (const auto& w : batch) {
        SLUICE_CO_TRY(auto one, co_await write_one(w.tp, w.state.leader_and_isr));
        written.insert(written.end(), one.begin(), one.end());
      }
      continue;
    }
    if (!versions) co_return versions.error();
    for (size_t i = 0; i < batch.size(); ++i) {
      LeaderIsrAndControllerEpoch state = batch[i].state;
      state.leader_and_isr.zk_version = versions.value()[i];
      count_election(context_.partition_states[batch[i].tp].leader_and_isr, state.leader_and_isr);
      context_.partition_states[batch[i].tp] = state;
      spdlog::info("controller: {} leader {} epoch {} isr size {}", batch[i].tp.to_string(),
                   state.leader_and_isr.leader.value(), state.leader_and_isr.leader_epoch.value(),
                   state.leader_and_isr.isr.size());
      written.push_back(batch[i].tp);
    }
  }
  co_return written;
}

asio::awaitable<Result<std::vector<TopicPartition>>> PartitionStateMachine::write_one(const TopicPartition& tp,
                                                                                     const LeaderAndIsr& decision) {
  auto& current = context_.partition_states[tp];
  LeaderIsrAndControllerEpoch state;
  state.leader_and_isr = decision;
  state.controller_epoch = context_.epoch.epoch;
  auto written = co_await zk_.update_partition_state(tp, state, current.leader_and_isr.zk_version,
                                                     context_.epoch.zk_version);
  if (!written && written.error() == Errc::bad_version) {
    SLUICE_CO_TRY(current, co_await zk_.get_partition_state(tp));
    spdlog::warn("controller: state of {} changed under us; re-read", tp.to_string());
    co_return std::vector<TopicPartition>{};
  }
  if (!written) co_return written.error();
  state.leader_and_isr.zk_version = written.value();
  count_election(current.leader_and_isr, state.leader_and_isr);
  current = state;
  co_return std::vector<TopicPartition>{tp};
}

}  // namespace sluice::coordination
