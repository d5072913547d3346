#include "client/kafka_client.h"

#include <charconv>

#include <spdlog/spdlog.h>

namespace sluice::client {
namespace {

std::string address_key(const std::string& host, uint16_t port) { return host + ":" + std::to_string(port); }

Result<std::pair<std::string, uint16_t>> parse_one(std::string_view entry) {
  while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
  while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
  const auto colon = entry.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Errc::invalid_config;
  const std::string_view port_text = entry.substr(colon + 1);
  uint16_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0) return Errc::invalid_config;
  return std::pair{std::string(entry.substr(0, colon)), port};
}

}  // namespace

Result<std::vector<std::pair<std::string, uint16_t>>> parse_bootstrap(std::string_view servers) {
  std::vector<std::pair<std::string, uint16_t>> out;
  while (!servers.empty()) {
    const auto comma = servers.find(',');
    SLUICE_TRY(auto entry, parse_one(servers.substr(0, comma)));
    out.push_back(std::move(entry));
    if (comma == std::string_view::npos) break;
    servers.remove_prefix(comma + 1);
  }
  if (out.empty()) return Errc::invalid_config;
  return out;
}

KafkaClient::KafkaClient(asio::any_io_executor executor, ClientConfig config)
    : strand_(asio::make_strand(std::move(executor))), config_(std::move(config)), connected_(strand_) {}

KafkaClient::~KafkaClient() { close(); }

void KafkaClient::close() {
  for (auto& [address, conn] : connections_) conn->close();
  connections_.clear();
}

asio::awaitable<Status> KafkaClient::bootstrap() {
  SLUICE_CO_TRY(auto servers, parse_bootstrap(config_.bootstrap_servers));
  std::error_code last = Errc::connection_failed;
  for (const auto& [host, port] : servers) {
    auto conn = co_await connect_to(host, port);
    if (!conn) {
      last = conn.error();
      continue;
    }
    std::vector<std::string> no_topics;
    Status st = co_await refresh_via(conn.value(), std::move(no_topics), false);
    if (st) co_return ok();
    last = st.error();
  }
  co_return last;
}

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> KafkaClient::connect_to(std::string host, uint16_t port) {
  const std::string key = address_key(host, port);
  while (connecting_[key]) co_await connected_.wait_until(Clock::now() + config_.connection.connect_timeout);
  if (auto it = connections_.find(key); it != connections_.end() && it->second->is_open()) co_return it->second;
  connecting_[key] = true;
  auto conn = std::make_shared<BrokerConnection>(strand_, host, port, config_.connection);
  Status st = co_await conn->connect();
  connecting_[key] = false;
  connected_.notify();
  if (!st) {
    spdlog::debug("connect to {} failed: {}", key, st.error().message());
    co_return st.error();
  }
  connections_[key] = conn;
  co_return conn;
}

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> KafkaClient::connection(BrokerId id) {
  const BrokerInfo* b = metadata_.broker(id);
  if (b == nullptr) co_return Errc::no_leader;
  const std::string host = b->host;
  const auto port = static_cast<uint16_t>(b->port);
  co_return co_await connect_to(host, port);
}

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> KafkaClient::any_connection() {
  for (auto& [key, conn] : connections_) {
    if (conn->is_open()) co_return conn;
  }
  std::vector<std::pair<std::string, uint16_t>> candidates;
  for (const auto& [id, b] : metadata_.brokers()) candidates.emplace_back(b.host, static_cast<uint16_t>(b.port));
  if (auto servers = parse_bootstrap(config_.bootstrap_servers)) {
    for (auto& s : servers.value()) candidates.push_back(std::move(s));
  }
  std::error_code last = Errc::connection_failed;
  for (const auto& [host, port] : candidates) {
    auto conn = co_await connect_to(host, port);
    if (conn) co_return conn;
    last = conn.error();
  }
  co_return last;
}

asio::awaitable<Status> KafkaClient::refresh_metadata(std::optional<std::vector<std::string>> topics,
                                                      bool allow_auto_create) {
  SLUICE_CO_TRY(auto conn, co_await any_connection());
  co_return co_await refresh_via(std::move(conn), std::move(topics), allow_auto_create);
}

asio::awaitable<Status> KafkaClient::refresh_via(std::shared_ptr<BrokerConnection> conn,
                                                 std::optional<std::vector<std::string>> topics,
                                                 bool allow_auto_create) {
  protocol::MetadataRequest request;
  request.allow_auto_topic_creation = allow_auto_create;
  const bool complete = !topics.has_value();
  if (topics) {
    request.topics.emplace();
    for (auto& name : *topics) {
      protocol::MetadataRequest::MetadataRequestTopic t;
      t.name = std::move(name);
      request.topics->push_back(std::move(t));
    }
  }
  // v1 is the first to tell "no topics" (empty array) from "all topics" (null).
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::metadata, 1, protocol::MetadataRequest::kMaxVersion));
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  metadata_.update(response.body, complete);
  stale_ = false;
  co_return ok();
}

asio::awaitable<Result<TopicInfo>> KafkaClient::topic(std::string name) {
  std::error_code last = Errc::no_leader;
  for (int attempt = 0; attempt < config_.metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(config_.retry_backoff);
    std::vector<std::string> wanted(1, name);
    Status st = co_await refresh_metadata(std::move(wanted));
    if (!st) {
      last = st.error();
      continue;
    }
    const TopicInfo* t = metadata_.topic(name);
    if (t == nullptr) continue;
    if (t->error == protocol::ErrorCode::none) co_return *t;
    last = broker_error(t->error);
    if (!protocol::is_retriable(t->error)) break;
  }
  co_return last;
}

asio::awaitable<Result<std::optional<BrokerId>>> KafkaClient::leader_attempt(const TopicPartition& tp) {
  if (!stale_) {
    if (auto leader = metadata_.leader_for(tp)) co_return leader;
  }
  std::vector<std::string> wanted(1, tp.topic);
  SLUICE_CO_TRY(co_await refresh_metadata(std::move(wanted)));
  const TopicInfo* t = metadata_.topic(tp.topic);
  if (t != nullptr && t->error != protocol::ErrorCode::none && !protocol::is_retriable(t->error)) {
    co_return broker_error(t->error);
  }
  if (t != nullptr && t->error == protocol::ErrorCode::none && t->partition(tp.partition) == nullptr) {
    co_return broker_error(protocol::ErrorCode::unknown_topic_or_partition);
  }
  co_return metadata_.leader_for(tp);
}

asio::awaitable<Result<BrokerId>> KafkaClient::leader_for(TopicPartition tp) {
  std::error_code last = Errc::no_leader;
  for (int attempt = 0; attempt < config_.metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(config_.retry_backoff);
    auto leader = co_await leader_attempt(tp);
    if (leader && leader.value()) co_return *leader.value();
    if (!leader) {
      last = leader.error();
      if (!is_retriable(last)) break;
    } else if (const TopicInfo* t = metadata_.topic(tp.topic); t != nullptr && t->error != protocol::ErrorCode::none) {
      last = broker_error(t->error);
    }
  }
  co_return last;
}

}  // namespace sluice::client
