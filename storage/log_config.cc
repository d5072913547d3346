#include "storage/log_config.h"

#include <charconv>
#include <functional>
#include <string_view>

#include "storage/errc.h"

namespace sluice::storage {
namespace {

// Applies one override to `cfg`; returns the reason it was rejected, or "" if accepted.
using Setter = std::function<std::string(LogConfig& cfg, const std::string& value)>;

bool parse_long(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Setter long_at_least(int64_t LogConfig::*field, int64_t min) {
  return [field, min](LogConfig& cfg, const std::string& v) -> std::string {
    int64_t n = 0;
    if (!parse_long(v, n)) return "'" + v + "' is not an integer";
    if (n < min) return "must be at least " + std::to_string(min) + ", got " + v;
    cfg.*field = n;
    return "";
  };
}

Setter int_at_least(int32_t LogConfig::*field, int32_t min) {
  return [field, min](LogConfig& cfg, const std::string& v) -> std::string {
    int64_t n = 0;
    if (!parse_long(v, n) || n > INT32_MAX) return "'" + v + "' is not a 32-bit integer";
    if (n < min) return "must be at least " + std::to_string(min) + ", got " + v;
    cfg.*field = static_cast<int32_t>(n);
    return "";
  };
}

// Kafka declares these as int: segment.bytes, segment.index.bytes, index.interval.bytes,
// max.message.bytes.
Setter int32_long_at_least(int64_t LogConfig::*field, int64_t min) {
  return [field, min](LogConfig& cfg, const std::string& v) -> std::string {
    int64_t n = 0;
    if (!parse_long(v, n) || n > INT32_MAX) return "'" + v + "' is not a 32-bit integer";
    if (n < min) return "must be at least " + std::to_string(min) + ", got " + v;
    cfg.*field = n;
    return "";
  };
}

std::string set_retention_ms(LogConfig& cfg, const std::string& v) {
  int64_t n = 0;
  if (!parse_long(v, n)) return "'" + v + "' is not an integer";
  if (n < -1) return "must be -1 (forever) or at least 0, got " + v;
  cfg.retention_ms = n;
  return "";
}

std::string set_preallocate(LogConfig& cfg, const std::string& v) {
  if (v == "true") cfg.preallocate = true;
  else if (v == "false") cfg.preallocate = false;
  else return "must be true or false, got '" + v + "'";
  return "";
}

std::string set_unclean_leader_election(LogConfig& cfg, const std::string& v) {
  if (v == "true") cfg.unclean_leader_election_enable = true;
  else if (v == "false") cfg.unclean_leader_election_enable = false;
  else return "must be true or false, got '" + v + "'";
  return "";
}

std::string set_cleanup_policy(LogConfig& cfg, const std::string& v) {
  if (v == "delete") {
    cfg.cleanup_policy = CleanupPolicy::delete_;
    return "";
  }
  if (v.find("compact") != std::string::npos) return "log compaction is not supported, use 'delete'";
  return "must be 'delete', got '" + v + "'";
}

std::string set_compression(LogConfig& cfg, const std::string& v) {
  static const std::map<std::string, TopicCompression, std::less<>> names = {
      {"producer", TopicCompression::producer}, {"uncompressed", TopicCompression::uncompressed},
      {"gzip", TopicCompression::gzip},         {"snappy", TopicCompression::snappy},
      {"lz4", TopicCompression::lz4},           {"zstd", TopicCompression::zstd}};
  auto it = names.find(v);
  if (it == names.end()) return "must be one of producer, uncompressed, gzip, snappy, lz4, zstd; got '" + v + "'";
  cfg.compression = it->second;
  return "";
}

std::string set_timestamp_type(LogConfig& cfg, const std::string& v) {
  if (v == "CreateTime") cfg.timestamp_type = protocol::TimestampType::create_time;
  else if (v == "LogAppendTime") cfg.timestamp_type = protocol::TimestampType::log_append_time;
  else return "must be CreateTime or LogAppendTime, got '" + v + "'";
  return "";
}

const std::map<std::string, Setter, std::less<>>& setters() {
  // Minimums are Kafka's: segment.bytes >= 14 (the smallest legacy message), index sizes >= 4.
  static const std::map<std::string, Setter, std::less<>> table = {
      {"segment.bytes", int32_long_at_least(&LogConfig::segment_bytes, 14)},
      {"segment.ms", long_at_least(&LogConfig::segment_ms, 1)},
      {"segment.jitter.ms", long_at_least(&LogConfig::segment_jitter_ms, 0)},
      {"segment.index.bytes", int32_long_at_least(&LogConfig::segment_index_bytes, 4)},
      {"index.interval.bytes", int32_long_at_least(&LogConfig::index_interval_bytes, 0)},
      {"retention.ms", set_retention_ms},
      {"retention.bytes", long_at_least(&LogConfig::retention_bytes, -1)},
      {"flush.messages", long_at_least(&LogConfig::flush_messages, 0)},
      {"flush.ms", long_at_least(&LogConfig::flush_ms, 0)},
      {"file.delete.delay.ms", long_at_least(&LogConfig::file_delete_delay_ms, 0)},
      {"max.message.bytes", int32_long_at_least(&LogConfig::max_message_bytes, 0)},
      {"min.insync.replicas", int_at_least(&LogConfig::min_insync_replicas, 1)},
      {"preallocate", set_preallocate},
      {"unclean.leader.election.enable", set_unclean_leader_election},
      {"cleanup.policy", set_cleanup_policy},
      {"compression.type", set_compression},
      {"message.timestamp.type", set_timestamp_type},
  };
  return table;
}

}  // namespace

Result<LogConfig> LogConfig::with_overrides(const LogConfig& base,
                                            const std::map<std::string, std::string>& overrides,
                                            std::string* error) {
  LogConfig cfg = base;
  for (const auto& [key, value] : overrides) {
    auto it = setters().find(key);
    std::string reason = it == setters().end() ? "unknown topic config" : it->second(cfg, value);
    if (!reason.empty()) {
      if (error != nullptr) *error = key + ": " + reason;
      return Errc::invalid_config;
    }
  }
  return cfg;
}

}  // namespace sluice::storage
