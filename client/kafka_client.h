// KafkaClient: the cluster as the producer, consumer and admin see it: bootstrap from
// "host:port,host:port", Metadata refreshes, one lazily opened connection per broker, and
// leader lookup that refreshes metadata and backs off while a leader is unknown or moving.
// Owner: its strand (executor()); every coroutine here REQUIRES running on it, and so do the
// Producer, Consumer and Admin built on it (their public calls hop onto it themselves).
// Connections broken by the broker are replaced on next use; close() closes them all.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/async_util.h"
#include "client/connection.h"
#include "client/metadata.h"

namespace sluice::client {

struct ClientConfig {
  std::string bootstrap_servers;  // "host:port,host:port"
  ConnectionConfig connection;
  std::chrono::milliseconds retry_backoff{100};
  // Metadata refreshes tried while looking for a topic or a leader before giving up.
  int metadata_attempts = 10;
};

// "host:port,host:port" -> pairs; Errc::invalid_config for an empty list or a bad entry.
Result<std::vector<std::pair<std::string, uint16_t>>> parse_bootstrap(std::string_view servers);

class KafkaClient {
 public:
  KafkaClient(asio::any_io_executor executor, ClientConfig config);
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;
  // Closes the connections: destroy it on its strand, or once the io_context has stopped.
  ~KafkaClient();

  [[nodiscard]] asio::any_io_executor executor() const { return strand_; }
  [[nodiscard]] const ClientConfig& config() const { return config_; }
  [[nodiscard]] const ClusterMetadata& metadata() const { return metadata_; }

  // Learns the brokers from the first bootstrap server that answers.
  asio::awaitable<Status> bootstrap();
  // Metadata for `topics`, or for every topic when std::nullopt.
  asio::awaitable<Status> refresh_metadata(std::optional<std::vector<std::string>> topics,
                                           bool allow_auto_create = false);
  // The topic's metadata, refreshed first if unknown or in error; the broker's error code for a
  // topic that stays missing (UNKNOWN_TOPIC_OR_PARTITION) or leaderless after retries.
  asio::awaitable<Result<TopicInfo>> topic(std::string name);
  // The open connection to broker `id`, opened now if needed.
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> connection(BrokerId id);
  // Any open connection, else the first known broker or bootstrap server that accepts one.
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> any_connection();
  // The partition's leader, refreshing metadata (with backoff) until one is known.
  asio::awaitable<Result<BrokerId>> leader_for(TopicPartition tp);
  // Marks metadata stale: the next leader_for refreshes before answering.
  void invalidate_metadata() { stale_ = true; }

  void close();

 private:
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> connect_to(std::string host, uint16_t port);
  asio::awaitable<Status> refresh_via(std::shared_ptr<BrokerConnection> conn,
                                      std::optional<std::vector<std::string>> topics, bool allow_auto_create);
  asio::awaitable<Result<std::optional<BrokerId>>> leader_attempt(const TopicPartition& tp);

  asio::any_io_executor strand_;
  ClientConfig config_;
  ClusterMetadata metadata_;
  bool stale_ = false;
  // Open (or opening) connections by "host:port"; a broker id maps to one through metadata_.
  std::map<std::string, std::shared_ptr<BrokerConnection>> connections_;
  std::map<std::string, bool> connecting_;
  Signal connected_;
};

}  // namespace sluice::client
