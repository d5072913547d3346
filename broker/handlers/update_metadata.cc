// UpdateMetadata (key 6): the controller's view of brokers and partitions, into the MetadataCache.
// A partition with leader -2 belongs to a topic being deleted: the topic leaves the cache.
#include <set>

#include "broker/handlers/control_plane_handlers.h"
#include "protocol/messages/update_metadata_request.h"
#include "protocol/messages/update_metadata_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::UpdateMetadataRequest;
using protocol::UpdateMetadataResponse;
using PartitionStateMsg = UpdateMetadataRequest::UpdateMetadataPartitionState;

constexpr BrokerId kDeletingLeader{-2};

std::vector<PartitionStateMsg> partitions_of(const UpdateMetadataRequest& request, int16_t version) {
  if (version < 5) return request.ungrouped_partition_states;
  std::vector<PartitionStateMsg> out;
  for (const auto& topic : request.topic_states) {
    for (PartitionStateMsg p : topic.partition_states) {
      p.topic_name = topic.topic_name;
      out.push_back(std::move(p));
    }
  }
  return out;
}

BrokerEndpoint endpoint_of(const UpdateMetadataRequest::UpdateMetadataBroker& b, int16_t version) {
  BrokerEndpoint out;
  out.id = b.id;
  out.rack = b.rack;
  if (version == 0) {
    out.host = b.v0_host;
    out.port = b.v0_port;
  } else if (!b.endpoints.empty()) {
    out.host = b.endpoints.front().host;
    out.port = b.endpoints.front().port;
  }
  return out;
}

MetadataUpdate update_of(const UpdateMetadataRequest& request, int16_t version) {
  MetadataUpdate update;
  std::vector<BrokerEndpoint> brokers;
  for (const auto& b : request.live_brokers) brokers.push_back(endpoint_of(b, version));
  update.brokers = std::move(brokers);
  update.controller_id = request.controller_id;
  std::set<std::string> deleted;
  for (const PartitionStateMsg& p : partitions_of(request, version)) {
    if (p.leader == kDeletingLeader) {
      deleted.insert(p.topic_name);
      continue;
    }
    PartitionMetadata m;
    m.partition = p.partition_index;
    m.leader = p.leader;
    m.leader_epoch = p.leader_epoch;
    m.replicas = p.replicas;
    m.isr = p.isr;
    m.offline_replicas = p.offline_replicas;
    update.partition_states.emplace_back(p.topic_name, std::move(m));
  }
  update.deleted_topics.assign(deleted.begin(), deleted.end());
  return update;
}

asio::awaitable<Response> handle(RequestContext ctx, ControlPlaneServices services) {
  protocol::Reader reader = ctx.body();
  auto request = UpdateMetadataRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed UpdateMetadata request: " + request.error().message());
  const ErrorCode admitted = services.fence->admit(request.value().controller_epoch, request.value().broker_epoch);
  if (admitted == ErrorCode::none) services.metadata_cache->update_metadata(update_of(request.value(), ctx.api_version()));
  UpdateMetadataResponse response;
  response.error_code = static_cast<int16_t>(admitted);
  co_return respond(ctx, response);
}

}  // namespace

Handler update_metadata_handler(const ControlPlaneServices& services) {
  return Handler{.key = protocol::ApiKey::update_metadata,
                 .min_version = 0,
                 .max_version = 7,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

protocol::ErrorCode ControlPlaneFence::admit(int32_t controller_epoch, int64_t broker_epoch) {
  const int64_t own = broker_epoch_.load();
  if (broker_epoch != -1 && own != -1 && broker_epoch < own) return protocol::ErrorCode::stale_broker_epoch;
  int32_t seen = controller_epoch_.load();
  do {
    if (controller_epoch < seen) return protocol::ErrorCode::stale_controller_epoch;
  } while (!controller_epoch_.compare_exchange_weak(seen, controller_epoch));
  return protocol::ErrorCode::none;
}

}  // namespace sluice::broker
