#include "coordination/controller_channel_manager.h"

#include <spdlog/spdlog.h>

#include "client/async_util.h"

namespace sluice::coordination {

struct ControllerChannelManager::Channel {
  Channel(asio::any_io_executor exec, BrokerInfo info) : strand(std::move(exec)), broker(std::move(info)), wakeup(strand) {}

  asio::any_io_executor strand;
  BrokerInfo broker;
  client::ConnectionConfig config;
  // On `strand` only:
  asio::steady_timer wakeup;  // idle wait and retry backoff; cancelled by send and stop
  std::deque<ControllerRequest> queue;
  std::shared_ptr<client::BrokerConnection> connection;
  bool stopped = false;
};

ControllerChannelManager::ControllerChannelManager(asio::any_io_executor executor, BrokerId controller_id)
    : executor_(std::move(executor)), controller_id_(controller_id) {}

ControllerChannelManager::~ControllerChannelManager() { shutdown(); }

void ControllerChannelManager::add_broker(const BrokerInfo& broker) {
  remove_broker(broker.id);
  if (broker.endpoints.empty()) {
    spdlog::warn("controller: broker {} registered no endpoint", broker.id.value());
    return;
  }
  auto channel = std::make_shared<Channel>(asio::make_strand(executor_), broker);
  channel->config.client_id = "controller-" + std::to_string(controller_id_.value()) + "-to-broker-" +
                              std::to_string(broker.id.value());
  channels_[broker.id] = channel;
  asio::co_spawn(channel->strand, run(channel), client::LogCompletion{"controller channel"});
}

void ControllerChannelManager::remove_broker(BrokerId id) {
  auto it = channels_.find(id);
  if (it == channels_.end()) return;
  stop(it->second);
  channels_.erase(it);
}

void ControllerChannelManager::send(BrokerId id, ControllerRequest request) {
  auto it = channels_.find(id);
  if (it == channels_.end()) return;
  asio::post(it->second->strand, [channel = it->second, request = std::move(request)]() mutable {
    if (channel->stopped) return;
    channel->queue.push_back(std::move(request));
    if (channel->queue.size() == 1) channel->wakeup.cancel();
  });
}

void ControllerChannelManager::shutdown() {
  for (auto& [id, channel] : channels_) stop(channel);
  channels_.clear();
}

void ControllerChannelManager::stop(const std::shared_ptr<Channel>& channel) {
  asio::post(channel->strand, [channel] {
    channel->stopped = true;
    channel->queue.clear();
    channel->wakeup.cancel();
    if (channel->connection) channel->connection->close();
  });
}

asio::awaitable<void> ControllerChannelManager::run(std::shared_ptr<Channel> channel) {
  const EndPoint& endpoint = channel->broker.endpoints.front();
  const std::string host = endpoint.host.empty() ? "127.0.0.1" : endpoint.host;
  while (!channel->stopped) {
    if (channel->queue.empty()) {
      channel->wakeup.expires_at(asio::steady_timer::time_point::max());
      co_await channel->wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    Status sent = ok();
    if (!channel->connection || !channel->connection->is_open()) {
      channel->connection = std::make_shared<client::BrokerConnection>(
          channel->strand, host, static_cast<uint16_t>(endpoint.port), channel->config);
      sent = co_await channel->connection->connect();
    }
    if (sent && !channel->stopped) {
      ControllerRequest request = channel->queue.front();
      sent = co_await request(*channel->connection);
      if (sent && !channel->queue.empty()) channel->queue.pop_front();
    }
    if (!sent && !channel->stopped) {
      spdlog::debug("controller: to broker {}: {}; retrying", channel->broker.id.value(), sent.error().message());
      if (channel->connection) channel->connection->close();
      channel->connection.reset();
      channel->wakeup.expires_after(kRetryBackoff);
      co_await channel->wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  if (channel->connection) channel->connection->close();
  channel->connection.reset();
}

}  // namespace sluice::coordination
