// IoThread: an io_context run by one background thread for the lifetime of the object, and a
// blocking bridge from a test body to coroutines (on the io thread or on another executor, e.g.
// a client's strand). A coroutine that does not finish within the bound fails the test and
// aborts: a hung test must not hang CI.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <optional>
#include <thread>
#include <type_traits>

#include "client/asio.h"

namespace sluice::testing {

class IoThread {
 public:
  IoThread() : thread_([this] { ctx_.run(); }) {}
  ~IoThread() {
    work_.reset();
    thread_.join();
  }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::any_io_executor executor() { return ctx_.get_executor(); }

  // Starts `task` on `where` (default: the io thread). co_spawn needs a default-constructible
  // result, which Result<T> is not, hence the optional.
  template <typename T>
  std::future<std::optional<T>> spawn(asio::any_io_executor where, asio::awaitable<T> task) {
    return asio::co_spawn(where, as_optional(std::move(task)), asio::use_future);
  }
  std::future<void> spawn(asio::any_io_executor where, asio::awaitable<void> task) {
    return asio::co_spawn(where, std::move(task), asio::use_future);
  }
  template <typename T>
  auto spawn(asio::awaitable<T> task) {
    return spawn(executor(), std::move(task));
  }

  // Runs `task` on `where` (default: the io thread) and blocks until it finishes (at most 60 s).
  template <typename T>
  T sync(asio::any_io_executor where, asio::awaitable<T> task) {
    auto future = spawn(where, std::move(task));
    if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within 60 s";
      std::abort();
    }
    if constexpr (std::is_void_v<T>) {
      future.get();
    } else {
      return std::move(*future.get());
    }
  }
  template <typename T>
  T sync(asio::awaitable<T> task) {
    return sync(executor(), std::move(task));
  }

 private:
  template <typename T>
  static asio::awaitable<std::optional<T>> as_optional(asio::awaitable<T> task) {
    co_return co_await std::move(task);
  }

  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ctx_);
  std::thread thread_;
};

}  // namespace sluice::testing
