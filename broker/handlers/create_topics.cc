#include "broker/handlers/create_topics.h"

#include <map>
#include <set>

#include "broker/handlers/admin_common.h"
#include "protocol/messages/create_topics_request.h"
#include "protocol/messages/create_topics_response.h"

namespace sluice::broker {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::ErrorCode;
using Result = CreateTopicsResponse::CreatableTopicResult;

// The request's topic as AdminZkClient takes it; a reason (INVALID_CONFIG) for a null value.
std::optional<std::string> to_new_topic(const CreateTopicsRequest::CreatableTopic& t, const KafkaConfig& config,
                                        coordination::NewTopic& out) {
  out.name = t.name;
  if (t.assignments.empty()) {
    out.partitions = t.num_partitions == -1 ? config.num_partitions : t.num_partitions;
    out.replication_factor = t.replication_factor == -1 ? config.default_replication_factor : t.replication_factor;
  } else {
    out.partitions = t.num_partitions;
    out.replication_factor = t.replication_factor;
    for (const auto& a : t.assignments) out.assignment[a.partition_index] = a.broker_ids;
  }
  for (const auto& c : t.configs) {
    if (!c.value) return "Null value not supported for topic config " + c.name;
    out.config[c.name] = *c.value;
  }
  return std::nullopt;
}

asio::awaitable<Response> handle(RequestContext ctx, AdminServices services) {
  protocol::Reader reader = ctx.body();
  auto decoded = CreateTopicsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed CreateTopics request: " + decoded.error().message());
  const CreateTopicsRequest& request = decoded.value();
  CreateTopicsResponse response;
  std::map<std::string, int> seen;
  for (const auto& t : request.topics) ++seen[t.name];

  if (!services.is_controller()) {
    for (const auto& [name, n] : seen) {
      response.topics.push_back(topic_result<Result>(name, ErrorCode::not_controller, kNotControllerMessage));
    }
    co_return respond(ctx, response);
  }
  std::set<std::string> written;
  std::map<std::string, size_t> partition_counts;
  std::set<std::string> answered;
  for (const auto& t : request.topics) {
    if (!answered.insert(t.name).second) continue;
    if (seen[t.name] > 1) {
      response.topics.push_back(topic_result<Result>(t.name, ErrorCode::invalid_request,
                                          "The request names topic '" + t.name + "' more than once."));
      continue;
    }
    coordination::NewTopic topic;
    if (auto bad = to_new_topic(t, *services.config, topic)) {
      response.topics.push_back(topic_result<Result>(t.name, ErrorCode::invalid_config, std::move(*bad)));
      continue;
    }
    if (auto bad = check_topic_config(services.config->log_config, topic.config)) {
      response.topics.push_back(topic_result<Result>(t.name, admin_error_code(bad->code), std::move(bad->message)));
      continue;
    }
    auto created = co_await services.admin_zk->create_topic(std::move(topic), request.validate_only);
    if (!created) {
      const coordination::AdminError& e = created.error();
      response.topics.push_back(topic_result<Result>(t.name, admin_error_code(e.code), e.message));
      continue;
    }
    Result ok = topic_result<Result>(t.name, ErrorCode::none);
    const auto& assignment = created.value();
    ok.num_partitions = static_cast<int32_t>(assignment.size());
    ok.replication_factor =
        assignment.empty() ? int16_t{-1} : static_cast<int16_t>(assignment.begin()->second.size());
    response.topics.push_back(std::move(ok));
    if (!request.validate_only) {
      written.insert(t.name);
      partition_counts[t.name] = assignment.size();
    }
  }
  auto timed_out = co_await wait_for_topics(
      services, written, request.timeout_ms,
      [&partition_counts](const MetadataCache::Snapshot& snapshot, const std::string& topic) {
        return topic_has_leaders(snapshot, topic, partition_counts.at(topic));
      });
  mark_timed_out(response.topics, timed_out, [](const std::string& name) {
    return "Topic '" + name + "' was created but its partitions had no leaders within the timeout.";
  });
  co_return respond(ctx, response);
}

}  // namespace

Handler create_topics_handler(const AdminServices& services) {
  return Handler{.key = protocol::ApiKey::create_topics,
                 .min_version = 0,
                 .max_version = 4,
                 .fn = [services](RequestContext ctx) { return handle(std::move(ctx), services); }};
}

}  // namespace sluice::broker
