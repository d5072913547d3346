// Kafka's checks on topic administration requests, done before anything is written to ZooKeeper
// (after Kafka 2.8's Topic.validate, AdminZkClient.validateTopicCreate and
// validateReplicaAssignment, AdminUtils.assignReplicasToBrokers). Each returns nullopt when the
// request passes, else the Errc and the message Kafka sends back.
//
// Topic configs: coordination/ may not depend on storage/, which owns the meaning of each
// config. So the *names* are checked here against Kafka 2.8's topic-level config names, and the
// *values* by a ConfigValidator the caller supplies (the broker passes one built on storage's
// LogConfig); tools without storage at hand get the name check alone.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coordination/admin_error.h"
#include "coordination/kafka_zk_data.h"

namespace sluice::coordination {

inline constexpr size_t kMaxTopicNameLength = 249;

// Replicas in assignment order per partition (the first is the preferred leader).
using PartitionReplicas = std::map<PartitionId, std::vector<BrokerId>>;

// Legal: 1..249 of [a-zA-Z0-9._-], and neither "." nor "..".
AdminCheck validate_topic_name(std::string_view name);

// '.' and '_' collide in metric names, so "a.b" and "a_b" may not both exist.
bool has_collision_chars(std::string_view name);
// Fails with invalid_topic naming the existing topics that collide with `name` (itself excluded).
AdminCheck validate_no_collision(std::string_view name, std::span<const std::string> existing);

AdminCheck validate_partition_count(int32_t partitions);
// Fails when rf < 1 or rf > live_brokers.
AdminCheck validate_replication_factor(int32_t replication_factor, size_t live_brokers);

// An explicit assignment for new partitions `first`, `first`+1, ...: consecutive ids from
// `first`, each partition non-empty without duplicate brokers, all of one replication factor
// (`expected_rf` if given), and, if `known_brokers` is given, only brokers in it.
AdminCheck validate_replica_assignment(const PartitionReplicas& assignment, PartitionId first,
                                       std::optional<size_t> expected_rf,
                                       const std::set<BrokerId>* known_brokers);

// Kafka 2.8's topic-level config names (LogConfig.configNames), sorted.
std::span<const std::string_view> topic_config_names();
// The reason a config's values are unacceptable, or nullopt. Called after the name check.
using ConfigValidator = std::function<std::optional<std::string>(const TopicConfig&)>;
// Fails with invalid_config for an unknown name or a value `validator` (if set) rejects.
AdminCheck validate_topic_config(const TopicConfig& config, const ConfigValidator& validator);

}  // namespace sluice::coordination
