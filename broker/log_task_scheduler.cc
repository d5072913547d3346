#include "broker/log_task_scheduler.h"

#include <spdlog/spdlog.h>

#include "broker/spawn.h"

namespace sluice::broker {

LogTaskScheduler::LogTaskScheduler(asio::io_context& io, asio::thread_pool& pool, storage::LogManager& logs,
                                   std::chrono::milliseconds tick)
    : strand_(asio::make_strand(io)), pool_(pool), logs_(logs), tick_(tick), timer_(strand_) {}

void LogTaskScheduler::start() { asio::co_spawn(strand_, loop(this), log_completion("log task scheduler")); }

void LogTaskScheduler::stop() {
  asio::dispatch(strand_, [this] {
    stopped_ = true;
    timer_.cancel();
  });
}

asio::awaitable<void> LogTaskScheduler::loop(LogTaskScheduler* self) {
  while (!self->stopped_) {
    self->timer_.expires_after(self->tick_);
    co_await self->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (self->stopped_) break;
    co_await asio::co_spawn(self->pool_, run_due_tasks(&self->logs_), asio::use_awaitable);
  }
}

asio::awaitable<void> LogTaskScheduler::run_due_tasks(storage::LogManager* logs) {
  // A failing task has already taken its dir offline and logged why; the rest keep running.
  if (auto status = logs->run_due_tasks(); !status) {
    spdlog::warn("periodic log tasks: {}", status.error().message());
  }
  co_return;
}

}  // namespace sluice::broker
