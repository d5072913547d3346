// Connection: one client's TCP connection. One reader coroutine reads frames (int32 size, then
// that many bytes; a negative size or one above socket.request.max.bytes closes the connection),
// parses the header and starts the API's handler; one writer coroutine sends the responses
// strictly in request order (clients match them by position: kafka-python tears the connection
// down on a correlation-id mismatch). Requests take effect in arrival order, as in Kafka: the
// reader starts the next handler only when the previous one has finished, so two pipelined
// produces to one partition append in the order they were sent; a handler that is done with
// what must keep that order (a produce once its appends are made, only its acks=all wait left)
// may release the reader early through RequestContext::appended. Each request owns a slot in
// `pending_`, a FIFO in request order, and the writer sends the head once it is filled. When
// max_queued_requests responses are waiting to be sent the reader stops reading (Kafka mutes
// the channel).
//
// Owner: its strand (the socket's executor); every field is touched only there. The reader, the
// writer and each handler hold a shared_ptr, so the connection lives until the last of them ends.
// Invariant: pending_ holds the unanswered requests in arrival order; once closed_ nothing more
// is read or written.
// Errors: a malformed frame, an unknown API or an unsupported version (but ApiVersions') closes
// the connection without a response, logged once, as Kafka does.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "broker/asio_net.h"
#include "broker/handlers/handler.h"
#include "broker/wake_signal.h"

namespace sluice::broker {

struct ConnectionOptions {
  int32_t request_max_bytes = 104857600;  // socket.request.max.bytes
  size_t max_queued_requests = 100;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // REQUIRES: socket's executor is a strand; registry outlives the connection.
  Connection(tcp::socket socket, ConnectionOptions options, const HandlerRegistry& registry);

  // Spawns the reader and the writer.
  void start();
  // Thread-safe: closes the connection on its strand.
  void close_async(std::string reason);
  [[nodiscard]] const std::string& peer() const { return peer_; }

 private:
  struct PendingResponse {
    std::optional<Response> response;
    bool released = false;  // the handler let the next request start before its response
  };

  static asio::awaitable<void> read_loop(std::shared_ptr<Connection> self);
  static asio::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  asio::awaitable<std::optional<FrameBytes>> read_frame();
  asio::awaitable<void> wait_for_queue_space();
  // Parses a frame and starts its handler; false when the connection was closed instead.
  // Starts the request's handler; nullptr when the request closed the connection instead.
  std::shared_ptr<PendingResponse> dispatch(FrameBytes frame);
  void complete(const std::shared_ptr<PendingResponse>& slot, Response response);
  // Sends one response; false when the connection is closed afterwards.
  asio::awaitable<bool> send(Response response);
  // Closes the socket once, logging `reason` at `level`.
  void close(spdlog::level::level_enum level, const std::string& reason);

  tcp::socket socket_;
  ConnectionOptions options_;
  const HandlerRegistry& registry_;
  std::string peer_;
  std::deque<std::shared_ptr<PendingResponse>> pending_;
  WakeSignal response_ready_;  // the writer waits here for the head slot
  WakeSignal queue_space_;     // the reader waits here while the queue is full
  WakeSignal handler_done_;    // the reader waits here for the running handler to finish
  bool closed_ = false;
};

}  // namespace sluice::broker
