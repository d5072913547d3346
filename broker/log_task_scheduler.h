// LogTaskScheduler: runs the LogManager's periodic work (retention, flushes, checkpoints; Kafka's
// "kafka-log-*" scheduler tasks) every tick. The tasks fsync and delete files, so they run on a
// thread pool, never on an io thread (STYLE.md §4); the timer lives on its own strand.
// One task run at a time: the loop waits for each run before arming the timer again.
// REQUIRES: the scheduler, the pool and the LogManager outlive the io threads and the pool's
// threads (stop, then join both, then destroy).
#pragma once

#include <chrono>

#include "broker/asio_net.h"
#include "storage/log_manager.h"

namespace sluice::broker {

class LogTaskScheduler {
 public:
  LogTaskScheduler(asio::io_context& io, asio::thread_pool& pool, storage::LogManager& logs,
                   std::chrono::milliseconds tick);

  void start();
  // Thread-safe. A run already on the pool finishes; join the pool before LogManager::shutdown.
  void stop();

 private:
  static asio::awaitable<void> loop(LogTaskScheduler* self);
  static asio::awaitable<void> run_due_tasks(storage::LogManager* logs);

  asio::strand<asio::io_context::executor_type> strand_;
  asio::thread_pool& pool_;
  storage::LogManager& logs_;
  std::chrono::milliseconds tick_;
  asio::steady_timer timer_;
  bool stopped_ = false;  // on strand_
};

}  // namespace sluice::broker
