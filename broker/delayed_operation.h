// DelayedOperation: a request that waits for a condition (enough bytes to fetch, the high
// watermark past a produce) or its timeout, as Kafka's DelayedOperation. Completion happens
// exactly once: whichever of try_complete (condition met), the expiry timer or force_complete
// wins the compare-and-swap on completed_ runs on_complete; the expiry path runs on_expiration
// first. The waiting handler coroutine awaits wait(), which returns after on_complete.
//
// Owner: the handler that created it, on its strand (`executor`), where the expiry timer and
// the wake-up run. try_complete may be called from any thread (partition strands after an
// append), so subclasses keep their condition inputs thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "broker/asio_net.h"

namespace sluice::broker {

class DelayedOperation : public std::enable_shared_from_this<DelayedOperation> {
 public:
  // REQUIRES: `executor` is a strand (the waiting coroutine's).
  DelayedOperation(asio::any_io_executor executor, std::chrono::milliseconds timeout);
  virtual ~DelayedOperation() = default;
  DelayedOperation(const DelayedOperation&) = delete;
  DelayedOperation& operator=(const DelayedOperation&) = delete;

  // Checks the condition; completes (and returns true) when it holds. Thread-safe.
  virtual bool try_complete() = 0;
  // Completes now unless already completed; true when this call completed it. Thread-safe.
  bool force_complete();
  [[nodiscard]] bool is_completed() const { return completed_.load(); }
  // Arms the expiry timer. Call once, after the operation is watched.
  void start_timer();
  // Returns once the operation completed. REQUIRES: called on the executor's strand, once.
  asio::awaitable<void> wait();

 protected:
  // Hooks, each run at most once, on whichever thread completed the operation.
  virtual void on_complete() {}
  virtual void on_expiration() {}

 private:
  void expire();

  asio::any_io_executor executor_;
  std::chrono::milliseconds timeout_;
  asio::steady_timer expiry_;  // on executor_
  asio::steady_timer wake_;    // on executor_; cancelled when completed
  bool woken_ = false;         // on executor_
  std::atomic<bool> completed_{false};
};

}  // namespace sluice::broker
