#include "broker/handlers/delete_topics.h"

#include <set>

#include "broker/handlers/admin_common.h"
#include "protocol/messages/delete_topics_request.h"
#include "protocol/messages/delete_topics_response.h"

namespace sluice::broker {
namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;
using Result = DeleteTopicsResponse::DeletableTopicResult;

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = DeleteTopicsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed DeleteTopics request: " + decoded.error().message());
  const DeleteTopicsRequest& request = decoded.value();
  // The same topic twice is answered once, as Kafka's set of names.
  std::vector<std::string> names;
  std::set<std::string> unique;
  for (const auto& name : request.topic_names) {
    if (unique.insert(name).second) names.push_back(name);
  }
  DeleteTopicsResponse response;
  std::optional<ErrorCode> refuse;
  std::optional<std::string> why;
  if (!services.is_controller()) {
    refuse = ErrorCode::not_controller;
    why = kNotControllerMessage;
  } else if (!services.config->delete_topic_enable) {
    refuse = ctx.api_version() >= 3 ? ErrorCode::topic_deletion_disabled : ErrorCode::invalid_request;
    why = "Topic deletion is disabled (delete.topic.enable=false).";
  }
  if (refuse) {
    for (const auto& name : names) response.responses.push_back(topic_result<Result>(name, *refuse, why));
    co_return respond(ctx, response);
  }
  const auto snapshot = services.metadata_cache->snapshot();
  std::set<std::string> marked;
  for (const auto& name : names) {
    if (!snapshot->topics.contains(name)) {
      response.responses.push_back(topic_result<Result>(name, ErrorCode::unknown_topic_or_partition,
                                             "Topic '" + name + "' does not exist."));
      continue;
    }
    auto deleted = co_await services.admin_zk->delete_topic(name);
    ErrorCode error = ErrorCode::none;
    std::optional<std::string> message;
    if (!deleted) {
      error = admin_error_code(deleted.error().code);
      if (error != ErrorCode::none) message = deleted.error().message;
    }
    if (error == ErrorCode::none) marked.insert(name);
    response.responses.push_back(topic_result<Result>(name, error, std::move(message)));
  }
  auto timed_out = co_await wait_for_topics(
      services, marked, request.timeout_ms,
      [](const MetadataCache::Snapshot& s, const std::string& topic) { return !s.topics.contains(topic); });
  mark_timed_out(response.responses, timed_out, [](const std::string& name) {
    return "Topic '" + name + "' is marked for deletion but was not deleted within the timeout.";
  });
  co_return respond(ctx, response);
}

}  // namespace

Handler delete_topics_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::delete_topics,
                 .min_version = 0,
                 .max_version = 3,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
