// ControllerChannelManager: the controller's connections to the live brokers (Kafka's
// ControllerChannelManager): one queue, one sender coroutine and one client::BrokerConnection per
// broker. Requests to a broker leave in the order they were queued, one at a time; a request that
// fails with a connection error is retried (after a reconnect, every kRetryBackoff) for as long
// as the broker stays in the manager. remove_broker drops its queue.
// Owner: the KafkaController's strand calls every member; each broker's queue and connection
// live on that broker's own strand.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>

#include "client/connection.h"
#include "coordination/kafka_zk_data.h"

namespace sluice::coordination {

// One queued request: sends itself on the connection. A client::Errc connection error means "not
// delivered, retry"; any other outcome completes it.
using ControllerRequest = std::function<asio::awaitable<Status>(client::BrokerConnection&)>;

class ControllerChannelManager {
 public:
  static constexpr std::chrono::milliseconds kRetryBackoff{100};

  ControllerChannelManager(asio::any_io_executor executor, BrokerId controller_id);
  ~ControllerChannelManager();
  ControllerChannelManager(const ControllerChannelManager&) = delete;
  ControllerChannelManager& operator=(const ControllerChannelManager&) = delete;

  // Starts the broker's sender; a known id is replaced (a bounced broker's new address/epoch).
  void add_broker(const BrokerInfo& broker);
  void remove_broker(BrokerId id);
  // Queues `request` for `id`; dropped when `id` is not in the manager.
  void send(BrokerId id, ControllerRequest request);
  // Removes every broker.
  void shutdown();

 private:
  struct Channel;
  static asio::awaitable<void> run(std::shared_ptr<Channel> channel);
  static void stop(const std::shared_ptr<Channel>& channel);

  asio::any_io_executor executor_;
  BrokerId controller_id_;
  std::map<BrokerId, std::shared_ptr<Channel>> channels_;
};

// A ControllerRequest that sends `request` and hands the decoded response (or the final error)
// to `on_response`, which runs on the broker's strand and must only post elsewhere.
template <typename Request>
asio::awaitable<Status> send_controller_request(
    client::BrokerConnection& connection, Request request,
    std::function<void(Result<client::ResponseOf<Request>>)> on_response) {
  auto reply = co_await connection.send(std::move(request));
  if (!reply) {
    const std::error_code ec = reply.error();
    const bool retry = ec == client::Errc::connection_closed || ec == client::Errc::timed_out ||
                       ec == client::Errc::connection_failed;
    if (retry) co_return ec;
    if (on_response) on_response(ec);
    co_return ok();
  }
  if (on_response) on_response(std::move(reply.value().body));
  co_return ok();
}

template <typename Request>
ControllerRequest make_controller_request(Request request,
                                          std::function<void(Result<client::ResponseOf<Request>>)> on_response = {}) {
  return [request = std::move(request), on_response = std::move(on_response)](client::BrokerConnection& c) {
    return send_controller_request(c, request, on_response);
  };
}

}  // namespace sluice::coordination
