// KafkaServer: one broker process (Kafka's KafkaServer): opens the logs, serves clients, runs the
// periodic log tasks, and on SIGINT/SIGTERM shuts down in order: stop accepting, close the
// connections, let the io threads finish, wait for the log-task pool, then LogManager::shutdown
// (flush, checkpoints, the clean-shutdown marker).
// Owner: main. start() and run() are called once, from main's thread; shutdown() from any thread.
#pragma once

#include <memory>

#include "broker/asio_net.h"
#include "broker/config_result.h"
#include "broker/handlers/handler.h"
#include "broker/kafka_config.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "broker/log_task_scheduler.h"
#include "broker/socket_server.h"
#include "storage/log_manager.h"

namespace sluice::broker {

class KafkaServer {
 public:
  // Opens the logs and binds the listeners; a failure is a one-line reason.
  static ConfigResult<std::unique_ptr<KafkaServer>> start(KafkaConfig config);
  ~KafkaServer();
  KafkaServer(const KafkaServer&) = delete;
  KafkaServer& operator=(const KafkaServer&) = delete;

  // Serves until a signal or shutdown(), then shuts down. Fails if the logs did not close cleanly.
  ConfigResult<void> run();
  void shutdown();

  // The data plane, for the controller (and tests) to drive: become_leader, update_metadata.
  ReplicaManager& replica_manager() { return *replica_manager_; }
  MetadataCache& metadata_cache() { return metadata_cache_; }
  // The bound listener addresses (a port 0 listener shows the port it got).
  [[nodiscard]] std::vector<tcp::endpoint> local_endpoints() const { return socket_server_->local_endpoints(); }

 private:
  explicit KafkaServer(KafkaConfig config);
  void run_io_threads();
  void start_data_plane();
  void register_self();

  KafkaConfig config_;
  asio::io_context io_;
  asio::thread_pool blocking_{1};  // fsync and file deletion
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replica_manager_;
  MetadataCache metadata_cache_;
  HandlerRegistry registry_;
  std::unique_ptr<SocketServer> socket_server_;
  std::unique_ptr<LogTaskScheduler> log_tasks_;
  asio::signal_set signals_;
};

}  // namespace sluice::broker
