"""Emits the per-API version table and the request-body dispatcher."""

from typing import Dict, List

from emit_messages import BANNER, snake
from schema import Message


def pairs(messages: List[Message]) -> Dict[int, Dict[str, Message]]:
    """api key -> {'request': msg, 'response': msg}; both must exist and agree on versions."""
    apis: Dict[int, Dict[str, Message]] = {}
    for m in messages:
        if m.api_key is not None:
            apis.setdefault(m.api_key, {})[m.kind] = m
    for key, pair in apis.items():
        if set(pair) != {"request", "response"}:
            raise SystemExit(f"api {key}: needs both a request and a response schema")
        req, resp = pair["request"], pair["response"]
        if req.valid != resp.valid or req.flexible != resp.flexible:
            raise SystemExit(f"api {key}: request and response disagree on versions")
    return dict(sorted(apis.items()))


def table_header() -> str:
    return BANNER.format(src="protocol/schemas/*.schema") + """#pragma once

#include <cstdint>
#include <span>

#include "protocol/api_key.h"
#include "protocol/result.h"
#include "protocol/wire/reader.h"

namespace sluice::protocol {

// One API as our schemas define it: the versions we can encode and decode.
struct ApiVersionRange {
  ApiKey key;
  int16_t min_version;
  int16_t max_version;
  int16_t flexible_from;  // first flexible version, -1 if none

  [[nodiscard]] bool supports(int16_t version) const {
    return version >= min_version && version <= max_version;
  }
  [[nodiscard]] bool is_flexible(int16_t version) const {
    return flexible_from >= 0 && version >= flexible_from;
  }
};

// Every API with a schema, ordered by key. The broker builds its ApiVersions response from it.
std::span<const ApiVersionRange> api_version_table();
// The entry for `key`, or nullptr if no schema defines it.
const ApiVersionRange* find_api(ApiKey key);

// Decodes (and discards) a request body of any API and version, requiring every byte to be used.
// For fuzzing and tests; handlers decode their own message type.
Status decode_any_request(ApiKey key, int16_t version, Reader& body);

}  // namespace sluice::protocol
"""


def table_source(messages: List[Message]) -> str:
    apis = pairs(messages)
    out = [BANNER.format(src="protocol/schemas/*.schema"),
           '#include "protocol/messages/api_table.h"', "", "#include <algorithm>", ""]
    out += [f'#include "protocol/messages/{snake(p["request"].name)}.h"' for p in apis.values()]
    out += ["", "namespace sluice::protocol {", "namespace {", "",
            f"constexpr ApiVersionRange kApis[] = {{"]
    for p in apis.values():
        r = p["request"]
        flex = r.flexible[0] if r.flexible else -1
        out.append(f"    {{ApiKey::{snake(r.api_name)}, {r.valid[0]}, {r.valid[1]}, {flex}}},")
    out += ["};", "", "template <typename T>", "Status decode_all(Reader& body, int16_t version) {",
            "  SLUICE_TRY(T::decode(body, version));",
            "  if (!body.empty()) return Errc::malformed;", "  return ok();", "}", "",
            "struct RequestDecoder {", "  ApiKey key;",
            "  Status (*decode)(Reader&, int16_t);", "};", "",
            "constexpr RequestDecoder kDecoders[] = {"]
    for p in apis.values():
        r = p["request"]
        out.append(f"    {{ApiKey::{snake(r.api_name)}, &decode_all<{r.name}>}},")
    out += ["};", "", "}  // namespace", "",
            "std::span<const ApiVersionRange> api_version_table() { return kApis; }", "",
            "const ApiVersionRange* find_api(ApiKey key) {",
            "  const auto* it = std::find_if(std::begin(kApis), std::end(kApis),",
            "                                [key](const ApiVersionRange& a) { return a.key == key; });",
            "  return it == std::end(kApis) ? nullptr : it;", "}", "",
            "Status decode_any_request(ApiKey key, int16_t version, Reader& body) {",
            "  const ApiVersionRange* api = find_api(key);",
            "  if (api == nullptr) return Errc::unknown_api_key;",
            "  if (!api->supports(version)) return Errc::unsupported_version;",
            "  for (const RequestDecoder& d : kDecoders) {",
            "    if (d.key == key) return d.decode(body, version);",
            "  }",
            "  return Errc::unknown_api_key;", "}", "",
            "}  // namespace sluice::protocol", ""]
    return "\n".join(out)
