#include "broker/handlers/controlled_shutdown.h"

#include "coordination/kafka_controller.h"
#include "protocol/error_code.h"
#include "protocol/messages/controlled_shutdown_request.h"
#include "protocol/messages/controlled_shutdown_response.h"

namespace sluice::broker {
namespace {

using protocol::ControlledShutdownRequest;
using protocol::ControlledShutdownResponse;

asio::awaitable<Response> handle(RequestContext ctx, coordination::KafkaController* controller) {
  protocol::Reader reader = ctx.body();
  auto request = ControlledShutdownRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed ControlledShutdown request: " + request.error().message());
  ControlledShutdownResponse response;
  if (!controller->is_active()) {
    response.error_code = static_cast<int16_t>(protocol::ErrorCode::not_controller);
    co_return respond(ctx, response);
  }
  const auto result = co_await controller->controlled_shutdown(request.value().broker_id, request.value().broker_epoch);
  response.error_code = result.error_code;
  for (const TopicPartition& tp : result.remaining) {
    ControlledShutdownResponse::RemainingPartition p;
    p.topic_name = tp.topic;
    p.partition_index = tp.partition;
    response.remaining_partitions.push_back(std::move(p));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler controlled_shutdown_handler(coordination::KafkaController* controller) {
  return Handler{.key = protocol::ApiKey::controlled_shutdown,
                 .min_version = 0,
                 .max_version = 3,
                 .fn = [controller](RequestContext ctx) { return handle(std::move(ctx), controller); }};
}

}  // namespace sluice::broker
