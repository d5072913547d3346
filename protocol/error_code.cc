#include "protocol/error_code.h"

namespace sluice::protocol {
namespace {

struct ErrorInfo {
  std::string_view name;
  bool retriable;
};

// No default: -Wswitch-enum flags a new ErrorCode without an entry here.
ErrorInfo info(ErrorCode code) {
  switch (code) {
    case ErrorCode::unknown_server_error: return {"UNKNOWN_SERVER_ERROR", false};
    case ErrorCode::none: return {"NONE", false};
    case ErrorCode::offset_out_of_range: return {"OFFSET_OUT_OF_RANGE", false};
    case ErrorCode::corrupt_message: return {"CORRUPT_MESSAGE", true};
    case ErrorCode::unknown_topic_or_partition: return {"UNKNOWN_TOPIC_OR_PARTITION", true};
    case ErrorCode::invalid_fetch_size: return {"INVALID_FETCH_SIZE", false};
    case ErrorCode::leader_not_available: return {"LEADER_NOT_AVAILABLE", true};
    case ErrorCode::not_leader_or_follower: return {"NOT_LEADER_OR_FOLLOWER", true};
    case ErrorCode::request_timed_out: return {"REQUEST_TIMED_OUT", true};
    case ErrorCode::broker_not_available: return {"BROKER_NOT_AVAILABLE", false};
    case ErrorCode::replica_not_available: return {"REPLICA_NOT_AVAILABLE", true};
    case ErrorCode::message_too_large: return {"MESSAGE_TOO_LARGE", false};
    case ErrorCode::stale_controller_epoch: return {"STALE_CONTROLLER_EPOCH", false};
    case ErrorCode::offset_metadata_too_large: return {"OFFSET_METADATA_TOO_LARGE", false};
    case ErrorCode::network_exception: return {"NETWORK_EXCEPTION", true};
    case ErrorCode::coordinator_load_in_progress: return {"COORDINATOR_LOAD_IN_PROGRESS", true};
    case ErrorCode::coordinator_not_available: return {"COORDINATOR_NOT_AVAILABLE", true};
    case ErrorCode::not_coordinator: return {"NOT_COORDINATOR", true};
    case ErrorCode::invalid_topic_exception: return {"INVALID_TOPIC_EXCEPTION", false};
    case ErrorCode::record_list_too_large: return {"RECORD_LIST_TOO_LARGE", false};
    case ErrorCode::not_enough_replicas: return {"NOT_ENOUGH_REPLICAS", true};
    case ErrorCode::not_enough_replicas_after_append: return {"NOT_ENOUGH_REPLICAS_AFTER_APPEND", true};
    case ErrorCode::invalid_required_acks: return {"INVALID_REQUIRED_ACKS", false};
    case ErrorCode::illegal_generation: return {"ILLEGAL_GENERATION", false};
    case ErrorCode::inconsistent_group_protocol: return {"INCONSISTENT_GROUP_PROTOCOL", false};
    case ErrorCode::invalid_group_id: return {"INVALID_GROUP_ID", false};
    case ErrorCode::unknown_member_id: return {"UNKNOWN_MEMBER_ID", false};
    case ErrorCode::invalid_session_timeout: return {"INVALID_SESSION_TIMEOUT", false};
    case ErrorCode::rebalance_in_progress: return {"REBALANCE_IN_PROGRESS", false};
    case ErrorCode::invalid_commit_offset_size: return {"INVALID_COMMIT_OFFSET_SIZE", false};
    case ErrorCode::topic_authorization_failed: return {"TOPIC_AUTHORIZATION_FAILED", false};
    case ErrorCode::group_authorization_failed: return {"GROUP_AUTHORIZATION_FAILED", false};
    case ErrorCode::cluster_authorization_failed: return {"CLUSTER_AUTHORIZATION_FAILED", false};
    case ErrorCode::invalid_timestamp: return {"INVALID_TIMESTAMP", false};
    case ErrorCode::unsupported_sasl_mechanism: return {"UNSUPPORTED_SASL_MECHANISM", false};
    case ErrorCode::illegal_sasl_state: return {"ILLEGAL_SASL_STATE", false};
    case ErrorCode::unsupported_version: return {"UNSUPPORTED_VERSION", false};
    case ErrorCode::topic_already_exists: return {"TOPIC_ALREADY_EXISTS", false};
    case ErrorCode::invalid_partitions: return {"INVALID_PARTITIONS", false};
    case ErrorCode::invalid_replication_factor: return {"INVALID_REPLICATION_FACTOR", false};
    case ErrorCode::invalid_replica_assignment: return {"INVALID_REPLICA_ASSIGNMENT", false};
    case ErrorCode::invalid_config: return {"INVALID_CONFIG", false};
    case ErrorCode::not_controller: return {"NOT_CONTROLLER", true};
    case ErrorCode::invalid_request: return {"INVALID_REQUEST", false};
    case ErrorCode::unsupported_for_message_format: return {"UNSUPPORTED_FOR_MESSAGE_FORMAT", false};
    case ErrorCode::policy_violation: return {"POLICY_VIOLATION", false};
    case ErrorCode::out_of_order_sequence_number: return {"OUT_OF_ORDER_SEQUENCE_NUMBER", false};
    case ErrorCode::duplicate_sequence_number: return {"DUPLICATE_SEQUENCE_NUMBER", false};
    case ErrorCode::invalid_producer_epoch: return {"INVALID_PRODUCER_EPOCH", false};
    case ErrorCode::invalid_txn_state: return {"INVALID_TXN_STATE", false};
    case ErrorCode::invalid_producer_id_mapping: return {"INVALID_PRODUCER_ID_MAPPING", false};
    case ErrorCode::invalid_transaction_timeout: return {"INVALID_TRANSACTION_TIMEOUT", false};
    case ErrorCode::concurrent_transactions: return {"CONCURRENT_TRANSACTIONS", false};
    case ErrorCode::transaction_coordinator_fenced: return {"TRANSACTION_COORDINATOR_FENCED", false};
    case ErrorCode::transactional_id_authorization_failed: return {"TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false};
    case ErrorCode::security_disabled: return {"SECURITY_DISABLED", false};
    case ErrorCode::operation_not_attempted: return {"OPERATION_NOT_ATTEMPTED", false};
    case ErrorCode::kafka_storage_error: return {"KAFKA_STORAGE_ERROR", true};
    case ErrorCode::log_dir_not_found: return {"LOG_DIR_NOT_FOUND", false};
    case ErrorCode::sasl_authentication_failed: return {"SASL_AUTHENTICATION_FAILED", false};
    case ErrorCode::unknown_producer_id: return {"UNKNOWN_PRODUCER_ID", false};
    case ErrorCode::reassignment_in_progress: return {"REASSIGNMENT_IN_PROGRESS", false};
    case ErrorCode::delegation_token_auth_disabled: return {"DELEGATION_TOKEN_AUTH_DISABLED", false};
    case ErrorCode::delegation_token_not_found: return {"DELEGATION_TOKEN_NOT_FOUND", false};
    case ErrorCode::delegation_token_owner_mismatch: return {"DELEGATION_TOKEN_OWNER_MISMATCH", false};
    case ErrorCode::delegation_token_request_not_allowed: return {"DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false};
    case ErrorCode::delegation_token_authorization_failed: return {"DELEGATION_TOKEN_AUTHORIZATION_FAILED", false};
    case ErrorCode::delegation_token_expired: return {"DELEGATION_TOKEN_EXPIRED", false};
    case ErrorCode::invalid_principal_type: return {"INVALID_PRINCIPAL_TYPE", false};
    case ErrorCode::non_empty_group: return {"NON_EMPTY_GROUP", false};
    case ErrorCode::group_id_not_found: return {"GROUP_ID_NOT_FOUND", false};
    case ErrorCode::fetch_session_id_not_found: return {"FETCH_SESSION_ID_NOT_FOUND", true};
    case ErrorCode::invalid_fetch_session_epoch: return {"INVALID_FETCH_SESSION_EPOCH", true};
    case ErrorCode::listener_not_found: return {"LISTENER_NOT_FOUND", true};
    case ErrorCode::topic_deletion_disabled: return {"TOPIC_DELETION_DISABLED", false};
    case ErrorCode::fenced_leader_epoch: return {"FENCED_LEADER_EPOCH", true};
    case ErrorCode::unknown_leader_epoch: return {"UNKNOWN_LEADER_EPOCH", true};
    case ErrorCode::unsupported_compression_type: return {"UNSUPPORTED_COMPRESSION_TYPE", false};
    case ErrorCode::stale_broker_epoch: return {"STALE_BROKER_EPOCH", false};
    case ErrorCode::offset_not_available: return {"OFFSET_NOT_AVAILABLE", true};
    case ErrorCode::member_id_required: return {"MEMBER_ID_REQUIRED", false};
    case ErrorCode::preferred_leader_not_available: return {"PREFERRED_LEADER_NOT_AVAILABLE", true};
    case ErrorCode::group_max_size_reached: return {"GROUP_MAX_SIZE_REACHED", false};
    case ErrorCode::fenced_instance_id: return {"FENCED_INSTANCE_ID", false};
    case ErrorCode::eligible_leaders_not_available: return {"ELIGIBLE_LEADERS_NOT_AVAILABLE", true};
    case ErrorCode::election_not_needed: return {"ELECTION_NOT_NEEDED", true};
    case ErrorCode::no_reassignment_in_progress: return {"NO_REASSIGNMENT_IN_PROGRESS", false};
    case ErrorCode::group_subscribed_to_topic: return {"GROUP_SUBSCRIBED_TO_TOPIC", false};
    case ErrorCode::invalid_record: return {"INVALID_RECORD", false};
    case ErrorCode::unstable_offset_commit: return {"UNSTABLE_OFFSET_COMMIT", true};
    case ErrorCode::throttling_quota_exceeded: return {"THROTTLING_QUOTA_EXCEEDED", true};
    case ErrorCode::producer_fenced: return {"PRODUCER_FENCED", false};
    case ErrorCode::resource_not_found: return {"RESOURCE_NOT_FOUND", false};
    case ErrorCode::duplicate_resource: return {"DUPLICATE_RESOURCE", false};
    case ErrorCode::unacceptable_credential: return {"UNACCEPTABLE_CREDENTIAL", false};
    case ErrorCode::inconsistent_voter_set: return {"INCONSISTENT_VOTER_SET", false};
    case ErrorCode::invalid_update_version: return {"INVALID_UPDATE_VERSION", false};
    case ErrorCode::feature_update_failed: return {"FEATURE_UPDATE_FAILED", false};
    case ErrorCode::principal_deserialization_failure: return {"PRINCIPAL_DESERIALIZATION_FAILURE", false};
    case ErrorCode::snapshot_not_found: return {"SNAPSHOT_NOT_FOUND", false};
    case ErrorCode::unknown_topic_id: return {"UNKNOWN_TOPIC_ID", true};
    case ErrorCode::duplicate_broker_registration: return {"DUPLICATE_BROKER_REGISTRATION", false};
    case ErrorCode::broker_id_not_registered: return {"BROKER_ID_NOT_REGISTERED", false};
    case ErrorCode::inconsistent_topic_id: return {"INCONSISTENT_TOPIC_ID", true};
    case ErrorCode::inconsistent_cluster_id: return {"INCONSISTENT_CLUSTER_ID", false};
  }
  return {"UNKNOWN", false};
}

}  // namespace

std::string_view error_code_name(ErrorCode code) { return info(code).name; }
bool is_retriable(ErrorCode code) { return info(code).retriable; }

}  // namespace sluice::protocol
