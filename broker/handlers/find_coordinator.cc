#include "broker/handlers/find_coordinator.h"

#include <algorithm>
#include <climits>
#include <string>

#include "protocol/error_code.h"
#include "protocol/messages/find_coordinator_request.h"
#include "protocol/messages/find_coordinator_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;

constexpr char32_t kReplacement = 0xFFFD;
constexpr int8_t kGroup = 0;
constexpr int8_t kTransaction = 1;

struct CodePoint {
  char32_t value;
  size_t length;  // bytes consumed, >= 1
};

// The code point of the UTF-8 sequence at `at`, replaced the way Java's String decoder does it
// (checked against OpenJDK 17): a malformed sequence is one U+FFFD for its longest valid prefix
// (at least one byte); the lo/hi bounds of the second byte exclude overlong forms and code
// points above U+10FFFF. An encoded surrogate (ED A0..BF xx) is the exception: Java reads all
// three bytes, then replaces them with one U+FFFD.
CodePoint next_code_point(std::string_view s, size_t at) {
  const auto lead = static_cast<unsigned char>(s[at]);
  if (lead < 0x80) return {lead, 1};
  size_t length = 0;
  char32_t value = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return {kReplacement, 1};
  }
  for (size_t k = 1; k < length; ++k) {
    if (at + k >= s.size()) return {kReplacement, k};
    const auto c = static_cast<unsigned char>(s[at + k]);
    if (c < lo || c > hi) return {kReplacement, k};
    value = (value << 6) | (c & 0x3F);
    lo = 0x80;
    hi = 0xBF;
  }
  if (value >= 0xD800 && value <= 0xDFFF) return {kReplacement, length};
  return {value, length};
}

FindCoordinatorResponse no_coordinator(ErrorCode error, std::string message) {
  FindCoordinatorResponse response;
  response.error_code = static_cast<int16_t>(error);
  response.error_message = std::move(message);
  response.node_id = BrokerId(-1);  // Kafka's Node.noNode
  response.host = "";
  response.port = -1;
  return response;
}

FindCoordinatorResponse answer(const FindCoordinatorRequest& request, const MetadataCache& cache) {
  if (request.key_type == kTransaction) {
    return no_coordinator(ErrorCode::coordinator_not_available, "this broker has no transaction coordinator");
  }
  if (request.key_type != kGroup) {
    return no_coordinator(ErrorCode::invalid_request,
                          "unknown coordinator type " + std::to_string(int{request.key_type}));
  }
  std::optional<BrokerEndpoint> coordinator = group_coordinator(request.key, cache.snapshot()->brokers);
  if (!coordinator) return no_coordinator(ErrorCode::coordinator_not_available, "no live broker");
  FindCoordinatorResponse response;
  response.error_code = static_cast<int16_t>(ErrorCode::none);
  response.node_id = coordinator->id;
  response.host = coordinator->host;
  response.port = coordinator->port;
  return response;
}

asio::awaitable<Response> handle_find_coordinator(RequestContext ctx, BrokerServices services) {
  protocol::Reader reader = ctx.body();
  auto request = FindCoordinatorRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed FindCoordinator request: " + request.error().message());
  co_return respond(ctx, answer(request.value(), *services.metadata_cache));
}

}  // namespace

int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;  // unsigned: Java's int arithmetic wraps
  const auto add = [&h](char32_t unit) { h = 31 * h + static_cast<uint32_t>(unit); };
  for (size_t at = 0; at < utf8.size();) {
    const CodePoint cp = next_code_point(utf8, at);
    at += cp.length;
    if (cp.value < 0x10000) {
      add(cp.value);
    } else {  // a surrogate pair in UTF-16
      const char32_t v = cp.value - 0x10000;
      add(0xD800 + (v >> 10));
      add(0xDC00 + (v & 0x3FF));
    }
  }
  return static_cast<int32_t>(h);
}

int32_t kafka_abs(int32_t n) { return n == INT32_MIN ? 0 : (n < 0 ? -n : n); }

std::optional<BrokerEndpoint> group_coordinator(std::string_view group_id, std::vector<BrokerEndpoint> live_brokers) {
  if (live_brokers.empty()) return std::nullopt;
  std::sort(live_brokers.begin(), live_brokers.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  const auto index = static_cast<size_t>(kafka_abs(java_string_hash(group_id))) % live_brokers.size();
  return live_brokers[index];
}

Handler find_coordinator_handler(const BrokerServices& services) {
  return Handler{.key = protocol::ApiKey::find_coordinator,
                 .min_version = 0,
                 .max_version = 3,
                 .fn = [services](RequestContext ctx) { return handle_find_coordinator(std::move(ctx), services); }};
}

}  // namespace sluice::broker
