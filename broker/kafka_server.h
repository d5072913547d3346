// KafkaServer: one broker process (Kafka's KafkaServer): opens the logs, binds the listeners,
// connects ZooKeeper (creating the chroot if missing), creates the persistent paths and
// /cluster/id, registers /brokers/ids/<id> with the bound advertised listener, starts the
// KafkaController, serves clients and runs the periodic log tasks. A ZooKeeper session expiry
// resigns the controller, reconnects, re-registers and re-enters the election.
// On SIGINT/SIGTERM it shuts down in order: resign, close the ZooKeeper session (the ephemerals
// vanish at once), stop accepting, close the connections, let the io threads finish, wait for
// the request pool and the log-task pool, then LogManager::shutdown (flush, checkpoints, the
// clean-shutdown marker).
// Threads: num.network.threads run io_ (sockets, handlers); num.io.threads run the request pool
// (every partition's strand: appends, reads); one maintenance thread runs retention, flushes,
// checkpoints and log deletion, so none of those ever delays an append.
// Owner: main. start() and run() are called once, from main's thread; shutdown() from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "broker/asio_net.h"
#include "broker/config_result.h"
#include "broker/fetch_session_cache.h"
#include "broker/handlers/control_plane_handlers.h"
#include "broker/handlers/handler.h"
#include "broker/http/http_server.h"
#include "broker/metrics/metrics.h"
#include "broker/kafka_config.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "broker/log_task_scheduler.h"
#include "broker/socket_server.h"
#include "broker/dynamic_config_manager.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/offset_manager.h"
#include "broker/zk_topic_creator.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_controller.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/zookeeper_client.h"
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

  // The HTTP server's bound address (http.listener; a port 0 listener shows the port it got);
  // nullopt when http.listener is unset.
  [[nodiscard]] std::optional<tcp::endpoint> http_endpoint() const;
  // "" when registered in ZooKeeper with a connected session, else why not (GET /health).
  [[nodiscard]] std::string health_problem() const;

  // For the admin handlers (AdminServices) and tests. Valid from start() until destruction.
  coordination::ZooKeeperClient& zookeeper_client() { return *zk_; }
  coordination::KafkaZkClient& kafka_zk_client() { return *kafka_zk_; }
  coordination::KafkaController& controller() { return *controller_; }
  storage::LogManager& log_manager() { return *logs_; }
  FetchSessionCache& fetch_session_cache() { return *fetch_sessions_; }
  group::GroupCoordinator& group_coordinator() { return *group_coordinator_; }
  group::OffsetManager& offset_manager() { return *offset_manager_; }
  [[nodiscard]] const KafkaConfig& config() const { return config_; }
  [[nodiscard]] const std::string& cluster_id() const { return cluster_id_; }

 private:
  explicit KafkaServer(KafkaConfig config);
  void run_io_threads();
  void start_data_plane();
  void start_group_coordinator();
  // The HTTP routes (/metrics, /health, /ready; the web console adds its own here) and the
  // scrape-time metrics; binds http.listener when set.
  ConfigResult<void> start_http();
  // Runs `task` to completion on io_ from the calling thread (startup, before run()).
  std::string run_startup(asio::awaitable<std::string> task);
  // The ZooKeeper side of startup; an empty string on success, else the one-line reason.
  asio::awaitable<std::string> start_zookeeper();
  asio::awaitable<Status> create_chroot();
  [[nodiscard]] coordination::BrokerInfo broker_info() const;
  void publish_self();
  void on_session_state(coordination::SessionState state);
  asio::awaitable<void> handle_session_expiry();

  asio::awaitable<void> stop_zookeeper_side();
  void stop_serving();

  KafkaConfig config_;
  asio::io_context io_;
  std::unique_ptr<asio::thread_pool> request_pool_;  // num.io.threads; made in start_data_plane
  asio::thread_pool blocking_{1};  // maintenance: retention, flushes, checkpoints, log deletion
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replica_manager_;
  std::unique_ptr<FetchSessionCache> fetch_sessions_;
  MetadataCache metadata_cache_;
  ControlPlaneFence fence_;
  std::unique_ptr<coordination::ZooKeeperClient> zk_;
  std::unique_ptr<coordination::KafkaZkClient> kafka_zk_;
  std::unique_ptr<coordination::KafkaController> controller_;
  std::unique_ptr<coordination::AdminZkClient> admin_zk_;
  std::unique_ptr<ZkTopicCreator> topic_creator_;
  std::shared_ptr<DynamicConfigManager> dynamic_config_;
  std::unique_ptr<group::GroupCoordinator> group_coordinator_;
  std::unique_ptr<group::OffsetManager> offset_manager_;
  asio::any_io_executor zk_strand_;  // session expiry handling
  // On zk_strand_: one handle_session_expiry at a time (it goes again if the new session expired).
  bool reregistering_ = false;
  std::string cluster_id_;
  std::atomic<bool> shutting_down_{false};
  HandlerRegistry registry_;
  std::unique_ptr<SocketServer> socket_server_;
  std::unique_ptr<LogTaskScheduler> log_tasks_;
  asio::signal_set signals_;
  // Registered in ZooKeeper with the current session (GET /health).
  std::atomic<bool> registered_{false};
  // Last, so they go first: they read the members above.
  std::vector<metrics::CallbackHandle> metric_callbacks_;
  std::unique_ptr<http::HttpServer> http_server_;
};

}  // namespace sluice::broker
