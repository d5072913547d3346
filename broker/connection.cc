#include "broker/connection.h"

#include <array>
#include <chrono>

#include "broker/metrics/broker_metrics.h"
#include "broker/response_writer.h"
#include "broker/spawn.h"
#include "protocol/request_frame.h"

namespace sluice::broker {
namespace {

using asio::as_tuple;
using asio::use_awaitable;

std::string endpoint_string(const tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "<unknown peer>";
  return peer.address().to_string() + ":" + std::to_string(peer.port());
}

// The peer hanging up is routine; anything else on a read is worth a line at info.
spdlog::level::level_enum read_error_level(const boost::system::error_code& ec) {
  const bool routine = ec == asio::error::eof || ec == asio::error::connection_reset ||
                       ec == asio::error::operation_aborted;
  return routine ? spdlog::level::debug : spdlog::level::info;
}

}  // namespace

Connection::Connection(tcp::socket socket, ConnectionOptions options, const HandlerRegistry& registry)
    : socket_(std::move(socket)),
      options_(options),
      registry_(registry),
      peer_(endpoint_string(socket_)),
      response_ready_(socket_.get_executor()),
      queue_space_(socket_.get_executor()),
      handler_done_(socket_.get_executor()) {}

void Connection::start() {
  // sendfile must not block the io thread: write_response waits for writability instead.
  boost::system::error_code ec;
  socket_.native_non_blocking(true, ec);
  if (ec) spdlog::warn("connection from {}: cannot make the socket non-blocking: {}", peer_, ec.message());
  asio::co_spawn(socket_.get_executor(), read_loop(shared_from_this()), log_completion("reader of " + peer_));
  asio::co_spawn(socket_.get_executor(), write_loop(shared_from_this()), log_completion("writer of " + peer_));
}

void Connection::close_async(std::string reason) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
    self->close(spdlog::level::debug, reason);
  });
}

asio::awaitable<void> Connection::read_loop(std::shared_ptr<Connection> self) {
  while (!self->closed_) {
    co_await self->wait_for_queue_space();
    if (self->closed_) break;
    std::optional<FrameBytes> frame = co_await self->read_frame();
    if (!frame) break;
    const std::shared_ptr<PendingResponse> slot = self->dispatch(std::move(*frame));
    if (!slot) break;
    while (!self->closed_ && !slot->response && !slot->released) co_await self->handler_done_.wait();
  }
}

asio::awaitable<void> Connection::wait_for_queue_space() {
  while (!closed_ && pending_.size() >= options_.max_queued_requests) co_await queue_space_.wait();
}

asio::awaitable<std::optional<FrameBytes>> Connection::read_frame() {
  std::array<std::byte, 4> prefix{};
  auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(prefix), as_tuple(use_awaitable));
  if (ec) {
    close(read_error_level(ec), "read failed: " + ec.message());
    co_return std::nullopt;
  }
  const auto size = load_be<int32_t>(prefix.data());
  if (size < 0 || size > options_.request_max_bytes) {
    close(spdlog::level::warn, fmt::format("request size {} is outside 0..{} (socket.request.max.bytes)", size,
                                           options_.request_max_bytes));
    co_return std::nullopt;
  }
  FrameBytes frame(static_cast<size_t>(size));
  auto [body_ec, m] = co_await asio::async_read(socket_, asio::buffer(frame), as_tuple(use_awaitable));
  if (body_ec) {
    close(read_error_level(body_ec), "read failed inside a request: " + body_ec.message());
    co_return std::nullopt;
  }
  co_return frame;
}

std::shared_ptr<Connection::PendingResponse> Connection::dispatch(FrameBytes frame) {
  auto parsed = protocol::parse_request_frame(frame);
  if (!parsed) {
    close(spdlog::level::warn, "unusable request header: " + parsed.error().message());
    return nullptr;
  }
  protocol::RequestFrame& request = parsed.value();
  const int16_t version = request.header.request_api_version;
  const Handler* handler = registry_.find(request.api_key);
  // KIP-511: an ApiVersions request newer than ours is answered (UNSUPPORTED_VERSION), not dropped.
  const bool newer_api_versions =
      handler != nullptr && request.api_key == protocol::ApiKey::api_versions && version > handler->max_version;
  if (handler == nullptr || (!handler->supports(version) && !newer_api_versions)) {
    close(spdlog::level::warn, fmt::format("{} v{} is not served", protocol::api_key_name(request.api_key), version));
    return nullptr;
  }
  const size_t body_offset = frame.size() - request.body.remaining();
  RequestContext ctx{.frame = std::move(frame),
                     .body_offset = body_offset,
                     .header = std::move(request.header),
                     .api_key = request.api_key,
                     .peer = peer_,
                     .registry = &registry_,
                     .appended = {}};
  auto slot = std::make_shared<PendingResponse>();
  // Called from whatever executor the handler is on; the flag is the strand's.
  ctx.appended = [self = shared_from_this(), slot] {
    asio::dispatch(self->socket_.get_executor(), [self, slot] {
      slot->released = true;
      self->handler_done_.notify();
    });
  };
  pending_.push_back(slot);
  const protocol::ApiKey api_key = ctx.api_key;
  const auto started = std::chrono::steady_clock::now();
  const std::string what = fmt::format("{} handler for {}", protocol::api_key_name(ctx.api_key), peer_);
  asio::co_spawn(socket_.get_executor(), handler->fn(std::move(ctx)),
                 [self = shared_from_this(), slot, log = log_completion(what), api_key, started](std::exception_ptr e,
                                                                                                Response r) {
                   log(e);
                   metrics::record_request(
                       static_cast<int16_t>(api_key), protocol::api_key_name(api_key),
                       std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
                   self->complete(slot, e ? Response::close("the handler failed") : std::move(r));
                 });
  return slot;
}

void Connection::complete(const std::shared_ptr<PendingResponse>& slot, Response response) {
  slot->response = std::move(response);
  response_ready_.notify();
  handler_done_.notify();
}

asio::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> self) {
  for (;;) {
    while (!self->closed_ && (self->pending_.empty() || !self->pending_.front()->response)) {
      co_await self->response_ready_.wait();
    }
    if (self->closed_) co_return;
    Response response = std::move(*self->pending_.front()->response);
    self->pending_.pop_front();
    self->queue_space_.notify();
    if (!co_await self->send(std::move(response))) co_return;
  }
}

asio::awaitable<bool> Connection::send(Response response) {
  switch (response.kind()) {
    case Response::Kind::send: {
      const std::error_code ec = co_await write_response(socket_, response.take_buffer());
      if (ec) close(spdlog::level::info, "write failed: " + ec.message());
      co_return !ec;
    }
    case Response::Kind::none:
      co_return true;
    case Response::Kind::close:
      close(spdlog::level::warn, response.reason());
      co_return false;
  }
  co_return false;
}

void Connection::close(spdlog::level::level_enum level, const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  spdlog::log(level, "closing the connection from {}: {}", peer_, reason);
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  response_ready_.notify();
  queue_space_.notify();
  handler_done_.notify();
}

}  // namespace sluice::broker
