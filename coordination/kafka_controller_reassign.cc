// KafkaController: partition reassignment (Kafka 2.8's onPartitionReassignment, KIP-455;
// docs/replication.md). Notation: ORS original replicas, TRS target, RS the full set
// written to the topic znode during the move (TRS then the rest of ORS), AR = TRS - ORS (adding),
// RR = ORS - TRS (removing). The topic znode's adding/removing maps are the authoritative record
// of a move in flight: a new controller resumes from them.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordination/controller_requests.h"
#include "coordination/kafka_controller.h"

namespace sluice::coordination {
namespace {

using protocol::ErrorCode;

bool has(const std::vector<BrokerId>& v, BrokerId id) { return std::find(v.begin(), v.end(), id) != v.end(); }

std::vector<BrokerId> minus(const std::vector<BrokerId>& a, const std::vector<BrokerId>& b) {
  std::vector<BrokerId> out;
  for (BrokerId r : a) {
    if (!has(b, r)) out.push_back(r);
  }
  return out;
}

bool in_flight(const ReplicaAssignment& a) { return !a.adding.empty() || !a.removing.empty(); }

// The replicas a partition had before its reassignment started.
std::vector<BrokerId> original_replicas(const ReplicaAssignment& a) { return minus(a.replicas, a.adding); }
// The replicas it is moving to.
std::vector<BrokerId> target_replicas(const ReplicaAssignment& a) { return minus(a.replicas, a.removing); }

std::string ids_string(const std::vector<BrokerId>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(std::to_string(ids[i].value()));
  }
  out.push_back(']');
  return out;
}

}  // namespace

bool KafkaController::reassignment_in_progress() const {
  for (const auto& [topic, assignment] : context_.topics) {
    for (const auto& [p, a] : assignment.partitions) {
      if (in_flight(a)) return true;
    }
  }
  return false;
}

// Kafka's validateReassignment: the partition exists (and is not being deleted), the target is a
// non-empty list of distinct registered brokers.
ErrorCode KafkaController::validate_reassignment(const TopicPartition& tp, const std::vector<BrokerId>& target) const {
  auto topic = context_.topics.find(tp.topic);
  if (topic == context_.topics.end() || !topic->second.partitions.contains(tp.partition) ||
      context_.topics_being_deleted.contains(tp.topic)) {
    return ErrorCode::unknown_topic_or_partition;
  }
  if (target.empty()) return ErrorCode::invalid_replica_assignment;
  std::set<BrokerId> distinct(target.begin(), target.end());
  if (distinct.size() != target.size()) return ErrorCode::invalid_replica_assignment;
  for (BrokerId r : target) {
    if (!context_.is_live(r)) return ErrorCode::invalid_replica_assignment;
  }
  return ErrorCode::none;
}

// /admin/reassign_partitions appeared or changed: start each listed partition not already moving
// to that target; drop invalid entries (logged) and those already done from the znode.
asio::awaitable<Status> KafkaController::on_reassign_partitions_znode() {
  SLUICE_CO_TRY(const auto asked, co_await kafka_zk_.get_partition_reassignments(watcher(EventType::reassign_partitions)));
  if (!asked) co_return ok();
  std::set<TopicPartition> drop;
  for (const auto& [tp, target] : *asked) {
    const ErrorCode e = validate_reassignment(tp, target);
    if (e != ErrorCode::none) {
      spdlog::warn("controller: ignoring reassignment of {} to {}: {}", tp.to_string(), ids_string(target),
                   protocol::error_code_name(e));
      drop.insert(tp);
      continue;
    }
    const ReplicaAssignment& current = context_.topics[tp.topic].partitions[tp.partition];
    if (in_flight(current) && target_replicas(current) == target) continue;  // already moving there
    if (!in_flight(current) && current.replicas == target) {
      drop.insert(tp);  // nothing to move
      continue;
    }
    SLUICE_CO_TRY(co_await on_partition_reassignment(tp, target));
  }
  if (asked->empty()) spdlog::warn("controller: deleting an empty or malformed {}", zk_paths::kReassignPartitions);
  if (drop.empty() && !asked->empty()) co_return ok();
  co_return co_await remove_from_reassign_znode(std::move(drop));
}

asio::awaitable<Status> KafkaController::on_alter_reassignments(ReassignmentTargets targets,
                                                                std::function<void(AlterReassignmentsResult)> done) {
  AlterReassignmentsResult result;
  if (!is_active()) {
    result.error_code = static_cast<int16_t>(ErrorCode::not_controller);
    done(std::move(result));
    co_return ok();
  }
  Status failed = ok();
  std::set<TopicPartition> accepted;
  for (const auto& [tp, target] : targets) {
    if (!failed) {
      result.partitions[tp] = static_cast<int16_t>(ErrorCode::unknown_server_error);
      continue;
    }
    ErrorCode e = ErrorCode::none;
    std::vector<BrokerId> replicas;
    if (!target) {  // cancel: back to the original replicas
      auto t = context_.topics.find(tp.topic);
      const bool known = t != context_.topics.end() && t->second.partitions.contains(tp.partition);
      if (!known) {
        e = ErrorCode::unknown_topic_or_partition;
      } else if (!in_flight(t->second.partitions.at(tp.partition))) {
        e = ErrorCode::no_reassignment_in_progress;
      } else {
        replicas = original_replicas(t->second.partitions.at(tp.partition));
      }
    } else {
      e = validate_reassignment(tp, *target);
      replicas = *target;
    }
    if (e == ErrorCode::none) {
      failed = co_await on_partition_reassignment(tp, replicas);
      if (!failed) e = ErrorCode::unknown_server_error;
      accepted.insert(tp);
    }
    result.partitions[tp] = static_cast<int16_t>(e);
  }
  // As Kafka: the latest request wins, so an API call takes its partitions out of
  // /admin/reassign_partitions (which would otherwise restart the older target).
  if (failed && !accepted.empty()) failed = co_await remove_from_reassign_znode(std::move(accepted));
  done(std::move(result));
  co_return failed;
}

void KafkaController::on_list_reassignments(std::optional<std::vector<TopicPartition>> partitions,
                                            std::function<void(ListReassignmentsResult)> done) {
  ListReassignmentsResult result;
  if (!is_active()) {
    result.error_code = static_cast<int16_t>(ErrorCode::not_controller);
    done(std::move(result));
    return;
  }
  const std::vector<TopicPartition> asked = partitions ? std::move(*partitions) : context_.all_partitions();
  for (const TopicPartition& tp : asked) {
    auto t = context_.topics.find(tp.topic);
    if (t == context_.topics.end()) continue;
    auto p = t->second.partitions.find(tp.partition);
    if (p == t->second.partitions.end() || !in_flight(p->second)) continue;
    result.partitions[tp] = p->second;
  }
  done(std::move(result));
}

// Kafka's onPartitionReassignment for one partition: RS = TRS ++ (ORS - TRS) with AR and RR into
// the topic znode (replacing any move in flight), then either the end at once (TRS already in the
// ISR) or a leader epoch bump and LeaderAndIsr to RS, so the added replicas start following.
asio::awaitable<Status> KafkaController::on_partition_reassignment(TopicPartition tp, std::vector<BrokerId> target) {
  ReplicaAssignment& current = context_.topics[tp.topic].partitions[tp.partition];
  const std::vector<BrokerId> original = original_replicas(current);
  const std::vector<BrokerId> before = current.replicas;
  spdlog::info("controller: reassigning {} from {} to {}", tp.to_string(), ids_string(original), ids_string(target));
  if (target == original) {
    // A cancel (or a move back to where it started): the original set, at once.
    SLUICE_CO_TRY(const bool finished, co_await finish_reassignment(tp, target));
    if (!finished) spdlog::warn("controller: cannot revert {} yet: no original replica can lead", tp.to_string());
    co_return ok();
  }
  ReplicaAssignment next;
  next.replicas = target;
  for (BrokerId r : original) {
    if (!has(target, r)) next.replicas.push_back(r);
  }
  next.adding = minus(target, original);
  next.removing = minus(original, target);
  current = next;
  SLUICE_CO_TRY(co_await write_topic_assignment(tp.topic));
  // Replicas an earlier, replaced move was adding and this one does not want.
  const std::vector<BrokerId> dropped = minus(before, next.replicas);
  auto state = context_.partition_states.find(tp);
  if (state == context_.partition_states.end()) co_return ok();  // not yet online: elections use RS
  const std::vector<BrokerId>& isr = state->second.leader_and_isr.isr;
  std::vector<TopicPartition> one{tp};
  if (std::all_of(target.begin(), target.end(), [&](BrokerId r) { return has(isr, r); })) {
    SLUICE_CO_TRY(const bool finished, co_await finish_reassignment(tp, target));
    if (finished) {
      for (BrokerId r : dropped) send_stop_replica_delete(r, one);
      co_return ok();
    }
  }
  LeaderAndIsr bumped = state->second.leader_and_isr;
  bumped.leader_epoch = LeaderEpoch(bumped.leader_epoch.value() + 1);
  std::vector<BrokerId> kept = minus(bumped.isr, dropped);
  if (!kept.empty()) bumped.isr = std::move(kept);
  std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions;
  decisions.emplace_back(tp, bumped);
  SLUICE_CO_TRY(co_await partitions_.update(std::move(decisions)));
  send_leader_and_isr(one);
  for (BrokerId r : dropped) send_stop_replica_delete(r, one);
  send_update_metadata();
  co_return ok();
}

// Every move in flight whose target replicas are all in the ISR finishes.
asio::awaitable<Status> KafkaController::maybe_complete_reassignments() {
  std::vector<std::pair<TopicPartition, std::vector<BrokerId>>> ready;
  for (const auto& [topic, assignment] : context_.topics) {
    if (context_.topics_being_deleted.contains(topic)) continue;
    for (const auto& [p, a] : assignment.partitions) {
      if (!in_flight(a)) continue;
      TopicPartition tp{topic, p};
      auto state = context_.partition_states.find(tp);
      if (state == context_.partition_states.end()) continue;
      const auto target = target_replicas(a);
      const auto& isr = state->second.leader_and_isr.isr;
      if (std::all_of(target.begin(), target.end(), [&](BrokerId r) { return has(isr, r); })) {
        ready.emplace_back(tp, target);
      }
    }
  }
  for (auto& [tp, target] : ready) {
    SLUICE_CO_TRY(co_await finish_reassignment(tp, std::move(target)));
  }
  co_return ok();
}

// The end of a move: leader and ISR from TRS (leadership moves only here) at a new leader epoch,
// LeaderAndIsr with RS = TRS to TRS, StopReplica(delete) to the rest, the topic znode rewritten to
// TRS last (it held ORS until now), the partition dropped from /admin/reassign_partitions,
// UpdateMetadata to all.
asio::awaitable<Result<bool>> KafkaController::finish_reassignment(TopicPartition tp, std::vector<BrokerId> target) {
  ReplicaAssignment& assignment = context_.topics[tp.topic].partitions[tp.partition];
  const std::vector<BrokerId> before = assignment.replicas;
  const auto live = [this](BrokerId id) { return context_.is_live(id) && !context_.shutting_down.contains(id); };
  auto state = context_.partition_states.find(tp);
  if (state != context_.partition_states.end()) {
    bool written = false;
    // A leader's ISR write between our read and ours: the state is re-read; decide again.
    for (int attempt = 0; attempt < 3 && !written; ++attempt) {
      auto decision = reassignment_leader(context_.partition_states[tp].leader_and_isr, target, live);
      if (!decision) co_return false;
      std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions;
      decisions.emplace_back(tp, *decision);
      SLUICE_CO_TRY(const auto done, co_await partitions_.update(std::move(decisions)));
      written = !done.empty();
    }
    if (!written) co_return false;
  }
  assignment.replicas = target;
  assignment.adding.clear();
  assignment.removing.clear();
  std::vector<TopicPartition> one{tp};
  send_leader_and_isr(one);
  for (BrokerId r : minus(before, target)) send_stop_replica_delete(r, one);
  SLUICE_CO_TRY(co_await write_topic_assignment(tp.topic));
  std::set<TopicPartition> finished{tp};
  SLUICE_CO_TRY(co_await remove_from_reassign_znode(std::move(finished)));
  send_update_metadata();
  spdlog::info("controller: reassignment of {} to {} completed", tp.to_string(), ids_string(target));
  co_return true;
}

asio::awaitable<Status> KafkaController::write_topic_assignment(std::string topic) {
  SLUICE_CO_TRY(co_await kafka_zk_.set_topic_assignment(topic, context_.topics[topic], kMatchAnyVersion,
                                                        context_.epoch.zk_version));
  co_return ok();
}

// Rewrites /admin/reassign_partitions without `done` (deleting it when nothing remains; the exists
// watch then waits for the next one). An absent znode is fine.
asio::awaitable<Status> KafkaController::remove_from_reassign_znode(std::set<TopicPartition> done) {
  SLUICE_CO_TRY(auto asked, co_await kafka_zk_.get_partition_reassignments());
  if (!asked) co_return ok();
  bool changed = asked->empty();
  for (const TopicPartition& tp : done) changed = asked->erase(tp) > 0 || changed;
  if (!changed) co_return ok();
  co_return co_await kafka_zk_.set_partition_reassignments(std::move(*asked), context_.epoch.zk_version);
}

void KafkaController::send_stop_replica_delete(BrokerId broker, const std::vector<TopicPartition>& partitions) {
  if (!context_.is_live(broker)) {
    spdlog::warn("controller: broker {} is offline: its dropped replicas stay on disk", broker.value());
    return;
  }
  auto on_response = [broker](Result<protocol::StopReplicaResponse> r) {
    if (!r) spdlog::warn("controller: StopReplica to broker {}: {}", broker.value(), r.error().message());
  };
  channels_->send(broker, make_controller_request<protocol::StopReplicaRequest>(
                              stop_replica_delete_request(context_, config_.broker_id, broker, partitions), on_response));
}

asio::awaitable<KafkaController::AlterReassignmentsResult> KafkaController::alter_partition_reassignments(
    ReassignmentTargets targets) {
  Event event;
  event.type = EventType::alter_reassignments;
  event.targets = std::move(targets);
  co_return co_await ask(std::move(event), &Event::alter_done);
}

asio::awaitable<KafkaController::ListReassignmentsResult> KafkaController::list_partition_reassignments(
    std::optional<std::vector<TopicPartition>> partitions) {
  Event event;
  event.type = EventType::list_reassignments;
  event.partitions = std::move(partitions);
  co_return co_await ask(std::move(event), &Event::list_done);
}

}  // namespace sluice::coordination
