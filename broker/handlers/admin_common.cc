#include "broker/handlers/admin_common.h"

#include <algorithm>
#include <charconv>

#include "coordination/errc.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {

ErrorCode to_error_code(coordination::Errc e) {
  using coordination::Errc;
  switch (e) {  // no default: a new Errc fails the build until it is mapped here
    case Errc::topic_exists: return ErrorCode::topic_already_exists;
    case Errc::invalid_topic: return ErrorCode::invalid_topic_exception;
    case Errc::invalid_partitions: return ErrorCode::invalid_partitions;
    case Errc::invalid_replication_factor: return ErrorCode::invalid_replication_factor;
    case Errc::invalid_replica_assignment: return ErrorCode::invalid_replica_assignment;
    case Errc::invalid_config: return ErrorCode::invalid_config;
    case Errc::invalid_request: return ErrorCode::invalid_request;
    case Errc::reassignment_in_progress: return ErrorCode::reassignment_in_progress;
    case Errc::topic_not_found: return ErrorCode::unknown_topic_or_partition;
    case Errc::controller_moved: return ErrorCode::not_controller;
    case Errc::topic_marked_for_deletion: return ErrorCode::none;
    // ZooKeeper did not answer in time: retriable for the client.
    case Errc::connection_loss:
    case Errc::session_expired:
    case Errc::operation_timeout: return ErrorCode::request_timed_out;
    case Errc::no_node:
    case Errc::node_exists:
    case Errc::bad_version:
    case Errc::not_empty:
    case Errc::no_children_for_ephemerals:
    case Errc::no_auth:
    case Errc::invalid_state:
    case Errc::bad_arguments:
    case Errc::marshalling_error:
    case Errc::closing:
    case Errc::runtime_inconsistency:
    case Errc::corrupt_data:
    case Errc::other: return ErrorCode::unknown_server_error;
  }
  return ErrorCode::unknown_server_error;
}

}  // namespace

ErrorCode admin_error_code(const std::error_code& ec) {
  if (!ec) return ErrorCode::none;
  if (ec.category() != coordination::coordination_category()) return ErrorCode::unknown_server_error;
  return to_error_code(static_cast<coordination::Errc>(ec.value()));
}

coordination::ConfigValidator log_config_validator(storage::LogConfig defaults) {
  return [defaults](const coordination::TopicConfig& config) -> std::optional<std::string> {
    std::string reason;
    if (storage::LogConfig::with_overrides(defaults, config, &reason)) return std::nullopt;
    return "Invalid config value for resource: " + reason;
  };
}

coordination::AdminCheck check_topic_config(const storage::LogConfig& defaults, const coordination::TopicConfig& config) {
  return coordination::validate_topic_config(config, log_config_validator(defaults));
}

bool topic_has_leaders(const MetadataCache::Snapshot& snapshot, const std::string& topic, size_t partitions) {
  auto it = snapshot.topics.find(topic);
  if (it == snapshot.topics.end() || it->second.partitions.size() < partitions) return false;
  return std::all_of(it->second.partitions.begin(), it->second.partitions.end(),
                     [](const auto& entry) { return entry.second.leader >= BrokerId(0); });
}

asio::awaitable<std::set<std::string>> wait_for_topics(const AdminServices& services, std::set<std::string> pending,
                                                        int32_t timeout_ms, TopicDone done) {
  using Clock = std::chrono::steady_clock;
  if (timeout_ms <= 0) co_return std::set<std::string>{};  // Kafka: answer at once, no wait
  const auto wait = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(timeout_ms), services.max_wait);
  const auto deadline = Clock::now() + wait;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    const auto snapshot = services.metadata_cache->snapshot();
    std::erase_if(pending, [&](const std::string& topic) { return done(*snapshot, topic); });
    const auto now = Clock::now();
    if (pending.empty() || now >= deadline) co_return pending;
    timer.expires_after(std::min<Clock::duration>(services.metadata_poll_interval, deadline - now));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

std::optional<std::string> check_broker_resource_name(const std::string& name, BrokerId self) {
  int32_t id = -1;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data(), end, id);
  if (name.empty() || ec != std::errc() || ptr != end) return "A broker resource name is a broker id, not '" + name + "'";
  if (BrokerId(id) != self) {
    return "Broker " + std::to_string(self.value()) + " can describe only itself (or the empty name), not broker " + name;
  }
  return std::nullopt;
}

}  // namespace sluice::broker
