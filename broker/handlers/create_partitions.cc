#include "broker/handlers/create_partitions.h"

#include <map>
#include <set>

#include "broker/handlers/admin_common.h"
#include "protocol/messages/create_partitions_request.h"
#include "protocol/messages/create_partitions_response.h"

namespace sluice::broker {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using protocol::ErrorCode;
using Result = CreatePartitionsResponse::CreatePartitionsTopicResult;

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = CreatePartitionsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed CreatePartitions request: " + decoded.error().message());
  const CreatePartitionsRequest& request = decoded.value();
  CreatePartitionsResponse response;
  std::map<std::string, int> seen;
  for (const auto& t : request.topics) ++seen[t.name];
  if (!services.is_controller()) {
    for (const auto& [name, n] : seen) {
      response.results.push_back(topic_result<Result>(name, ErrorCode::not_controller, kNotControllerMessage));
    }
    co_return respond(ctx, response);
  }
  std::set<std::string> answered;
  std::set<std::string> grown;
  std::map<std::string, size_t> counts;
  for (const auto& t : request.topics) {
    if (!answered.insert(t.name).second) continue;
    if (seen[t.name] > 1) {
      response.results.push_back(
          topic_result<Result>(t.name, ErrorCode::invalid_request, "Duplicate topic in request."));
      continue;
    }
    std::optional<std::vector<std::vector<BrokerId>>> assignment;
    if (t.assignments) {
      assignment.emplace();
      for (const auto& a : *t.assignments) assignment->push_back(a.broker_ids);
    }
    auto added = co_await services.admin_zk->add_partitions(t.name, t.count, std::move(assignment),
                                                            request.validate_only);
    if (!added) {
      const coordination::AdminError& e = added.error();
      response.results.push_back(topic_result<Result>(t.name, admin_error_code(e.code), e.message));
      continue;
    }
    response.results.push_back(topic_result<Result>(t.name, ErrorCode::none));
    if (!request.validate_only) {
      grown.insert(t.name);
      counts[t.name] = static_cast<size_t>(t.count);
    }
  }
  auto timed_out = co_await wait_for_topics(
      services, grown, request.timeout_ms, [&counts](const MetadataCache::Snapshot& s, const std::string& topic) {
        return topic_has_leaders(s, topic, counts.at(topic));
      });
  mark_timed_out(response.results, timed_out, [](const std::string& name) {
    return "The new partitions of '" + name + "' had no leaders within the timeout.";
  });
  co_return respond(ctx, response);
}

}  // namespace

Handler create_partitions_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::create_partitions,
                 .min_version = 0,
                 .max_version = 1,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
