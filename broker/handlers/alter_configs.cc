#include "broker/handlers/alter_configs.h"

#include "broker/handlers/admin_common.h"
#include "protocol/messages/alter_configs_request.h"
#include "protocol/messages/alter_configs_response.h"

namespace sluice::broker {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;
using protocol::ErrorCode;

namespace {

AlterOutcome failed(ErrorCode error, std::string message) { return AlterOutcome{error, std::move(message)}; }

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = AlterConfigsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed AlterConfigs request: " + decoded.error().message());
  const AlterConfigsRequest& request = decoded.value();
  AlterConfigsResponse response;
  for (const auto& resource : request.resources) {
    AlterOutcome outcome;
    if (resource.resource_type != kResourceTopic) {
      outcome = unsupported_resource(resource.resource_type);
    } else {
      coordination::TopicConfig config;
      std::optional<std::string> null_key;
      for (const auto& c : resource.configs) {
        if (!c.value) null_key = c.name;
        else config[c.name] = *c.value;
      }
      if (null_key) {
        outcome = failed(ErrorCode::invalid_request, "Null value not supported for config " + *null_key + ".");
      } else {
        outcome = co_await alter_topic_config(services, resource.resource_name, std::move(config), request.validate_only);
      }
    }
    AlterConfigsResponse::AlterConfigsResourceResponse r;
    r.error_code = static_cast<int16_t>(outcome.error);
    r.error_message = std::move(outcome.message);
    r.resource_type = resource.resource_type;
    r.resource_name = resource.resource_name;
    response.responses.push_back(std::move(r));
  }
  co_return respond(ctx, response);
}

}  // namespace

AlterOutcome unsupported_resource(int8_t resource_type) {
  if (resource_type == kResourceBroker || resource_type == kResourceBrokerLogger) {
    return failed(ErrorCode::invalid_request,
                  "Sluice has no dynamic broker configs: change server.properties and restart the broker.");
  }
  return failed(ErrorCode::invalid_request, "Unsupported resource type " + std::to_string(resource_type) + ".");
}

asio::awaitable<AlterOutcome> alter_topic_config(AdminServices services, std::string topic,
                                                 coordination::TopicConfig config, bool validate_only) {
  auto exists = co_await services.zk->topic_exists(topic);
  if (!exists) co_return failed(admin_error_code(exists.error()), exists.error().message());
  if (!exists.value()) co_return failed(ErrorCode::unknown_topic_or_partition, "Topic '" + topic + "' does not exist.");
  if (auto bad = check_topic_config(services.config->log_config, config)) {
    co_return failed(admin_error_code(bad->code), bad->message);
  }
  if (validate_only) co_return AlterOutcome{};
  auto changed = co_await services.admin_zk->change_topic_config(topic, std::move(config));
  if (!changed) co_return failed(admin_error_code(changed.error().code), changed.error().message);
  co_return AlterOutcome{};
}

Handler alter_configs_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::alter_configs,
                 .min_version = 0,
                 .max_version = 1,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
