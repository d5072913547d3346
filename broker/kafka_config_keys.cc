#include "broker/kafka_config_keys.h"

#include <charconv>
#include <limits>


namespace sluice::broker::detail {
namespace {

using Config = KafkaConfig;

template <typename T>
std::string parse_ranged(const std::string& v, int64_t min, T& out) {
  int64_t n = 0;
  if (!parse_int64(v, n) || n > std::numeric_limits<T>::max() || n < std::numeric_limits<T>::min()) {
    return "'" + v + "' is not a " + std::to_string(sizeof(T) * 8) + "-bit integer";
  }
  if (n < min) return "must be at least " + std::to_string(min) + ", got " + v;
  out = static_cast<T>(n);
  return "";
}

// A field of KafkaConfig that must be an integer >= min.
template <typename T>
Setter number(T Config::*field, int64_t min) {
  return [field, min](ParseState& s, const std::string& v) { return parse_ranged(v, min, s.config.*field); };
}

// A key whose meaning depends on another key: kept aside until every key is read.
Setter held(std::optional<int64_t> ParseState::*slot, int64_t min) {
  return [slot, min](ParseState& s, const std::string& v) {
    int64_t n = 0;
    std::string reason = parse_ranged(v, min, n);
    if (reason.empty()) s.*slot = n;
    return reason;
  };
}

Setter boolean(bool Config::*field) {
  return [field](ParseState& s, const std::string& v) -> std::string {
    if (v == "true") s.config.*field = true;
    else if (v == "false") s.config.*field = false;
    else return "must be true or false, got '" + v + "'";
    return "";
  };
}

// A log.* key that storage validates under its topic-level name.
Setter topic_level(const char* broker_key, const char* topic_key) {
  return [broker_key, topic_key](ParseState& s, const std::string& v) {
    s.log_overrides.insert_or_assign(broker_key, std::pair<std::string, std::string>{topic_key, v});
    return std::string();
  };
}

Setter text(std::optional<std::string> ParseState::*slot) {
  return [slot](ParseState& s, const std::string& v) -> std::string {
    if (v.empty()) return "must not be empty";
    s.*slot = v;
    return "";
  };
}

std::string set_broker_id(ParseState& s, const std::string& v) {
  int32_t id = 0;
  std::string reason = parse_ranged(v, 0, id);
  if (reason.empty()) s.config.broker_id = BrokerId(id);
  return reason;
}

std::string set_replication_factor(ParseState& s, const std::string& v) {
  return parse_ranged(v, 1, s.config.default_replication_factor);
}

Setter listener_list(std::vector<Listener> Config::*field, bool ParseState::*flag) {
  return [field, flag](ParseState& s, const std::string& v) -> std::string {
    auto parsed = parse_listeners(v);
    if (!parsed) return parsed.error().message;
    s.config.*field = std::move(parsed).value();
    s.*flag = true;
    return "";
  };
}

std::string set_zookeeper(ParseState& s, const std::string& v) {
  auto parsed = parse_zk_connect(v);
  if (!parsed) return parsed.error().message;
  s.config.zookeeper_connect = std::move(parsed).value();
  s.zookeeper_set = true;
  return "";
}

std::string set_log_level(ParseState& s, const std::string& v) {
  static const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (const char* level : kLevels) {
    if (v == level) {
      s.config.log_level = v;
      return "";
    }
  }
  return "must be one of trace, debug, info, warn, error, critical, off; got '" + v + "'";
}

std::string set_http_listener(ParseState& s, const std::string& v) {
  if (v.empty()) {
    s.config.http_listener.reset();  // explicitly off
    return "";
  }
  auto parsed = parse_host_port(v);
  if (!parsed) return parsed.error().message;
  s.config.http_listener = std::move(parsed).value();
  return "";
}

using Table = std::map<std::string, Setter, std::less<>>;

void add_server_keys(Table& t) {
  t["broker.id"] = set_broker_id;
  t["listeners"] = listener_list(&Config::listeners, &ParseState::listeners_set);
  t["advertised.listeners"] = listener_list(&Config::advertised_listeners, &ParseState::advertised_set);
  t["zookeeper.connect"] = set_zookeeper;
  t["zookeeper.session.timeout.ms"] = number(&Config::zookeeper_session_timeout_ms, 1);
  t["zookeeper.connection.timeout.ms"] = held(&ParseState::connection_timeout_ms, 1);
  t["zookeeper.max.in.flight.requests"] = number(&Config::zookeeper_max_in_flight_requests, 1);
  t["num.partitions"] = number(&Config::num_partitions, 1);
  t["default.replication.factor"] = set_replication_factor;
  t["auto.create.topics.enable"] = boolean(&Config::auto_create_topics_enable);
  t["delete.topic.enable"] = boolean(&Config::delete_topic_enable);
  t["unclean.leader.election.enable"] = boolean(&Config::unclean_leader_election_enable);
  t["replica.lag.time.max.ms"] = number(&Config::replica_lag_time_max_ms, 1);
  t["num.replica.fetchers"] = number(&Config::num_replica_fetchers, 1);
  t["replica.fetch.max.bytes"] = number(&Config::replica_fetch_max_bytes, 0);
  t["replica.fetch.min.bytes"] = number(&Config::replica_fetch_min_bytes, 0);
  t["replica.fetch.wait.max.ms"] = number(&Config::replica_fetch_wait_max_ms, 0);
  t["replica.fetch.response.max.bytes"] = number(&Config::replica_fetch_response_max_bytes, 0);
  t["replica.fetch.backoff.ms"] = number(&Config::replica_fetch_backoff_ms, 0);
  t["max.incremental.fetch.session.cache.slots"] = number(&Config::max_incremental_fetch_session_cache_slots, 0);
  t["replica.socket.timeout.ms"] = number(&Config::replica_socket_timeout_ms, 1);
  t["controlled.shutdown.enable"] = boolean(&Config::controlled_shutdown_enable);
  t["controlled.shutdown.max.retries"] = number(&Config::controlled_shutdown_max_retries, 0);
  t["controlled.shutdown.retry.backoff.ms"] = number(&Config::controlled_shutdown_retry_backoff_ms, 0);
  t["auto.leader.rebalance.enable"] = boolean(&Config::auto_leader_rebalance_enable);
  t["leader.imbalance.per.broker.percentage"] = number(&Config::leader_imbalance_per_broker_percentage, 0);
  t["leader.imbalance.check.interval.seconds"] = number(&Config::leader_imbalance_check_interval_seconds, 1);
  t["offsets.retention.minutes"] = number(&Config::offsets_retention_minutes, 1);
  t["group.initial.rebalance.delay.ms"] = number(&Config::group_initial_rebalance_delay_ms, 0);
  t["group.min.session.timeout.ms"] = number(&Config::group_min_session_timeout_ms, 0);
  t["group.max.session.timeout.ms"] = number(&Config::group_max_session_timeout_ms, 0);
  t["group.max.size"] = number(&Config::group_max_size, 1);
  t["offsets.retention.check.interval.ms"] = number(&Config::offsets_retention_check_interval_ms, 1);
  t["offset.metadata.max.bytes"] = number(&Config::offset_metadata_max_bytes, 0);
  t["socket.request.max.bytes"] = number(&Config::socket_request_max_bytes, 1);
  t["socket.send.buffer.bytes"] = number(&Config::socket_send_buffer_bytes, -1);
  t["socket.receive.buffer.bytes"] = number(&Config::socket_receive_buffer_bytes, -1);
  t["num.network.threads"] = number(&Config::num_network_threads, 1);
  t["num.io.threads"] = number(&Config::num_io_threads, 1);
  t["log.level"] = set_log_level;
  t["http.listener"] = set_http_listener;
}

void add_log_keys(Table& t) {
  t["log.dir"] = text(&ParseState::log_dir);
  t["log.dirs"] = text(&ParseState::log_dirs);
  t["log.retention.ms"] = held(&ParseState::retention_ms, std::numeric_limits<int64_t>::min());
  t["log.retention.minutes"] = held(&ParseState::retention_minutes, std::numeric_limits<int32_t>::min());
  t["log.retention.hours"] = held(&ParseState::retention_hours, std::numeric_limits<int32_t>::min());
  t["log.roll.ms"] = held(&ParseState::roll_ms, 1);
  t["log.roll.hours"] = held(&ParseState::roll_hours, 1);
  t["log.roll.jitter.ms"] = held(&ParseState::roll_jitter_ms, 0);
  t["log.roll.jitter.hours"] = held(&ParseState::roll_jitter_hours, 0);
  t["log.retention.bytes"] = topic_level("log.retention.bytes", "retention.bytes");
  t["log.segment.bytes"] = topic_level("log.segment.bytes", "segment.bytes");
  t["log.index.interval.bytes"] = topic_level("log.index.interval.bytes", "index.interval.bytes");
  t["log.index.size.max.bytes"] = topic_level("log.index.size.max.bytes", "segment.index.bytes");
  t["log.flush.interval.messages"] = topic_level("log.flush.interval.messages", "flush.messages");
  t["log.flush.interval.ms"] = topic_level("log.flush.interval.ms", "flush.ms");
  t["log.segment.delete.delay.ms"] = topic_level("log.segment.delete.delay.ms", "file.delete.delay.ms");
  t["log.preallocate"] = topic_level("log.preallocate", "preallocate");
  t["log.cleanup.policy"] = topic_level("log.cleanup.policy", "cleanup.policy");
  t["log.message.timestamp.type"] = topic_level("log.message.timestamp.type", "message.timestamp.type");
  t["message.max.bytes"] = topic_level("message.max.bytes", "max.message.bytes");
  t["min.insync.replicas"] = topic_level("min.insync.replicas", "min.insync.replicas");
  t["compression.type"] = topic_level("compression.type", "compression.type");
  t["num.recovery.threads.per.data.dir"] = number(&Config::num_recovery_threads_per_data_dir, 1);
  t["log.retention.check.interval.ms"] = number(&Config::log_retention_check_interval_ms, 1);
  t["log.flush.offset.checkpoint.interval.ms"] = number(&Config::log_flush_offset_checkpoint_interval_ms, 0);
  t["log.flush.start.offset.checkpoint.interval.ms"] =
      number(&Config::log_flush_start_offset_checkpoint_interval_ms, 0);
  t["replica.high.watermark.checkpoint.interval.ms"] =
      number(&Config::replica_high_watermark_checkpoint_interval_ms, 1);
}

Table build_table() {
  Table t;
  add_server_keys(t);
  add_log_keys(t);
  return t;
}

}  // namespace

bool parse_int64(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;  // Java's Long.parseLong accepts a leading '+'
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

const std::map<std::string, Setter, std::less<>>& config_keys() {
  static const Table table = build_table();
  return table;
}

}  // namespace sluice::broker::detail
