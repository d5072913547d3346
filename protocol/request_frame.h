// Request and response framing (wire-protocol.md §1-2, docs/formats/wire-protocol.md).
// A frame is `int32 size` + header + body; the connection strips the size of requests before
// parse_request_frame and build_response_frame adds it to responses.
// Header versions are implied by (api key, api version):
//   request  v0: ControlledShutdown v0 only      response v0: non-flexible, and every ApiVersions
//   request  v1: non-flexible versions           response v1: flexible versions (not ApiVersions)
//   request  v2: flexible versions
#pragma once

#include <cstdint>

#include "protocol/api_key.h"
#include "protocol/bytes.h"
#include "protocol/messages/api_table.h"
#include "protocol/messages/request_header.h"
#include "protocol/messages/response_header.h"
#include "protocol/result.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace sluice::protocol {

// REQUIRES: api describes the request's API.
int16_t request_header_version(const ApiVersionRange& api, int16_t api_version);
int16_t response_header_version(const ApiVersionRange& api, int16_t api_version);

struct RequestFrame {
  RequestHeader header;
  ApiKey api_key;
  // The body: a view into the frame, which must outlive it.
  Reader body;
};

// Parses the header of a request frame whose size prefix is already stripped. Fails with
// Errc::unknown_api_key for an API without a schema and Errc::unsupported_version for a version
// outside its range, except that an ApiVersions request above our maximum parses (its header as a
// flexible one, KIP-511) so the broker can answer UNSUPPORTED_VERSION; Kafka closes the connection
// in the other cases. Errc::truncated / malformed for a header that does not parse.
Result<RequestFrame> parse_request_frame(ByteView frame);

// The first half of build_response_frame: a size placeholder and the response header.
void begin_response_frame(Writer& w, ApiKey key, int16_t api_version, int32_t correlation_id);
// The second half: writes the frame's size into the placeholder at the start of `frame`.
void finish_response_frame(Bytes& frame);

// A whole response frame for `body`, encoded at `api_version`.
// REQUIRES: T is a generated response type and our schema has api_version.
template <typename T>
Bytes build_response_frame(int16_t api_version, int32_t correlation_id, const T& body) {
  Bytes frame;
  Writer w(frame);
  begin_response_frame(w, T::kApiKey, api_version, correlation_id);
  body.encode(w, api_version);
  finish_response_frame(frame);
  return frame;
}

}  // namespace sluice::protocol
