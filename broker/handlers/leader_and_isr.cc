// LeaderAndIsr (key 4): the controller's leadership decisions, applied per partition, the
// partitions concurrently.
// v5 (topic ids in the response) is not served: the controller negotiates v4.
#include <algorithm>
#include <map>

#include "broker/handlers/control_plane_handlers.h"
#include "client/async_util.h"
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

PartitionState state_of(const LeaderAndIsrRequest& request, const PartitionStateMsg& p,
                        std::map<std::string, std::string> topic_config) {
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
  state.topic_config = std::move(topic_config);
  return state;
}

asio::awaitable<ErrorCode> not_a_replica() { co_return ErrorCode::unknown_topic_or_partition; }

// The partitions are independent: they are applied concurrently, each on its own strand, in
// slices that bound the coroutines alive at once. After a controller failover the request names
// every partition, and a new leader term writes its leader-epoch checkpoint (an fsync), so one
// at a time would keep the partitions that changed leader waiting for thousands of others.
constexpr size_t kSlice = 512;

asio::awaitable<Response> handle(RequestContext ctx, ControlPlaneServices services) {
  protocol::Reader reader = ctx.body();
  auto request = LeaderAndIsrRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed LeaderAndIsr request: " + request.error().message());
  const ErrorCode admitted = services.fence->admit(request.value().controller_epoch, request.value().broker_epoch);
  LeaderAndIsrResponse response;
  response.error_code = static_cast<int16_t>(admitted);
  if (admitted != ErrorCode::none) co_return respond(ctx, response);
  const std::vector<PartitionStateMsg> partitions = partitions_of(request.value(), ctx.api_version());
  const BrokerId self = services.replica_manager->broker_id();
  std::map<std::string, std::map<std::string, std::string>> configs;
  for (const PartitionStateMsg& p : partitions) {
    if (!configs.contains(p.topic_name)) configs[p.topic_name] = co_await topic_config(services, p.topic_name);
  }
  for (size_t start = 0; start < partitions.size(); start += kSlice) {
    const size_t end = std::min(partitions.size(), start + kSlice);
    std::vector<asio::awaitable<ErrorCode>> steps;
    steps.reserve(end - start);
    for (size_t i = start; i < end; ++i) {
      const PartitionStateMsg& p = partitions[i];
      if (std::find(p.replicas.begin(), p.replicas.end(), self) == p.replicas.end()) {
        steps.push_back(not_a_replica());
        continue;
      }
      steps.push_back(services.replica_manager->become_leader_or_follower(
          state_of(request.value(), p, configs[p.topic_name])));
    }
    const std::vector<ErrorCode> errors = co_await client::gather(std::move(steps));
    for (size_t i = start; i < end; ++i) {
      LeaderAndIsrResponse::LeaderAndIsrPartitionError error;
      error.topic_name = partitions[i].topic_name;
      error.partition_index = partitions[i].partition_index;
      error.error_code = static_cast<int16_t>(errors[i - start]);
      response.partition_errors.push_back(std::move(error));
    }
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
