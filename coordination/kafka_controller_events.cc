// KafkaController: broker membership, topic creation and deletion, and the requests they send
// (docs/replication.md).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordination/consumer_offsets_zk.h"
#include "coordination/controller_requests.h"
#include "coordination/kafka_controller.h"

namespace sluice::coordination {

asio::awaitable<Status> KafkaController::on_broker_change() {
  SLUICE_CO_TRY(co_await zk_.get_children(zk_paths::kBrokerIds, watcher(EventType::broker_change)));
  SLUICE_CO_TRY(const auto brokers, co_await kafka_zk_.get_all_brokers());
  std::vector<BrokerId> started;
  std::vector<BrokerId> failed;
  std::map<BrokerId, BrokerInfo> now;
  for (const BrokerInfo& b : brokers) {
    now[b.id] = b;
    auto known = context_.live_brokers.find(b.id);
    if (known == context_.live_brokers.end()) {
      started.push_back(b.id);
    } else if (known->second.epoch != b.epoch) {  // bounced: a failure and a startup in one pass
      failed.push_back(b.id);
      started.push_back(b.id);
    }
  }
  for (const auto& [id, info] : context_.live_brokers) {
    if (!now.contains(id)) failed.push_back(id);
  }
  if (!failed.empty()) {
    for (BrokerId id : failed) {
      context_.live_brokers.erase(id);
      channels_->remove_broker(id);
    }
    SLUICE_CO_TRY(co_await on_broker_failure(failed));
  }
  if (!started.empty()) {
    for (BrokerId id : started) {
      context_.shutting_down.erase(id);
      context_.live_brokers[id] = now[id];
      channels_->add_broker(now[id]);
    }
    SLUICE_CO_TRY(co_await on_broker_startup(started));
  }
  co_return ok();
}

// Kafka's onBrokerStartup: metadata to all, the new brokers' replicas online (a full
// LeaderAndIsr for what they host, so a restarted broker leads again), elections for partitions
// they make electable, and deletions waiting for them.
asio::awaitable<Status> KafkaController::on_broker_startup(std::vector<BrokerId> brokers) {
  spdlog::info("controller: brokers started: {}", brokers.size());
  send_update_metadata();
  SLUICE_CO_TRY(auto created, co_await partitions_.elect_new(context_.all_partitions()));
  SLUICE_CO_TRY(auto changed, co_await partitions_.elect_offline(context_.all_partitions()));
  for (BrokerId b : brokers) {
    std::vector<TopicPartition> hosted;
    for (const TopicPartition& tp : context_.all_partitions()) {
      const auto replicas = context_.replicas(tp);
      if (std::find(replicas.begin(), replicas.end(), b) != replicas.end()) hosted.push_back(tp);
    }
    send_leader_and_isr_to(b, hosted);
  }
  created.insert(created.end(), changed.begin(), changed.end());
  send_leader_and_isr(created);
  send_update_metadata();
  for (BrokerId b : brokers) resume_topic_deletions(b);
  co_return co_await maybe_complete_reassignments();
}

// Kafka's onBrokerFailure: partitions led by a failed broker get a new leader from the live ISR
// (or, where the topic allows unclean election, any live replica; else none), the failed brokers
// leave the ISRs they followed in, all in batched fenced writes; LeaderAndIsr to the replicas of
// what changed, metadata to everyone.
asio::awaitable<Status> KafkaController::on_broker_failure(std::vector<BrokerId> brokers) {
  spdlog::info("controller: brokers failed: {}", brokers.size());
  for (BrokerId b : brokers) context_.shutting_down.erase(b);
  SLUICE_CO_TRY(auto changed, co_await partitions_.elect_offline(context_.all_partitions()));
  // A partition whose state a leader changed meanwhile (an ISR expansion) was re-read, not
  // elected: elect again on the fresh state, as Kafka retries such elections, before the ISR
  // removal below would write it leaderless.
  for (int retry = 0; retry < 3; ++retry) {
    SLUICE_CO_TRY(auto again, co_await partitions_.elect_offline(context_.all_partitions()));
    if (again.empty()) break;
    changed.insert(changed.end(), again.begin(), again.end());
  }
  // Kafka's OfflineReplica: the dead brokers leave the ISRs of the partitions they followed.
  SLUICE_CO_TRY(auto shrunk, co_await partitions_.remove_from_isr(std::set<BrokerId>(brokers.begin(), brokers.end())));
  changed.insert(changed.end(), shrunk.begin(), shrunk.end());
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  send_leader_and_isr(changed);
  send_update_metadata();
  co_return ok();
}

asio::awaitable<Status> KafkaController::on_topic_change() {
  SLUICE_CO_TRY(const auto topics, co_await zk_.get_children(zk_paths::kBrokerTopics, watcher(EventType::topic_change)));
  std::vector<std::string> new_topics;
  for (const std::string& topic : topics) {
    if (!context_.topics.contains(topic)) new_topics.push_back(topic);
  }
  SLUICE_CO_TRY(co_await read_topics(new_topics));
  std::vector<TopicPartition> added;
  for (const std::string& topic : new_topics) {
    for (const TopicPartition& tp : context_.partitions_of(topic)) added.push_back(tp);
  }
  // A topic znode removed behind our back (not through deletion) leaves the context.
  std::vector<std::string> gone;
  for (const auto& [topic, assignment] : context_.topics) {
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) gone.push_back(topic);
  }
  for (const std::string& topic : gone) {
    for (const TopicPartition& tp : context_.partitions_of(topic)) context_.partition_states.erase(tp);
    context_.topics.erase(topic);
  }
  if (!added.empty()) co_return co_await on_new_partitions(std::move(added));
  if (!gone.empty()) send_update_metadata();
  co_return ok();
}

// The topic znode changed: partitions may have been added.
asio::awaitable<Status> KafkaController::on_partition_modifications(std::string topic) {
  if (!context_.topics.contains(topic) || context_.topics_being_deleted.contains(topic)) co_return ok();
  auto node = co_await zk_.get_data(zk_paths::topic(topic), watcher(EventType::partition_modifications, topic));
  if (!node && node.error() == Errc::no_node) co_return ok();
  SLUICE_CO_TRY(auto versioned, co_await kafka_zk_.get_topic_assignment(topic));
  std::vector<TopicPartition> added;
  for (const auto& [p, replicas] : versioned.assignment.partitions) {
    if (!context_.topics[topic].partitions.contains(p)) added.push_back({topic, p});
  }
  context_.topics[topic] = versioned.assignment;
  if (added.empty()) co_return ok();
  co_return co_await on_new_partitions(std::move(added));
}

// New -> Online: leader and ISR written, LeaderAndIsr to the replicas, metadata to all.
asio::awaitable<Status> KafkaController::on_new_partitions(std::vector<TopicPartition> partitions) {
  SLUICE_CO_TRY(const auto created, co_await partitions_.elect_new(std::move(partitions)));
  send_leader_and_isr(created);
  send_update_metadata();
  co_return ok();
}

// Kafka's TopicDeletion event: every marked topic that exists starts deletion; a marker for an
// unknown topic (or with deletion disabled) is removed.
asio::awaitable<Status> KafkaController::on_topic_deletion() {
  SLUICE_CO_TRY(const auto marked, co_await zk_.get_children(zk_paths::kDeleteTopics, watcher(EventType::topic_deletion)));
  for (const std::string& topic : marked) {
    if (!context_.topics.contains(topic) || !config_.delete_topic_enable) {
      spdlog::info("controller: dropping deletion marker for {}", topic);
      SLUICE_CO_TRY(co_await kafka_zk_.delete_topic_deletion_marker(topic));
      continue;
    }
    if (!context_.topics_being_deleted.contains(topic)) start_topic_deletion(topic);
  }
  co_return ok();
}

// Brokers stop serving the topic (UpdateMetadata with leader -2), then each replica deletes its
// logs (StopReplica delete); the znodes go once every replica has answered.
void KafkaController::start_topic_deletion(const std::string& topic) {
  spdlog::info("controller: deleting topic {}", topic);
  std::set<BrokerId> replicas;
  for (const TopicPartition& tp : context_.partitions_of(topic)) {
    for (BrokerId r : context_.replicas(tp)) replicas.insert(r);
  }
  context_.topics_being_deleted[topic] = replicas;
  send_update_metadata();
  for (BrokerId r : replicas) resume_topic_deletions(r);
  if (replicas.empty()) {
    Event event;
    event.type = EventType::topic_deletion_stop_replica_response;
    event.topic = topic;
    event.success = true;
    enqueue(std::move(event));
  }
}

// Sends StopReplica(delete) to `broker` for each topic being deleted that waits for it. An
// offline replica keeps its topics waiting until it comes back.
void KafkaController::resume_topic_deletions(BrokerId broker) {
  if (!context_.is_live(broker)) return;
  for (const auto& [topic, waiting] : context_.topics_being_deleted) {
    if (!waiting.contains(broker)) continue;
    auto on_response = [this, topic = topic, broker](Result<protocol::StopReplicaResponse> r) {
      bool success = r && r.value().error_code == 0;
      if (success) {
        for (const auto& p : r.value().partition_errors) success = success && p.error_code == 0;
      }
      Event event;
      event.type = EventType::topic_deletion_stop_replica_response;
      event.topic = topic;
      event.broker = broker;
      event.success = success;
      enqueue(std::move(event));
    };
    channels_->send(broker, make_controller_request<protocol::StopReplicaRequest>(
                                stop_replica_delete_request(context_, config_.broker_id, broker, topic), on_response));
  }
}

asio::awaitable<Status> KafkaController::on_stop_replica_response(std::string topic, BrokerId broker, bool success) {
  auto it = context_.topics_being_deleted.find(topic);
  if (it == context_.topics_being_deleted.end()) co_return ok();
  if (!success) {
    spdlog::warn("controller: broker {} failed to delete {}; retried when it restarts", broker.value(), topic);
    co_return ok();
  }
  it->second.erase(broker);
  if (!it->second.empty()) co_return ok();
  SLUICE_CO_TRY(co_await kafka_zk_.delete_topic_znodes(topic));
  // Committed offsets of the deleted topic, in every group (issue 5): a failure leaves stale
  // offsets behind (a recreated topic's consumers would see them), not a stuck deletion.
  const Status offsets_gone = co_await ConsumerOffsetsZk(zk_).delete_topic(topic);
  if (!offsets_gone) {
    spdlog::warn("controller: committed offsets of deleted topic {} not removed: {}", topic,
                 offsets_gone.error().message());
  }
  for (const TopicPartition& tp : context_.partitions_of(topic)) context_.partition_states.erase(tp);
  context_.topics.erase(topic);
  context_.topics_being_deleted.erase(topic);
  spdlog::info("controller: deleted topic {}", topic);
  send_update_metadata();
  co_return ok();
}

void KafkaController::send_leader_and_isr(const std::vector<TopicPartition>& partitions) {
  std::map<BrokerId, std::vector<TopicPartition>> by_broker;
  for (const TopicPartition& tp : partitions) {
    for (BrokerId r : context_.replicas(tp)) {
      if (context_.is_live(r)) by_broker[r].push_back(tp);
    }
  }
  for (const auto& [broker, tps] : by_broker) send_leader_and_isr_to(broker, tps);
}

void KafkaController::send_leader_and_isr_to(BrokerId broker, const std::vector<TopicPartition>& partitions) {
  if (partitions.empty() || !context_.is_live(broker)) return;
  auto on_response = [broker](Result<protocol::LeaderAndIsrResponse> r) {
    if (!r) spdlog::warn("controller: LeaderAndIsr to broker {}: {}", broker.value(), r.error().message());
  };
  channels_->send(broker, make_controller_request<protocol::LeaderAndIsrRequest>(
                              leader_and_isr_request(context_, config_.broker_id, broker, partitions), on_response));
}

void KafkaController::send_update_metadata() {
  const std::set<std::string> deleting = deleting_topics();
  for (const auto& [id, info] : context_.live_brokers) {
    channels_->send(id, make_controller_request<protocol::UpdateMetadataRequest>(
                            update_metadata_request(context_, config_.broker_id, id, deleting)));
  }
}

std::set<std::string> KafkaController::deleting_topics() const {
  std::set<std::string> out;
  for (const auto& [topic, waiting] : context_.topics_being_deleted) out.insert(topic);
  return out;
}

}  // namespace sluice::coordination
