// DelayedOperation and DelayedOperationPurgatory on a real io_context with real threads:
// completion happens exactly once however try_complete and expiry race, expiry runs
// on_expiration, and the recheck after watching catches a condition that turned true meanwhile.
#include "broker/delayed_operation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "broker/delayed_operation_purgatory.h"

namespace sluice::broker {
namespace {

using std::chrono::milliseconds;

// Completes when `ready` is set; counts its hooks.
class FlagOperation final : public DelayedOperation {
 public:
  FlagOperation(asio::any_io_executor executor, milliseconds timeout, const std::atomic<bool>& ready)
      : DelayedOperation(std::move(executor), timeout), ready_(ready) {}

  bool try_complete() override {
    ++checks;
    return ready_.load() && force_complete();
  }

  std::atomic<int> completions{0};
  std::atomic<int> expirations{0};
  std::atomic<int> checks{0};

 protected:
  void on_complete() override { ++completions; }
  void on_expiration() override { ++expirations; }

 private:
  const std::atomic<bool>& ready_;
};

// Runs `io` on two threads until the returned guard is reset and the work runs out.
class IoThreads {
 public:
  explicit IoThreads(asio::io_context& io) : io_(io), guard_(asio::make_work_guard(io)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~IoThreads() {
    guard_.reset();
    for (auto& t : threads_) t.join();
  }

 private:
  asio::io_context& io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

// Waits for `op` on its strand; the future is ready once wait() returned.
std::future<void> waiter(const std::shared_ptr<DelayedOperation>& op, const asio::any_io_executor& strand) {
  auto run = [](std::shared_ptr<DelayedOperation> o) -> asio::awaitable<void> { co_await o->wait(); };
  return asio::co_spawn(strand, run(op), asio::use_future);
}

const TopicPartition kTp{"t", PartitionId(0)};

TEST(DelayedOperation, ExpiryRunsOnExpirationAfterOnCompleteAndWakesTheWaiter) {
  asio::io_context io;
  IoThreads threads(io);
  auto strand = asio::make_strand(io);
  std::atomic<bool> ready{false};
  DelayedOperationPurgatory purgatory;
  auto op = std::make_shared<FlagOperation>(strand, milliseconds(20), ready);
  EXPECT_FALSE(purgatory.try_complete_else_watch(op, {kTp}));
  std::future<void> done = waiter(op, strand);
  ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(op->completions.load(), 1);
  EXPECT_EQ(op->expirations.load(), 1);
  EXPECT_EQ(purgatory.check_and_complete(kTp), 0) << "an expired operation completes again";
}

TEST(DelayedOperation, CheckAndCompleteWakesTheWaiterWithoutExpiring) {
  asio::io_context io;
  IoThreads threads(io);
  auto strand = asio::make_strand(io);
  std::atomic<bool> ready{false};
  DelayedOperationPurgatory purgatory;
  auto op = std::make_shared<FlagOperation>(strand, milliseconds(60'000), ready);
  EXPECT_FALSE(purgatory.try_complete_else_watch(op, {kTp}));
  std::future<void> done = waiter(op, strand);
  ready = true;
  EXPECT_EQ(purgatory.check_and_complete(kTp), 1);
  ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(op->completions.load(), 1);
  EXPECT_EQ(op->expirations.load(), 0);
  EXPECT_EQ(purgatory.watched(), 0u);
}

TEST(DelayedOperation, CompletesExactlyOnceWhenTryCompleteRacesExpiry) {
  asio::io_context io;
  IoThreads threads(io);
  for (int i = 0; i < 500; ++i) {
    auto strand = asio::make_strand(io);
    std::atomic<bool> not_yet{false};
    auto op = std::make_shared<FlagOperation>(strand, milliseconds(i % 3), not_yet);
    DelayedOperationPurgatory purgatory;
    ASSERT_FALSE(purgatory.try_complete_else_watch(op, {kTp}));
    std::future<void> done = waiter(op, strand);
    // Another thread forces completion while the expiry timer fires.
    std::thread racer([&] { op->force_complete(); });
    purgatory.check_and_complete(kTp);
    racer.join();
    ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    ASSERT_EQ(op->completions.load(), 1) << "iteration " << i;
    ASSERT_LE(op->expirations.load(), 1);
  }
}

// The condition turns true between the first check and the watch: with no append left to call
// check_and_complete, only the recheck after watching can complete it.
class TurnsTrueWhileWatching final : public DelayedOperation {
 public:
  explicit TurnsTrueWhileWatching(asio::any_io_executor executor)
      : DelayedOperation(std::move(executor), milliseconds(60'000)) {}
  bool try_complete() override { return ++checks_ >= 2 && force_complete(); }

 private:
  std::atomic<int> checks_{0};
};

TEST(DelayedOperationPurgatory, RecheckAfterWatchingCatchesAWakeUpThatHappenedMeanwhile) {
  asio::io_context io;
  IoThreads threads(io);
  auto strand = asio::make_strand(io);
  DelayedOperationPurgatory purgatory;
  auto op = std::make_shared<TurnsTrueWhileWatching>(strand);
  EXPECT_TRUE(purgatory.try_complete_else_watch(op, {kTp}));
  std::future<void> done = waiter(op, strand);
  ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(op->is_completed());
}

TEST(DelayedOperationPurgatory, ConcurrentAppendsAndWatchersNeverLoseAWakeUp) {
  asio::io_context io;
  IoThreads threads(io);
  for (int i = 0; i < 300; ++i) {
    auto strand = asio::make_strand(io);
    std::atomic<bool> ready{false};
    DelayedOperationPurgatory purgatory;
    auto op = std::make_shared<FlagOperation>(strand, milliseconds(60'000), ready);
    std::thread appender([&] {
      ready = true;
      purgatory.check_and_complete(kTp);
    });
    purgatory.try_complete_else_watch(op, {kTp});
    appender.join();
    std::future<void> done = waiter(op, strand);
    ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "iteration " << i;
    ASSERT_EQ(op->completions.load(), 1);
    ASSERT_EQ(op->expirations.load(), 0);
  }
}

}  // namespace
}  // namespace sluice::broker
