// SocketServer: accepts Kafka clients on every configured listener (Kafka's SocketServer). Each
// listener's acceptor and each accepted connection get their own strand on the shared
// io_context, which the caller runs on its threads.
// Thread-safe: bind() and start_processing() once, then stop() from any thread. Stop closes the acceptors and every
// open connection; once their coroutines end, nothing of the server is left on the io_context,
// so the caller's io threads return from run() and can be joined.
// REQUIRES: the io_context and the handler registry outlive every connection (join the io
// threads before destroying them).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "broker/asio_net.h"
#include "broker/config_result.h"
#include "broker/connection.h"
#include "broker/kafka_config.h"

namespace sluice::broker {

struct SocketServerConfig {
  std::vector<Listener> listeners;
  ConnectionOptions connection;
  int32_t send_buffer_bytes = 102400;     // -1: the OS default
  int32_t receive_buffer_bytes = 102400;  // -1: the OS default

  static SocketServerConfig from(const KafkaConfig& config);
};

class SocketServer {
 public:
  SocketServer(asio::io_context& io, SocketServerConfig config, const HandlerRegistry& registry);
  ~SocketServer();
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  // Binds and listens on every listener, without accepting yet: the broker learns its port (a
  // port 0 listener) before it registers, and clients wait in the backlog until startup is done,
  // as Kafka starts processing requests only at the end of its startup. Fails naming the
  // listener that cannot bind.
  ConfigResult<void> bind();
  // Starts accepting on every bound listener. Once, after bind().
  void start_processing();
  // The bound addresses, in listener order (a port 0 listener shows the port it got).
  [[nodiscard]] std::vector<tcp::endpoint> local_endpoints() const;
  [[nodiscard]] size_t connection_count() const;
  // Stops accepting and closes every connection. Idempotent.
  void stop();

 private:
  struct Shared;
  static asio::awaitable<void> accept_loop(std::shared_ptr<Shared> shared, size_t index);
  static void adopt(const std::shared_ptr<Shared>& shared, tcp::socket socket);

  std::shared_ptr<Shared> shared_;
};

}  // namespace sluice::broker
