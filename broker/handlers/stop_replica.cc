// StopReplica (key 5): stop serving partitions, deleting their logs when asked (topic deletion).
#include "broker/handlers/control_plane_handlers.h"
#include "protocol/messages/stop_replica_request.h"
#include "protocol/messages/stop_replica_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::StopReplicaRequest;
using protocol::StopReplicaResponse;

struct StopOne {
  TopicPartition tp;
  LeaderEpoch leader_epoch{-1};
  bool delete_partition = false;
};

// Every partition with its flags, whichever layout the version uses.
std::vector<StopOne> partitions_of(const StopReplicaRequest& request, int16_t version) {
  std::vector<StopOne> out;
  if (version == 0) {
    for (const auto& p : request.ungrouped_partitions) {
      out.push_back({{p.topic_name, p.partition_index}, LeaderEpoch(-1), request.delete_partitions});
    }
  } else if (version < 3) {
    for (const auto& t : request.topics) {
      for (PartitionId p : t.partition_indexes) out.push_back({{t.name, p}, LeaderEpoch(-1), request.delete_partitions});
    }
  } else {
    for (const auto& t : request.topic_states) {
      for (const auto& p : t.partition_states) {
        out.push_back({{t.topic_name, p.partition_index}, p.leader_epoch, p.delete_partition});
      }
    }
  }
  return out;
}

asio::awaitable<Response> handle(RequestContext ctx, ControlPlaneServices services) {
  protocol::Reader reader = ctx.body();
  auto request = StopReplicaRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed StopReplica request: " + request.error().message());
  const ErrorCode admitted = services.fence->admit(request.value().controller_epoch, request.value().broker_epoch);
  StopReplicaResponse response;
  response.error_code = static_cast<int16_t>(admitted);
  if (admitted != ErrorCode::none) co_return respond(ctx, response);
  for (const StopOne& p : partitions_of(request.value(), ctx.api_version())) {
    StopReplicaResponse::StopReplicaPartitionError error;
    error.topic_name = p.tp.topic;
    error.partition_index = p.tp.partition;
    const ErrorCode e = co_await services.replica_manager->stop_replica(p.tp, p.leader_epoch, p.delete_partition);
    error.error_code = static_cast<int16_t>(e);
    response.partition_errors.push_back(std::move(error));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler stop_replica_handler(const ControlPlaneServices& services) {
  return Handler{.key = protocol::ApiKey::stop_replica,
                 .min_version = 0,
                 .max_version = 3,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
