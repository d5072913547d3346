#include "broker/controlled_shutdown.h"

#include <spdlog/spdlog.h>

#include "client/connection.h"
#include "protocol/messages/controlled_shutdown_request.h"
#include "protocol/messages/controlled_shutdown_response.h"

namespace sluice::broker {
namespace {

// One try: the error (or the count of partitions remaining) as a line for the log; empty on success.
asio::awaitable<std::string> try_once(coordination::KafkaZkClient& zk, const ControlledShutdownOptions& options) {
  auto controller = co_await zk.get_controller_id();
  if (!controller) co_return "cannot read /controller: " + controller.error().message();
  if (!controller.value()) co_return std::string("no controller");
  const BrokerId controller_id = *controller.value();
  auto info = co_await zk.get_broker(controller_id);
  if (!info) co_return "cannot read controller " + std::to_string(controller_id.value()) + ": " + info.error().message();
  auto self = co_await zk.get_broker(options.broker_id);
  if (!self) co_return "cannot read own registration: " + self.error().message();
  if (info.value().endpoints.empty()) co_return std::string("controller has no endpoint");
  const coordination::EndPoint& endpoint = info.value().endpoints.front();
  client::ConnectionConfig config;
  config.client_id = "controlled-shutdown-" + std::to_string(options.broker_id.value());
  config.connect_timeout = options.request_timeout;
  config.request_timeout = options.request_timeout;
  const std::string host = endpoint.host.empty() ? std::string("127.0.0.1") : endpoint.host;
  auto connection = std::make_shared<client::BrokerConnection>(asio::make_strand(co_await asio::this_coro::executor),
                                                               host, static_cast<uint16_t>(endpoint.port), config);
  const Status connected = co_await connection->connect();
  if (!connected) co_return "cannot connect to the controller: " + connected.error().message();
  protocol::ControlledShutdownRequest request;
  request.broker_id = options.broker_id;
  request.broker_epoch = self.value().epoch;
  auto reply = co_await connection->send(std::move(request));
  connection->close();
  if (!reply) co_return "ControlledShutdown failed: " + reply.error().message();
  const auto& body = reply.value().body;
  if (body.error_code != 0) co_return "controller answered error " + std::to_string(body.error_code);
  if (!body.remaining_partitions.empty()) {
    co_return std::to_string(body.remaining_partitions.size()) + " partitions remain led by this broker";
  }
  co_return std::string();
}

}  // namespace

asio::awaitable<bool> controlled_shutdown(coordination::KafkaZkClient& zk, ControlledShutdownOptions options) {
  spdlog::info("starting controlled shutdown");
  for (int32_t attempt = 0;; ++attempt) {
    const std::string failure = co_await try_once(zk, options);
    if (failure.empty()) {
      spdlog::info("controlled shutdown succeeded");
      co_return true;
    }
    if (attempt >= options.max_retries) {
      spdlog::warn("controlled shutdown failed ({}); proceeding to an unclean shutdown", failure);
      co_return false;
    }
    spdlog::warn("controlled shutdown attempt {} failed ({}); retrying", attempt + 1, failure);
    asio::steady_timer backoff(co_await asio::this_coro::executor, options.retry_backoff);
    co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace sluice::broker
