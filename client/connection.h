// BrokerConnection: one TCP connection to one broker, with the ApiVersions exchange done on
// connect and requests pipelined over it (wire-protocol.md §1-3, §6).
// Owner: the strand passed in (the KafkaClient's); every member function, and every coroutine
// it starts, runs there. send() and connect() REQUIRE being called from a coroutine on it.
// Invariants: in_flight_ holds, in write order, each request that expects a response and is
// not answered yet; the broker answers in request order, so each frame read belongs to its
// front (a correlation id mismatch closes the connection). One reader and one writer coroutine.
// Failure: a lost connection, an oversized or garbled frame, or a request timeout closes the
// connection and fails every request in flight; a closed connection is never reopened (the
// KafkaClient makes a new one).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/asio_net.h"
#include "client/errc.h"
#include "client/messages.h"
#include "protocol/bytes.h"
#include "protocol/result.h"

namespace sluice::client {

struct ConnectionConfig {
  std::string client_id = "sluice";
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
  // Frames larger than this are refused and the connection closed (Kafka's default
  // socket.request.max.bytes, which bounds what a broker could send us too).
  size_t max_response_bytes = 100 * 1024 * 1024;
};

// A decoded response. Its body may view into `frame` (record batches are not copied), so the
// two travel together; `frame` is shared so copies stay cheap.
template <typename T>
struct Response {
  T body;
  int16_t version = 0;
  std::shared_ptr<const Bytes> frame;
};

class BrokerConnection : public std::enable_shared_from_this<BrokerConnection> {
 public:
  BrokerConnection(asio::any_io_executor strand, std::string host, uint16_t port, ConnectionConfig config);
  ~BrokerConnection();
  BrokerConnection(const BrokerConnection&) = delete;
  BrokerConnection& operator=(const BrokerConnection&) = delete;

  // Resolves, connects and negotiates versions. Errc::connection_failed, Errc::timed_out.
  asio::awaitable<Status> connect();

  // Sends `request` at `version`, or else at the highest version both sides support, and waits
  // for its response: Errc::connection_closed, Errc::timed_out, Errc::malformed_response,
  // Errc::no_common_version. A Produce with acks = 0 gets no response: it completes, with a
  // default body, once written.
  template <typename Request>
  asio::awaitable<Result<Response<ResponseOf<Request>>>> send(Request request,
                                                              std::optional<int16_t> version = {});

  // The highest version in [our_min, our_max] the broker supports.
  [[nodiscard]] Result<int16_t> negotiate(protocol::ApiKey key, int16_t our_min, int16_t our_max) const;

  void close() { fail_all(Errc::connection_closed); }
  [[nodiscard]] bool is_open() const { return open_; }
  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] uint16_t port() const { return port_; }

 private:
  struct Pending;
  struct Outgoing {
    Bytes frame;
    std::shared_ptr<Pending> pending;
  };

  // Frames and sends one request body; returns the response frame (after the size prefix).
  asio::awaitable<Result<Bytes>> round_trip(protocol::ApiKey key, int16_t version, Bytes body,
                                            bool expects_response);
  asio::awaitable<Status> open_socket();
  asio::awaitable<Status> exchange_api_versions();
  asio::awaitable<Result<Bytes>> await_reply(std::shared_ptr<Pending> pending);
  asio::awaitable<void> read_loop(std::shared_ptr<BrokerConnection> self);
  asio::awaitable<void> write_loop(std::shared_ptr<BrokerConnection> self);
  asio::awaitable<Result<Bytes>> read_frame();
  Bytes frame_request(protocol::ApiKey key, int16_t version, int32_t correlation_id, const Bytes& body) const;
  void fail_all(std::error_code ec);
  void log_malformed(protocol::ApiKey key, int16_t version, std::error_code ec) const;

  asio::any_io_executor strand_;
  std::string host_;
  uint16_t port_;
  ConnectionConfig config_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer write_wakeup_;
  bool open_ = false;
  int32_t next_correlation_id_ = 1;
  std::deque<Outgoing> outbox_;
  std::deque<std::shared_ptr<Pending>> in_flight_;
  // Correlation ids of recent acks = 0 Produce requests. Kafka never answers them, but a broker
  // that does (librdkafka's mock) must not look like one answering out of order.
  std::deque<int32_t> unanswered_;
  // Indexed by ApiKey: the broker's [min, max], or {-1, -1} if it lacks the API.
  std::vector<std::pair<int16_t, int16_t>> versions_;
};

template <typename Request>
asio::awaitable<Result<Response<ResponseOf<Request>>>> BrokerConnection::send(Request request,
                                                                               std::optional<int16_t> version) {
  using Reply = ResponseOf<Request>;
  if (!version) {
    SLUICE_CO_TRY(auto chosen, negotiate(Request::kApiKey, Request::kMinVersion, Request::kMaxVersion));
    version = chosen;
  }
  Bytes body;
  protocol::Writer w(body);
  request.encode(w, *version);
  const bool expects_response = expects_reply(request);
  SLUICE_CO_TRY(auto frame, co_await round_trip(Request::kApiKey, *version, std::move(body), expects_response));
  Response<Reply> out;
  out.version = *version;
  if (!expects_response) co_return out;
  out.frame = std::make_shared<const Bytes>(std::move(frame));
  auto decoded = decode_response<Reply>(*out.frame, *version);
  if (!decoded) {
    log_malformed(Request::kApiKey, *version, decoded.error());
    co_return Errc::malformed_response;
  }
  out.body = std::move(decoded).value();
  co_return out;
}

}  // namespace sluice::client
