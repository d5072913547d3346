// ErrorCode: the int16 error codes of the Kafka protocol, with Kafka 2.8's numbers
// (AK:clients/src/main/java/org/apache/kafka/common/protocol/Errors.java; wire-protocol.md §9).
// Enumerators are Kafka's names lower-cased. 99 is unused in Kafka 2.8.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::protocol {

enum class ErrorCode : int16_t {
  unknown_server_error = -1,                   // an unexpected failure on the server
  none = 0,                                    // success
  offset_out_of_range = 1,                     // the requested offset is outside the log's range
  corrupt_message = 2,                         // a record batch failed its CRC or is malformed
  unknown_topic_or_partition = 3,              // the topic or partition does not exist on this broker
  invalid_fetch_size = 4,                      // the requested fetch size is invalid
  leader_not_available = 5,                    // the partition has no leader yet (e.g. just created)
  not_leader_or_follower = 6,                  // this broker is not the leader (or a follower) for the partition
  request_timed_out = 7,                       // the request did not complete within its timeout
  broker_not_available = 8,                    // the broker is not available
  replica_not_available = 9,                   // a replica is not available
  message_too_large = 10,                      // a batch is larger than the allowed maximum
  stale_controller_epoch = 11,                 // the controller epoch is older than the broker's
  offset_metadata_too_large = 12,              // committed offset metadata is too large
  network_exception = 13,                      // the connection was lost (client-side)
  coordinator_load_in_progress = 14,           // the coordinator is still loading its state
  coordinator_not_available = 15,              // the coordinator is not available
  not_coordinator = 16,                        // this broker is not the group's or transaction's coordinator
  invalid_topic_exception = 17,                // the topic name is invalid
  record_list_too_large = 18,                  // the batch is larger than the segment size
  not_enough_replicas = 19,                    // fewer in-sync replicas than min.insync.replicas before append
  not_enough_replicas_after_append = 20,       // the ISR shrank below the minimum after append
  invalid_required_acks = 21,                  // acks is not one of -1, 0, 1
  illegal_generation = 22,                     // the group generation id is not current
  inconsistent_group_protocol = 23,            // the member's protocols do not match the group's
  invalid_group_id = 24,                       // the group id is empty or invalid
  unknown_member_id = 25,                      // the member id is not in the group
  invalid_session_timeout = 26,                // the session timeout is outside the allowed range
  rebalance_in_progress = 27,                  // the group is rebalancing; rejoin
  invalid_commit_offset_size = 28,             // the offset commit request is too large
  topic_authorization_failed = 29,             // not authorized for the topic
  group_authorization_failed = 30,             // not authorized for the group
  cluster_authorization_failed = 31,           // not authorized for the cluster operation
  invalid_timestamp = 32,                      // a record timestamp is outside the allowed range
  unsupported_sasl_mechanism = 33,             // the SASL mechanism is not enabled
  illegal_sasl_state = 34,                     // a SASL request arrived out of sequence
  unsupported_version = 35,                    // the API version is not supported
  topic_already_exists = 36,                   // the topic already exists
  invalid_partitions = 37,                     // the partition count is invalid
  invalid_replication_factor = 38,             // the replication factor is invalid
  invalid_replica_assignment = 39,             // the replica assignment is invalid
  invalid_config = 40,                         // a configuration name or value is invalid
  not_controller = 41,                         // this broker is not the controller
  invalid_request = 42,                        // the request is malformed or inconsistent
  unsupported_for_message_format = 43,         // the feature needs a newer message format
  policy_violation = 44,                       // a broker policy rejects the request
  out_of_order_sequence_number = 45,           // an idempotent producer sequence number has a gap
  duplicate_sequence_number = 46,              // an idempotent producer sent a duplicate batch
  invalid_producer_epoch = 47,                 // the producer epoch is stale
  invalid_txn_state = 48,                      // the transaction state does not allow the operation
  invalid_producer_id_mapping = 49,            // the transactional id does not map to the producer id
  invalid_transaction_timeout = 50,            // the transaction timeout is too large
  concurrent_transactions = 51,                // a previous transaction is still completing
  transaction_coordinator_fenced = 52,         // the transaction coordinator was superseded
  transactional_id_authorization_failed = 53,  // not authorized for the transactional id
  security_disabled = 54,                      // security features are disabled
  operation_not_attempted = 55,                // not attempted because another operation in the batch failed
  kafka_storage_error = 56,                    // a disk or log directory failed
  log_dir_not_found = 57,                      // the log directory does not exist
  sasl_authentication_failed = 58,             // SASL authentication failed
  unknown_producer_id = 59,                    // the broker has no state for the producer id
  reassignment_in_progress = 60,               // a partition reassignment is in progress
  delegation_token_auth_disabled = 61,         // delegation-token authentication is disabled
  delegation_token_not_found = 62,             // the delegation token does not exist
  delegation_token_owner_mismatch = 63,        // the principal does not own the delegation token
  delegation_token_request_not_allowed = 64,   // delegation-token requests are not allowed on this channel
  delegation_token_authorization_failed = 65,  // not authorized for the delegation token
  delegation_token_expired = 66,               // the delegation token has expired
  invalid_principal_type = 67,                 // the principal type is not supported
  non_empty_group = 68,                        // the group still has members
  group_id_not_found = 69,                     // the group does not exist
  fetch_session_id_not_found = 70,             // the fetch session does not exist
  invalid_fetch_session_epoch = 71,            // the fetch session epoch is wrong
  listener_not_found = 72,                     // the leader has no listener of the requested name
  topic_deletion_disabled = 73,                // topic deletion is disabled
  fenced_leader_epoch = 74,                    // the request's leader epoch is older than the broker's
  unknown_leader_epoch = 75,                   // the request's leader epoch is newer than the broker's
  unsupported_compression_type = 76,           // the compression type is not allowed at this version
  stale_broker_epoch = 77,                     // the broker epoch is stale
  offset_not_available = 78,                   // the offset is not available during a leader change
  member_id_required = 79,                     // the member must rejoin with the member id returned
  preferred_leader_not_available = 80,         // the preferred leader is not available
  group_max_size_reached = 81,                 // the group is at its maximum size
  fenced_instance_id = 82,                     // the static member's instance id was taken by a newer member
  eligible_leaders_not_available = 83,         // no eligible leader for the election
  election_not_needed = 84,                    // the leader election is not needed
  no_reassignment_in_progress = 85,            // no partition reassignment is in progress
  group_subscribed_to_topic = 86,              // the group is subscribed to the topic
  invalid_record = 87,                         // a record failed broker-side validation
  unstable_offset_commit = 88,                 // a transactional offset commit is pending
  throttling_quota_exceeded = 89,              // the controller mutation quota is exceeded
  producer_fenced = 90,                        // a newer producer epoch exists
  resource_not_found = 91,                     // the resource does not exist
  duplicate_resource = 92,                     // the resource already exists
  unacceptable_credential = 93,                // the credential does not meet the requirements
  inconsistent_voter_set = 94,                 // the voter set is inconsistent (KRaft)
  invalid_update_version = 95,                 // the feature update version is invalid
  feature_update_failed = 96,                  // the feature update failed
  principal_deserialization_failure = 97,      // the forwarded principal could not be deserialized
  snapshot_not_found = 98,                     // the requested snapshot does not exist (KRaft)
  unknown_topic_id = 100,                      // the topic id does not exist
  duplicate_broker_registration = 101,         // the broker id is already registered (KRaft)
  broker_id_not_registered = 102,              // the broker id is not registered (KRaft)
  inconsistent_topic_id = 103,                 // the topic id does not match the topic name
  inconsistent_cluster_id = 104,               // the cluster id does not match
};

// Kafka's upper-case name, e.g. "NOT_LEADER_OR_FOLLOWER"; "UNKNOWN" for a number Kafka 2.8 lacks.
std::string_view error_code_name(ErrorCode code);
// Whether Kafka's Java client treats the error as retriable (a RetriableException).
bool is_retriable(ErrorCode code);

}  // namespace sluice::protocol
