#include "broker/handlers/elect_leaders.h"

#include "coordination/kafka_controller.h"
#include "protocol/error_code.h"
#include "protocol/messages/elect_leaders_request.h"
#include "protocol/messages/elect_leaders_response.h"

namespace sluice::broker {
namespace {

using protocol::ElectLeadersRequest;
using protocol::ElectLeadersResponse;
using protocol::ErrorCode;

asio::awaitable<Response> handle(RequestContext ctx, coordination::KafkaController* controller) {
  protocol::Reader reader = ctx.body();
  auto request = ElectLeadersRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed ElectLeaders request: " + request.error().message());
  const ElectLeadersRequest& r = request.value();
  ElectLeadersResponse response;
  // Every partition asked for gets an answer, even when the whole request fails.
  const auto fail_all = [&](ErrorCode e) {
    response.error_code = static_cast<int16_t>(e);
    if (!r.topic_partitions) return;
    for (const auto& t : *r.topic_partitions) {
      ElectLeadersResponse::ReplicaElectionResult out;
      out.topic = t.topic;
      for (PartitionId p : t.partitions) {
        ElectLeadersResponse::PartitionResult pr;
        pr.partition_id = p;
        pr.error_code = static_cast<int16_t>(e);
        out.partition_result.push_back(std::move(pr));
      }
      response.replica_election_results.push_back(std::move(out));
    }
  };
  if (r.election_type != 0 && r.election_type != 1) {
    fail_all(ErrorCode::invalid_request);
    co_return respond(ctx, response);
  }
  if (!controller->is_active()) {
    fail_all(ErrorCode::not_controller);
    co_return respond(ctx, response);
  }
  std::optional<std::vector<TopicPartition>> partitions;
  if (r.topic_partitions) {
    partitions.emplace();
    for (const auto& t : *r.topic_partitions) {
      for (PartitionId p : t.partitions) partitions->push_back({t.topic, p});
    }
  }
  auto result = co_await controller->elect_leaders(std::move(partitions), r.election_type);
  if (result.error_code != 0) {
    fail_all(static_cast<ErrorCode>(result.error_code));
    co_return respond(ctx, response);
  }
  std::map<std::string, ElectLeadersResponse::ReplicaElectionResult> by_topic;
  for (const auto& [tp, error] : result.partitions) {
    auto& out = by_topic[tp.topic];
    out.topic = tp.topic;
    ElectLeadersResponse::PartitionResult pr;
    pr.partition_id = tp.partition;
    pr.error_code = error;
    out.partition_result.push_back(std::move(pr));
  }
  for (auto& [topic, out] : by_topic) response.replica_election_results.push_back(std::move(out));
  co_return respond(ctx, response);
}

}  // namespace

Handler elect_leaders_handler(coordination::KafkaController* controller) {
  return Handler{.key = protocol::ApiKey::elect_leaders,
                 .min_version = 0,
                 .max_version = 2,
                 .fn = [controller](RequestContext ctx) { return handle(std::move(ctx), controller); }};
}

}  // namespace sluice::broker
