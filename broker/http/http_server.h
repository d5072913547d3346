// HttpServer: the broker's small HTTP/1.1 server (Boost.Beast) for /metrics, /health, /ready and
// whatever else registers a route (the web console). GET only; each route is a coroutine
// returning status, content type and body. Keep-alive; a request's header and body are bounded
// (431 / 413), its read and the response's write are timed out, a malformed request gets 400
// and the connection closed, an unknown path 404, another method on a known path 405.
//
// Routes are registered on an HttpRouter before the server starts and read-only afterwards.
// A handler runs on its connection's strand of the broker's io_context; it may hop elsewhere
// (co_spawn onto another strand) but must not block.
// Thread-safe: bind() and start() once, from the owner; stop() from any thread, idempotent; once
// it returned and the connections' coroutines ended, nothing of the server is left on the
// io_context. REQUIRES: the io_context and the router outlive the server's coroutines.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "broker/asio_net.h"
#include "broker/config_result.h"

namespace sluice::broker::http {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // as sent: /path?query
  std::string path;    // the target up to '?'
  std::string query;   // after '?', not decoded
  std::map<std::string, std::string> headers;  // names lower-cased
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;

  static HttpResponse text(int status, std::string body);
  static HttpResponse json(int status, const nlohmann::json& body);
};

using HttpHandler = std::function<asio::awaitable<HttpResponse>(HttpRequest)>;

// Exact paths -> handlers.
class HttpRouter {
 public:
  // REQUIRES: `path` starts with '/' and is not registered yet.
  void add(std::string path, HttpHandler handler);
  [[nodiscard]] const HttpHandler* find(const std::string& path) const;

 private:
  std::map<std::string, HttpHandler, std::less<>> routes_;
};

struct HttpServerConfig {
  std::string host = "127.0.0.1";  // "" or 0.0.0.0: every interface
  uint16_t port = 0;               // 0: a free port (local_endpoint() tells which)
  size_t header_limit = 8 * 1024;  // request line + headers; over it: 431
  size_t body_limit = 64 * 1024;   // over it: 413
  std::chrono::milliseconds read_timeout{30000};   // a whole request, or idle keep-alive
  std::chrono::milliseconds write_timeout{30000};  // a whole response
};

class HttpServer {
 public:
  HttpServer(asio::io_context& io, HttpServerConfig config, std::shared_ptr<const HttpRouter> router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (not accepting yet); fails naming the address.
  ConfigResult<void> bind();
  // Starts accepting. Once, after bind().
  void start();
  [[nodiscard]] tcp::endpoint local_endpoint() const;
  // Stops accepting and closes every connection. Idempotent.
  void stop();

  struct Shared;  // what the accept loop and the connections share (http_server.cc)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace sluice::broker::http
