// Values exchanged with ZkClient: znode metadata, multi ops, watch and session events. Free of
// zookeeper.h so that every module above coordination/ can use them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "client/asio.h"
#include "protocol/bytes.h"
#include "protocol/types.h"

namespace sluice::coordination {

// ZooKeeper's "any version" for conditional writes (Kafka's ZkVersion.MatchAnyVersion).
inline constexpr ZkVersion kMatchAnyVersion{-1};

enum class CreateMode { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

// ZooKeeper's Stat, the parts Kafka reads. Times are epoch milliseconds on the server's clock.
struct ZNodeStat {
  ZkVersion version;           // data version: 0 on create, +1 per set_data
  int64_t czxid = 0;           // zxid of the create; Kafka's broker epoch for /brokers/ids/<id>
  int64_t mzxid = 0;           // zxid of the last set_data
  int64_t ctime_ms = 0;
  int64_t mtime_ms = 0;
  int64_t ephemeral_owner = 0; // the owning session id; 0 for a persistent znode
  int32_t data_length = 0;
  int32_t num_children = 0;
  int32_t cversion = 0;        // children version
};

struct NodeData {
  Bytes data;
  ZNodeStat stat;
};

// One operation of a multi (ZooKeeper transaction).
struct ZkOp {
  enum class Type { create, set_data, remove, check_version };
  Type type = Type::check_version;
  std::string path;
  Bytes data;                         // create, set_data
  CreateMode mode = CreateMode::persistent;  // create
  ZkVersion version = kMatchAnyVersion;      // set_data, remove, check_version

  static ZkOp create(std::string path, Bytes data, CreateMode mode);
  static ZkOp set_data(std::string path, Bytes data, ZkVersion expected);
  static ZkOp remove(std::string path, ZkVersion expected);
  static ZkOp check_version(std::string path, ZkVersion expected);
};

// The result of one op of a multi. `error` is empty for an applied op.
struct OpResult {
  std::error_code error;
  std::string created_path;          // create: the created path (with sequence suffix)
  std::optional<ZNodeStat> stat;     // set_data: the znode's new Stat
};

// The verdict of a multi the server decided on. Either every op was applied (`error` empty), or
// none was: then `error` is the first failing op's error and `ops[failed_op()]` is that op; the
// other ops report success (before it) or Errc::runtime_inconsistency (after it).
struct MultiResult {
  std::error_code error;
  std::vector<OpResult> ops;

  [[nodiscard]] bool committed() const { return !error; }
  // REQUIRES: !committed().
  [[nodiscard]] size_t failed_op() const;
};

// A one-shot watch fires with one of these. Node events say only what happened: re-read the znode
// (and re-arm the watch) to learn its state, as Kafka does.
enum class WatchEventType {
  created,           // exists() watch on an absent znode
  deleted,
  data_changed,
  children_changed,
  session_expired,   // the session died with the watch armed; re-arm after reconnect()
};

struct WatchEvent {
  WatchEventType type;
  std::string path;  // relative to the chroot, like every path

  bool operator==(const WatchEvent&) const = default;
};

// Arms a watch: `on_event` runs once, on `executor`, for the first of: the matching node event or
// the session's expiry. Then the watch is gone; re-arm it with another read. A watch left armed
// when the client is closed (or reconnect() replaces the session) never fires.
struct Watcher {
  asio::any_io_executor executor;
  std::function<void(WatchEvent)> on_event;
};

// Session state changes, as the default watcher sees them.
enum class SessionState {
  connected,     // (re)connected; the session and its ephemerals and watches are intact
  disconnected,  // connection lost, the client is reconnecting; the session may yet survive
  expired,       // the session is gone with its ephemerals and watches: reconnect()
  auth_failed,
};

// Receives every session state change, in order, on `executor`.
struct SessionListener {
  asio::any_io_executor executor;
  std::function<void(SessionState)> on_state;
};

std::string_view to_string(SessionState s);
std::string_view to_string(WatchEventType t);

}  // namespace sluice::coordination
