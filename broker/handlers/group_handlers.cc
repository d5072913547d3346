#include "broker/handlers/group_handlers.h"

#include <string>
#include <utility>

#include "protocol/messages/describe_groups_request.h"
#include "protocol/messages/describe_groups_response.h"
#include "protocol/messages/heartbeat_request.h"
#include "protocol/messages/heartbeat_response.h"
#include "protocol/messages/join_group_request.h"
#include "protocol/messages/join_group_response.h"
#include "protocol/messages/leave_group_request.h"
#include "protocol/messages/leave_group_response.h"
#include "protocol/messages/list_groups_request.h"
#include "protocol/messages/list_groups_response.h"
#include "protocol/messages/sync_group_request.h"
#include "protocol/messages/sync_group_response.h"

namespace sluice::broker {
namespace {

using group::GroupCoordinator;
using protocol::ErrorCode;

int16_t code(ErrorCode error) { return static_cast<int16_t>(error); }

// "address:port" -> "address" (the client host DescribeGroups reports).
std::string host_of(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

asio::awaitable<Response> handle_join_group(RequestContext ctx, GroupCoordinator* coordinator) {
  protocol::Reader reader = ctx.body();
  auto request = protocol::JoinGroupRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed JoinGroup request: " + request.error().message());
  protocol::JoinGroupRequest& in = request.value();
  group::JoinParams params;
  params.group_id = std::move(in.group_id);
  params.member_id = std::move(in.member_id);
  params.group_instance_id = std::move(in.group_instance_id);
  params.require_known_member_id = ctx.api_version() >= 4;
  params.client_id = ctx.header.client_id.value_or("");
  params.client_host = host_of(ctx.peer);
  params.session_timeout_ms = in.session_timeout_ms;
  // v0 has no rebalance timeout: the session timeout stands in (Kafka); so it does for a
  // nonsensical one (<= 0), which would otherwise end every join phase at once.
  params.rebalance_timeout_ms =
      ctx.api_version() == 0 || in.rebalance_timeout_ms <= 0 ? in.session_timeout_ms : in.rebalance_timeout_ms;
  params.protocol_type = std::move(in.protocol_type);
  for (auto& p : in.protocols) params.protocols.emplace_back(std::move(p.name), std::move(p.metadata));
  const group::JoinResult result = co_await coordinator->join_group(std::move(params));
  protocol::JoinGroupResponse response;
  response.error_code = code(result.error);
  response.generation_id = result.generation_id;
  response.protocol_type = result.protocol_type;
  response.protocol_name = result.protocol_name;
  response.leader = result.leader;
  response.member_id = result.member_id;
  for (const auto& m : result.members) {
    protocol::JoinGroupResponse::JoinGroupResponseMember member;
    member.member_id = m.member_id;
    member.group_instance_id = m.group_instance_id;
    member.metadata = m.metadata;
    response.members.push_back(std::move(member));
  }
  co_return respond(ctx, response);
}

asio::awaitable<Response> handle_sync_group(RequestContext ctx, GroupCoordinator* coordinator) {
  protocol::Reader reader = ctx.body();
  auto request = protocol::SyncGroupRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed SyncGroup request: " + request.error().message());
  protocol::SyncGroupRequest& in = request.value();
  group::SyncParams params;
  params.group_id = std::move(in.group_id);
  params.generation_id = in.generation_id;
  params.member_id = std::move(in.member_id);
  params.group_instance_id = std::move(in.group_instance_id);
  params.protocol_type = std::move(in.protocol_type);
  params.protocol_name = std::move(in.protocol_name);
  for (auto& a : in.assignments) params.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  const group::SyncResult result = co_await coordinator->sync_group(std::move(params));
  protocol::SyncGroupResponse response;
  response.error_code = code(result.error);
  response.protocol_type = result.protocol_type;
  response.protocol_name = result.protocol_name;
  response.assignment = result.assignment;
  co_return respond(ctx, response);
}

asio::awaitable<Response> handle_heartbeat(RequestContext ctx, GroupCoordinator* coordinator) {
  protocol::Reader reader = ctx.body();
  auto request = protocol::HeartbeatRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed Heartbeat request: " + request.error().message());
  protocol::HeartbeatRequest& in = request.value();
  const ErrorCode error = co_await coordinator->heartbeat(std::move(in.group_id), in.generation_id,
                                                         std::move(in.member_id), std::move(in.group_instance_id));
  protocol::HeartbeatResponse response;
  response.error_code = code(error);
  co_return respond(ctx, response);
}

// v0-2 leave one member and carry its error at the top; v3+ list members with an error each.
asio::awaitable<Response> handle_leave_group(RequestContext ctx, GroupCoordinator* coordinator) {
  protocol::Reader reader = ctx.body();
  auto request = protocol::LeaveGroupRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed LeaveGroup request: " + request.error().message());
  protocol::LeaveGroupRequest& in = request.value();
  const bool batch = ctx.api_version() >= 3;
  std::vector<group::LeavingMember> leaving;
  if (batch) {
    for (auto& m : in.members) leaving.push_back({std::move(m.member_id), std::move(m.group_instance_id)});
  } else {
    leaving.push_back({std::move(in.member_id), std::nullopt});
  }
  const group::LeaveResult result = co_await coordinator->leave_group(std::move(in.group_id), leaving);
  protocol::LeaveGroupResponse response;
  response.error_code = code(result.error);
  if (!batch) {
    if (result.error == ErrorCode::none && !result.member_errors.empty()) {
      response.error_code = code(result.member_errors.front());
    }
  } else if (result.error == ErrorCode::none) {
    for (size_t i = 0; i < leaving.size() && i < result.member_errors.size(); ++i) {
      protocol::LeaveGroupResponse::MemberResponse member;
      member.member_id = leaving[i].member_id;
      member.group_instance_id = leaving[i].group_instance_id;
      member.error_code = code(result.member_errors[i]);
      response.members.push_back(std::move(member));
    }
  }
  co_return respond(ctx, response);
}

asio::awaitable<Response> handle_describe_groups(RequestContext ctx, GroupCoordinator* coordinator) {
  protocol::Reader reader = ctx.body();
  auto request = protocol::DescribeGroupsRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed DescribeGroups request: " + request.error().message());
  protocol::DescribeGroupsResponse response;
  for (const std::string& id : request.value().groups) {
    const group::GroupSummary summary = co_await coordinator->describe_group(id);
    protocol::DescribeGroupsResponse::DescribedGroup out;
    out.error_code = code(summary.error);
    out.group_id = id;
    out.group_state = summary.state;
    out.protocol_type = summary.protocol_type;
    out.protocol_data = summary.protocol;
    for (const auto& m : summary.members) {
      protocol::DescribeGroupsResponse::DescribedGroupMember member;
      member.member_id = m.member_id;
      member.group_instance_id = m.group_instance_id;
      member.client_id = m.client_id;
      member.client_host = m.client_host;
      member.member_metadata = m.metadata;
      member.member_assignment = m.assignment;
      out.members.push_back(std::move(member));
    }
    response.groups.push_back(std::move(out));
  }
  co_return respond(ctx, response);
}

asio::awaitable<Response> handle_list_groups(RequestContext ctx, GroupCoordinator* coordinator) {
  protocol::Reader reader = ctx.body();
  auto request = protocol::ListGroupsRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed ListGroups request: " + request.error().message());
  const group::GroupListing listing = co_await coordinator->list_groups(std::move(request.value().states_filter));
  protocol::ListGroupsResponse response;
  response.error_code = code(listing.error);
  for (const auto& g : listing.groups) {
    protocol::ListGroupsResponse::ListedGroup out;
    out.group_id = g.group_id;
    out.protocol_type = g.protocol_type;
    out.group_state = g.state;
    response.groups.push_back(std::move(out));
  }
  co_return respond(ctx, response);
}

Handler group_handler(protocol::ApiKey key, int16_t max_version,
                      asio::awaitable<Response> (*fn)(RequestContext, GroupCoordinator*),
                      GroupCoordinator* coordinator) {
  Handler handler;
  handler.key = key;
  handler.min_version = 0;
  handler.max_version = max_version;
  handler.fn = [fn, coordinator](RequestContext ctx) { return fn(std::move(ctx), coordinator); };
  return handler;
}

}  // namespace

void add_group_handlers(HandlerRegistry& registry, GroupCoordinator& coordinator) {
  registry.add(group_handler(protocol::ApiKey::join_group, 7, handle_join_group, &coordinator));
  registry.add(group_handler(protocol::ApiKey::heartbeat, 4, handle_heartbeat, &coordinator));
  registry.add(group_handler(protocol::ApiKey::leave_group, 4, handle_leave_group, &coordinator));
  registry.add(group_handler(protocol::ApiKey::sync_group, 5, handle_sync_group, &coordinator));
  registry.add(group_handler(protocol::ApiKey::describe_groups, 5, handle_describe_groups, &coordinator));
  registry.add(group_handler(protocol::ApiKey::list_groups, 4, handle_list_groups, &coordinator));
}

}  // namespace sluice::broker
