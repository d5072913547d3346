// Helpers for the ZooKeeper integration tests: an io_context on its own thread, a blocking
// bridge from the test body to coroutines, per-test chroots, and a queue for watch and session
// events.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "client/asio.h"
#include "tests/support/io_thread.h"
#include "tests/support/zookeeper_server.h"
#include "coordination/zookeeper_client.h"

namespace sluice::coordination::testing {

using sluice::testing::ZooKeeperServer;

using namespace std::chrono_literals;

inline Bytes bytes(std::string_view s) {
  const ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}
inline std::string text(const Bytes& b) { return std::string(as_chars(b)); }

// Events delivered on the io thread, awaited from the test body.
template <typename T>
class EventQueue {
 public:
  void push(T value) {
    {
      const std::lock_guard lock(mutex_);
      items_.push_back(std::move(value));
    }
    cv_.notify_all();
  }
  std::optional<T> pop(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [this] { return !items_.empty(); })) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    return value;
  }
  // Pops until `want` arrives; false on timeout.
  bool wait_for(const T& want, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      const auto got = pop(left);
      if (!got) return false;
      if (*got == want) return true;
    }
  }
  size_t size() {
    const std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

using sluice::testing::IoThread;

inline ZooKeeperConfig config_for(const std::string& connect, std::chrono::milliseconds session_timeout = 6s) {
  ZooKeeperConfig config;
  config.connect = connect;
  config.session_timeout = session_timeout;
  config.connection_timeout = 10s;
  return config;
}

// Connects a client, failing the test if it cannot.
inline std::unique_ptr<ZooKeeperClient> connected_client(IoThread& io, ZooKeeperConfig config) {
  auto client = std::make_unique<ZooKeeperClient>(io.executor(), std::move(config));
  const Status st = io.sync(client->connect());
  EXPECT_TRUE(st) << st.error().message();
  return client;
}

// Creates a fresh, unique chroot on `server` and returns its name ("/t<N>").
inline std::string make_chroot(IoThread& io, const ZooKeeperServer& server) {
  static std::atomic<int> counter{0};
  const std::string chroot = "/t" + std::to_string(counter.fetch_add(1)) + "-" + std::to_string(::getpid());
  auto root = connected_client(io, config_for(server.connect_string()));
  const auto created = io.sync(root->create(chroot, {}, CreateMode::persistent));
  EXPECT_TRUE(created) << created.error().message();
  io.sync(root->close());
  return chroot;
}

// One server for a whole test suite (started lazily), one chroot and client per test.
class ZkFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ZooKeeperServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    chroot_ = make_chroot(io_, *server_);
    client_ = connected_client(io_, config());
  }
  void TearDown() override {
    if (client_) io_.sync(client_->close());
  }
  [[nodiscard]] ZooKeeperConfig config() const { return config_for(server_->connect_string(chroot_)); }
  ZooKeeperClient& zk() { return *client_; }

  static inline ZooKeeperServer* server_ = nullptr;
  IoThread io_;
  std::string chroot_;
  std::unique_ptr<ZooKeeperClient> client_;
};

// A Watcher that pushes its one event into `events`.
inline Watcher watch_into(IoThread& io, std::shared_ptr<EventQueue<WatchEvent>> events) {
  return Watcher{io.executor(), [events](WatchEvent e) { events->push(std::move(e)); }};
}

}  // namespace sluice::coordination::testing
