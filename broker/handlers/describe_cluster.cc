#include "broker/handlers/describe_cluster.h"

#include "protocol/messages/describe_cluster_request.h"
#include "protocol/messages/describe_cluster_response.h"

namespace sluice::broker {
namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = DescribeClusterRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed DescribeCluster request: " + decoded.error().message());
  const auto snapshot = services.metadata_cache->snapshot();
  DescribeClusterResponse response;
  response.cluster_id = snapshot->cluster_id.value_or("");
  response.controller_id = snapshot->controller_id;
  for (const BrokerEndpoint& b : snapshot->brokers) {
    DescribeClusterResponse::DescribeClusterBroker out;
    out.broker_id = b.id;
    out.host = b.host;
    out.port = b.port;
    out.rack = b.rack;
    response.brokers.push_back(std::move(out));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler describe_cluster_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::describe_cluster,
                 .min_version = 0,
                 .max_version = 0,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
