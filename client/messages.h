// The generated messages the client speaks, each request paired with its response type, and
// the response-frame decoding shared by BrokerConnection::send.
#pragma once

#include "protocol/messages/alter_configs_request.h"
#include "protocol/messages/alter_configs_response.h"
#include "protocol/messages/api_versions_request.h"
#include "protocol/messages/api_versions_response.h"
#include "protocol/messages/controlled_shutdown_request.h"
#include "protocol/messages/controlled_shutdown_response.h"
#include "protocol/messages/create_partitions_request.h"
#include "protocol/messages/create_partitions_response.h"
#include "protocol/messages/create_topics_request.h"
#include "protocol/messages/create_topics_response.h"
#include "protocol/messages/delete_topics_request.h"
#include "protocol/messages/describe_cluster_request.h"
#include "protocol/messages/alter_partition_reassignments_request.h"
#include "protocol/messages/alter_partition_reassignments_response.h"
#include "protocol/messages/list_partition_reassignments_request.h"
#include "protocol/messages/list_partition_reassignments_response.h"
#include "protocol/messages/elect_leaders_request.h"
#include "protocol/messages/elect_leaders_response.h"
#include "protocol/messages/describe_cluster_response.h"
#include "protocol/messages/describe_configs_request.h"
#include "protocol/messages/describe_configs_response.h"
#include "protocol/messages/delete_topics_response.h"
#include "protocol/messages/fetch_request.h"
#include "protocol/messages/incremental_alter_configs_request.h"
#include "protocol/messages/incremental_alter_configs_response.h"
#include "protocol/messages/fetch_response.h"
#include "protocol/messages/leader_and_isr_request.h"
#include "protocol/messages/leader_and_isr_response.h"
#include "protocol/messages/list_offsets_request.h"
#include "protocol/messages/list_offsets_response.h"
#include "protocol/messages/metadata_request.h"
#include "protocol/messages/metadata_response.h"
#include "protocol/messages/offset_for_leader_epoch_request.h"
#include "protocol/messages/offset_for_leader_epoch_response.h"
#include "protocol/messages/produce_request.h"
#include "protocol/messages/produce_response.h"
#include "protocol/messages/stop_replica_request.h"
#include "protocol/messages/stop_replica_response.h"
#include "protocol/messages/update_metadata_request.h"
#include "protocol/messages/update_metadata_response.h"
// Consumer groups (client/group_consumer.h, the group calls of client/admin.h).
#include "protocol/messages/find_coordinator_request.h"
#include "protocol/messages/find_coordinator_response.h"
#include "protocol/messages/join_group_request.h"
#include "protocol/messages/join_group_response.h"
#include "protocol/messages/sync_group_request.h"
#include "protocol/messages/sync_group_response.h"
#include "protocol/messages/heartbeat_request.h"
#include "protocol/messages/heartbeat_response.h"
#include "protocol/messages/leave_group_request.h"
#include "protocol/messages/leave_group_response.h"
#include "protocol/messages/offset_commit_request.h"
#include "protocol/messages/offset_commit_response.h"
#include "protocol/messages/offset_fetch_request.h"
#include "protocol/messages/offset_fetch_response.h"
#include "protocol/messages/describe_groups_request.h"
#include "protocol/messages/describe_groups_response.h"
#include "protocol/messages/list_groups_request.h"
#include "protocol/messages/list_groups_response.h"
#include "protocol/messages/delete_groups_request.h"
#include "protocol/messages/delete_groups_response.h"
#include "protocol/request_frame.h"

namespace sluice::client {

template <typename Request>
struct ResponseFor;
template <> struct ResponseFor<protocol::ApiVersionsRequest> { using type = protocol::ApiVersionsResponse; };
template <> struct ResponseFor<protocol::MetadataRequest> { using type = protocol::MetadataResponse; };
template <> struct ResponseFor<protocol::ProduceRequest> { using type = protocol::ProduceResponse; };
template <> struct ResponseFor<protocol::FetchRequest> { using type = protocol::FetchResponse; };
template <> struct ResponseFor<protocol::ListOffsetsRequest> { using type = protocol::ListOffsetsResponse; };
template <> struct ResponseFor<protocol::CreateTopicsRequest> { using type = protocol::CreateTopicsResponse; };
template <> struct ResponseFor<protocol::DeleteTopicsRequest> { using type = protocol::DeleteTopicsResponse; };
template <> struct ResponseFor<protocol::CreatePartitionsRequest> { using type = protocol::CreatePartitionsResponse; };
template <> struct ResponseFor<protocol::DescribeConfigsRequest> { using type = protocol::DescribeConfigsResponse; };
template <> struct ResponseFor<protocol::AlterConfigsRequest> { using type = protocol::AlterConfigsResponse; };
template <> struct ResponseFor<protocol::IncrementalAlterConfigsRequest> {
  using type = protocol::IncrementalAlterConfigsResponse;
};
template <> struct ResponseFor<protocol::DescribeClusterRequest> { using type = protocol::DescribeClusterResponse; };
// A follower's (broker/replica_fetcher.h).
template <> struct ResponseFor<protocol::OffsetForLeaderEpochRequest> {
  using type = protocol::OffsetForLeaderEpochResponse;
};
// The controller's requests (coordination/controller_channel_manager.h).
template <> struct ResponseFor<protocol::LeaderAndIsrRequest> { using type = protocol::LeaderAndIsrResponse; };
template <> struct ResponseFor<protocol::UpdateMetadataRequest> { using type = protocol::UpdateMetadataResponse; };
template <> struct ResponseFor<protocol::StopReplicaRequest> { using type = protocol::StopReplicaResponse; };
template <> struct ResponseFor<protocol::ControlledShutdownRequest> { using type = protocol::ControlledShutdownResponse; };
template <> struct ResponseFor<protocol::ElectLeadersRequest> { using type = protocol::ElectLeadersResponse; };
template <> struct ResponseFor<protocol::AlterPartitionReassignmentsRequest> {
  using type = protocol::AlterPartitionReassignmentsResponse;
};
template <> struct ResponseFor<protocol::ListPartitionReassignmentsRequest> {
  using type = protocol::ListPartitionReassignmentsResponse;
};
// Consumer groups.
template <> struct ResponseFor<protocol::FindCoordinatorRequest> { using type = protocol::FindCoordinatorResponse; };
template <> struct ResponseFor<protocol::JoinGroupRequest> { using type = protocol::JoinGroupResponse; };
template <> struct ResponseFor<protocol::SyncGroupRequest> { using type = protocol::SyncGroupResponse; };
template <> struct ResponseFor<protocol::HeartbeatRequest> { using type = protocol::HeartbeatResponse; };
template <> struct ResponseFor<protocol::LeaveGroupRequest> { using type = protocol::LeaveGroupResponse; };
template <> struct ResponseFor<protocol::OffsetCommitRequest> { using type = protocol::OffsetCommitResponse; };
template <> struct ResponseFor<protocol::OffsetFetchRequest> { using type = protocol::OffsetFetchResponse; };
template <> struct ResponseFor<protocol::DescribeGroupsRequest> { using type = protocol::DescribeGroupsResponse; };
template <> struct ResponseFor<protocol::ListGroupsRequest> { using type = protocol::ListGroupsResponse; };
template <> struct ResponseFor<protocol::DeleteGroupsRequest> { using type = protocol::DeleteGroupsResponse; };

template <typename Request>
using ResponseOf = typename ResponseFor<Request>::type;

// Only a Produce with acks = 0 goes unanswered (wire-protocol.md §3).
template <typename Request>
bool expects_reply(const Request& request) {
  if constexpr (std::is_same_v<Request, protocol::ProduceRequest>) return request.acks != 0;
  return true;
}

// Decodes a response frame (header + body, size prefix stripped) sent at `version`.
template <typename T>
Result<T> decode_response(ByteView frame, int16_t version) {
  const protocol::ApiVersionRange* api = protocol::find_api(T::kApiKey);
  protocol::Reader r(frame);
  SLUICE_TRY(protocol::ResponseHeader::decode(r, protocol::response_header_version(*api, version)));
  return T::decode(r, version);
}

}  // namespace sluice::client
