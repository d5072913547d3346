#include "broker/handlers/offset_for_leader_epoch.h"

#include "protocol/messages/offset_for_leader_epoch_request.h"
#include "protocol/messages/offset_for_leader_epoch_response.h"

namespace sluice::broker {
namespace {

using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;

asio::awaitable<Response> handle(RequestContext ctx, BrokerServices services) {
  protocol::Reader reader = ctx.body();
  auto request = OffsetForLeaderEpochRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed OffsetForLeaderEpoch request: " + request.error().message());
  OffsetForLeaderEpochResponse response;
  for (const auto& topic : request.value().topics) {
    OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult t;
    t.topic = topic.topic;
    for (const auto& p : topic.partitions) {
      // A named argument: GCC 12 mis-destroys braced temporaries inside co_await expressions.
      TopicPartition tp{topic.topic, p.partition};
      const EpochEndOffsetResult r =
          co_await services.replica_manager->end_offset_for_epoch(std::move(tp), p.current_leader_epoch, p.leader_epoch);
      OffsetForLeaderEpochResponse::EpochEndOffset out;
      out.error_code = static_cast<int16_t>(r.error);
      out.partition = p.partition;
      out.leader_epoch = r.epoch;
      out.end_offset = r.end_offset;
      t.partitions.push_back(out);
    }
    response.topics.push_back(std::move(t));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler offset_for_leader_epoch_handler(const BrokerServices& services) {
  return Handler{.key = protocol::ApiKey::offset_for_leader_epoch,
                 .min_version = 0,
                 .max_version = 4,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
