#include "coordination/admin_zk_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace sluice::coordination {
namespace {

AdminError reject(Errc code, std::string message) { return AdminError{code, std::move(message)}; }

// A topic znode's partitions from a plain assignment (nothing being reassigned).
void add_to(TopicAssignment& topic, const PartitionReplicas& replicas) {
  for (const auto& [partition, brokers] : replicas) {
    ReplicaAssignment assignment;
    assignment.replicas = brokers;
    topic.partitions[partition] = std::move(assignment);
  }
}

}  // namespace

AdminZkClient::AdminZkClient(KafkaZkClient& zk, Options options) : zk_(zk), options_(std::move(options)) {
  if (!options_.placement) {
    options_.placement = [rng = std::mt19937_64(std::random_device{}())](size_t brokers) mutable {
      return random_placement_start(brokers, rng);
    };
  }
}

asio::awaitable<AdminResult<PartitionReplicas>> AdminZkClient::create_topic(NewTopic topic, bool validate_only) {
  const AdminCheck name_check = co_await check_new_topic_name(topic.name);
  if (name_check) co_return *name_check;
  auto plan = co_await plan_new_topic(topic);
  if (!plan) co_return plan;
  if (auto bad = validate_topic_config(topic.config, options_.validate_config)) co_return std::move(*bad);
  if (validate_only) co_return plan;
  auto written = co_await write_new_topic(std::move(topic), plan.value());
  if (!written) co_return std::move(written).error();
  co_return plan;
}

// Kafka's validateTopicCreate: a legal name, not being deleted, not taken, no '.'/'_' twin.
asio::awaitable<AdminCheck> AdminZkClient::check_new_topic_name(std::string name) {
  if (auto bad = validate_topic_name(name)) co_return bad;
  auto marked = co_await zk_.is_topic_marked_for_deletion(name);
  if (!marked) co_return zk_failure(marked.error());
  if (marked.value()) co_return reject(Errc::topic_exists, "Topic \"" + name + "\" is marked for deletion.");
  auto topics = co_await list_topics();
  if (!topics) co_return std::move(topics).error();
  if (std::binary_search(topics.value().begin(), topics.value().end(), name)) {
    co_return reject(Errc::topic_exists, "Topic '" + name + "' already exists.");
  }
  co_return validate_no_collision(name, topics.value());
}

asio::awaitable<AdminResult<PartitionReplicas>> AdminZkClient::plan_new_topic(NewTopic topic) {
  if (!topic.assignment.empty()) {
    if (topic.partitions != -1 || topic.replication_factor != -1) {
      co_return reject(Errc::invalid_request,
                       "Both numPartitions or replicationFactor and replicasAssignments were set. "
                       "Both cannot be used at the same time.");
    }
    if (auto bad = validate_replica_assignment(topic.assignment, PartitionId(0), std::nullopt, nullptr)) {
      co_return std::move(*bad);
    }
    co_return std::move(topic.assignment);
  }
  if (auto bad = validate_partition_count(topic.partitions)) co_return std::move(*bad);
  auto brokers = co_await live_broker_ids();
  if (!brokers) co_return std::move(brokers).error();
  const std::vector<BrokerId>& ids = brokers.value();
  if (auto bad = validate_replication_factor(topic.replication_factor, ids.size())) co_return std::move(*bad);
  const PlacementStart start = options_.placement(ids.size());
  co_return assign_replicas_to_brokers(ids, topic.partitions, topic.replication_factor, start);
}

asio::awaitable<AdminStatus> AdminZkClient::write_new_topic(NewTopic topic, PartitionReplicas assignment) {
  // The config first: the controller reads it when it sees the topic znode.
  auto config = co_await zk_.set_topic_config(topic.name, topic.config);
  if (!config) co_return zk_failure(config.error());
  TopicAssignment znode;
  add_to(znode, assignment);
  if (options_.write_topic_ids) znode.topic_id = random_base64_uuid();
  auto created = co_await zk_.create_topic_assignment(topic.name, std::move(znode));
  if (!created && created.error() == Errc::node_exists) {
    co_return reject(Errc::topic_exists, "Topic '" + topic.name + "' already exists.");
  }
  if (!created) co_return zk_failure(created.error());
  spdlog::info("created topic {} with {} partitions", topic.name, assignment.size());
  co_return outcome::success();
}

asio::awaitable<AdminResult<std::vector<BrokerId>>> AdminZkClient::live_broker_ids() {
  auto brokers = co_await zk_.get_all_brokers();
  if (!brokers && brokers.error() == Errc::no_node) co_return std::vector<BrokerId>{};
  if (!brokers) co_return zk_failure(brokers.error());
  std::vector<BrokerId> ids;
  for (const BrokerInfo& broker : brokers.value()) ids.push_back(broker.id);
  std::sort(ids.begin(), ids.end());
  co_return ids;
}

asio::awaitable<AdminResult<PartitionReplicas>> AdminZkClient::add_partitions(
    std::string topic, int32_t total_partitions, std::optional<std::vector<std::vector<BrokerId>>> assignment,
    bool validate_only) {
  auto existing = co_await zk_.get_topic_assignment(topic);
  if (!existing && existing.error() == Errc::no_node) {
    co_return reject(Errc::topic_not_found, "The topic '" + topic + "' does not exist.");
  }
  if (!existing) co_return zk_failure(existing.error());
  auto marked = co_await zk_.is_topic_marked_for_deletion(topic);
  if (!marked) co_return zk_failure(marked.error());
  // Sluice refuses early; Kafka's controller would silently restore the old assignment.
  if (marked.value()) co_return reject(Errc::invalid_topic, "The topic is queued for deletion.");
  TopicAssignment updated = existing.value().assignment;
  for (const auto& [partition, replicas] : updated.partitions) {
    // As Kafka: the controller rewrites this znode as a reassignment progresses.
    if (!replicas.adding.empty() || !replicas.removing.empty()) {
      co_return reject(Errc::reassignment_in_progress,
                       "A partition reassignment is in progress for the topic '" + topic + "'.");
    }
  }
  auto plan = co_await plan_added_partitions(updated, total_partitions, std::move(assignment));
  if (!plan || validate_only) co_return plan;
  add_to(updated, plan.value());
  // Unconditional, as Kafka's setTopicAssignment: controller writes are epoch-fenced instead.
  auto set = co_await zk_.set_topic_assignment(topic, std::move(updated), kMatchAnyVersion);
  if (!set) co_return zk_failure(set.error());
  spdlog::info("added {} partitions to topic {}", plan.value().size(), topic);
  co_return plan;
}

asio::awaitable<AdminResult<PartitionReplicas>> AdminZkClient::plan_added_partitions(
    TopicAssignment existing, int32_t total_partitions, std::optional<std::vector<std::vector<BrokerId>>> assignment) {
  const auto p0 = existing.partitions.find(PartitionId(0));
  if (p0 == existing.partitions.end() || p0->second.replicas.empty()) {
    co_return reject(Errc::corrupt_data, "Unexpected existing replica assignment: partition 0 is missing.");
  }
  const auto current = static_cast<int32_t>(existing.partitions.size());
  const int32_t to_add = total_partitions - current;
  if (to_add < 0) {
    co_return reject(Errc::invalid_partitions, "Topic currently has " + std::to_string(current) +
                                                   " partitions, which is higher than the requested " +
                                                   std::to_string(total_partitions) + ".");
  }
  if (to_add == 0) {
    co_return reject(Errc::invalid_partitions, "Topic already has " + std::to_string(current) + " partitions.");
  }
  if (assignment && assignment->size() != static_cast<size_t>(to_add)) {
    co_return reject(Errc::invalid_replica_assignment,
                     "Increasing the number of partitions by " + std::to_string(to_add) + " but " +
                         std::to_string(assignment->size()) + " assignments provided.");
  }
  auto brokers = co_await live_broker_ids();
  if (!brokers) co_return std::move(brokers).error();
  const std::vector<BrokerId>& ids = brokers.value();
  const size_t rf = p0->second.replicas.size();
  if (!assignment) {
    if (auto bad = validate_replication_factor(static_cast<int32_t>(rf), ids.size())) co_return std::move(*bad);
    const PlacementStart start = added_partitions_start(ids, p0->second.replicas.front());
    co_return assign_replicas_to_brokers(ids, to_add, static_cast<int32_t>(rf), start, PartitionId(current));
  }
  PartitionReplicas proposed;
  for (int32_t i = 0; i < to_add; ++i) proposed[PartitionId(current + i)] = (*assignment)[static_cast<size_t>(i)];
  const std::set<BrokerId> live(ids.begin(), ids.end());
  if (auto bad = validate_replica_assignment(proposed, PartitionId(current), rf, &live)) co_return std::move(*bad);
  co_return proposed;
}

asio::awaitable<AdminStatus> AdminZkClient::delete_topic(std::string topic) {
  auto exists = co_await zk_.topic_exists(topic);
  if (!exists) co_return zk_failure(exists.error());
  if (!exists.value()) co_return reject(Errc::topic_not_found, "Topic `" + topic + "` to delete does not exist");
  auto marked = co_await zk_.create_delete_topic_path(topic);
  if (!marked && marked.error() == Errc::node_exists) {
    co_return reject(Errc::topic_marked_for_deletion, "Topic " + topic + " is already marked for deletion.");
  }
  if (!marked) co_return zk_failure(marked.error());
  spdlog::info("marked topic {} for deletion", topic);
  co_return outcome::success();
}

asio::awaitable<AdminStatus> AdminZkClient::change_topic_config(std::string topic, TopicConfig config) {
  auto exists = co_await zk_.topic_exists(topic);
  if (!exists) co_return zk_failure(exists.error());
  if (!exists.value()) co_return reject(Errc::topic_not_found, "Topic '" + topic + "' does not exist.");
  if (auto bad = validate_topic_config(config, options_.validate_config)) co_return std::move(*bad);
  auto written = co_await zk_.set_topic_config(topic, std::move(config));
  if (!written) co_return zk_failure(written.error());
  auto notified = co_await zk_.create_config_change_notification("topics/" + topic);
  if (!notified) co_return zk_failure(notified.error());
  co_return outcome::success();
}

asio::awaitable<AdminResult<std::vector<std::string>>> AdminZkClient::list_topics() {
  auto topics = co_await zk_.get_all_topics();
  if (!topics && topics.error() == Errc::no_node) co_return std::vector<std::string>{};
  if (!topics) co_return zk_failure(topics.error());
  std::vector<std::string> names = std::move(topics).value();
  std::sort(names.begin(), names.end());
  co_return names;
}

asio::awaitable<AdminResult<TopicDescription>> AdminZkClient::describe_topic(std::string topic) {
  auto assignment = co_await zk_.get_topic_assignment(topic);
  if (!assignment && assignment.error() == Errc::no_node) {
    co_return reject(Errc::topic_not_found, "Topic '" + topic + "' does not exist.");
  }
  if (!assignment) co_return zk_failure(assignment.error());
  TopicDescription d;
  d.name = topic;
  d.topic_id = assignment.value().assignment.topic_id;
  d.partitions = assignment.value().assignment.partitions;
  auto config = co_await zk_.get_topic_config(topic);
  if (!config) co_return zk_failure(config.error());
  d.config = std::move(config).value();
  auto marked = co_await zk_.is_topic_marked_for_deletion(topic);
  if (!marked) co_return zk_failure(marked.error());
  d.marked_for_deletion = marked.value();
  std::vector<PartitionId> ids;
  for (const auto& entry : d.partitions) ids.push_back(entry.first);
  auto states = co_await partition_states(topic, std::move(ids));
  if (!states) co_return std::move(states).error();
  d.states = std::move(states).value();
  co_return d;
}

asio::awaitable<AdminResult<std::map<PartitionId, LeaderIsrAndControllerEpoch>>> AdminZkClient::partition_states(
    std::string topic, std::vector<PartitionId> partitions) {
  std::map<PartitionId, LeaderIsrAndControllerEpoch> states;
  for (const PartitionId p : partitions) {
    TopicPartition tp{topic, p};  // not braced inside co_await: GCC 12 (see register_broker)
    auto state = co_await zk_.get_partition_state(std::move(tp));
    if (!state && state.error() == Errc::no_node) continue;  // not online yet
    if (!state) co_return zk_failure(state.error());
    states.emplace(p, std::move(state).value());
  }
  co_return states;
}

}  // namespace sluice::coordination
