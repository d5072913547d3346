// DynamicConfigManager: topic configs changed at runtime (Kafka's ZkConfigManager +
// TopicConfigHandler, ZK mode). AlterConfigs writes /config/topics/<t> and then a persistent
// sequential /config/changes/config_change_<seq> holding {"version":2,"entity_path":"topics/<t>"}
// (or version 1: {"entity_type":"topics","entity_name":"<t>"}). This watches the children of
// /config/changes; for each notification with a sequence above the last one processed it
// re-reads /config/topics/<t> and applies the overrides, on the broker's log defaults, to every
// open log of that topic at once (Log::update_config). start() processes the notifications
// already present, so a broker that was down catches up.
// Other entity types (clients, users, brokers) are skipped. An override set storage refuses
// is logged and not applied. Notifications are never purged here.
//
// Owner: the KafkaServer, through a shared_ptr (watches and coroutines hold weak/strong refs).
//   All state lives on `strand`; the ZkClient, KafkaZkClient and LogManager must outlive it.
// Crash behaviour: nothing persisted; after a restart start() re-applies every notification.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "broker/asio_net.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/zk_client.h"
#include "protocol/result.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"

namespace sluice::broker {

class DynamicConfigManager : public std::enable_shared_from_this<DynamicConfigManager> {
 public:
  // REQUIRES: `strand` is a strand.
  static std::shared_ptr<DynamicConfigManager> create(asio::any_io_executor strand, coordination::ZkClient& zk,
                                                      coordination::KafkaZkClient& kafka_zk, storage::LogManager& logs,
                                                      storage::LogConfig defaults);

  // Processes the notifications present and arms the children watch. Fails only if
  // /config/changes cannot be read (created by KafkaZkClient::create_top_level_paths).
  asio::awaitable<Status> start();
  // No notification is processed after this (an armed watch fires into nothing). Thread-safe.
  void stop();

  // The sequence number of the last notification processed; -1 before the first. Thread-safe.
  [[nodiscard]] int64_t last_processed() const { return last_processed_.load(); }
  // How many topic-config applications have completed. Thread-safe; for tests and logs.
  [[nodiscard]] int64_t applied_count() const { return applied_.load(); }

  // Re-reads /config/topics/<topic> and applies it to the topic's open logs.
  asio::awaitable<Status> apply_topic_config(std::string topic);

  DynamicConfigManager(asio::any_io_executor strand, coordination::ZkClient& zk,
                       coordination::KafkaZkClient& kafka_zk, storage::LogManager& logs, storage::LogConfig defaults);

 private:
  // On the strand: reads the children (re-arming the watch) and processes the new ones in
  // sequence order; runs again if a watch fired meanwhile.
  static asio::awaitable<Status> process(std::shared_ptr<DynamicConfigManager> self);
  asio::awaitable<Status> process_once();
  asio::awaitable<void> process_notification(std::string child, int64_t sequence);
  void on_watch();

  asio::any_io_executor strand_;
  coordination::ZkClient& zk_;
  coordination::KafkaZkClient& kafka_zk_;
  storage::LogManager& logs_;
  storage::LogConfig defaults_;
  std::atomic<int64_t> last_processed_{-1};
  std::atomic<int64_t> applied_{0};
  std::atomic<bool> stopped_{false};
  bool processing_ = false;  // strand only
  bool again_ = false;       // strand only
};

// The topic of a notification's JSON, or nullopt for another entity type or unparsable JSON.
std::optional<std::string> topic_of_config_change(ByteView json);
// "config_change_0000000042" -> 42; nullopt for any other name.
std::optional<int64_t> config_change_sequence(const std::string& child);

}  // namespace sluice::broker
