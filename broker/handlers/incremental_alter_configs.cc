#include "broker/handlers/incremental_alter_configs.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "broker/handlers/admin_common.h"
#include "broker/handlers/admin_configs.h"
#include "broker/handlers/alter_configs.h"
#include "protocol/messages/incremental_alter_configs_request.h"
#include "protocol/messages/incremental_alter_configs_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::IncrementalAlterConfigsRequest;
using protocol::IncrementalAlterConfigsResponse;
using Resource = IncrementalAlterConfigsRequest::AlterConfigsResource;

enum class Op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(',');
    out.append(item);
  }
  return out;
}

// Applies the resource's operations to `config`; the reason (INVALID_REQUEST) if one is refused.
std::optional<std::string> apply_ops(const Resource& resource, const storage::LogConfig& defaults,
                                     coordination::TopicConfig& config) {
  std::set<std::string> names;
  for (const auto& c : resource.configs) {
    if (!names.insert(c.name).second) return "Config " + c.name + " appears more than once in the request.";
  }
  for (const auto& c : resource.configs) {
    const auto op = static_cast<Op>(c.config_operation);
    switch (op) {
      case Op::set:
        if (!c.value) return "Null value not supported for config " + c.name + ".";
        config[c.name] = *c.value;
        break;
      case Op::remove:
        config.erase(c.name);
        break;
      case Op::append:
      case Op::subtract: {
        if (!is_list_config(c.name)) {
          return std::string(op == Op::append ? "APPEND" : "SUBTRACT") + " applies only to list configs, not to " +
                 c.name + ".";
        }
        std::vector<std::string> items;
        if (auto it = config.find(c.name); it != config.end()) {
          items = split_list(it->second);
        } else if (const TopicConfigKey* key = find_topic_config_key(c.name)) {
          items = split_list(key->value(defaults));
        }
        for (const std::string& v : split_list(c.value.value_or(""))) {
          auto found = std::find(items.begin(), items.end(), v);
          if (op == Op::append && found == items.end()) items.push_back(v);
          if (op == Op::subtract && found != items.end()) items.erase(found);
        }
        config[c.name] = join_list(items);
        break;
      }
      default:
        return "Unknown config operation " + std::to_string(c.config_operation) + " for " + c.name + ".";
    }
  }
  return std::nullopt;
}

asio::awaitable<AlterOutcome> alter_topic(AdminServices services, Resource resource, bool validate_only) {
  const std::string& topic = resource.resource_name;
  auto exists = co_await services.zk->topic_exists(topic);
  if (!exists) co_return AlterOutcome{admin_error_code(exists.error()), exists.error().message()};
  if (!exists.value()) {
    co_return AlterOutcome{ErrorCode::unknown_topic_or_partition, "Topic '" + topic + "' does not exist."};
  }
  auto current = co_await services.zk->get_topic_config(topic);
  if (!current) co_return AlterOutcome{admin_error_code(current.error()), current.error().message()};
  coordination::TopicConfig config = std::move(current).value();
  if (auto bad = apply_ops(resource, services.config->log_config, config)) {
    co_return AlterOutcome{ErrorCode::invalid_request, std::move(*bad)};
  }
  co_return co_await alter_topic_config(services, topic, std::move(config), validate_only);
}

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = IncrementalAlterConfigsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed IncrementalAlterConfigs request: " + decoded.error().message());
  const IncrementalAlterConfigsRequest& request = decoded.value();
  IncrementalAlterConfigsResponse response;
  for (const Resource& resource : request.resources) {
    AlterOutcome outcome;
    if (resource.resource_type == kResourceTopic) {
      outcome = co_await alter_topic(services, resource, request.validate_only);
    } else {
      outcome = unsupported_resource(resource.resource_type);
    }
    IncrementalAlterConfigsResponse::AlterConfigsResourceResponse r;
    r.error_code = static_cast<int16_t>(outcome.error);
    r.error_message = std::move(outcome.message);
    r.resource_type = resource.resource_type;
    r.resource_name = resource.resource_name;
    response.responses.push_back(std::move(r));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler incremental_alter_configs_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::incremental_alter_configs,
                 .min_version = 0,
                 .max_version = 1,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
