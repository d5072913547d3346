// WakeSignal: lets one coroutine sleep until another on the same strand says something changed
// (a condition variable for a strand). A steady_timer that never expires: wait() parks on it,
// notify() cancels the wait. The waiter re-checks its condition after every wake, and because
// checker and notifier share the strand, no notify can fall between the check and the wait.
// Owner: the strand of the executor it was made with; not thread-safe.
#pragma once

#include <chrono>

#include "broker/asio_net.h"

namespace sluice::broker {

class WakeSignal {
 public:
  explicit WakeSignal(const asio::any_io_executor& executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  // REQUIRES: the signal outlives the wait (its owner is kept alive by the waiting coroutine).
  asio::awaitable<void> wait() { co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable)); }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace sluice::broker
