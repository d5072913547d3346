#include "broker/handlers/metadata.h"

#include "protocol/messages/metadata_request.h"
#include "protocol/messages/metadata_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;
using Snapshot = MetadataCache::Snapshot;

MetadataResponse::MetadataResponsePartition partition_of(const PartitionMetadata& p) {
  const ErrorCode error = p.leader < BrokerId(0) ? ErrorCode::leader_not_available : ErrorCode::none;
  return {.error_code = static_cast<int16_t>(error),
          .partition_index = p.partition,
          .leader_id = p.leader,
          .leader_epoch = p.leader_epoch,
          .replica_nodes = p.replicas,
          .isr_nodes = p.isr,
          .offline_replicas = p.offline_replicas};
}

MetadataResponse::MetadataResponseTopic topic_of(const TopicMetadata& t) {
  MetadataResponse::MetadataResponseTopic out{.name = t.name, .is_internal = t.is_internal};
  for (const auto& [id, p] : t.partitions) out.partitions.push_back(partition_of(p));
  return out;
}

// The topics named by the request, or every topic; the names to auto-create go to `missing`.
std::vector<MetadataResponse::MetadataResponseTopic> topics_of(const MetadataRequest& request, int16_t version,
                                                               const Snapshot& snapshot,
                                                               std::vector<std::string>& missing) {
  std::vector<MetadataResponse::MetadataResponseTopic> out;
  const bool all = !request.topics || (version == 0 && request.topics->empty());
  if (all) {
    for (const auto& [name, t] : snapshot.topics) out.push_back(topic_of(t));
    return out;
  }
  for (const auto& requested : *request.topics) {
    const std::string name = requested.name.value_or("");
    auto it = snapshot.topics.find(name);
    if (it != snapshot.topics.end()) {
      out.push_back(topic_of(it->second));
      continue;
    }
    missing.push_back(name);
    out.push_back({.error_code = static_cast<int16_t>(ErrorCode::unknown_topic_or_partition), .name = name});
  }
  return out;
}

void request_creation(const BrokerServices& services, const MetadataRequest& request, int16_t version,
                      std::vector<std::string> missing, std::vector<MetadataResponse::MetadataResponseTopic>& topics) {
  const bool allowed = version < 4 || request.allow_auto_topic_creation;
  if (missing.empty() || services.topic_creator == nullptr || !services.auto_create_topics_enable || !allowed) return;
  for (auto& t : topics) {
    if (std::find(missing.begin(), missing.end(), t.name) != missing.end()) {
      t.error_code = static_cast<int16_t>(ErrorCode::leader_not_available);
    }
  }
  services.topic_creator->create_topics(std::move(missing));
}

asio::awaitable<Response> handle_metadata(RequestContext ctx, BrokerServices services) {
  protocol::Reader reader = ctx.body();
  auto request = MetadataRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed Metadata request: " + request.error().message());
  const std::shared_ptr<const Snapshot> snapshot = services.metadata_cache->snapshot();
  MetadataResponse response{.cluster_id = snapshot->cluster_id, .controller_id = snapshot->controller_id};
  for (const BrokerEndpoint& b : snapshot->brokers) {
    response.brokers.push_back({.node_id = b.id, .host = b.host, .port = b.port, .rack = b.rack});
  }
  std::vector<std::string> missing;
  response.topics = topics_of(request.value(), ctx.api_version(), *snapshot, missing);
  request_creation(services, request.value(), ctx.api_version(), std::move(missing), response.topics);
  co_return respond(ctx, response);
}

}  // namespace

Handler metadata_handler(const BrokerServices& services) {
  return Handler{.key = protocol::ApiKey::metadata,
                 .min_version = 0,
                 .max_version = 9,
                 .fn = [services](RequestContext ctx) { return handle_metadata(std::move(ctx), services); }};
}

}  // namespace sluice::broker
