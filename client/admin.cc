#include "client/admin.h"

#include <algorithm>

namespace sluice::client {
namespace {

using protocol::ErrorCode;

protocol::CreateTopicsRequest::CreatableTopic to_creatable(const NewTopic& t) {
  protocol::CreateTopicsRequest::CreatableTopic out;
  out.name = t.name;
  out.num_partitions = t.num_partitions;
  out.replication_factor = t.replication_factor;
  for (const auto& [name, value] : t.configs) out.configs.push_back({.name = name, .value = value});
  return out;
}

// Whether the answer came from a broker that is not (or no longer) the controller.
template <typename Results>
bool not_controller(const Results& results) {
  return std::ranges::any_of(results, [](const auto& r) {
    return static_cast<ErrorCode>(r.error_code) == ErrorCode::not_controller;
  });
}

template <typename Results>
TopicErrors to_errors(const Results& results) {
  TopicErrors out;
  for (const auto& r : results) {
    const auto code = static_cast<ErrorCode>(r.error_code);
    out[r.name.value_or("")] = code == ErrorCode::none ? std::error_code{} : broker_error(code);
  }
  return out;
}

// CreateTopicsResult's name is not nullable; DeleteTopics' is (v6 topic ids).
struct NamedResult {
  std::optional<std::string> name;
  int16_t error_code;
};

}  // namespace

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> Admin::controller() {
  std::vector<std::string> no_topics;
  SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(no_topics)));
  if (client_.metadata().broker(client_.metadata().controller()) == nullptr) co_return co_await client_.any_connection();
  co_return co_await client_.connection(client_.metadata().controller());
}

asio::awaitable<Result<TopicErrors>> Admin::create_topics(std::vector<NewTopic> topics) {
  co_return co_await on_strand(client_.executor(), create_on_strand(std::move(topics)));
}

asio::awaitable<Result<TopicErrors>> Admin::create_on_strand(std::vector<NewTopic> topics) {
  std::error_code last = Errc::no_leader;
  for (int attempt = 0; attempt < client_.config().metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    SLUICE_CO_TRY(auto conn, co_await controller());
    protocol::CreateTopicsRequest request;
    request.timeout_ms = static_cast<int32_t>(timeout_.count());
    for (const auto& t : topics) request.topics.push_back(to_creatable(t));
    auto response = co_await conn->send(std::move(request));
    if (!response) {
      last = response.error();
      if (!is_retriable(last)) break;
      continue;
    }
    if (not_controller(response.value().body.topics)) {
      last = broker_error(ErrorCode::not_controller);
      continue;
    }
    std::vector<NamedResult> named;
    for (const auto& r : response.value().body.topics) named.push_back({r.name, r.error_code});
    co_return to_errors(named);
  }
  co_return last;
}

asio::awaitable<Result<TopicErrors>> Admin::delete_topics(std::vector<std::string> names) {
  co_return co_await on_strand(client_.executor(), delete_on_strand(std::move(names)));
}

asio::awaitable<Result<TopicErrors>> Admin::delete_on_strand(std::vector<std::string> names) {
  std::error_code last = Errc::no_leader;
  for (int attempt = 0; attempt < client_.config().metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    SLUICE_CO_TRY(auto conn, co_await controller());
    // v6 names topics in `topics` (by name or id); earlier versions in `topic_names`.
    SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::delete_topics, 0, 5));
    protocol::DeleteTopicsRequest request;
    request.timeout_ms = static_cast<int32_t>(timeout_.count());
    request.topic_names = names;
    auto response = co_await conn->send(std::move(request), version);
    if (!response) {
      last = response.error();
      if (!is_retriable(last)) break;
      continue;
    }
    if (not_controller(response.value().body.responses)) {
      last = broker_error(ErrorCode::not_controller);
      continue;
    }
    client_.invalidate_metadata();
    co_return to_errors(response.value().body.responses);
  }
  co_return last;
}

asio::awaitable<Result<std::vector<TopicInfo>>> Admin::describe_topics(std::vector<std::string> names) {
  co_return co_await on_strand(client_.executor(), describe_on_strand(std::move(names)));
}

asio::awaitable<Result<std::vector<TopicInfo>>> Admin::describe_on_strand(std::vector<std::string> names) {
  SLUICE_CO_TRY(co_await client_.refresh_metadata(names));
  std::vector<TopicInfo> out;
  for (const auto& name : names) {
    const TopicInfo* t = client_.metadata().topic(name);
    out.push_back(t != nullptr ? *t
                               : TopicInfo{.name = name, .error = ErrorCode::unknown_topic_or_partition,
                                           .is_internal = false, .partitions = {}});
  }
  co_return out;
}

asio::awaitable<Result<std::vector<std::string>>> Admin::list_topics() {
  co_return co_await on_strand(client_.executor(), list_on_strand());
}

asio::awaitable<Result<std::vector<std::string>>> Admin::list_on_strand() {
  SLUICE_CO_TRY(co_await client_.refresh_metadata(std::nullopt));
  std::vector<std::string> out;
  for (const auto& [name, info] : client_.metadata().topics()) {
    if (!info.is_internal) out.push_back(name);
  }
  co_return out;
}

}  // namespace sluice::client
