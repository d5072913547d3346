// KafkaConfig: the broker's static configuration, read from a server.properties file plus
// `--override key=value` pairs, with Kafka 2.8's property names and defaults (AK KafkaConfig).
// Unknown keys and invalid values are refused with a one-line reason naming the key, so a typo
// never starts a broker with a silent default.
// Immutable after parsing; safe to share across threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/config_result.h"
#include "broker/properties.h"
#include "protocol/types.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"

namespace sluice::broker {

// One entry of `listeners`: PLAINTEXT://host:port. An empty host binds every interface.
struct Listener {
  std::string security_protocol = "PLAINTEXT";
  std::string host;
  uint16_t port = 0;

  [[nodiscard]] std::string to_string() const;
  bool operator==(const Listener&) const = default;
};

// zookeeper.connect: host:port[,host:port...][/chroot], handed to the ZooKeeper client as is.
struct ZkConnect {
  std::vector<std::pair<std::string, uint16_t>> servers;
  std::string chroot;  // "" or "/path"

  [[nodiscard]] std::string to_string() const;
};

struct KafkaConfig {
  BrokerId broker_id{-1};                            // broker.id (required: no id generation)
  std::vector<Listener> listeners;                   // listeners (PLAINTEXT://:9092)
  std::vector<Listener> advertised_listeners;        // advertised.listeners (listeners)
  std::vector<std::filesystem::path> log_dirs;       // log.dirs, else log.dir (/tmp/kafka-logs)
  ZkConnect zookeeper_connect;                       // zookeeper.connect (required)
  int64_t zookeeper_session_timeout_ms = 18000;      // zookeeper.session.timeout.ms
  int64_t zookeeper_connection_timeout_ms = 18000;   // zookeeper.connection.timeout.ms (session)
  int32_t zookeeper_max_in_flight_requests = 10;     // zookeeper.max.in.flight.requests

  int32_t num_partitions = 1;                        // num.partitions
  int16_t default_replication_factor = 1;            // default.replication.factor
  bool auto_create_topics_enable = true;             // auto.create.topics.enable
  bool delete_topic_enable = true;                   // delete.topic.enable
  bool unclean_leader_election_enable = false;       // unclean.leader.election.enable
  int64_t replica_lag_time_max_ms = 30000;           // replica.lag.time.max.ms
  int32_t num_replica_fetchers = 1;                  // num.replica.fetchers (per source broker)
  int32_t replica_fetch_max_bytes = 1048576;         // replica.fetch.max.bytes (per partition)
  int32_t replica_fetch_min_bytes = 1;               // replica.fetch.min.bytes
  int32_t replica_fetch_wait_max_ms = 500;           // replica.fetch.wait.max.ms
  int32_t replica_fetch_response_max_bytes = 10485760;  // replica.fetch.response.max.bytes
  int32_t replica_fetch_backoff_ms = 1000;           // replica.fetch.backoff.ms
  int32_t max_incremental_fetch_session_cache_slots = 1000;  // max.incremental.fetch.session.cache.slots
  int32_t replica_socket_timeout_ms = 30000;         // replica.socket.timeout.ms
  bool controlled_shutdown_enable = true;            // controlled.shutdown.enable
  int32_t controlled_shutdown_max_retries = 3;       // controlled.shutdown.max.retries
  int64_t controlled_shutdown_retry_backoff_ms = 5000;  // controlled.shutdown.retry.backoff.ms
  bool auto_leader_rebalance_enable = true;          // auto.leader.rebalance.enable
  int32_t leader_imbalance_per_broker_percentage = 10;      // leader.imbalance.per.broker.percentage
  int64_t leader_imbalance_check_interval_seconds = 300;    // leader.imbalance.check.interval.seconds
  int32_t offsets_retention_minutes = 10080;         // offsets.retention.minutes
  int32_t group_initial_rebalance_delay_ms = 3000;   // group.initial.rebalance.delay.ms
  int32_t group_min_session_timeout_ms = 6000;       // group.min.session.timeout.ms
  int32_t group_max_session_timeout_ms = 1800000;    // group.max.session.timeout.ms
  int32_t group_max_size = 2147483647;               // group.max.size
  int64_t offsets_retention_check_interval_ms = 600000;  // offsets.retention.check.interval.ms
  int32_t offset_metadata_max_bytes = 4096;          // offset.metadata.max.bytes

  int32_t socket_request_max_bytes = 104857600;      // socket.request.max.bytes
  int32_t socket_send_buffer_bytes = 102400;         // socket.send.buffer.bytes (-1: OS default)
  int32_t socket_receive_buffer_bytes = 102400;      // socket.receive.buffer.bytes (-1: OS default)
  int32_t num_network_threads = 3;                   // num.network.threads
  int32_t num_io_threads = 8;                        // num.io.threads

  storage::LogConfig log_config;                     // log.*, message.max.bytes, compression.type...
  int32_t num_recovery_threads_per_data_dir = 1;     // num.recovery.threads.per.data.dir
  int64_t log_retention_check_interval_ms = 300000;  // log.retention.check.interval.ms
  int64_t log_flush_offset_checkpoint_interval_ms = 60000;        // log.flush.offset.checkpoint.interval.ms
  int64_t log_flush_start_offset_checkpoint_interval_ms = 60000;  // log.flush.start.offset.checkpoint.interval.ms
  int64_t replica_high_watermark_checkpoint_interval_ms = 5000;   // replica.high.watermark.checkpoint.interval.ms

  std::string log_level = "info";                    // log.level (ours): trace..critical, off
  // http.listener (ours): host:port of the HTTP server (/metrics, /health, /ready; docs/metrics.md).
  // Unset (the default): no HTTP server. Port 0 takes a free port.
  std::optional<std::pair<std::string, uint16_t>> http_listener;

  // Parses `file`, then applies `overrides` ("key=value"), which win over the file.
  static ConfigResult<KafkaConfig> load(const std::filesystem::path& file,
                                        const std::vector<std::string>& overrides);
  static ConfigResult<KafkaConfig> from_properties(const Properties& props);

  // Our io_context threads (sockets, request decoding, responses): num.network.threads, capped
  // at the machine's cores, since they never block. num.io.threads sizes the request pool
  // (partition appends and reads, which may block on the disk) and is not capped, as in Kafka.
  [[nodiscard]] int network_threads() const;
  [[nodiscard]] storage::LogManagerConfig log_manager_config() const;
};

// "host:port" (an IPv6 literal in brackets) as used by listeners and zookeeper.connect.
ConfigResult<std::pair<std::string, uint16_t>> parse_host_port(const std::string& text);
ConfigResult<std::vector<Listener>> parse_listeners(const std::string& text);
ConfigResult<ZkConnect> parse_zk_connect(const std::string& text);

}  // namespace sluice::broker
