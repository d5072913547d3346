#include "broker/handlers/handler.h"

#include <algorithm>

#include "protocol/assert.h"

namespace sluice::broker {

void HandlerRegistry::add(Handler handler) {
  const protocol::ApiVersionRange* schema = protocol::find_api(handler.key);
  SLUICE_ASSERT(schema != nullptr, "no schema for API {}", protocol::api_key_name(handler.key));
  handler.min_version = std::max(handler.min_version, schema->min_version);
  handler.max_version = std::min(handler.max_version, schema->max_version);
  SLUICE_ASSERT(handler.min_version <= handler.max_version, "no version of {} left to serve",
                protocol::api_key_name(handler.key));
  const bool added = handlers_.emplace(handler.key, std::move(handler)).second;
  SLUICE_ASSERT(added, "two handlers for one API");
}

const Handler* HandlerRegistry::find(protocol::ApiKey key) const {
  auto it = handlers_.find(key);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<protocol::ApiVersionsResponse::ApiVersion> HandlerRegistry::advertised() const {
  std::vector<protocol::ApiVersionsResponse::ApiVersion> out;
  out.reserve(handlers_.size());
  for (const auto& [key, handler] : handlers_) {
    out.push_back({.api_key = static_cast<int16_t>(key),
                   .min_version = handler.min_version,
                   .max_version = handler.max_version});
  }
  return out;
}

}  // namespace sluice::broker
