// LeaderAndIsr (key 4): the controller's leadership decisions, applied per partition.
// v5 (topic ids in the response) is not served: the controller negotiates v4.
#include <algorithm>
#include <map>

#include "broker/handlers/control_plane_handlers.h"
#include "coordination/kafka_zk_client.h"
#include "protocol/messages/leader_and_isr_request.h"
#include "protocol/messages/leader_and_isr_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::LeaderAndIsrRequest;
using protocol::LeaderAndIsrResponse;
using PartitionStateMsg = LeaderAndIsrRequest::LeaderAndIsrPartitionState;

// Every partition with its topic, whichever layout the version uses.
std::vector<PartitionStateMsg> partitions_of(const LeaderAndIsrRequest& request, int16_t version) {
  if (version < 2) return request.ungrouped_partition_states;
  std::vector<PartitionStateMsg> out;
  for (const auto& topic : request.topic_states) {
    for (PartitionStateMsg p : topic.partition_states) {
      p.topic_name = topic.topic_name;
      out.push_back(std::move(p));
    }
  }
  return out;
}

asio::awaitable<std::map<std::string, std::string>> topic_config(const ControlPlaneServices& services,
                                                                 std::string topic) {
  if (services.kafka_zk == nullptr) co_return std::map<std::string, std::string>{};
  auto config = co_await services.kafka_zk->get_topic_config(std::move(topic));
  co_return config ? config.value() : std::map<std::string, std::string>{};
}

asio::awaitable<ErrorCode> apply(const ControlPlaneServices& services, const LeaderAndIsrRequest& request,
                                 const PartitionStateMsg& p,
                                 std::map<std::string, std::map<std::string, std::string>>& configs) {
  const BrokerId self = services.replica_manager->broker_id();
  if (std::find(p.replicas.begin(), p.replicas.end(), self) == p.replicas.end()) {
    co_return ErrorCode::unknown_topic_or_partition;
  }
  if (!configs.contains(p.topic_name)) configs[p.topic_name] = co_await topic_config(services, p.topic_name);
  PartitionState state;
  state.tp.topic = p.topic_name;
  state.tp.partition = p.partition_index;
  state.leader = p.leader;
  state.leader_epoch = p.leader_epoch;
  state.replicas = p.replicas;
  state.isr = p.isr;
  state.zk_version = p.zk_version;
  state.controller_epoch = p.controller_epoch;
  for (const auto& live : request.live_leaders) {
    if (live.broker_id != p.leader) continue;
    state.leader_host = live.host_name;
    state.leader_port = live.port;
  }
  state.topic_config = configs[p.topic_name];
  co_return co_await services.replica_manager->become_leader_or_follower(std::move(state));
}

asio::awaitable<Response> handle(RequestContext ctx, ControlPlaneServices services) {
  protocol::Reader reader = ctx.body();
  auto request = LeaderAndIsrRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed LeaderAndIsr request: " + request.error().message());
  const ErrorCode admitted = services.fence->admit(request.value().controller_epoch, request.value().broker_epoch);
  LeaderAndIsrResponse response;
  response.error_code = static_cast<int16_t>(admitted);
  if (admitted != ErrorCode::none) co_return respond(ctx, response);
  std::map<std::string, std::map<std::string, std::string>> configs;
  for (const PartitionStateMsg& p : partitions_of(request.value(), ctx.api_version())) {
    LeaderAndIsrResponse::LeaderAndIsrPartitionError error;
    error.topic_name = p.topic_name;
    error.partition_index = p.partition_index;
    error.error_code = static_cast<int16_t>(co_await apply(services, request.value(), p, configs));
    response.partition_errors.push_back(std::move(error));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler leader_and_isr_handler(const ControlPlaneServices& services) {
  return Handler{.key = protocol::ApiKey::leader_and_isr,
                 .min_version = 0,
                 .max_version = 4,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
