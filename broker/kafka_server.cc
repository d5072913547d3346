#include "broker/kafka_server.h"

#include <csignal>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/handlers/data_plane_handlers.h"
#include "broker/handlers/handler_list.h"
#include "storage/clock.h"

namespace sluice::broker {
namespace {

// Every LogManager task is due at multiples of its interval; the smallest default is 5 s, and
// flush.ms is honoured to this granularity.
constexpr std::chrono::milliseconds kLogTaskTick{1000};

}  // namespace

KafkaServer::KafkaServer(KafkaConfig config)
    : config_(std::move(config)),
      registry_(make_handler_registry()),
      signals_(asio::make_strand(io_), SIGINT, SIGTERM) {}

KafkaServer::~KafkaServer() {
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
  BOOST_OUTCOME_TRY(server->socket_server_->start());
  server->log_tasks_ =
      std::make_unique<LogTaskScheduler>(server->io_, server->blocking_, *server->logs_, kLogTaskTick);
  server->log_tasks_->start();
  server->register_self();
  spdlog::info("broker {} started with {} io threads", server->config_.broker_id.value(),
               server->config_.io_threads());
  return server;
}

// Without ZooKeeper the broker hosts no partitions until the controller says so; it still
// answers Metadata with itself as the only broker and controller.
void KafkaServer::start_data_plane() {
  replica_manager_ = std::make_unique<ReplicaManager>(
      io_, blocking_, *logs_,
      ReplicaManagerConfig{.broker_id = config_.broker_id, .default_log_config = config_.log_config});
  add_data_plane_handlers(registry_, BrokerServices{.replica_manager = replica_manager_.get(),
                                                    .metadata_cache = &metadata_cache_,
                                                    .topic_creator = nullptr,
                                                    .auto_create_topics_enable = config_.auto_create_topics_enable});
}

void KafkaServer::register_self() {
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
  update.controller_id = config_.broker_id;
  metadata_cache_.update_metadata(update);
}

ConfigResult<void> KafkaServer::run() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: shutting down", signal);
    shutdown();
  });
  run_io_threads();
  blocking_.join();
  auto status = logs_->shutdown();
  if (!status) return config_error("log shutdown failed: " + status.error().message());
  spdlog::info("broker {} shut down", config_.broker_id.value());
  return outcome::success();
}

void KafkaServer::shutdown() {
  asio::dispatch(signals_.get_executor(), [this] {
    socket_server_->stop();
    log_tasks_->stop();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
  });
}

// Returns once nothing is left on the io_context: after shutdown() every coroutine ends.
void KafkaServer::run_io_threads() {
  std::vector<std::thread> threads;
  for (int i = 1; i < config_.io_threads(); ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads) thread.join();
}

}  // namespace sluice::broker
