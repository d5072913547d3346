// ZooKeeperClient: ZkClient on libzookeeper_mt's asynchronous zoo_a* calls (STYLE.md §5), after
// AK:core/src/main/scala/kafka/zookeeper/ZooKeeperClient.scala.
//
// Owner: whoever constructs it; every member may be called from any thread, and coroutines
// resume on the caller's executor. One session (zhandle_t) at a time: connect() opens it,
// reconnect() replaces an expired one, close() (or the destructor) ends it.
// In flight: at most `max_in_flight_requests` operations; more wait for a slot, as in Kafka.
// Crash behaviour: none of its state is persistent; the session's ephemerals vanish with it.
// zookeeper_close blocks, so handles are closed on a background thread, never an io_context.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "client/asio.h"
#include "coordination/zk_client.h"

namespace sluice::coordination {

// What a client needs to rejoin a live session (zookeeper_init's clientid_t).
struct SessionCredentials {
  int64_t id = 0;
  std::array<char, 16> password{};
};

struct ZooKeeperConfig {
  // "host:port[,host:port...][/chroot]". Paths are then relative to the chroot, which must exist.
  std::string connect;
  std::chrono::milliseconds session_timeout{18000};     // zookeeper.session.timeout.ms
  std::chrono::milliseconds connection_timeout{18000};  // zookeeper.connection.timeout.ms
  size_t max_in_flight_requests = 10;                   // zookeeper.max.in.flight.requests
  // Join this session instead of creating one (mainly for tests: closing a second handle on a
  // session expires it for the first, the standard way to force an expiry).
  std::optional<SessionCredentials> resume_session;
};

class ListenerSlot;
class InFlightLimit;
struct ZkSession;

// Called with each ZooKeeper request's round trip in milliseconds (from the call to its answer),
// on the ZooKeeper client's thread: it must be quick and thread-safe. Process-wide; null: none.
using RequestLatencyObserver = void (*)(double ms);
void set_request_latency_observer(RequestLatencyObserver observer);

class ZooKeeperClient final : public ZkClient {
 public:
  // `executor` runs the client's internal waits; operations resume on their callers' executors.
  ZooKeeperClient(asio::any_io_executor executor, ZooKeeperConfig config);
  // Hands an open session to the closer thread and returns at once; pending watches never fire.
  ~ZooKeeperClient() override;
  ZooKeeperClient(const ZooKeeperClient&) = delete;
  ZooKeeperClient& operator=(const ZooKeeperClient&) = delete;

  // Opens the session if none is open and waits until it is connected. Fails with
  // operation_timeout after config.connection_timeout, session_expired, or invalid_state.
  asio::awaitable<Status> connect();
  // Closes the current session (its ephemerals and watches go) and connects a new one. For
  // after Errc::session_expired; the caller then re-creates its ephemerals and watches.
  asio::awaitable<Status> reconnect();
  // Closes the session and waits for zookeeper_close on the closer thread. Idempotent.
  asio::awaitable<void> close();

  // disconnected while no session is open.
  [[nodiscard]] SessionState state() const;
  // The connected session's id and password; nullopt before the first connection.
  [[nodiscard]] std::optional<SessionCredentials> session_credentials() const;

  asio::awaitable<Result<std::string>> create(std::string path, Bytes data, CreateMode mode) override;
  asio::awaitable<Result<NodeData>> get_data(std::string path) override;
  asio::awaitable<Result<NodeData>> get_data(std::string path, Watcher watcher) override;
  asio::awaitable<Result<ZNodeStat>> set_data(std::string path, Bytes data, ZkVersion expected) override;
  asio::awaitable<Status> remove(std::string path, ZkVersion expected) override;
  asio::awaitable<Result<std::optional<ZNodeStat>>> exists(std::string path) override;
  asio::awaitable<Result<std::optional<ZNodeStat>>> exists(std::string path, Watcher watcher) override;
  asio::awaitable<Result<std::vector<std::string>>> get_children(std::string path) override;
  asio::awaitable<Result<std::vector<std::string>>> get_children(std::string path,
                                                                 Watcher watcher) override;
  asio::awaitable<Result<MultiResult>> multi(std::vector<ZkOp> ops) override;
  void set_session_listener(SessionListener listener) override;
  [[nodiscard]] int64_t session_id() const override;

 private:
  // Calls f(ZkSession&) under the session lock and returns its zoo_a* return code; ZINVALIDSTATE
  // when no session is open, ZSESSIONEXPIRED instead of ZINVALIDSTATE once it expired.
  // Defined in zk_bridge.h. f must not block.
  template <typename F>
  int with_session(F&& f);
  std::unique_ptr<ZkSession> take_session();
  Status open_session_if_none();

  asio::any_io_executor executor_;
  const ZooKeeperConfig config_;
  std::shared_ptr<ListenerSlot> listener_;
  std::unique_ptr<InFlightLimit> in_flight_;
  // Guards the session_ pointer: shared while a zoo_a* call uses the handle, exclusive to swap it.
  mutable std::shared_mutex session_mutex_;
  std::unique_ptr<ZkSession> session_;
};

}  // namespace sluice::coordination
