// Shared by the topic-admin handlers: AdminError -> ErrorCode at the broker edge, topic-config
// validation on storage's LogConfig, and the wait for the controller's effect to show in the
// MetadataCache (Kafka's DelayedCreatePartitions / DelayedDeleteTopics, here a bounded poll on
// the handler's executor: the cache has no change notification).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "broker/asio_net.h"
#include "broker/handlers/admin_services.h"
#include "coordination/admin_error.h"
#include "coordination/topic_validation.h"
#include "protocol/error_code.h"
#include "storage/log_config.h"

namespace sluice::broker {

inline constexpr const char* kNotControllerMessage = "This broker is not the controller; send the request to the controller.";

// A coordination::Errc (AdminZkClient's rejections and ZooKeeper failures) as Kafka's ErrorCode;
// any other category is UNKNOWN_SERVER_ERROR.
protocol::ErrorCode admin_error_code(const std::error_code& ec);

// Values checked by LogConfig::with_overrides on the broker's defaults; for
// AdminZkClient::Options::validate_config.
coordination::ConfigValidator log_config_validator(storage::LogConfig defaults);
// Names (Kafka's topic-level list) and values; nullopt when `config` is acceptable.
coordination::AdminCheck check_topic_config(const storage::LogConfig& defaults, const coordination::TopicConfig& config);

// Whether `topic` is in the snapshot with `partitions` partitions (or more), each with a leader.
bool topic_has_leaders(const MetadataCache::Snapshot& snapshot, const std::string& topic, size_t partitions);

// Waits until `done` holds for every topic in `pending` or timeout_ms passes (capped at
// services.max_wait). Returns the topics still pending. timeout_ms <= 0 does not wait and
// returns none: the request is answered with the writes done, as Kafka does.
using TopicDone = std::function<bool(const MetadataCache::Snapshot&, const std::string&)>;
asio::awaitable<std::set<std::string>> wait_for_topics(const AdminServices& services, std::set<std::string> pending,
                                                        int32_t timeout_ms, TopicDone done);

// One topic's entry of a topic-admin response (CreateTopics, CreatePartitions, DeleteTopics: a
// name, an error code and an optional message).
template <typename Result>
Result topic_result(const std::string& name, protocol::ErrorCode error,
                    std::optional<std::string> message = std::nullopt) {
  Result r;
  r.name = name;
  r.error_code = static_cast<int16_t>(error);
  r.error_message = std::move(message);
  return r;
}

// REQUEST_TIMED_OUT, with message why(name), for the results of the topics wait_for_topics left
// pending; the others keep their answer.
template <typename Result, typename Why>
void mark_timed_out(std::vector<Result>& results, const std::set<std::string>& timed_out, Why why) {
  auto name_of = [](const auto& name) -> const std::string* {
    if constexpr (std::is_same_v<std::decay_t<decltype(name)>, std::string>) {
      return &name;
    } else {
      return name ? &*name : nullptr;
    }
  };
  for (auto& r : results) {
    const std::string* name = name_of(r.name);
    if (name == nullptr || !timed_out.contains(*name)) continue;
    r.error_code = static_cast<int16_t>(protocol::ErrorCode::request_timed_out);
    r.error_message = why(*name);
  }
}

// This broker's id as a DescribeConfigs / AlterConfigs broker resource name, or the reason it is not.
std::optional<std::string> check_broker_resource_name(const std::string& name, BrokerId self);

// ConfigResource types (Kafka's ConfigResource.Type ids).
inline constexpr int8_t kResourceTopic = 2;
inline constexpr int8_t kResourceBroker = 4;
inline constexpr int8_t kResourceBrokerLogger = 8;

}  // namespace sluice::broker
