// ZkClient: ZooKeeper as coroutines (STYLE.md §5). ZooKeeperClient implements it on the C
// client; KafkaZkClient gives the znodes Kafka's meaning on top. It is also the fault-injection
// seam for code above coordination/, though our tests use a real ZooKeeper.
//
// Every call may be made from any thread; its coroutine resumes on the caller's executor.
// Paths are absolute and relative to the connect string's chroot, if any.
// Every operation may fail with Errc::connection_loss (outcome unknown: a write may have been
// applied), Errc::session_expired (reconnect and re-register) or Errc::operation_timeout.
//
// Watches are one-shot (see Watcher in zk_types.h): a watch fires once, then must be re-armed by
// another read with a Watcher. A data watch (get_data) fires on data_changed or deleted, an exists
// watch also on created, a children watch on children_changed or deleted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/asio.h"
#include "coordination/errc.h"
#include "coordination/zk_types.h"
#include "protocol/result.h"

namespace sluice::coordination {

class ZkClient {
 public:
  virtual ~ZkClient() = default;

  // Returns the created path: `path`, plus a 10-digit counter for sequential modes.
  // Fails with node_exists, no_node (no parent), no_children_for_ephemerals.
  virtual asio::awaitable<Result<std::string>> create(std::string path, Bytes data, CreateMode mode) = 0;

  // Fails with no_node; then no watch is armed.
  virtual asio::awaitable<Result<NodeData>> get_data(std::string path) = 0;
  virtual asio::awaitable<Result<NodeData>> get_data(std::string path, Watcher watcher) = 0;

  // Writes if the znode's version is `expected` (or kMatchAnyVersion); returns the new Stat.
  // Fails with no_node, bad_version.
  virtual asio::awaitable<Result<ZNodeStat>> set_data(std::string path, Bytes data, ZkVersion expected) = 0;

  // Fails with no_node, bad_version, not_empty.
  virtual asio::awaitable<Status> remove(std::string path, ZkVersion expected) = 0;

  // nullopt when absent. The watch variant arms the watch either way (then `created` can fire).
  virtual asio::awaitable<Result<std::optional<ZNodeStat>>> exists(std::string path) = 0;
  virtual asio::awaitable<Result<std::optional<ZNodeStat>>> exists(std::string path, Watcher watcher) = 0;

  // Child names (not paths), in no particular order. Fails with no_node; then no watch is armed.
  virtual asio::awaitable<Result<std::vector<std::string>>> get_children(std::string path) = 0;
  virtual asio::awaitable<Result<std::vector<std::string>>> get_children(std::string path,
                                                                         Watcher watcher) = 0;

  // Applies all ops or none (a ZooKeeper transaction). The Result's error is for a multi the
  // server never decided (connection loss, expiry, bad arguments); a rejected one is a
  // MultiResult with !committed().
  virtual asio::awaitable<Result<MultiResult>> multi(std::vector<ZkOp> ops) = 0;

  // Replaces the listener for session state changes (connected, disconnected, expired).
  virtual void set_session_listener(SessionListener listener) = 0;

  // The current session's id (the ephemeral_owner of its ephemerals); 0 when not connected.
  [[nodiscard]] virtual int64_t session_id() const = 0;
};

}  // namespace sluice::coordination
