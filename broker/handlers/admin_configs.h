// The config entries DescribeConfigs reports: each topic-level config with its broker-level
// synonym and how to print it from a LogConfig, and this broker's own settings.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kafka_config.h"
#include "storage/log_config.h"

namespace sluice::broker {

// DescribeConfigs config_source values (Kafka's DescribeConfigsResponse.ConfigSource ids).
inline constexpr int8_t kSourceDynamicTopic = 1;
inline constexpr int8_t kSourceStaticBroker = 4;
inline constexpr int8_t kSourceDefault = 5;

// A topic-level config the broker serves, e.g. {"retention.ms", "log.retention.ms"}.
struct TopicConfigKey {
  std::string_view name;
  std::string_view broker_name;  // the server.properties key that supplies its default
  std::string (*value)(const storage::LogConfig&);
};

// Sorted by name: exactly the keys LogConfig::with_overrides accepts.
std::span<const TopicConfigKey> topic_config_keys();
const TopicConfigKey* find_topic_config_key(std::string_view name);

// Kafka's list-typed topic configs (IncrementalAlterConfigs APPEND/SUBTRACT apply only to them).
bool is_list_config(std::string_view name);

struct BrokerConfigEntry {
  std::string name;
  std::string value;
  bool is_default = false;  // the value is Kafka's default (not set in server.properties)
};

// This broker's settings as DescribeConfigs lists them, sorted by name.
std::vector<BrokerConfigEntry> broker_config_entries(const KafkaConfig& config);

}  // namespace sluice::broker
