#include "broker/handlers/list_offsets.h"

#include "protocol/messages/list_offsets_request.h"
#include "protocol/messages/list_offsets_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

ListOffsetsResponse::ListOffsetsPartitionResponse partition_response(PartitionId id, const ListOffsetResult& r,
                                                                     int16_t version) {
  ListOffsetsResponse::ListOffsetsPartitionResponse p{.partition_index = id,
                                                      .error_code = static_cast<int16_t>(r.error)};
  if (r.error != ErrorCode::none) return p;
  if (version == 0) {
    if (r.offset >= Offset(0)) p.old_style_offsets.push_back(r.offset.value());
    return p;
  }
  p.timestamp = r.timestamp.value();
  p.offset = r.offset;
  p.leader_epoch = r.offset >= Offset(0) ? r.leader_epoch : LeaderEpoch(-1);
  return p;
}

asio::awaitable<Response> handle_list_offsets(RequestContext ctx, BrokerServices services) {
  protocol::Reader reader = ctx.body();
  auto request = ListOffsetsRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed ListOffsets request: " + request.error().message());
  const bool consumer = request.value().replica_id < BrokerId(0);
  ListOffsetsResponse response;
  for (const auto& topic : request.value().topics) {
    ListOffsetsResponse::ListOffsetsTopicResponse t{.name = topic.name};
    for (const auto& p : topic.partitions) {
      // A named argument: GCC 12 mis-destroys braced temporaries inside co_await expressions.
      TopicPartition tp{topic.name, p.partition_index};
      ListOffsetResult r = co_await services.replica_manager->fetch_offset_for_timestamp(
          std::move(tp), p.timestamp, p.current_leader_epoch, consumer);
      t.partitions.push_back(partition_response(p.partition_index, r, ctx.api_version()));
    }
    response.topics.push_back(std::move(t));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler list_offsets_handler(const BrokerServices& services) {
  return Handler{.key = protocol::ApiKey::list_offsets,
                 .min_version = 0,
                 .max_version = 6,
                 .fn = [services](RequestContext ctx) { return handle_list_offsets(std::move(ctx), services); }};
}

}  // namespace sluice::broker
