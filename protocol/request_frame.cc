#include "protocol/request_frame.h"

#include <limits>

#include "protocol/assert.h"

namespace sluice::protocol {
namespace {

const ApiVersionRange& api_or_die(ApiKey key) {
  const ApiVersionRange* api = find_api(key);
  SLUICE_ASSERT(api != nullptr, "no schema for API {}", static_cast<int>(key));
  return *api;
}

}  // namespace

int16_t request_header_version(const ApiVersionRange& api, int16_t api_version) {
  if (api.key == ApiKey::controlled_shutdown && api_version == 0) return 0;
  // An ApiVersions version above our maximum is flexible too: flexible ranges are open-ended.
  return api.is_flexible(api_version) ? 2 : 1;
}

int16_t response_header_version(const ApiVersionRange& api, int16_t api_version) {
  // KIP-511: the client can't know our header rules before the ApiVersions exchange.
  if (api.key == ApiKey::api_versions) return 0;
  return api.is_flexible(api_version) ? 1 : 0;
}

Result<RequestFrame> parse_request_frame(ByteView frame) {
  Reader peek(frame);
  SLUICE_TRY(auto raw_key, peek.read_int16());
  SLUICE_TRY(auto api_version, peek.read_int16());
  const auto key = api_key_from_int(raw_key);
  const ApiVersionRange* api = key ? find_api(*key) : nullptr;
  if (api == nullptr) return Errc::unknown_api_key;
  const bool too_new_api_versions = *key == ApiKey::api_versions && api_version > api->max_version;
  if (!api->supports(api_version) && !too_new_api_versions) return Errc::unsupported_version;

  Reader r(frame);
  SLUICE_TRY(auto header, RequestHeader::decode(r, request_header_version(*api, api_version)));
  return RequestFrame{.header = std::move(header), .api_key = *key, .body = r};
}

void begin_response_frame(Writer& w, ApiKey key, int16_t api_version, int32_t correlation_id) {
  w.write_int32(0);  // the size, patched by finish_response_frame
  const ResponseHeader header{.correlation_id = correlation_id};
  header.encode(w, response_header_version(api_or_die(key), api_version));
}

void finish_response_frame(Bytes& frame) {
  SLUICE_ASSERT(frame.size() >= 4, "finish_response_frame without begin_response_frame");
  const size_t size = frame.size() - 4;
  SLUICE_ASSERT(size <= static_cast<size_t>(std::numeric_limits<int32_t>::max()),
                "response of {} bytes", size);
  store_be<int32_t>(frame.data(), static_cast<int32_t>(size));
}

}  // namespace sluice::protocol
