#include "broker/delayed_operation.h"

namespace sluice::broker {

DelayedOperation::DelayedOperation(asio::any_io_executor executor, std::chrono::milliseconds timeout)
    : executor_(std::move(executor)),
      timeout_(timeout),
      expiry_(executor_),
      wake_(executor_, asio::steady_timer::time_point::max()) {}

bool DelayedOperation::force_complete() {
  bool expected = false;
  if (!completed_.compare_exchange_strong(expected, true)) return false;
  on_complete();
  // The wake-up happens on the strand, where wait() checks woken_: no lost notification.
  asio::post(executor_, [self = shared_from_this()] {
    self->woken_ = true;
    self->expiry_.cancel();
    self->wake_.cancel();
  });
  return true;
}

void DelayedOperation::start_timer() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    if (self->woken_) return;
    self->expiry_.expires_after(self->timeout_);
    self->expiry_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->expire();
    });
  });
}

void DelayedOperation::expire() {
  // As Kafka: on_complete, then on_expiration; both run here on the strand before the wake-up
  // that force_complete posted, so the waiter sees their effects.
  if (force_complete()) on_expiration();
}

asio::awaitable<void> DelayedOperation::wait() {
  auto self = shared_from_this();
  while (!woken_) co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace sluice::broker
