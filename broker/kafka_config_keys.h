// The table of server.properties keys KafkaConfig accepts, each with a setter that validates its
// value. Internal to kafka_config*.cc.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "broker/kafka_config.h"

namespace sluice::broker::detail {

// What the setters fill: the config, plus the keys whose meaning depends on others (log.dirs
// beats log.dir, log.retention.ms beats .minutes beats .hours) and the log.* keys storage
// validates (topic-level names, applied with LogConfig::with_overrides).
struct ParseState {
  KafkaConfig config;
  std::optional<std::string> log_dir, log_dirs;
  std::optional<int64_t> retention_ms, retention_minutes, retention_hours;
  std::optional<int64_t> roll_ms, roll_hours, roll_jitter_ms, roll_jitter_hours;
  std::optional<int64_t> connection_timeout_ms;
  bool listeners_set = false, advertised_set = false, zookeeper_set = false;
  // broker key -> (topic-level key, value)
  std::map<std::string, std::pair<std::string, std::string>> log_overrides;
};

// Applies one value; returns "" or the reason it was refused (without the key).
using Setter = std::function<std::string(ParseState& state, const std::string& value)>;

const std::map<std::string, Setter, std::less<>>& config_keys();

// Number parsing shared by the setters: the whole string must be the number.
bool parse_int64(const std::string& s, int64_t& out);

}  // namespace sluice::broker::detail
