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
  controller_moved,           // a fenced controller write failed its /controller_epoch check: a newer
                              //   controller exists (Kafka's ControllerMovedException); resign
  other,                      // any other ZOO_ERRORS value (logged where it happens)

  // Rejected topic administration (AdminZkClient, topic_validation.h). The broker maps each to
  // the Kafka ErrorCode in brackets; the AdminError that carries it also holds Kafka's message.
  topic_exists,               // [TOPIC_ALREADY_EXISTS 36] the topic exists or is marked for deletion
  invalid_topic,              // [INVALID_TOPIC_EXCEPTION 17] bad name, '.'/'_' collision, or
                              //   partitions added to a topic queued for deletion
  invalid_partitions,         // [INVALID_PARTITIONS 37] count < 1, or not an increase
  invalid_replication_factor, // [INVALID_REPLICATION_FACTOR 38] < 1, or more than the live brokers
  invalid_replica_assignment, // [INVALID_REPLICA_ASSIGNMENT 39] gaps, duplicates, unknown brokers,
                              //   uneven replication factor, wrong number of new partitions
  invalid_config,             // [INVALID_CONFIG 40] unknown topic config name or bad value
  invalid_request,            // [INVALID_REQUEST 42] both a count and an explicit assignment
  reassignment_in_progress,   // [REASSIGNMENT_IN_PROGRESS 60] partitions added during a reassignment
  topic_not_found,            // [UNKNOWN_TOPIC_OR_PARTITION 3]
  topic_marked_for_deletion,  // [NONE] delete of a topic already queued: Kafka's DeleteTopics
                              //   swallows it and waits for the deletion as usual
};

const std::error_category& coordination_category();
inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), coordination_category()}; }

}  // namespace sluice::coordination

template <>
struct std::is_error_code_enum<sluice::coordination::Errc> : std::true_type {};
