// AlterConfigs (key 33), v0-1: replaces a topic's whole override set (/config/topics/<t>)
// through AdminZkClient::change_topic_config, which also writes the /config/changes notification
// every broker's DynamicConfigManager applies. UNKNOWN_TOPIC_OR_PARTITION for a topic ZooKeeper
// does not hold, INVALID_CONFIG for a bad name or value, INVALID_REQUEST for a null value;
// validate_only checks without writing. Broker resources are INVALID_REQUEST: Sluice has no
// dynamic broker configs (server.properties is read at startup only).
#pragma once

#include <optional>
#include <string>

#include "broker/asio_net.h"
#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"
#include "protocol/error_code.h"

namespace sluice::broker {

Handler alter_configs_handler(const AdminServices& services);

struct AlterOutcome {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::optional<std::string> message;
};

// Shared with IncrementalAlterConfigs: checks that `topic` exists and `config` is valid, then
// (unless validate_only) writes it as the topic's override set.
asio::awaitable<AlterOutcome> alter_topic_config(AdminServices services, std::string topic,
                                                 coordination::TopicConfig config, bool validate_only);
// The answer for a resource type other than a topic.
AlterOutcome unsupported_resource(int8_t resource_type);

}  // namespace sluice::broker
