#include "broker/socket_server.h"

#include <chrono>
#include <csignal>

#include "broker/spawn.h"

namespace sluice::broker {

using asio::as_tuple;
using asio::use_awaitable;

// Everything the accept loops and connections share; lives until the last of them ends.
struct SocketServer::Shared {
  Shared(asio::io_context& io_context, SocketServerConfig cfg, const HandlerRegistry& handlers)
      : io(io_context), config(std::move(cfg)), registry(handlers) {}

  asio::io_context& io;
  const SocketServerConfig config;
  const HandlerRegistry& registry;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;  // fixed once start() returns
  std::vector<tcp::endpoint> endpoints;
  std::atomic<bool> stopped{false};
  mutable std::mutex mutex;  // guards the fields below
  uint64_t next_id = 0;
  std::map<uint64_t, std::weak_ptr<Connection>> connections;
};

namespace {

ConfigResult<tcp::endpoint> resolve(asio::io_context& io, const Listener& listener) {
  if (listener.host.empty()) return tcp::endpoint(tcp::v4(), listener.port);  // every interface
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(listener.host, ec);
  if (!ec) return tcp::endpoint(address, listener.port);
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(listener.host, std::to_string(listener.port), ec);
  if (ec || results.empty()) {
    return config_error("listeners: cannot resolve " + listener.to_string() + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

ConfigResult<void> open_acceptor(tcp::acceptor& acceptor, const tcp::endpoint& at, const SocketServerConfig& cfg) {
  boost::system::error_code ec;
  acceptor.open(at.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  // As Kafka: the receive buffer is set before bind so the TCP window scale can reflect it.
  if (!ec && cfg.receive_buffer_bytes != -1) {
    acceptor.set_option(asio::socket_base::receive_buffer_size(cfg.receive_buffer_bytes), ec);
  }
  if (!ec) acceptor.bind(at, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return config_error("listeners: cannot listen on " + at.address().to_string() + ":" +
                              std::to_string(at.port()) + ": " + ec.message());
  return outcome::success();
}

void tune(tcp::socket& socket, const SocketServerConfig& cfg) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (cfg.send_buffer_bytes != -1) {
    socket.set_option(asio::socket_base::send_buffer_size(cfg.send_buffer_bytes), ignored);
  }
}

}  // namespace

SocketServerConfig SocketServerConfig::from(const KafkaConfig& config) {
  return SocketServerConfig{.listeners = config.listeners,
                            .connection = {.request_max_bytes = config.socket_request_max_bytes},
                            .send_buffer_bytes = config.socket_send_buffer_bytes,
                            .receive_buffer_bytes = config.socket_receive_buffer_bytes};
}

SocketServer::SocketServer(asio::io_context& io, SocketServerConfig config, const HandlerRegistry& registry)
    : shared_(std::make_shared<Shared>(io, std::move(config), registry)) {}

SocketServer::~SocketServer() { stop(); }

ConfigResult<void> SocketServer::bind() {
  // sendfile(2) has no MSG_NOSIGNAL: a client that hangs up while its fetch response is being
  // sent would raise SIGPIPE and kill the broker. Failed sends must be errors instead.
  std::signal(SIGPIPE, SIG_IGN);
  for (const Listener& listener : shared_->config.listeners) {
    BOOST_OUTCOME_TRY(auto at, resolve(shared_->io, listener));
    auto acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(shared_->io));
    BOOST_OUTCOME_TRY(open_acceptor(*acceptor, at, shared_->config));
    shared_->endpoints.push_back(acceptor->local_endpoint());
    spdlog::info("listening on {} (bound {}:{})", listener.to_string(), at.address().to_string(),
                 shared_->endpoints.back().port());
    shared_->acceptors.push_back(std::move(acceptor));
  }
  return outcome::success();
}

void SocketServer::start_processing() {
  for (size_t i = 0; i < shared_->acceptors.size(); ++i) {
    asio::co_spawn(shared_->acceptors[i]->get_executor(), accept_loop(shared_, i),
                   log_completion("acceptor of " + shared_->config.listeners[i].to_string()));
  }
}

asio::awaitable<void> SocketServer::accept_loop(std::shared_ptr<Shared> shared, size_t index) {
  tcp::acceptor& acceptor = *shared->acceptors[index];
  asio::steady_timer backoff(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(shared->io), as_tuple(use_awaitable));
    if (shared->stopped) co_return;
    if (!ec) {
      adopt(shared, std::move(socket));
      continue;
    }
    if (ec == asio::error::operation_aborted) co_return;
    // Out of descriptors, typically: pause instead of spinning, as Kafka's acceptor does.
    spdlog::warn("accept failed: {}", ec.message());
    backoff.expires_after(std::chrono::milliseconds(100));
    co_await backoff.async_wait(as_tuple(use_awaitable));
  }
}

void SocketServer::adopt(const std::shared_ptr<Shared>& shared, tcp::socket socket) {
  tune(socket, shared->config);
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(shared->mutex);
    const uint64_t id = shared->next_id++;
    // The deleter forgets the connection when its last coroutine lets go of it.
    connection.reset(new Connection(std::move(socket), shared->config.connection, shared->registry),
                     [shared, id](Connection* c) {
                       {
                         std::lock_guard forget_lock(shared->mutex);
                         shared->connections.erase(id);
                       }
                       delete c;
                     });
    shared->connections.emplace(id, connection);
  }
  spdlog::debug("accepted a connection from {}", connection->peer());
  connection->start();
  // stop() sets `stopped` before it collects the connections: either it saw this one, or we see it.
  if (shared->stopped) connection->close_async("the broker is shutting down");
}

std::vector<tcp::endpoint> SocketServer::local_endpoints() const { return shared_->endpoints; }

size_t SocketServer::connection_count() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->connections.size();
}

void SocketServer::stop() {
  if (shared_->stopped.exchange(true)) return;
  for (auto& acceptor : shared_->acceptors) {
    asio::dispatch(acceptor->get_executor(), [shared = shared_, a = acceptor.get()] {
      boost::system::error_code ignored;
      a->close(ignored);
    });
  }
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(shared_->mutex);
    for (const auto& [id, weak] : shared_->connections) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (const auto& connection : open) connection->close_async("the broker is shutting down");
}

}  // namespace sluice::broker
