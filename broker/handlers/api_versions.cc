// ApiVersions, as Kafka 2.8 answers it:
//   requested version        | body format | error_code              | api_keys
//   above our maximum        | v0          | UNSUPPORTED_VERSION (35) | only ApiVersions' own range
//   v3, bad software fields  | requested   | INVALID_REQUEST (42)    | empty
//   otherwise                | requested   | NONE                    | the registry's list
// The response header is always v0 (KIP-511), which build_response_frame applies; the tagged
// feature fields stay at their defaults so no tagged field is ever emitted (librdkafka 2.0.2
// mis-skips them, wire-protocol.md §5). librdkafka parses the 35 answer with the v3 layout, fails,
// and retries v0; kafkajs steps down on 35; kafka-python only ever sends v0.
#include "broker/handlers/api_versions.h"

#include <spdlog/spdlog.h>

#include "protocol/error_code.h"
#include "protocol/messages/api_versions_request.h"

namespace sluice::broker {
namespace {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using protocol::ErrorCode;

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

Response unsupported_version(const RequestContext& ctx, const Handler& self) {
  ApiVersionsResponse body;
  body.error_code = static_cast<int16_t>(ErrorCode::unsupported_version);
  body.api_keys.push_back({.api_key = static_cast<int16_t>(self.key),
                           .min_version = self.min_version,
                           .max_version = self.max_version});
  return Response::send(protocol::build_response_frame(0, ctx.correlation_id(), body));
}

asio::awaitable<Response> handle_api_versions(RequestContext ctx) {
  const Handler& self = *ctx.registry->find(protocol::ApiKey::api_versions);
  if (ctx.api_version() > self.max_version) co_return unsupported_version(ctx, self);

  protocol::Reader reader = ctx.body();
  auto request = ApiVersionsRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed ApiVersions request: " + request.error().message());

  ApiVersionsResponse body;
  const bool valid = ctx.api_version() < 3 || (valid_client_software_field(request.value().client_software_name) &&
                                               valid_client_software_field(request.value().client_software_version));
  if (valid) {
    body.api_keys = ctx.registry->advertised();
  } else {
    spdlog::debug("ApiVersions from {}: invalid client software name/version", ctx.peer);
    body.error_code = static_cast<int16_t>(ErrorCode::invalid_request);
  }
  co_return respond(ctx, body);
}

}  // namespace

bool valid_client_software_field(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

Handler api_versions_handler() {
  return Handler{.key = protocol::ApiKey::api_versions, .min_version = 0, .max_version = 3, .fn = handle_api_versions};
}

}  // namespace sluice::broker
