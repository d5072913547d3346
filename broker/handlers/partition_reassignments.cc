#include "broker/handlers/partition_reassignments.h"

#include <map>

#include "coordination/kafka_controller.h"
#include "protocol/error_code.h"
#include "protocol/messages/alter_partition_reassignments_request.h"
#include "protocol/messages/alter_partition_reassignments_response.h"
#include "protocol/messages/list_partition_reassignments_request.h"
#include "protocol/messages/list_partition_reassignments_response.h"

namespace sluice::broker {
namespace {

using protocol::AlterPartitionReassignmentsRequest;
using protocol::AlterPartitionReassignmentsResponse;
using protocol::ErrorCode;
using protocol::ListPartitionReassignmentsRequest;
using protocol::ListPartitionReassignmentsResponse;

AlterPartitionReassignmentsResponse::ReassignablePartitionResponse partition_response(PartitionId p, ErrorCode e) {
  AlterPartitionReassignmentsResponse::ReassignablePartitionResponse out;
  out.partition_index = p;
  out.error_code = static_cast<int16_t>(e);
  return out;
}

asio::awaitable<Response> handle_alter(RequestContext ctx, coordination::KafkaController* controller) {
  protocol::Reader reader = ctx.body();
  auto request = AlterPartitionReassignmentsRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed AlterPartitionReassignments request: " + request.error().message());
  const AlterPartitionReassignmentsRequest& r = request.value();
  AlterPartitionReassignmentsResponse response;
  coordination::KafkaController::AlterReassignmentsResult result;
  if (controller->is_active()) {
    coordination::KafkaController::ReassignmentTargets targets;
    for (const auto& t : r.topics) {
      for (const auto& p : t.partitions) targets[TopicPartition{t.name, p.partition_index}] = p.replicas;
    }
    result = co_await controller->alter_partition_reassignments(std::move(targets));
  } else {
    result.error_code = static_cast<int16_t>(ErrorCode::not_controller);
  }
  // As Kafka: a top-level error, and every partition asked for answered with it.
  response.error_code = result.error_code;
  for (const auto& t : r.topics) {
    AlterPartitionReassignmentsResponse::ReassignableTopicResponse out;
    out.name = t.name;
    for (const auto& p : t.partitions) {
      ErrorCode e = static_cast<ErrorCode>(result.error_code);
      if (result.error_code == 0) {
        auto it = result.partitions.find(TopicPartition{t.name, p.partition_index});
        e = it == result.partitions.end() ? ErrorCode::unknown_server_error : static_cast<ErrorCode>(it->second);
      }
      out.partitions.push_back(partition_response(p.partition_index, e));
    }
    response.responses.push_back(std::move(out));
  }
  co_return respond(ctx, response);
}

asio::awaitable<Response> handle_list(RequestContext ctx, coordination::KafkaController* controller) {
  protocol::Reader reader = ctx.body();
  auto request = ListPartitionReassignmentsRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed ListPartitionReassignments request: " + request.error().message());
  const ListPartitionReassignmentsRequest& r = request.value();
  ListPartitionReassignmentsResponse response;
  if (!controller->is_active()) {
    response.error_code = static_cast<int16_t>(ErrorCode::not_controller);
    co_return respond(ctx, response);
  }
  std::optional<std::vector<TopicPartition>> partitions;
  if (r.topics) {
    partitions.emplace();
    for (const auto& t : *r.topics) {
      for (PartitionId p : t.partition_indexes) partitions->push_back({t.name, p});
    }
  }
  auto result = co_await controller->list_partition_reassignments(std::move(partitions));
  response.error_code = result.error_code;
  std::map<std::string, ListPartitionReassignmentsResponse::OngoingTopicReassignment> by_topic;
  for (const auto& [tp, a] : result.partitions) {
    auto& t = by_topic[tp.topic];
    t.name = tp.topic;
    ListPartitionReassignmentsResponse::OngoingPartitionReassignment p;
    p.partition_index = tp.partition;
    p.replicas = a.replicas;
    p.adding_replicas = a.adding;
    p.removing_replicas = a.removing;
    t.partitions.push_back(std::move(p));
  }
  for (auto& [name, t] : by_topic) response.topics.push_back(std::move(t));
  co_return respond(ctx, response);
}

}  // namespace

Handler alter_partition_reassignments_handler(coordination::KafkaController* controller) {
  return Handler{.key = protocol::ApiKey::alter_partition_reassignments,
                 .min_version = 0,
                 .max_version = 0,
                 .fn = [controller](RequestContext ctx) { return handle_alter(std::move(ctx), controller); }};
}

Handler list_partition_reassignments_handler(coordination::KafkaController* controller) {
  return Handler{.key = protocol::ApiKey::list_partition_reassignments,
                 .min_version = 0,
                 .max_version = 0,
                 .fn = [controller](RequestContext ctx) { return handle_list(std::move(ctx), controller); }};
}

}  // namespace sluice::broker
