#include "coordination/zk_bridge.h"

#include <spdlog/spdlog.h>

#include "protocol/assert.h"

#include <optional>
#include <string>
#include <vector>

namespace sluice::coordination {

std::atomic<RequestLatencyObserver> request_latency_observer{nullptr};

void set_request_latency_observer(RequestLatencyObserver observer) { request_latency_observer.store(observer); }

Errc errc_from_zoo(int rc) {
  switch (rc) {
    case ZNONODE: return Errc::no_node;
    case ZNODEEXISTS: return Errc::node_exists;
    case ZBADVERSION: return Errc::bad_version;
    case ZNOTEMPTY: return Errc::not_empty;
    case ZNOCHILDRENFOREPHEMERALS: return Errc::no_children_for_ephemerals;
    case ZNOAUTH:
    case ZAUTHFAILED: return Errc::no_auth;
    case ZCONNECTIONLOSS: return Errc::connection_loss;
    case ZSESSIONEXPIRED: return Errc::session_expired;
    case ZOPERATIONTIMEOUT: return Errc::operation_timeout;
    case ZINVALIDSTATE: return Errc::invalid_state;
    case ZBADARGUMENTS: return Errc::bad_arguments;
    case ZMARSHALLINGERROR: return Errc::marshalling_error;
    case ZCLOSING: return Errc::closing;
    case ZRUNTIMEINCONSISTENCY: return Errc::runtime_inconsistency;
    default:
      spdlog::warn("zookeeper: unexpected return code {} ({})", rc, zerror(rc));
      return Errc::other;
  }
}

ZNodeStat to_stat(const Stat& stat) {
  return ZNodeStat{
      .version = ZkVersion(stat.version),
      .czxid = stat.czxid,
      .mzxid = stat.mzxid,
      .ctime_ms = stat.ctime,
      .mtime_ms = stat.mtime,
      .ephemeral_owner = stat.ephemeralOwner,
      .data_length = stat.dataLength,
      .num_children = stat.numChildren,
      .cversion = stat.cversion,
  };
}

int zoo_create_mode(CreateMode mode) {
  switch (mode) {
    case CreateMode::persistent: return ZOO_PERSISTENT;
    case CreateMode::ephemeral: return ZOO_EPHEMERAL;
    case CreateMode::persistent_sequential: return ZOO_PERSISTENT_SEQUENTIAL;
    case CreateMode::ephemeral_sequential: return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  SLUICE_ASSERT(false, "bad CreateMode {}", static_cast<int>(mode));
}

Result<ZooBuffer> zoo_buffer(const Bytes& bytes) {
  if (bytes.empty()) return ZooBuffer{};
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return Errc::bad_arguments;
  return ZooBuffer{reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())};
}

// A ZMARSHALLINGERROR in a callback means the C client ran out of memory decoding a reply:
// nothing sensible can follow (STYLE.md §5).
static void check_not_marshalling(int rc) {
  SLUICE_ASSERT(rc != ZMARSHALLINGERROR, "zookeeper: marshalling error in a completion (out of memory)");
}

void on_create(int rc, const char* path, const void* data) {
  auto op = adopt_op<PendingOp<std::string>>(data);
  check_not_marshalling(rc);
  op->complete(rc == ZOK ? Result<std::string>(std::string(path)) : zoo_error(rc));
}

void on_get_data(int rc, const char* value, int length, const Stat* stat, const void* data) {
  auto op = adopt_op<PendingOp<NodeData>>(data);
  check_not_marshalling(rc);
  if (rc != ZOK) {
    op->watch.drop();  // a data watch is armed only on success
    op->complete(zoo_error(rc));
    return;
  }
  const auto* bytes = reinterpret_cast<const std::byte*>(value);
  Bytes copy = value != nullptr && length > 0 ? Bytes(bytes, bytes + length) : Bytes{};
  op->complete(NodeData{std::move(copy), to_stat(*stat)});
}

void on_set_data(int rc, const Stat* stat, const void* data) {
  auto op = adopt_op<PendingOp<ZNodeStat>>(data);
  check_not_marshalling(rc);
  op->complete(rc == ZOK ? Result<ZNodeStat>(to_stat(*stat)) : zoo_error(rc));
}

void on_remove(int rc, const void* data) {
  auto op = adopt_op<PendingOp<void>>(data);
  check_not_marshalling(rc);
  op->complete(rc == ZOK ? ok() : Status(zoo_error(rc)));
}

void on_exists(int rc, const Stat* stat, const void* data) {
  auto op = adopt_op<PendingOp<std::optional<ZNodeStat>>>(data);
  check_not_marshalling(rc);
  if (rc == ZOK) {
    op->complete(std::optional<ZNodeStat>(to_stat(*stat)));
  } else if (rc == ZNONODE) {  // an exists watch is armed on an absent znode too
    op->complete(std::optional<ZNodeStat>());
  } else {
    op->watch.drop();
    op->complete(zoo_error(rc));
  }
}

void on_get_children(int rc, const String_vector* children, const Stat* /*stat*/, const void* data) {
  auto op = adopt_op<PendingOp<std::vector<std::string>>>(data);
  check_not_marshalling(rc);
  if (rc != ZOK) {
    op->watch.drop();
    op->complete(zoo_error(rc));
    return;
  }
  std::vector<std::string> names;
  names.reserve(static_cast<size_t>(children->count));
  for (int32_t i = 0; i < children->count; ++i) names.emplace_back(children->data[i]);
  op->complete(std::move(names));
}

}  // namespace sluice::coordination
