#include "broker/handlers/describe_configs.h"

#include <algorithm>

#include "broker/handlers/admin_common.h"
#include "broker/handlers/admin_configs.h"
#include "protocol/messages/describe_configs_request.h"
#include "protocol/messages/describe_configs_response.h"

namespace sluice::broker {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;
using Entry = DescribeConfigsResponse::DescribeConfigsResourceResult;
using Synonym = DescribeConfigsResponse::DescribeConfigsSynonym;
using ResourceResult = DescribeConfigsResponse::DescribeConfigsResult;
using Resource = DescribeConfigsRequest::DescribeConfigsResource;

bool wanted(const Resource& resource, std::string_view name) {
  if (!resource.configuration_keys) return true;
  const auto& keys = *resource.configuration_keys;
  return std::find(keys.begin(), keys.end(), name) != keys.end();
}

Synonym synonym(std::string_view name, std::string value, int8_t source) {
  Synonym s;
  s.name = std::string(name);
  s.value = std::move(value);
  s.source = source;
  return s;
}

Entry entry(std::string name, std::string value, int8_t source, bool read_only) {
  Entry e;
  e.name = std::move(name);
  e.value = std::move(value);
  e.read_only = read_only;
  e.is_default = source == kSourceDefault;
  e.config_source = source;
  e.is_sensitive = false;
  return e;
}

ResourceResult resource_error(const Resource& resource, ErrorCode error, std::string message) {
  ResourceResult r;
  r.error_code = static_cast<int16_t>(error);
  r.error_message = std::move(message);
  r.resource_type = resource.resource_type;
  r.resource_name = resource.resource_name;
  return r;
}

std::vector<Entry> topic_entries(const Resource& resource, const coordination::TopicConfig& overrides,
                                 const storage::LogConfig& broker, bool synonyms) {
  const storage::LogConfig kafka_defaults;
  std::vector<Entry> out;
  for (const TopicConfigKey& key : topic_config_keys()) {
    if (!wanted(resource, key.name)) continue;
    const std::string broker_value = key.value(broker);
    const std::string default_value = key.value(kafka_defaults);
    const bool broker_set = broker_value != default_value;
    const auto override_it = overrides.find(std::string(key.name));
    Entry e;
    if (override_it != overrides.end()) {
      e = entry(std::string(key.name), override_it->second, kSourceDynamicTopic, false);
    } else {
      e = entry(std::string(key.name), broker_value, broker_set ? kSourceStaticBroker : kSourceDefault, false);
    }
    if (synonyms) {
      if (override_it != overrides.end()) e.synonyms.push_back(synonym(key.name, override_it->second, kSourceDynamicTopic));
      if (broker_set) e.synonyms.push_back(synonym(key.broker_name, broker_value, kSourceStaticBroker));
      e.synonyms.push_back(synonym(key.broker_name, default_value, kSourceDefault));
    }
    out.push_back(std::move(e));
  }
  return out;
}

asio::awaitable<ResourceResult> describe_topic(AdminServices services, Resource resource, bool synonyms) {
  const std::string& topic = resource.resource_name;
  if (auto bad = coordination::validate_topic_name(topic)) {
    co_return resource_error(resource, ErrorCode::invalid_topic_exception, bad->message);
  }
  if (!services.metadata_cache->snapshot()->topics.contains(topic)) {
    co_return resource_error(resource, ErrorCode::unknown_topic_or_partition, "Topic '" + topic + "' does not exist.");
  }
  auto overrides = co_await services.zk->get_topic_config(topic);
  if (!overrides) co_return resource_error(resource, admin_error_code(overrides.error()), overrides.error().message());
  ResourceResult r = resource_error(resource, ErrorCode::none, "");
  r.error_message = std::nullopt;
  r.configs = topic_entries(resource, overrides.value(), services.config->log_config, synonyms);
  co_return r;
}

ResourceResult describe_broker(const AdminServices& services, const Resource& resource, bool synonyms) {
  ResourceResult r = resource_error(resource, ErrorCode::none, "");
  r.error_message = std::nullopt;
  if (resource.resource_name.empty()) return r;  // cluster-wide dynamic defaults: none
  if (auto bad = check_broker_resource_name(resource.resource_name, services.config->broker_id)) {
    return resource_error(resource, ErrorCode::invalid_request, std::move(*bad));
  }
  for (const BrokerConfigEntry& b : broker_config_entries(*services.config)) {
    if (!wanted(resource, b.name)) continue;
    const int8_t source = b.is_default ? kSourceDefault : kSourceStaticBroker;
    Entry e = entry(b.name, b.value, source, true);
    if (synonyms) e.synonyms.push_back(synonym(b.name, b.value, source));
    r.configs.push_back(std::move(e));
  }
  return r;
}

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = DescribeConfigsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed DescribeConfigs request: " + decoded.error().message());
  const DescribeConfigsRequest& request = decoded.value();
  const bool synonyms = ctx.api_version() >= 1 && request.include_synonyms;
  DescribeConfigsResponse response;
  for (const Resource& resource : request.resources) {
    switch (resource.resource_type) {
      case kResourceTopic:
        response.results.push_back(co_await describe_topic(services, resource, synonyms));
        break;
      case kResourceBroker:
        response.results.push_back(describe_broker(services, resource, synonyms));
        break;
      case kResourceBrokerLogger:
        response.results.push_back(resource_error(resource, ErrorCode::invalid_request,
                                                  "Broker logger configs are not supported by Sluice."));
        break;
      default:
        response.results.push_back(resource_error(
            resource, ErrorCode::invalid_request,
            "Unsupported resource type " + std::to_string(resource.resource_type) + "."));
    }
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler describe_configs_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::describe_configs,
                 .min_version = 0,
                 .max_version = 2,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
