#include "broker/kafka_config.h"

#include <algorithm>
#include <limits>
#include <thread>

#include "broker/kafka_config_keys.h"

namespace sluice::broker {
namespace {

using detail::ParseState;

constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMsPerHour = 3'600'000;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    std::string item = trim(std::string_view(s).substr(start, comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

// Kafka's time keys: the finest unit given wins; a negative value means "forever" (-1).
int64_t pick_ms(std::optional<int64_t> ms, std::optional<int64_t> coarse, int64_t coarse_unit,
                std::optional<int64_t> coarser, int64_t coarser_unit, int64_t fallback_ms) {
  int64_t value = fallback_ms;
  if (ms) value = *ms;
  else if (coarse) value = *coarse * coarse_unit;
  else if (coarser) value = *coarser * coarser_unit;
  return value < 0 ? -1 : value;
}

ConfigResult<void> apply_properties(ParseState& state, const Properties& props) {
  for (const auto& [key, value] : props) {
    auto it = detail::config_keys().find(key);
    if (it == detail::config_keys().end()) return config_error(key + ": unknown configuration key");
    std::string reason = it->second(state, trim(value));
    if (!reason.empty()) return config_error(key + ": " + reason);
  }
  return outcome::success();
}

ConfigResult<void> apply_log_overrides(ParseState& state) {
  storage::LogConfig& log = state.config.log_config;
  log.retention_ms = pick_ms(state.retention_ms, state.retention_minutes, kMsPerMinute,
                             state.retention_hours, kMsPerHour, 168 * kMsPerHour);
  log.segment_ms = pick_ms(state.roll_ms, state.roll_hours, kMsPerHour, {}, 0, 168 * kMsPerHour);
  log.segment_jitter_ms = pick_ms(state.roll_jitter_ms, state.roll_jitter_hours, kMsPerHour, {}, 0, 0);
  for (const auto& [broker_key, override] : state.log_overrides) {
    const auto& [topic_key, value] = override;
    std::string reason;
    auto updated = storage::LogConfig::with_overrides(log, {{topic_key, value}}, &reason);
    if (!updated) {
      // storage names its own key ("segment.bytes: ..."); report the broker's.
      if (reason.starts_with(topic_key + ": ")) reason.erase(0, topic_key.size() + 2);
      return config_error(broker_key + ": " + reason);
    }
    log = updated.value();
  }
  return outcome::success();
}

// Kafka's cross-key checks on the replica fetcher settings (KafkaConfig.validateValues).
ConfigResult<void> check_replica_fetch_keys(const KafkaConfig& c) {
  if (c.replica_fetch_wait_max_ms > c.replica_socket_timeout_ms) {
    return config_error("replica.socket.timeout.ms (" + std::to_string(c.replica_socket_timeout_ms) +
                        ") must be at least replica.fetch.wait.max.ms (" + std::to_string(c.replica_fetch_wait_max_ms) +
                        ") to prevent unnecessary socket timeouts");
  }
  if (c.replica_fetch_wait_max_ms > c.replica_lag_time_max_ms) {
    return config_error("replica.fetch.wait.max.ms (" + std::to_string(c.replica_fetch_wait_max_ms) +
                        ") must be at most replica.lag.time.max.ms (" + std::to_string(c.replica_lag_time_max_ms) +
                        ") to prevent frequent changes in ISR");
  }
  return outcome::success();
}

ConfigResult<void> resolve_dependent_keys(ParseState& state) {
  KafkaConfig& c = state.config;
  if (c.broker_id.value() < 0) return config_error("broker.id: required (broker id generation is not supported)");
  if (!state.zookeeper_set) return config_error("zookeeper.connect: required");
  if (!state.listeners_set) c.listeners = {Listener{.security_protocol = "PLAINTEXT", .host = "", .port = 9092}};
  if (!state.advertised_set) c.advertised_listeners = c.listeners;
  c.zookeeper_connection_timeout_ms = state.connection_timeout_ms.value_or(c.zookeeper_session_timeout_ms);
  const char* dirs_key = state.log_dirs ? "log.dirs" : "log.dir";
  for (const std::string& dir : split_list(state.log_dirs.value_or(state.log_dir.value_or("/tmp/kafka-logs")))) {
    c.log_dirs.emplace_back(dir);
  }
  if (c.log_dirs.empty()) return config_error(std::string(dirs_key) + ": no directory given");
  BOOST_OUTCOME_TRY(check_replica_fetch_keys(c));
  BOOST_OUTCOME_TRY(apply_log_overrides(state));
  // Kafka's topic-level unclean.leader.election.enable defaults to the broker's.
  c.log_config.unclean_leader_election_enable = c.unclean_leader_election_enable;
  return outcome::success();
}

}  // namespace

std::string Listener::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return security_protocol + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ZkConnect::to_string() const {
  std::string out;
  for (const auto& [host, port] : servers) {
    if (!out.empty()) out += ',';
    out += host + ":" + std::to_string(port);
  }
  return out + chroot;
}

ConfigResult<std::pair<std::string, uint16_t>> parse_host_port(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return config_error("'" + text + "' is not host:port");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int64_t port = 0;
  if (!detail::parse_int64(text.substr(colon + 1), port) || port < 0 || port > 65535) {
    return config_error("'" + text + "' has no valid port (0-65535)");
  }
  return std::pair{std::move(host), static_cast<uint16_t>(port)};
}

ConfigResult<std::vector<Listener>> parse_listeners(const std::string& text) {
  std::vector<Listener> out;
  for (const std::string& item : split_list(text)) {
    const size_t sep = item.find("://");
    if (sep == std::string::npos) return config_error("'" + item + "' is not PROTOCOL://host:port");
    Listener listener{.security_protocol = item.substr(0, sep), .host = {}, .port = 0};
    if (listener.security_protocol != "PLAINTEXT") {
      return config_error("'" + item + "': only PLAINTEXT listeners are supported");
    }
    BOOST_OUTCOME_TRY(auto host_port, parse_host_port(item.substr(sep + 3)));
    std::tie(listener.host, listener.port) = std::move(host_port);
    for (const Listener& other : out) {
      if (other.port == listener.port && other.port != 0) {
        return config_error("port " + std::to_string(listener.port) + " is listed twice");
      }
    }
    out.push_back(std::move(listener));
  }
  if (out.empty()) return config_error("no listener given");
  return out;
}

ConfigResult<ZkConnect> parse_zk_connect(const std::string& text) {
  ZkConnect out;
  const size_t slash = text.find('/');
  std::string servers = text.substr(0, slash);
  if (slash != std::string::npos) {
    out.chroot = text.substr(slash);
    const bool bad = out.chroot.find("//") != std::string::npos ||
                     (out.chroot.size() > 1 && out.chroot.back() == '/');
    if (bad) return config_error("'" + out.chroot + "' is not a valid chroot path");
    if (out.chroot == "/") out.chroot.clear();
  }
  for (const std::string& item : split_list(servers)) {
    // ZooKeeper's clients default the port to 2181.
    if (item.find(':') == std::string::npos) {
      out.servers.emplace_back(item, 2181);
      continue;
    }
    BOOST_OUTCOME_TRY(auto host_port, parse_host_port(item));
    if (host_port.first.empty() || host_port.second == 0) return config_error("'" + item + "' is not host:port");
    out.servers.push_back(std::move(host_port));
  }
  if (out.servers.empty()) return config_error("no ZooKeeper server given in '" + text + "'");
  return out;
}

ConfigResult<KafkaConfig> KafkaConfig::from_properties(const Properties& props) {
  ParseState state;
  BOOST_OUTCOME_TRY(apply_properties(state, props));
  BOOST_OUTCOME_TRY(resolve_dependent_keys(state));
  return std::move(state.config);
}

ConfigResult<KafkaConfig> KafkaConfig::load(const std::filesystem::path& file,
                                            const std::vector<std::string>& overrides) {
  BOOST_OUTCOME_TRY(auto props, load_properties(file));
  for (const std::string& override : overrides) {
    const size_t eq = override.find('=');
    if (eq == std::string::npos || eq == 0) return config_error("--override '" + override + "' is not key=value");
    props[trim(std::string_view(override).substr(0, eq))] = override.substr(eq + 1);
  }
  return from_properties(props);
}

int KafkaConfig::network_threads() const {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return std::clamp(num_network_threads, 1, cores);
}

storage::LogManagerConfig KafkaConfig::log_manager_config() const {
  storage::LogManagerConfig out;
  out.log_dirs = log_dirs;
  out.default_config = log_config;
  out.num_recovery_threads_per_data_dir = num_recovery_threads_per_data_dir;
  out.retention_check_interval_ms = log_retention_check_interval_ms;
  out.recovery_point_checkpoint_interval_ms = log_flush_offset_checkpoint_interval_ms;
  out.log_start_offset_checkpoint_interval_ms = log_flush_start_offset_checkpoint_interval_ms;
  out.high_watermark_checkpoint_interval_ms = replica_high_watermark_checkpoint_interval_ms;
  return out;
}

}  // namespace sluice::broker
