#include "broker/kafka_server.h"

#include "broker/controlled_shutdown.h"
#include "broker/handlers/controlled_shutdown.h"
#include "broker/handlers/group_handlers.h"
#include "broker/handlers/elect_leaders.h"
#include "broker/handlers/offset_handlers.h"
#include "broker/handlers/partition_reassignments.h"

#include <csignal>
#include <future>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/handlers/admin_common.h"
#include "broker/handlers/admin_handlers.h"
#include "broker/handlers/data_plane_handlers.h"
#include "broker/handlers/handler_list.h"
#include "broker/console/console_routes.h"
#include "broker/http/broker_routes.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/spawn.h"
#include "storage/clock.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;

// Every LogManager task is due at multiples of its interval; the smallest default is 5 s, and
// flush.ms is honoured to this granularity.
constexpr std::chrono::milliseconds kLogTaskTick{1000};
// Between attempts to reconnect and re-register after a session expiry.
constexpr std::chrono::milliseconds kReconnectBackoff{1000};

coordination::ZooKeeperConfig zookeeper_config(const KafkaConfig& config, bool with_chroot) {
  coordination::ZooKeeperConfig zk;
  ZkConnect connect = config.zookeeper_connect;
  if (!with_chroot) connect.chroot.clear();
  zk.connect = connect.to_string();
  zk.session_timeout = std::chrono::milliseconds(config.zookeeper_session_timeout_ms);
  zk.connection_timeout = std::chrono::milliseconds(config.zookeeper_connection_timeout_ms);
  zk.max_in_flight_requests = static_cast<size_t>(config.zookeeper_max_in_flight_requests);
  return zk;
}

asio::awaitable<std::optional<std::string>> wrap(asio::awaitable<std::string> task) { co_return co_await std::move(task); }

}  // namespace

KafkaServer::KafkaServer(KafkaConfig config)
    : config_(std::move(config)),
      zk_strand_(asio::make_strand(io_)),
      registry_(make_handler_registry()),
      signals_(asio::make_strand(io_), SIGINT, SIGTERM) {}

KafkaServer::~KafkaServer() {
  if (request_pool_) request_pool_->join();
  blocking_.join();
  if (logs_) (void)logs_->shutdown();
}

ConfigResult<std::unique_ptr<KafkaServer>> KafkaServer::start(KafkaConfig config) {
  std::unique_ptr<KafkaServer> server(new KafkaServer(std::move(config)));
  auto logs = storage::LogManager::open(server->config_.log_manager_config(), storage::SystemClock::instance());
  if (!logs) return config_error("log.dirs: cannot open the logs: " + logs.error().message());
  server->logs_ = std::move(logs).value();
  server->start_data_plane();
  server->socket_server_ =
      std::make_unique<SocketServer>(server->io_, SocketServerConfig::from(server->config_), server->registry_);
  BOOST_OUTCOME_TRY(server->socket_server_->bind());
  BOOST_OUTCOME_TRY(server->start_http());
  server->log_tasks_ =
      std::make_unique<LogTaskScheduler>(server->io_, server->blocking_, *server->logs_, kLogTaskTick);
  server->log_tasks_->start();
  server->publish_self();
  // Registration needs the bound listener (port 0), so it follows the socket server.
  const std::string zk_error = server->run_startup(server->start_zookeeper());
  if (!zk_error.empty()) {
    server->socket_server_->stop();
    if (server->http_server_) server->http_server_->stop();
    server->log_tasks_->stop();
    (void)server->run_startup([](KafkaServer* self) -> asio::awaitable<std::string> {
      co_await self->replica_manager_->shutdown_replication();
      co_await self->zk_->close();
      co_return std::string();
    }(server.get()));
    return config_error("zookeeper.connect: " + zk_error);
  }
  server->group_coordinator_->start();
  server->offset_manager_->start();
  server->socket_server_->start_processing();
  spdlog::info("broker {} started with {} network threads and {} io threads", server->config_.broker_id.value(),
               server->config_.network_threads(), server->config_.num_io_threads);
  return server;
}

// The handlers are all registered here, before the socket server starts: the registry is
// read-only once connections use it. The ZooKeeper objects exist (unconnected) for the same reason.
void KafkaServer::start_data_plane() {
  ReplicaManagerConfig replica_config;
  replica_config.broker_id = config_.broker_id;
  replica_config.default_log_config = config_.log_config;
  replica_config.replica_lag_time_max_ms = config_.replica_lag_time_max_ms;
  replica_config.fetcher = replica_fetcher_config(config_);
  fetch_sessions_ = std::make_unique<FetchSessionCache>(config_.max_incremental_fetch_session_cache_slots);
  request_pool_ = std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(config_.num_io_threads, 1)));
  replica_manager_ = std::make_unique<ReplicaManager>(io_, *request_pool_, blocking_, *logs_, replica_config);
  zk_ = std::make_unique<coordination::ZooKeeperClient>(io_.get_executor(), zookeeper_config(config_, true));
  kafka_zk_ = std::make_unique<coordination::KafkaZkClient>(*zk_);
  // Followers fetch and leaders write ISR changes from here on; nothing happens until the
  // controller's first LeaderAndIsr.
  ReplicationContext replication;
  replication.metadata_cache = &metadata_cache_;
  replication.kafka_zk = kafka_zk_.get();
  replication.zk = zk_.get();
  replica_manager_->start_replication(replication);
  coordination::KafkaControllerConfig controller_config;
  controller_config.broker_id = config_.broker_id;
  controller_config.delete_topic_enable = config_.delete_topic_enable;
  controller_config.unclean_leader_election_enable = config_.unclean_leader_election_enable;
  controller_config.auto_leader_rebalance_enable = config_.auto_leader_rebalance_enable;
  controller_config.leader_imbalance_per_broker_percentage = config_.leader_imbalance_per_broker_percentage;
  controller_config.leader_imbalance_check_interval = std::chrono::seconds(config_.leader_imbalance_check_interval_seconds);
  controller_ = std::make_unique<coordination::KafkaController>(io_.get_executor(), *zk_, *kafka_zk_, controller_config);
  coordination::AdminZkClient::Options admin_options;
  admin_options.validate_config = log_config_validator(config_.log_config);
  admin_zk_ = std::make_unique<coordination::AdminZkClient>(*kafka_zk_, std::move(admin_options));
  topic_creator_ = std::make_unique<ZkTopicCreator>(
      asio::make_strand(io_), *admin_zk_, *kafka_zk_,
      ZkTopicCreator::Defaults{.num_partitions = config_.num_partitions,
                               .default_replication_factor = config_.default_replication_factor});
  dynamic_config_ = DynamicConfigManager::create(asio::make_strand(io_), *zk_, *kafka_zk_, *logs_, config_.log_config);
  add_data_plane_handlers(registry_, BrokerServices{.replica_manager = replica_manager_.get(),
                                                    .metadata_cache = &metadata_cache_,
                                                    .topic_creator = topic_creator_.get(),
                                                    .fetch_sessions = fetch_sessions_.get(),
                                                    .auto_create_topics_enable = config_.auto_create_topics_enable});
  ControlPlaneServices control;
  control.replica_manager = replica_manager_.get();
  control.metadata_cache = &metadata_cache_;
  control.fence = &fence_;
  control.kafka_zk = kafka_zk_.get();
  add_control_plane_handlers(registry_, control);
  AdminServices admin;
  admin.zk = kafka_zk_.get();
  admin.admin_zk = admin_zk_.get();
  admin.metadata_cache = &metadata_cache_;
  admin.replica_manager = replica_manager_.get();
  admin.log_manager = logs_.get();
  admin.config = &config_;
  admin.is_controller = [controller = controller_.get()] { return controller->is_active(); };
  add_admin_handlers(registry_, admin);
  registry_.add(controlled_shutdown_handler(controller_.get()));
  start_group_coordinator();
  registry_.add(elect_leaders_handler(controller_.get()));
  registry_.add(alter_partition_reassignments_handler(controller_.get()));
  registry_.add(list_partition_reassignments_handler(controller_.get()));
}

// The group coordinator's two halves (broker/group/group_interfaces.h): membership and the
// committed offsets, each asking the other.
void KafkaServer::start_group_coordinator() {
  group::GroupConfig group_config;
  group_config.broker_id = config_.broker_id;
  group_config.initial_rebalance_delay_ms = config_.group_initial_rebalance_delay_ms;
  group_config.min_session_timeout_ms = config_.group_min_session_timeout_ms;
  group_config.max_session_timeout_ms = config_.group_max_session_timeout_ms;
  group_config.max_size = config_.group_max_size;
  group_config.cleanup_interval = std::chrono::milliseconds(config_.offsets_retention_check_interval_ms);
  group_coordinator_ = std::make_unique<group::GroupCoordinator>(io_.get_executor(), metadata_cache_, group_config);
  add_group_handlers(registry_, *group_coordinator_);
  group::OffsetManagerConfig offsets;
  offsets.broker_id = config_.broker_id;
  offsets.offset_metadata_max_bytes = config_.offset_metadata_max_bytes;
  offsets.retention = std::chrono::minutes(config_.offsets_retention_minutes);
  offsets.retention_check_interval = std::chrono::milliseconds(config_.offsets_retention_check_interval_ms);
  offset_manager_ = std::make_unique<group::OffsetManager>(io_.get_executor(), *zk_, metadata_cache_,
                                                           *group_coordinator_, offsets);
  group_coordinator_->set_offsets(offset_manager_.get());
  registry_.add(offset_commit_handler(offset_manager_.get(), group_coordinator_.get()));
  registry_.add(offset_fetch_handler(offset_manager_.get()));
  registry_.add(delete_groups_handler(offset_manager_.get()));
}

ConfigResult<void> KafkaServer::start_http() {
  coordination::set_request_latency_observer(&metrics::record_zookeeper_latency);
  http::BrokerRouteServices services;
  services.broker_id = config_.broker_id;
  services.replica_manager = replica_manager_.get();
  services.metadata_cache = &metadata_cache_;
  services.controller = controller_.get();
  services.zk = zk_.get();
  services.offset_manager = offset_manager_.get();
  services.fetch_sessions = fetch_sessions_.get();
  services.health_problem = [this] { return health_problem(); };
  metric_callbacks_ = http::register_broker_metrics(services);
  if (!config_.http_listener) return outcome::success();
  auto router = std::make_shared<http::HttpRouter>();
  http::add_broker_routes(*router, services);
  console::add_console_routes(*router, services, {io_.get_executor(), [this] { return console::bootstrap_of(socket_server_->local_endpoints()); }, [this] { return shutting_down_.load(); }});
  http::HttpServerConfig http_config;
  http_config.host = config_.http_listener->first;
  http_config.port = config_.http_listener->second;
  http_server_ = std::make_unique<http::HttpServer>(io_, http_config, std::move(router));
  BOOST_OUTCOME_TRY(http_server_->bind());
  // Serving from now on: /health answers 503 until the broker is registered.
  http_server_->start();
  spdlog::info("http server on {}:{}", http_server_->local_endpoint().address().to_string(),
               http_server_->local_endpoint().port());
  return outcome::success();
}

std::optional<tcp::endpoint> KafkaServer::http_endpoint() const {
  if (!http_server_) return std::nullopt;
  return http_server_->local_endpoint();
}

std::string KafkaServer::health_problem() const {
  if (shutting_down_) return "shutting down";
  const coordination::SessionState state = zk_->state();
  if (state != coordination::SessionState::connected) {
    return "zookeeper session " + std::string(coordination::to_string(state));
  }
  if (!registered_) return "not registered in zookeeper";
  return "";
}

std::string KafkaServer::run_startup(asio::awaitable<std::string> task) {
  auto done = asio::co_spawn(io_, wrap(std::move(task)), asio::use_future);
  while (done.wait_for(0s) != std::future_status::ready) {
    if (io_.stopped()) io_.restart();
    io_.run_one_for(50ms);
  }
  if (io_.stopped()) io_.restart();
  return std::move(*done.get());
}

asio::awaitable<std::string> KafkaServer::start_zookeeper() {
  if (!config_.zookeeper_connect.chroot.empty()) {
    const Status chroot = co_await create_chroot();
    if (!chroot) co_return "cannot create the chroot " + config_.zookeeper_connect.chroot + ": " + chroot.error().message();
  }
  zk_->set_session_listener(coordination::SessionListener{
      zk_strand_, [this](coordination::SessionState state) { on_session_state(state); }});
  const Status connected = co_await zk_->connect();
  if (!connected) co_return "cannot connect to " + config_.zookeeper_connect.to_string() + ": " + connected.error().message();
  const Status paths = co_await kafka_zk_->create_top_level_paths();
  if (!paths) co_return "cannot create the persistent paths: " + paths.error().message();
  auto cluster_id = co_await kafka_zk_->get_or_create_cluster_id();
  if (!cluster_id) co_return "cannot read /cluster/id: " + cluster_id.error().message();
  cluster_id_ = cluster_id.value();
  const Status dynamic = co_await dynamic_config_->start();
  if (!dynamic) co_return "cannot read /config/changes: " + dynamic.error().message();
  MetadataUpdate update;
  update.cluster_id = cluster_id_;
  metadata_cache_.update_metadata(update);
  // A broker restarted after SIGKILL finds its previous session's registration until that
  // session times out: wait that long for it to go rather than fail at once as Kafka does.
  const auto give_up = std::chrono::steady_clock::now() + 2 * std::chrono::milliseconds(config_.zookeeper_session_timeout_ms);
  auto epoch = co_await kafka_zk_->register_broker(broker_info());
  while (!epoch && epoch.error() == coordination::Errc::node_exists && std::chrono::steady_clock::now() < give_up) {
    asio::steady_timer wait(zk_strand_, kReconnectBackoff / 2);
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    epoch = co_await kafka_zk_->register_broker(broker_info());
  }
  if (!epoch) co_return "cannot register broker " + std::to_string(config_.broker_id.value()) + ": " + epoch.error().message();
  fence_.set_broker_epoch(epoch.value());
  registered_ = true;
  controller_->startup();
  co_return std::string();
}

// Kafka creates a missing chroot through a client without one, then connects inside it.
asio::awaitable<Status> KafkaServer::create_chroot() {
  coordination::ZooKeeperClient root(io_.get_executor(), zookeeper_config(config_, false));
  Status st = co_await root.connect();
  const std::string& chroot = config_.zookeeper_connect.chroot;
  for (size_t slash = chroot.find('/', 1); st; slash = chroot.find('/', slash + 1)) {
    auto created = co_await root.create(chroot.substr(0, slash), {}, coordination::CreateMode::persistent);
    if (!created && created.error() != coordination::Errc::node_exists) st = created.error();
    if (slash == std::string::npos) break;
  }
  co_await root.close();
  co_return st;
}

coordination::BrokerInfo KafkaServer::broker_info() const {
  coordination::BrokerInfo info;
  info.id = config_.broker_id;
  const auto snapshot = metadata_cache_.snapshot();
  for (const BrokerEndpoint& b : snapshot->brokers) {
    if (b.id != config_.broker_id) continue;
    coordination::EndPoint endpoint;
    endpoint.listener = "PLAINTEXT";
    endpoint.host = b.host;
    endpoint.port = b.port;
    endpoint.security_protocol = "PLAINTEXT";
    info.endpoints.push_back(std::move(endpoint));
  }
  info.timestamp = TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  return info;
}

// Until the controller's first UpdateMetadata, Metadata shows this broker alone.
void KafkaServer::publish_self() {
  const std::vector<Listener>& advertised =
      config_.advertised_listeners.empty() ? config_.listeners : config_.advertised_listeners;
  const std::vector<tcp::endpoint> bound = socket_server_->local_endpoints();
  std::vector<BrokerEndpoint> self;
  if (!advertised.empty() && !bound.empty()) {
    const uint16_t port = advertised.front().port != 0 ? advertised.front().port : bound.front().port();
    self.push_back({.id = config_.broker_id, .host = advertised_host(advertised.front().host), .port = port, .rack = std::nullopt});
  }
  MetadataUpdate update;
  update.brokers = std::move(self);
  metadata_cache_.update_metadata(update);
}

void KafkaServer::on_session_state(coordination::SessionState state) {
  spdlog::info("zookeeper session {}", coordination::to_string(state));
  switch (state) {
    case coordination::SessionState::connected: metrics::zookeeper_sync_connects().inc(); break;
    case coordination::SessionState::disconnected: metrics::zookeeper_disconnects().inc(); break;
    case coordination::SessionState::expired:
      metrics::zookeeper_expires().inc();
      registered_ = false;  // the registration went with the session
      break;
    case coordination::SessionState::auth_failed: break;
  }
  if (state != coordination::SessionState::expired || shutting_down_) return;
  controller_->on_session_expired();
  // Both run on zk_strand_. A second handler running beside the first would reconnect under it
  // and could close the session that holds the registration the first just wrote.
  if (reregistering_) return;
  reregistering_ = true;
  asio::co_spawn(zk_strand_, handle_session_expiry(), log_completion("zookeeper re-registration"));
}

// A new session, the registration again (a new broker epoch), the election again; again if the
// new session expired meanwhile. Until the controller's LeaderAndIsr arrives this broker keeps
// the partition states it had, as Kafka does: a stale leader's ISR writes fail on the zkVersion
// and its high watermark cannot pass what the followers (now fetching elsewhere) have.
asio::awaitable<void> KafkaServer::handle_session_expiry() {
  while (!shutting_down_) {
    const Status reconnected = co_await zk_->reconnect();
    if (reconnected) {
      auto epoch = co_await kafka_zk_->register_broker(broker_info());
      if (epoch) {
        fence_.set_broker_epoch(epoch.value());
        registered_ = true;
        controller_->startup();
        const Status dynamic = co_await dynamic_config_->start();
        if (!dynamic) spdlog::warn("topic config changes not watched: {}", dynamic.error().message());
        // The state is set before the listener hears of it, so an expiry not seen here is
        // handled by a new handle_session_expiry (reregistering_ is cleared with no await between).
        if (zk_->state() != coordination::SessionState::expired) break;
        spdlog::info("zookeeper session expired again during re-registration: once more");
        continue;
      }
      spdlog::warn("re-registration failed: {}", epoch.error().message());
    } else {
      spdlog::warn("zookeeper reconnect failed: {}", reconnected.error().message());
    }
    asio::steady_timer backoff(zk_strand_, kReconnectBackoff);
    co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  reregistering_ = false;
}

ConfigResult<void> KafkaServer::run() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: shutting down", signal);
    shutdown();
  });
  run_io_threads();
  request_pool_->join();
  blocking_.join();
  auto status = logs_->shutdown();
  if (!status) return config_error("log shutdown failed: " + status.error().message());
  spdlog::info("broker {} shut down", config_.broker_id.value());
  return outcome::success();
}

void KafkaServer::shutdown() {
  if (shutting_down_.exchange(true)) return;
  asio::co_spawn(zk_strand_, stop_zookeeper_side(), log_completion("broker shutdown"));
}

// Kafka's order: a controlled shutdown moves leadership away while this broker still serves,
// replication stops, the controller resigns and the session closes, so the other brokers see
// this one leave at once rather than after the session timeout; then the network stops.
asio::awaitable<void> KafkaServer::stop_zookeeper_side() {
  dynamic_config_->stop();
  co_await group_coordinator_->stop();
  offset_manager_->stop();
  if (config_.controlled_shutdown_enable) {
    ControlledShutdownOptions options;
    options.broker_id = config_.broker_id;
    options.max_retries = config_.controlled_shutdown_max_retries;
    options.retry_backoff = std::chrono::milliseconds(config_.controlled_shutdown_retry_backoff_ms);
    (void)co_await controlled_shutdown(*kafka_zk_, options);
  }
  co_await replica_manager_->shutdown_replication();
  co_await controller_->shutdown();
  co_await zk_->close();
  asio::dispatch(signals_.get_executor(), [this] { stop_serving(); });
}

void KafkaServer::stop_serving() {
  socket_server_->stop();
  if (http_server_) http_server_->stop();
  log_tasks_->stop();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
}

// Returns once nothing is left on the io_context: after shutdown() every coroutine ends.
void KafkaServer::run_io_threads() {
  std::vector<std::thread> threads;
  for (int i = 1; i < config_.network_threads(); ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads) thread.join();
}

}  // namespace sluice::broker
