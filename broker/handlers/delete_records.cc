#include "broker/handlers/delete_records.h"

#include "protocol/messages/delete_records_request.h"
#include "protocol/messages/delete_records_response.h"

namespace sluice::broker {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = DeleteRecordsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed DeleteRecords request: " + decoded.error().message());
  DeleteRecordsResponse response;
  for (const auto& topic : decoded.value().topics) {
    DeleteRecordsResponse::DeleteRecordsTopicResult t;
    t.name = topic.name;
    for (const auto& p : topic.partitions) {
      TopicPartition tp{topic.name, p.partition_index};
      DeleteRecordsResult result = co_await services.replica_manager->delete_records(std::move(tp), p.offset);
      DeleteRecordsResponse::DeleteRecordsPartitionResult out;
      out.partition_index = p.partition_index;
      out.low_watermark = result.low_watermark;
      out.error_code = static_cast<int16_t>(result.error);
      t.partitions.push_back(out);
    }
    response.topics.push_back(std::move(t));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler delete_records_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::delete_records,
                 .min_version = 0,
                 .max_version = 1,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
