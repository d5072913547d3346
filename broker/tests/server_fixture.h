// An in-process SocketServer on 127.0.0.1, port 0, served by two io threads, with the real
// handler list plus test handlers on keys the broker does not serve yet:
//   Metadata v0-1: answers after (correlation id % 4) * 5 ms, so pipelined requests complete out
//                  of order; the body is the correlation id again (int32).
//   Produce v0-9:  no response (as acks=0), or closes the connection when correlation id < 0.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "broker/asio_net.h"
#include "broker/handlers/handler_list.h"
#include "broker/socket_server.h"

namespace sluice::broker::testing {

// How many delayed_echo handlers run at once, and the most seen: requests of one connection
// must take effect one after another.
struct EchoConcurrency {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
};
inline EchoConcurrency& echo_concurrency() {
  static EchoConcurrency c;
  return c;
}

inline asio::awaitable<Response> delayed_echo(RequestContext ctx) {
  EchoConcurrency& c = echo_concurrency();
  const int now_running = ++c.running;
  for (int most = c.most.load(); now_running > most && !c.most.compare_exchange_weak(most, now_running);) {
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(std::chrono::milliseconds((ctx.correlation_id() % 4) * 5));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  Bytes frame(12);
  store_be<int32_t>(frame.data(), 8);
  store_be<int32_t>(frame.data() + 4, ctx.correlation_id());
  store_be<int32_t>(frame.data() + 8, ctx.correlation_id());
  --c.running;
  co_return Response::send(std::move(frame));
}

inline asio::awaitable<Response> silent(RequestContext ctx) {
  co_return ctx.correlation_id() < 0 ? Response::close("test handler asked to close") : Response::none();
}

inline HandlerRegistry test_registry() {
  HandlerRegistry registry = make_handler_registry();
  registry.add({.key = protocol::ApiKey::metadata, .min_version = 0, .max_version = 1, .fn = delayed_echo});
  registry.add({.key = protocol::ApiKey::produce, .min_version = 0, .max_version = 9, .fn = silent});
  return registry;
}

inline SocketServerConfig loopback_config() {
  SocketServerConfig config;
  config.listeners = {Listener{.security_protocol = "PLAINTEXT", .host = "127.0.0.1", .port = 0}};
  return config;
}

class ServerFixture {
 public:
  explicit ServerFixture(SocketServerConfig config = loopback_config(), bool with_test_handlers = true)
      : registry_(with_test_handlers ? test_registry() : make_handler_registry()),
        server_(io_, std::move(config), registry_) {
    auto bound = server_.bind();
    EXPECT_TRUE(bound) << (bound ? "" : bound.error().message);
    if (bound) server_.start_processing();
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        ++finished_;
      });
    }
  }

  // Stops the server and requires the io threads to run out of work: nothing may be left behind.
  ~ServerFixture() {
    server_.stop();
    guard_.reset();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (finished_ < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(finished_.load(), 2) << "the server left work on the io_context after stop()";
    EXPECT_EQ(server_.connection_count(), 0u);
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }

  [[nodiscard]] uint16_t port() const { return server_.local_endpoints().at(0).port(); }
  SocketServer& server() { return server_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  HandlerRegistry registry_;
  SocketServer server_;
  std::atomic<int> finished_{0};
  std::vector<std::thread> threads_;
};

}  // namespace sluice::broker::testing
