// The request handlers: one entry per API (RP:src/v/kafka/server/handlers/handler.h), each with
// the versions it implements and a coroutine that turns a request into a Response. The registry
// is the one list ApiVersions advertises, so what we advertise is exactly what we serve.
// Built once at startup, then read-only: shared by every connection without locks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "broker/response.h"
#include "protocol/api_key.h"
#include "protocol/bytes.h"
#include "protocol/messages/api_versions_response.h"
#include "protocol/messages/request_header.h"
#include "protocol/request_frame.h"
#include "protocol/wire/reader.h"

namespace sluice::broker {

class HandlerRegistry;

// One request, owned by its handler: the frame bytes (size prefix stripped) and what the
// connection parsed from them.
struct RequestContext {
  FrameBytes frame;  // not zero-filled before the read
  size_t body_offset = 0;  // where the body starts in `frame`
  protocol::RequestHeader header;
  protocol::ApiKey api_key{};
  std::string peer;  // "address:port" of the client, for logs
  const HandlerRegistry* registry = nullptr;
  // Lets the connection read and start the next request before this one's response is ready:
  // a produce calls it once its appends are made and only the acks=all wait is left, so that
  // pipelined produces keep their append order without waiting on each other's replication.
  // Callable from any executor, at most once; empty outside a connection.
  std::function<void()> appended;

  [[nodiscard]] int16_t api_version() const { return header.request_api_version; }
  [[nodiscard]] int32_t correlation_id() const { return header.correlation_id; }
  [[nodiscard]] protocol::Reader body() const { return protocol::Reader(ByteView(frame).subspan(body_offset)); }
};

// Takes the context by value: handlers are coroutines (STYLE.md §4).
using HandlerFn = std::function<asio::awaitable<Response>(RequestContext)>;

struct Handler {
  protocol::ApiKey key{};
  int16_t min_version = 0;
  int16_t max_version = 0;
  HandlerFn fn;

  [[nodiscard]] bool supports(int16_t version) const { return version >= min_version && version <= max_version; }
};

class HandlerRegistry {
 public:
  // Clips the handler's range to what our generated messages can encode.
  // REQUIRES: no handler for this key yet; the clipped range is not empty.
  void add(Handler handler);
  // nullptr when no handler serves `key`.
  [[nodiscard]] const Handler* find(protocol::ApiKey key) const;
  // Every API with its versions, ordered by key: the ApiVersions list.
  [[nodiscard]] std::vector<protocol::ApiVersionsResponse::ApiVersion> advertised() const;

 private:
  std::map<protocol::ApiKey, Handler> handlers_;
};

// A response frame for `body` at the request's version.
template <typename T>
Response respond(const RequestContext& ctx, const T& body) {
  return Response::send(protocol::build_response_frame(ctx.api_version(), ctx.correlation_id(), body));
}

}  // namespace sluice::broker
