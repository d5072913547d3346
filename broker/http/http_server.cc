#include "broker/http/http_server.h"

#include <atomic>
#include <mutex>

#include <spdlog/spdlog.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include "broker/spawn.h"
#include "protocol/assert.h"

namespace sluice::broker::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::as_tuple;
using asio::use_awaitable;

HttpResponse HttpResponse::text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump();
  r.body.push_back('\n');
  return r;
}

void HttpRouter::add(std::string path, HttpHandler handler) {
  SLUICE_ASSERT(!path.empty() && path.front() == '/', "route '{}' must start with /", path);
  const bool added = routes_.emplace(std::move(path), std::move(handler)).second;
  SLUICE_ASSERT(added, "route registered twice");
}

const HttpHandler* HttpRouter::find(const std::string& path) const {
  auto it = routes_.find(path);
  return it == routes_.end() ? nullptr : &it->second;
}

struct Session {
  explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
};

struct HttpServer::Shared {
  Shared(asio::io_context& io_context, HttpServerConfig cfg, std::shared_ptr<const HttpRouter> r)
      : io(io_context), config(std::move(cfg)), router(std::move(r)), acceptor(asio::make_strand(io_context)) {}

  asio::io_context& io;
  const HttpServerConfig config;
  const std::shared_ptr<const HttpRouter> router;
  tcp::acceptor acceptor;
  tcp::endpoint endpoint;
  std::atomic<bool> stopped{false};
  std::mutex mutex;  // guards the fields below
  uint64_t next_id = 0;
  std::map<uint64_t, std::weak_ptr<Session>> sessions;
};

namespace {

// A Beast read error that deserves an answer before the connection closes; 0: close silently.
int status_for_read_error(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return 400;  // bad method, target, version, header field, chunk...
  }
  return 0;  // EOF, reset, timeout, cancelled
}

std::string reason_text(int status) {
  const auto r = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return std::string(r.data(), r.size());
}

bhttp::response<bhttp::string_body> make_response(const HttpResponse& in, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(in.status), version};
  res.set(bhttp::field::server, "sluice");
  res.set(bhttp::field::content_type, in.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = in.body;
  res.prepare_payload();
  return res;
}

HttpRequest to_request(const bhttp::request<bhttp::string_body>& req) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  const size_t q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) out.query = out.target.substr(q + 1);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  return out;
}

asio::awaitable<HttpResponse> route(const HttpRouter& router, HttpRequest request) {
  const HttpHandler* handler = router.find(request.path);
  if (handler == nullptr) co_return HttpResponse::text(404, "not found: " + request.path + "\n");
  if (request.method != "GET") co_return HttpResponse::text(405, "method not allowed: only GET\n");
  co_return co_await (*handler)(std::move(request));
}

asio::awaitable<void> serve(std::shared_ptr<HttpServer::Shared> shared, std::shared_ptr<Session> session) {
  const HttpServerConfig& cfg = shared->config;
  beast::flat_buffer buffer(cfg.header_limit + cfg.body_limit);
  while (!shared->stopped) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(cfg.header_limit));
    parser.body_limit(cfg.body_limit);
    session->stream.expires_after(cfg.read_timeout);
    auto [ec, n] = co_await bhttp::async_read(session->stream, buffer, parser, as_tuple(use_awaitable));
    if (ec) {
      const int status = status_for_read_error(ec);
      if (status != 0) {
        spdlog::debug("http: {} for a bad request: {}", status, ec.message());
        auto res = make_response(HttpResponse::text(status, reason_text(status) + ": " + ec.message() + "\n"), 11,
                                 false);
        session->stream.expires_after(cfg.write_timeout);
        co_await bhttp::async_write(session->stream, res, as_tuple(use_awaitable));
      }
      break;
    }
    const bhttp::request<bhttp::string_body>& req = parser.get();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    HttpResponse response = co_await route(*shared->router, to_request(req));
    auto res = make_response(response, version, keep_alive && !shared->stopped);
    session->stream.expires_after(cfg.write_timeout);
    auto [write_ec, m] = co_await bhttp::async_write(session->stream, res, as_tuple(use_awaitable));
    if (write_ec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  session->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  session->stream.close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::Shared> shared) {
  while (!shared->stopped) {
    auto [ec, socket] = co_await shared->acceptor.async_accept(asio::make_strand(shared->io), as_tuple(use_awaitable));
    if (ec) {
      if (shared->stopped || ec == asio::error::operation_aborted) break;
      spdlog::warn("http: accept failed: {}", ec.message());
      continue;
    }
    auto session = std::make_shared<Session>(std::move(socket));
    uint64_t id = 0;
    {
      std::lock_guard lock(shared->mutex);
      if (shared->stopped) break;
      id = shared->next_id++;
      shared->sessions.emplace(id, session);
    }
    const auto executor = session->stream.get_executor();
    asio::co_spawn(executor, serve(shared, session),
                   [shared, id, log = log_completion("http connection")](std::exception_ptr e) {
                     log(e);
                     std::lock_guard lock(shared->mutex);
                     shared->sessions.erase(id);
                   });
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpServerConfig config, std::shared_ptr<const HttpRouter> router)
    : shared_(std::make_shared<Shared>(io, std::move(config), std::move(router))) {}

HttpServer::~HttpServer() { stop(); }

ConfigResult<void> HttpServer::bind() {
  const HttpServerConfig& cfg = shared_->config;
  boost::system::error_code ec;
  const std::string host = cfg.host.empty() ? std::string("0.0.0.0") : cfg.host;
  const std::string where = host + ":" + std::to_string(cfg.port);
  tcp::endpoint at;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    at = tcp::endpoint(address, cfg.port);
  } else {
    tcp::resolver resolver(shared_->io);
    const auto results = resolver.resolve(host, std::to_string(cfg.port), ec);
    if (ec || results.empty()) return config_error("http.listener: cannot resolve " + where + ": " + ec.message());
    at = results.begin()->endpoint();
  }
  tcp::acceptor& acceptor = shared_->acceptor;
  acceptor.open(at.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(at, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return config_error("http.listener: cannot listen on " + where + ": " + ec.message());
  shared_->endpoint = acceptor.local_endpoint(ec);
  return outcome::success();
}

void HttpServer::start() {
  asio::co_spawn(shared_->acceptor.get_executor(), accept_loop(shared_), log_completion("http accept loop"));
}

tcp::endpoint HttpServer::local_endpoint() const { return shared_->endpoint; }

void HttpServer::stop() {
  if (shared_->stopped.exchange(true)) return;
  asio::dispatch(shared_->acceptor.get_executor(), [shared = shared_] {
    boost::system::error_code ignored;
    shared->acceptor.close(ignored);
  });
  std::lock_guard lock(shared_->mutex);
  for (auto& [id, weak] : shared_->sessions) {
    if (auto session = weak.lock()) {
      asio::dispatch(session->stream.get_executor(), [session] { session->stream.close(); });
    }
  }
}

}  // namespace sluice::broker::http
