#include "client/connection.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "client/async_util.h"

namespace sluice::client {

using namespace asio::experimental::awaitable_operators;
using protocol::ApiKey;

namespace {
constexpr int16_t kApiVersionsFirstTry = 3;
constexpr size_t kApiKeySlots = 64;
constexpr size_t kUnansweredMemory = 1024;
}  // namespace

// One request awaiting its response (or, for acks = 0, its write). `done` carries one signal
// (capacity 1): set `result`, then signal.
struct BrokerConnection::Pending {
  Pending(asio::any_io_executor ex, int32_t id, bool reply) : correlation_id(id), expects_response(reply), done(ex, 1) {}
  void complete(Result<Bytes> r) {
    if (result) return;
    result = std::move(r);
    done.try_send(boost::system::error_code{});
  }

  int32_t correlation_id;
  bool expects_response;
  std::optional<Result<Bytes>> result;
  asio::experimental::concurrent_channel<void(boost::system::error_code)> done;
};

BrokerConnection::BrokerConnection(asio::any_io_executor strand, std::string host, uint16_t port,
                                   ConnectionConfig config)
    : strand_(std::move(strand)),
      host_(std::move(host)),
      port_(port),
      config_(std::move(config)),
      socket_(strand_),
      write_wakeup_(strand_, Clock::time_point::max()),
      versions_(kApiKeySlots, {-1, -1}) {}

BrokerConnection::~BrokerConnection() = default;

asio::awaitable<Status> BrokerConnection::connect() {
  SLUICE_CO_TRY(co_await open_socket());
  open_ = true;
  asio::co_spawn(strand_, read_loop(shared_from_this()), LogCompletion{"connection reader"});
  asio::co_spawn(strand_, write_loop(shared_from_this()), LogCompletion{"connection writer"});
  Status st = co_await exchange_api_versions();
  if (!st) fail_all(Errc::connection_closed);
  co_return st;
}

asio::awaitable<Status> BrokerConnection::open_socket() {
  asio::ip::tcp::resolver resolver(strand_);
  auto [rec, endpoints] = co_await resolver.async_resolve(host_, std::to_string(port_), asio::as_tuple(asio::use_awaitable));
  if (rec) co_return Errc::connection_failed;
  asio::steady_timer timer(strand_, config_.connect_timeout);
  auto raced = co_await (asio::async_connect(socket_, endpoints, asio::as_tuple(asio::use_awaitable)) ||
                         timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (raced.index() == 1) co_return Errc::timed_out;
  if (std::get<0>(std::get<0>(raced))) co_return Errc::connection_failed;
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return ok();
}

namespace {

// The version to retry ApiVersions at after UNSUPPORTED_VERSION to `sent` (KIP-511): the
// broker answers in the v0 layout with its own ApiVersions range, and we take its max. A body
// we can't read (librdkafka's mock answers in a layout of its own) means v0, as librdkafka does.
int16_t api_versions_fallback(ByteView frame, int16_t sent) {
  auto v0 = decode_response<protocol::ApiVersionsResponse>(frame, 0);
  if (v0) {
    for (const auto& api : v0.value().api_keys) {
      if (api.api_key == static_cast<int16_t>(ApiKey::api_versions)) {
        return std::min<int16_t>(api.max_version, static_cast<int16_t>(sent - 1));
      }
    }
  }
  return 0;
}

// Every ApiVersions body starts with its int16 error code, after the v0 response header.
std::optional<int16_t> api_versions_error(ByteView frame) {
  protocol::Reader r(frame);
  if (!r.skip(4)) return std::nullopt;
  auto code = r.read_int16();
  return code ? std::optional(code.value()) : std::nullopt;
}

}  // namespace

// Try v3 first and step down on UNSUPPORTED_VERSION (wire-protocol.md §6).
asio::awaitable<Status> BrokerConnection::exchange_api_versions() {
  int16_t version = kApiVersionsFirstTry;
  for (;;) {
    protocol::ApiVersionsRequest request;
    request.client_software_name = "sluice";
    request.client_software_version = "0.1.0";
    Bytes body;
    protocol::Writer w(body);
    request.encode(w, version);
    SLUICE_CO_TRY(auto frame, co_await round_trip(ApiKey::api_versions, version, std::move(body), true));
    const auto error = api_versions_error(frame);
    if (error == static_cast<int16_t>(protocol::ErrorCode::unsupported_version) && version > 0) {
      version = api_versions_fallback(frame, version);
      continue;
    }
    auto reply = decode_response<protocol::ApiVersionsResponse>(frame, version);
    if (!reply) {
      log_malformed(ApiKey::api_versions, version, reply.error());
      co_return Errc::malformed_response;
    }
    if (reply.value().error_code != 0) {
      co_return broker_error(static_cast<protocol::ErrorCode>(reply.value().error_code));
    }
    for (const auto& api : reply.value().api_keys) {
      if (api.api_key >= 0 && static_cast<size_t>(api.api_key) < versions_.size()) {
        versions_[static_cast<size_t>(api.api_key)] = {api.min_version, api.max_version};
      }
    }
    co_return ok();
  }
}

Result<int16_t> BrokerConnection::negotiate(ApiKey key, int16_t our_min, int16_t our_max) const {
  const auto slot = static_cast<size_t>(key);
  if (slot >= versions_.size()) return Errc::no_common_version;
  const auto [broker_min, broker_max] = versions_[slot];
  if (broker_max < 0) return Errc::no_common_version;
  const int16_t chosen = std::min(our_max, broker_max);
  if (chosen < our_min || chosen < broker_min) return Errc::no_common_version;
  return chosen;
}

Bytes BrokerConnection::frame_request(ApiKey key, int16_t version, int32_t correlation_id, const Bytes& body) const {
  Bytes frame;
  frame.reserve(body.size() + 64);
  protocol::Writer w(frame);
  w.write_int32(0);  // size, patched below
  protocol::RequestHeader header;
  header.request_api_key = static_cast<int16_t>(key);
  header.request_api_version = version;
  header.correlation_id = correlation_id;
  header.client_id = config_.client_id;
  header.encode(w, protocol::request_header_version(*protocol::find_api(key), version));
  w.write_raw(body);
  store_be<int32_t>(frame.data(), static_cast<int32_t>(frame.size() - 4));
  return frame;
}

asio::awaitable<Result<Bytes>> BrokerConnection::round_trip(ApiKey key, int16_t version, Bytes body,
                                                            bool expects_response) {
  if (!open_) co_return Errc::connection_closed;
  const int32_t id = next_correlation_id_;
  next_correlation_id_ = next_correlation_id_ == INT32_MAX ? 1 : next_correlation_id_ + 1;
  auto pending = std::make_shared<Pending>(strand_, id, expects_response);
  if (expects_response) {
    in_flight_.push_back(pending);
  } else {
    unanswered_.push_back(id);
    if (unanswered_.size() > kUnansweredMemory) unanswered_.pop_front();
  }
  outbox_.push_back(Outgoing{frame_request(key, version, id, body), pending});
  write_wakeup_.cancel();
  co_return co_await await_reply(std::move(pending));
}

asio::awaitable<Result<Bytes>> BrokerConnection::await_reply(std::shared_ptr<Pending> pending) {
  asio::steady_timer timer(strand_, config_.request_timeout);
  auto raced = co_await (pending->done.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                         timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (raced.index() == 1 && !pending->result) {
    // As Kafka's NetworkClient: a request that timed out leaves the connection in doubt.
    spdlog::debug("request {} to {}:{} timed out; closing the connection", pending->correlation_id, host_, port_);
    pending->complete(Errc::timed_out);
    fail_all(Errc::connection_closed);
  }
  co_return std::move(*pending->result);
}

asio::awaitable<Result<Bytes>> BrokerConnection::read_frame() {
  std::array<std::byte, 4> size_bytes{};
  auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(size_bytes), asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Errc::connection_closed;
  const int32_t size = load_be<int32_t>(size_bytes.data());
  if (size < 4) co_return Errc::malformed_response;
  if (static_cast<size_t>(size) > config_.max_response_bytes) co_return Errc::frame_too_large;
  Bytes frame(static_cast<size_t>(size));
  auto [ec2, m] = co_await asio::async_read(socket_, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
  if (ec2) co_return Errc::connection_closed;
  co_return frame;
}

asio::awaitable<void> BrokerConnection::read_loop([[maybe_unused]] std::shared_ptr<BrokerConnection> self) {
  while (open_) {
    auto frame = co_await read_frame();
    if (!open_) break;
    if (!frame) {
      fail_all(frame.error());
      break;
    }
    const int32_t id = load_be<int32_t>(frame.value().data());
    if (auto it = std::ranges::find(unanswered_, id); it != unanswered_.end()) {
      unanswered_.erase(it);
      continue;
    }
    if (in_flight_.empty() || in_flight_.front()->correlation_id != id) {
      spdlog::warn("broker {}:{} answered correlation id {} out of order", host_, port_, id);
      fail_all(Errc::malformed_response);
      break;
    }
    auto pending = std::move(in_flight_.front());
    in_flight_.pop_front();
    pending->complete(std::move(frame).value());
  }
}

asio::awaitable<void> BrokerConnection::write_loop([[maybe_unused]] std::shared_ptr<BrokerConnection> self) {
  while (open_) {
    if (outbox_.empty()) {
      write_wakeup_.expires_at(Clock::time_point::max());
      co_await write_wakeup_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    Outgoing next = std::move(outbox_.front());
    outbox_.pop_front();
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(next.frame), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      next.pending->complete(Errc::connection_closed);
      fail_all(Errc::connection_closed);
      break;
    }
    if (!next.pending->expects_response) next.pending->complete(Bytes{});
  }
}

void BrokerConnection::log_malformed(ApiKey key, int16_t version, std::error_code ec) const {
  spdlog::warn("{}:{}: {} v{} response does not parse: {}", host_, port_, protocol::api_key_name(key), version,
               ec.message());
}

void BrokerConnection::fail_all(std::error_code ec) {
  const bool was_open = std::exchange(open_, false);
  if (was_open) {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  write_wakeup_.cancel();
  for (auto& pending : in_flight_) pending->complete(ec);
  for (auto& out : outbox_) out.pending->complete(ec);
  in_flight_.clear();
  outbox_.clear();
}

}  // namespace sluice::client
