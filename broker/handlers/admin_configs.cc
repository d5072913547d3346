#include "broker/handlers/admin_configs.h"

#include <algorithm>
#include <array>
#include <map>

namespace sluice::broker {
namespace {

using storage::LogConfig;

std::string bool_text(bool b) { return b ? "true" : "false"; }

std::string compression_text(storage::TopicCompression c) {
  switch (c) {
    case storage::TopicCompression::producer: return "producer";
    case storage::TopicCompression::uncompressed: return "uncompressed";
    case storage::TopicCompression::gzip: return "gzip";
    case storage::TopicCompression::snappy: return "snappy";
    case storage::TopicCompression::lz4: return "lz4";
    case storage::TopicCompression::zstd: return "zstd";
  }
  return "producer";
}

std::string cleanup_text(storage::CleanupPolicy p) {
  switch (p) {
    case storage::CleanupPolicy::delete_: return "delete";
  }
  return "delete";
}

std::string timestamp_type_text(protocol::TimestampType t) {
  return t == protocol::TimestampType::log_append_time ? "LogAppendTime" : "CreateTime";
}

// Sorted by name.
constexpr std::array kTopicKeys = {
    TopicConfigKey{"cleanup.policy", "log.cleanup.policy", [](const LogConfig& c) { return cleanup_text(c.cleanup_policy); }},
    TopicConfigKey{"compression.type", "compression.type",
                   [](const LogConfig& c) { return compression_text(c.compression); }},
    TopicConfigKey{"file.delete.delay.ms", "log.segment.delete.delay.ms",
                   [](const LogConfig& c) { return std::to_string(c.file_delete_delay_ms); }},
    TopicConfigKey{"flush.messages", "log.flush.interval.messages",
                   [](const LogConfig& c) { return std::to_string(c.flush_messages); }},
    TopicConfigKey{"flush.ms", "log.flush.interval.ms", [](const LogConfig& c) { return std::to_string(c.flush_ms); }},
    TopicConfigKey{"index.interval.bytes", "log.index.interval.bytes",
                   [](const LogConfig& c) { return std::to_string(c.index_interval_bytes); }},
    TopicConfigKey{"max.message.bytes", "message.max.bytes",
                   [](const LogConfig& c) { return std::to_string(c.max_message_bytes); }},
    TopicConfigKey{"message.timestamp.type", "log.message.timestamp.type",
                   [](const LogConfig& c) { return timestamp_type_text(c.timestamp_type); }},
    TopicConfigKey{"min.insync.replicas", "min.insync.replicas",
                   [](const LogConfig& c) { return std::to_string(c.min_insync_replicas); }},
    TopicConfigKey{"preallocate", "log.preallocate", [](const LogConfig& c) { return bool_text(c.preallocate); }},
    TopicConfigKey{"retention.bytes", "log.retention.bytes",
                   [](const LogConfig& c) { return std::to_string(c.retention_bytes); }},
    TopicConfigKey{"retention.ms", "log.retention.ms", [](const LogConfig& c) { return std::to_string(c.retention_ms); }},
    TopicConfigKey{"segment.bytes", "log.segment.bytes",
                   [](const LogConfig& c) { return std::to_string(c.segment_bytes); }},
    TopicConfigKey{"segment.index.bytes", "log.index.size.max.bytes",
                   [](const LogConfig& c) { return std::to_string(c.segment_index_bytes); }},
    TopicConfigKey{"segment.jitter.ms", "log.roll.jitter.ms",
                   [](const LogConfig& c) { return std::to_string(c.segment_jitter_ms); }},
    TopicConfigKey{"segment.ms", "log.roll.ms", [](const LogConfig& c) { return std::to_string(c.segment_ms); }},
    TopicConfigKey{"unclean.leader.election.enable", "unclean.leader.election.enable",
                   [](const LogConfig& c) { return bool_text(c.unclean_leader_election_enable); }},
};

std::string listeners_text(const std::vector<Listener>& listeners) {
  std::string out;
  for (const Listener& l : listeners) {
    if (!out.empty()) out += ",";
    out += l.to_string();
  }
  return out;
}

std::map<std::string, std::string> broker_values(const KafkaConfig& c) {
  std::map<std::string, std::string> v;
  v["broker.id"] = std::to_string(c.broker_id.value());
  v["listeners"] = listeners_text(c.listeners);
  v["advertised.listeners"] = listeners_text(c.advertised_listeners);
  std::string dirs;
  for (const auto& d : c.log_dirs) {
    if (!dirs.empty()) dirs.push_back(',');
    dirs.append(d.string());
  }
  v["log.dirs"] = dirs;
  v["zookeeper.connect"] = c.zookeeper_connect.to_string();
  v["zookeeper.session.timeout.ms"] = std::to_string(c.zookeeper_session_timeout_ms);
  v["zookeeper.connection.timeout.ms"] = std::to_string(c.zookeeper_connection_timeout_ms);
  v["num.partitions"] = std::to_string(c.num_partitions);
  v["default.replication.factor"] = std::to_string(c.default_replication_factor);
  v["auto.create.topics.enable"] = bool_text(c.auto_create_topics_enable);
  v["delete.topic.enable"] = bool_text(c.delete_topic_enable);
  v["unclean.leader.election.enable"] = bool_text(c.unclean_leader_election_enable);
  v["replica.lag.time.max.ms"] = std::to_string(c.replica_lag_time_max_ms);
  v["num.replica.fetchers"] = std::to_string(c.num_replica_fetchers);
  v["replica.fetch.max.bytes"] = std::to_string(c.replica_fetch_max_bytes);
  v["replica.fetch.min.bytes"] = std::to_string(c.replica_fetch_min_bytes);
  v["replica.fetch.wait.max.ms"] = std::to_string(c.replica_fetch_wait_max_ms);
  v["replica.fetch.response.max.bytes"] = std::to_string(c.replica_fetch_response_max_bytes);
  v["replica.fetch.backoff.ms"] = std::to_string(c.replica_fetch_backoff_ms);
  v["max.incremental.fetch.session.cache.slots"] = std::to_string(c.max_incremental_fetch_session_cache_slots);
  v["replica.socket.timeout.ms"] = std::to_string(c.replica_socket_timeout_ms);
  v["controlled.shutdown.enable"] = bool_text(c.controlled_shutdown_enable);
  v["auto.leader.rebalance.enable"] = bool_text(c.auto_leader_rebalance_enable);
  v["socket.request.max.bytes"] = std::to_string(c.socket_request_max_bytes);
  v["socket.send.buffer.bytes"] = std::to_string(c.socket_send_buffer_bytes);
  v["socket.receive.buffer.bytes"] = std::to_string(c.socket_receive_buffer_bytes);
  v["num.network.threads"] = std::to_string(c.num_network_threads);
  v["num.io.threads"] = std::to_string(c.num_io_threads);
  v["num.recovery.threads.per.data.dir"] = std::to_string(c.num_recovery_threads_per_data_dir);
  v["log.retention.check.interval.ms"] = std::to_string(c.log_retention_check_interval_ms);
  for (const TopicConfigKey& key : kTopicKeys) v[std::string(key.broker_name)] = key.value(c.log_config);
  return v;
}

}  // namespace

std::span<const TopicConfigKey> topic_config_keys() { return kTopicKeys; }

const TopicConfigKey* find_topic_config_key(std::string_view name) {
  auto it = std::lower_bound(kTopicKeys.begin(), kTopicKeys.end(), name,
                             [](const TopicConfigKey& k, std::string_view n) { return k.name < n; });
  return it != kTopicKeys.end() && it->name == name ? &*it : nullptr;
}

bool is_list_config(std::string_view name) {
  return name == "cleanup.policy" || name == "leader.replication.throttled.replicas" ||
         name == "follower.replication.throttled.replicas";
}

std::vector<BrokerConfigEntry> broker_config_entries(const KafkaConfig& config) {
  const auto defaults = broker_values(KafkaConfig{});
  std::vector<BrokerConfigEntry> out;
  for (auto& [name, value] : broker_values(config)) {
    auto d = defaults.find(name);
    const bool is_default = d != defaults.end() && d->second == value;
    out.push_back(BrokerConfigEntry{name, value, is_default});
  }
  return out;
}

}  // namespace sluice::broker
