#include "coordination/zk_types.h"

#include "coordination/errc.h"
#include "protocol/assert.h"

namespace sluice::coordination {

ZkOp ZkOp::create(std::string path, Bytes data, CreateMode mode) {
  return ZkOp{.type = Type::create, .path = std::move(path), .data = std::move(data), .mode = mode};
}

ZkOp ZkOp::set_data(std::string path, Bytes data, ZkVersion expected) {
  return ZkOp{.type = Type::set_data, .path = std::move(path), .data = std::move(data), .version = expected};
}

ZkOp ZkOp::remove(std::string path, ZkVersion expected) {
  return ZkOp{.type = Type::remove, .path = std::move(path), .data = {}, .version = expected};
}

ZkOp ZkOp::check_version(std::string path, ZkVersion expected) {
  return ZkOp{.type = Type::check_version, .path = std::move(path), .data = {}, .version = expected};
}

size_t MultiResult::failed_op() const {
  SLUICE_ASSERT(!committed(), "failed_op() of a committed multi");
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].error && ops[i].error != Errc::runtime_inconsistency) return i;
  }
  SLUICE_ASSERT(false, "rejected multi without a failed op: {}", error.message());
}

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::connected: return "connected";
    case SessionState::disconnected: return "disconnected";
    case SessionState::expired: return "expired";
    case SessionState::auth_failed: return "auth_failed";
  }
  return "unknown";
}

std::string_view to_string(WatchEventType t) {
  switch (t) {
    case WatchEventType::created: return "created";
    case WatchEventType::deleted: return "deleted";
    case WatchEventType::data_changed: return "data_changed";
    case WatchEventType::children_changed: return "children_changed";
    case WatchEventType::session_expired: return "session_expired";
  }
  return "unknown";
}

}  // namespace sluice::coordination
