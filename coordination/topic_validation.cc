#include "coordination/topic_validation.h"

#include <algorithm>
#include <array>

namespace sluice::coordination {
namespace {

AdminError reject(Errc code, std::string message) { return AdminError{code, std::move(message)}; }

bool legal_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string unify_collision_chars(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

// Appends in place: GCC 12 warns (-Wrestrict, a false positive) on `literal + string` here.
std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out.append(separator);
    out.append(item);
  }
  return out;
}

std::string broker_list(const std::vector<BrokerId>& brokers) {
  std::vector<std::string> ids;
  for (const BrokerId b : brokers) ids.push_back(std::to_string(b.value()));
  std::string out = "[";
  out.append(join(ids, ","));
  out.append("]");
  return out;
}

AdminCheck validate_partition_replicas(PartitionId partition, const std::vector<BrokerId>& replicas,
                                       const std::set<BrokerId>* known_brokers) {
  const std::string where = "partition " + std::to_string(partition.value());
  if (replicas.empty()) return reject(Errc::invalid_replica_assignment, where + " has no replicas.");
  const std::set<BrokerId> distinct(replicas.begin(), replicas.end());
  if (distinct.size() != replicas.size()) {
    return reject(Errc::invalid_replica_assignment,
                  "Duplicate brokers not allowed in replica assignment: " + broker_list(replicas) + " for " +
                      where + ".");
  }
  if (known_brokers == nullptr) return std::nullopt;
  std::vector<BrokerId> unknown;
  for (const BrokerId b : replicas) {
    if (!known_brokers->contains(b)) unknown.push_back(b);
  }
  if (unknown.empty()) return std::nullopt;
  return reject(Errc::invalid_replica_assignment,
                "Unknown broker(s) in replica assignment: " + broker_list(unknown) + " for " + where + ".");
}

// Kafka 2.8's LogConfig names: the keys a /config/topics/<t> znode may hold.
constexpr std::array<std::string_view, 26> kTopicConfigNames = {
    "cleanup.policy",
    "compression.type",
    "delete.retention.ms",
    "file.delete.delay.ms",
    "flush.messages",
    "flush.ms",
    "follower.replication.throttled.replicas",
    "index.interval.bytes",
    "leader.replication.throttled.replicas",
    "max.compaction.lag.ms",
    "max.message.bytes",
    "message.downconversion.enable",
    "message.format.version",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "preallocate",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.index.bytes",
    "segment.jitter.ms",
    "segment.ms",
    "unclean.leader.election.enable",
};

}  // namespace

AdminCheck validate_topic_name(std::string_view name) {
  if (name.empty()) return reject(Errc::invalid_topic, "Topic name is illegal, it can't be empty");
  if (name == "." || name == "..") return reject(Errc::invalid_topic, "Topic name cannot be \".\" or \"..\"");
  if (name.size() > kMaxTopicNameLength) {
    return reject(Errc::invalid_topic, "Topic name is illegal, it can't be longer than " +
                                           std::to_string(kMaxTopicNameLength) +
                                           " characters, topic name: " + std::string(name));
  }
  if (!std::all_of(name.begin(), name.end(), legal_char)) {
    return reject(Errc::invalid_topic, "Topic name \"" + std::string(name) +
                                           "\" is illegal, it contains a character other than ASCII "
                                           "alphanumerics, '.', '_' and '-'");
  }
  return std::nullopt;
}

bool has_collision_chars(std::string_view name) {
  return name.find_first_of("._") != std::string_view::npos;
}

AdminCheck validate_no_collision(std::string_view name, std::span<const std::string> existing) {
  if (!has_collision_chars(name)) return std::nullopt;
  const std::string unified = unify_collision_chars(name);
  std::vector<std::string> colliding;
  for (const std::string& topic : existing) {
    if (topic != name && unify_collision_chars(topic) == unified) colliding.push_back(topic);
  }
  if (colliding.empty()) return std::nullopt;
  return reject(Errc::invalid_topic,
                "Topic '" + std::string(name) + "' collides with existing topics: " + join(colliding, ", "));
}

AdminCheck validate_partition_count(int32_t partitions) {
  if (partitions >= 1) return std::nullopt;
  return reject(Errc::invalid_partitions, "Number of partitions must be larger than 0.");
}

AdminCheck validate_replication_factor(int32_t replication_factor, size_t live_brokers) {
  if (replication_factor < 1) {
    return reject(Errc::invalid_replication_factor, "Replication factor must be larger than 0.");
  }
  if (static_cast<size_t>(replication_factor) > live_brokers) {
    return reject(Errc::invalid_replication_factor, "Replication factor: " + std::to_string(replication_factor) +
                                                        " larger than available brokers: " +
                                                        std::to_string(live_brokers) + ".");
  }
  return std::nullopt;
}

AdminCheck validate_replica_assignment(const PartitionReplicas& assignment, PartitionId first,
                                       std::optional<size_t> expected_rf,
                                       const std::set<BrokerId>* known_brokers) {
  if (assignment.empty()) return reject(Errc::invalid_replica_assignment, "The replica assignment is empty.");
  int32_t next = first.value();
  for (const auto& [partition, replicas] : assignment) {
    if (partition.value() != next++) {
      return reject(Errc::invalid_replica_assignment,
                    "Partitions must be consecutive integers starting at " + std::to_string(first.value()) + ".");
    }
    if (auto bad = validate_partition_replicas(partition, replicas, known_brokers)) return bad;
    const size_t rf = expected_rf.value_or(assignment.begin()->second.size());
    if (replicas.size() != rf) {
      return reject(Errc::invalid_replica_assignment,
                    "Inconsistent replication factor: partition " + std::to_string(partition.value()) + " has " +
                        std::to_string(replicas.size()) + " replicas, expected " + std::to_string(rf) + ".");
    }
  }
  return std::nullopt;
}

std::span<const std::string_view> topic_config_names() { return kTopicConfigNames; }

AdminCheck validate_topic_config(const TopicConfig& config, const ConfigValidator& validator) {
  for (const auto& [name, value] : config) {
    if (!std::binary_search(kTopicConfigNames.begin(), kTopicConfigNames.end(), std::string_view(name))) {
      return reject(Errc::invalid_config, "Unknown topic config name: " + name);
    }
  }
  if (!validator) return std::nullopt;
  if (auto reason = validator(config)) return reject(Errc::invalid_config, std::move(*reason));
  return std::nullopt;
}

}  // namespace sluice::coordination
