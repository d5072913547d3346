// coordination::Errc: expected failures of ZooKeeper operations, returned as std::error_code in
// Result<T>. Mapped from the C client's ZOO_ERRORS by ZooKeeperClient (zk_bridge.cc); the broker
// maps them to Kafka ErrorCodes at its edge.
#pragma once

#include <system_error>

namespace sluice::coordination {

enum class Errc {
  no_node = 1,                // ZNONODE: the znode (or, for create, its parent) does not exist
  node_exists,                // ZNODEEXISTS
  bad_version,                // ZBADVERSION: a conditional write lost to another writer
  not_empty,                  // ZNOTEMPTY: delete of a znode that has children
  no_children_for_ephemerals, // ZNOCHILDRENFOREPHEMERALS
  no_auth,                    // ZNOAUTH: the ACL forbids the operation
  connection_loss,            // ZCONNECTIONLOSS: outcome unknown; the session may still be alive
  session_expired,            // ZSESSIONEXPIRED, or any call after expiry: reconnect() and re-register
  operation_timeout,          // ZOPERATIONTIMEOUT, or connect() gave up waiting
  invalid_state,              // ZINVALIDSTATE: the handle is closed or failed authentication
  bad_arguments,              // ZBADARGUMENTS: e.g. a path that is not absolute
  marshalling_error,          // ZMARSHALLINGERROR: the C client could not encode (out of memory)
  closing,                    // ZCLOSING: the handle was closed with the request in flight
  runtime_inconsistency,      // ZRUNTIMEINCONSISTENCY: a multi op rolled back by another op's failure
  corrupt_data,               // a Kafka znode whose payload does not parse as the expected JSON
  other,                      // any other ZOO_ERRORS value (logged where it happens)
};

const std::error_category& coordination_category();
inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), coordination_category()}; }

}  // namespace sluice::coordination

template <>
struct std::is_error_code_enum<sluice::coordination::Errc> : std::true_type {};
