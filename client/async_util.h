// Small coroutine tools shared by the client's classes: a wake-all Signal, strand hops and the
// logging completion every co_spawn gets (STYLE.md §3, §4).
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "client/asio.h"

namespace sluice::client {

using Clock = std::chrono::steady_clock;

// Signal: coroutines wait for "something changed"; notify() wakes every waiter at once.
// Each waiter registers its own timer (expiring at its deadline) before suspending, so a
// notify() can't fall between a waiter's check of its condition and its wait. Waiters re-check
// their condition after waking. Owner: one strand; not thread-safe.
class Signal {
 public:
  explicit Signal(asio::any_io_executor executor) : executor_(std::move(executor)) {}
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  void notify() {
    for (asio::steady_timer* waiter : waiters_) waiter->cancel();
  }

  // Waits for notify() or until `deadline`, whichever comes first.
  asio::awaitable<void> wait_until(Clock::time_point deadline) {
    asio::steady_timer timer(executor_, deadline);
    waiters_.push_back(&timer);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    std::erase(waiters_, &timer);
  }

 private:
  asio::any_io_executor executor_;
  std::vector<asio::steady_timer*> waiters_;
};

// Sleeps for `d` on the current executor.
inline asio::awaitable<void> sleep_for(Clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The completion for a detached co_spawn: an escaped exception is a bug, logged with its task.
struct LogCompletion {
  std::string_view task;
  void operator()(const std::exception_ptr& e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("client task {} failed: {}", task, ex.what());
    }
  }
};

namespace detail {
template <typename T>
asio::awaitable<std::optional<T>> wrap_optional(asio::awaitable<T> task) {
  co_return co_await std::move(task);
}
}  // namespace detail

namespace detail {
// REQUIRES: touched only on its strand.
template <typename T>
struct GatherState {
  GatherState(const asio::any_io_executor& strand, size_t n) : results(n), remaining(n), done(strand) {}
  std::vector<std::optional<T>> results;
  size_t remaining;
  std::exception_ptr error;
  Signal done;
};

template <typename T>
asio::awaitable<void> wait_all(std::shared_ptr<GatherState<T>> state) {
  while (state->remaining > 0) co_await state->done.wait_until(Clock::time_point::max());
}
}  // namespace detail

// Runs coroutines concurrently and returns their results in the order given (Redpanda's produce
// handler dispatches a request's partitions this way and keeps their order). The tasks start in
// that order on a strand made for the call, and hop wherever they need (a partition's strand), so
// tasks that each first post to one strand post there in order; the caller resumes on its own
// executor once every task finished. An exception in a task is rethrown after all finished.
template <typename T>
asio::awaitable<std::vector<T>> gather(std::vector<asio::awaitable<T>> tasks) {
  std::vector<T> out;
  out.reserve(tasks.size());
  if (tasks.size() <= 1) {
    for (auto& task : tasks) out.push_back(co_await std::move(task));
    co_return out;
  }
  const asio::any_io_executor strand = asio::make_strand(co_await asio::this_coro::executor);
  auto state = std::make_shared<detail::GatherState<T>>(strand, tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(strand, detail::wrap_optional(std::move(tasks[i])),
                   asio::bind_executor(strand, [state, i](std::exception_ptr e, std::optional<T> value) {
                     if (e && !state->error) state->error = e;
                     state->results[i] = std::move(value);
                     if (--state->remaining == 0) state->done.notify();
                   }));
  }
  co_await asio::co_spawn(strand, detail::wait_all(state), asio::use_awaitable);
  if (state->error) std::rethrow_exception(state->error);
  for (auto& result : state->results) out.push_back(std::move(*result));
  co_return out;
}

// Runs `task` on `strand` and resumes the caller on its own executor. (co_spawn needs a
// default-constructible result; Result<T> is not, hence the optional.)
template <typename T>
asio::awaitable<T> on_strand(asio::any_io_executor strand, asio::awaitable<T> task) {
  auto result = co_await asio::co_spawn(strand, detail::wrap_optional(std::move(task)), asio::use_awaitable);
  co_return std::move(*result);
}
inline asio::awaitable<void> on_strand(asio::any_io_executor strand, asio::awaitable<void> task) {
  co_await asio::co_spawn(strand, std::move(task), asio::use_awaitable);
}

}  // namespace sluice::client
