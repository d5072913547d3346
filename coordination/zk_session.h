// ZkSession: one zhandle_t (one ZooKeeper session) and the SessionContext its callbacks use.
// Internal to coordination/ (it includes zookeeper.h); ZooKeeperClient owns one at a time.
//
// Threads: the C client calls the watchers on its completion thread. SessionContext's state is
// guarded by its mutex; it only posts onto Asio executors, never runs Asio work itself.
// Lifetime: the handle is closed before the context is destroyed (member order), and
// zookeeper_close blocks, so a ZkSession is destroyed only on the closer thread
// (close_in_background, close_and_wait).
#pragma once

#include <zookeeper/zookeeper.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "client/asio.h"
#include "coordination/zookeeper_client.h"

namespace sluice::coordination {

// The client's session listener, shared by the client's successive sessions.
class ListenerSlot {
 public:
  void set(SessionListener listener);
  // Posts `state` to the listener, if any. Any thread.
  void notify(SessionState state);

 private:
  std::mutex mutex_;
  SessionListener listener_;
};

// Carries session states to connect(); posted into from the ZooKeeper thread.
using StateChannel = asio::experimental::concurrent_channel<void(boost::system::error_code, SessionState)>;

class SessionContext {
 public:
  explicit SessionContext(std::shared_ptr<ListenerSlot> listener) : listener_(std::move(listener)) {}

  // Watches armed through this session, by id (the C client's watcherCtx).
  uint64_t add_watch(Watcher watcher);
  void drop_watch(uint64_t id);
  // Removes the watch and posts `event` to it; ignores an id that already fired or was dropped.
  void fire_watch(uint64_t id, WatchEvent event);

  // From the default watcher: records the state and tells the listener and connect() waiters.
  void on_session_state(SessionState state, std::optional<SessionCredentials> credentials);
  // Sends the current state to `waiter` if it is final for connect(), and every later one.
  void add_state_waiter(std::shared_ptr<StateChannel> waiter);
  void remove_state_waiter(const std::shared_ptr<StateChannel>& waiter);
  // After this, nothing more is posted to listeners or watchers: the client is closing.
  void detach();

  [[nodiscard]] SessionState state() const { return state_.load(); }
  [[nodiscard]] std::optional<SessionCredentials> credentials() const;

 private:
  static void post_state(const std::shared_ptr<StateChannel>& waiter, SessionState state);

  std::shared_ptr<ListenerSlot> listener_;
  std::atomic<SessionState> state_{SessionState::disconnected};
  mutable std::mutex mutex_;
  bool detached_ = false;
  uint64_t next_watch_id_ = 1;
  std::unordered_map<uint64_t, Watcher> watches_;
  std::vector<std::shared_ptr<StateChannel>> state_waiters_;
  std::optional<SessionCredentials> credentials_;
};

struct ZkClose {
  void operator()(zhandle_t* zh) const;
};

struct ZkSession {
  // REQUIRES: listener non-null. Returns nullptr (errno set) if the C client refuses the config.
  static std::unique_ptr<ZkSession> open(const ZooKeeperConfig& config,
                                         std::shared_ptr<ListenerSlot> listener);

  std::unique_ptr<SessionContext> context;  // declared first: outlives the handle
  std::unique_ptr<zhandle_t, ZkClose> handle;
};

// The C client's watcher for every watch armed through ZkClient (watcherCtx = the watch id).
void on_watch_event(zhandle_t* zh, int type, int state, const char* path, void* watcher_ctx);

// Closes `session` on the closer thread (zookeeper_close blocks): never on an io_context.
void close_in_background(std::unique_ptr<ZkSession> session);
// Closes `session` on the closer thread; resumes the caller when it is closed.
asio::awaitable<void> close_and_wait(std::unique_ptr<ZkSession> session);

}  // namespace sluice::coordination
