// InFlightLimit: a counting semaphore for coroutines on any thread, bounding the ZooKeeper
// requests in flight (Kafka's zookeeper.max.in.flight.requests). Waiters resume in FIFO order
// on their own executors.
// Built on a concurrent_channel whose buffer holds one message per permit taken: acquiring sends
// (waiting while the buffer is full), releasing receives one. Thread-safe.
#pragma once

#include <cstddef>

#include "client/asio.h"

namespace sluice::coordination {

class InFlightLimit {
 public:
  // REQUIRES: limit > 0.
  InFlightLimit(asio::any_io_executor executor, size_t limit) : permits_(std::move(executor), limit) {}

  // A taken permit; gives it back when destroyed.
  class [[nodiscard]] Permit {
   public:
    explicit Permit(InFlightLimit* owner) : owner_(owner) {}
    Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Permit& operator=(Permit&&) = delete;
    ~Permit() {
      if (owner_ != nullptr) owner_->release();
    }

   private:
    InFlightLimit* owner_;
  };

  // Waits for a free permit.
  asio::awaitable<Permit> acquire() {
    co_await permits_.async_send(boost::system::error_code{}, asio::as_tuple(asio::use_awaitable));
    co_return Permit(this);
  }

 private:
  void release() { permits_.try_receive([](boost::system::error_code) {}); }

  asio::experimental::concurrent_channel<void(boost::system::error_code)> permits_;
};

}  // namespace sluice::coordination
