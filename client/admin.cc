#include "client/admin.h"

#include "client/group_consumer.h"

#include <algorithm>
#include <charconv>

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

ApiError api_error(int16_t error_code, const std::optional<std::string>& message) {
  const auto code = static_cast<ErrorCode>(error_code);
  if (code == ErrorCode::none) return {};
  return {.error = broker_error(code), .message = message.value_or("")};
}

template <typename Results>
TopicErrors to_errors(const Results& results) {
  TopicErrors out;
  for (const auto& r : results) {
    out[r.name.value_or("")] = api_error(r.error_code, r.error_message);
  }
  return out;
}

// CreateTopicsResult's name is not nullable; DeleteTopics' is (v6 topic ids).
struct NamedResult {
  std::optional<std::string> name;
  int16_t error_code;
  std::optional<std::string> error_message;
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
    for (const auto& r : response.value().body.topics) named.push_back({r.name, r.error_code, r.error_message});
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

asio::awaitable<Result<TopicErrors>> Admin::create_partitions(std::map<std::string, int32_t> counts) {
  co_return co_await on_strand(client_.executor(), create_partitions_on_strand(std::move(counts)));
}

asio::awaitable<Result<TopicErrors>> Admin::create_partitions_on_strand(std::map<std::string, int32_t> counts) {
  std::error_code last = Errc::no_leader;
  for (int attempt = 0; attempt < client_.config().metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    SLUICE_CO_TRY(auto conn, co_await controller());
    protocol::CreatePartitionsRequest request;
    request.timeout_ms = static_cast<int32_t>(timeout_.count());
    for (const auto& [name, count] : counts) {
      protocol::CreatePartitionsRequest::CreatePartitionsTopic t;
      t.name = name;
      t.count = count;
      request.topics.push_back(std::move(t));
    }
    auto response = co_await conn->send(std::move(request));
    if (!response) {
      last = response.error();
      if (!is_retriable(last)) break;
      continue;
    }
    if (not_controller(response.value().body.results)) {
      last = broker_error(ErrorCode::not_controller);
      continue;
    }
    client_.invalidate_metadata();
    std::vector<NamedResult> named;
    for (const auto& r : response.value().body.results) named.push_back({r.name, r.error_code, r.error_message});
    co_return to_errors(named);
  }
  co_return last;
}

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> Admin::config_connection(ConfigResource resource) {
  if (resource.type != ConfigResourceType::broker) co_return co_await client_.any_connection();
  int32_t id = -1;
  const char* end = resource.name.data() + resource.name.size();
  if (std::from_chars(resource.name.data(), end, id).ptr != end || resource.name.empty()) {
    co_return make_error_code(Errc::invalid_config);
  }
  if (client_.metadata().broker(BrokerId(id)) == nullptr) {
    std::vector<std::string> no_topics;
    SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(no_topics)));
  }
  co_return co_await client_.connection(BrokerId(id));
}

asio::awaitable<Result<ConfigDescription>> Admin::describe_configs(ConfigResource resource) {
  co_return co_await on_strand(client_.executor(), describe_configs_on_strand(std::move(resource)));
}

asio::awaitable<Result<ConfigDescription>> Admin::describe_configs_on_strand(ConfigResource resource) {
  SLUICE_CO_TRY(auto conn, co_await config_connection(resource));
  protocol::DescribeConfigsRequest request;
  protocol::DescribeConfigsRequest::DescribeConfigsResource r;
  r.resource_type = static_cast<int8_t>(resource.type);
  r.resource_name = resource.name;
  r.configuration_keys = std::nullopt;  // all of them
  request.resources.push_back(std::move(r));
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request)));
  ConfigDescription out;
  for (const auto& result : response.body.results) {
    if (result.resource_name != resource.name) continue;
    out.error = api_error(result.error_code, result.error_message);
    for (const auto& c : result.configs) {
      ConfigEntry e;
      e.name = c.name;
      e.value = c.value;
      e.read_only = c.read_only;
      e.is_sensitive = c.is_sensitive;
      if (response.version >= 1) {
        e.source = static_cast<ConfigSource>(c.config_source);
      } else if (c.is_default) {  // v0 only says whether it is a default
        e.source = ConfigSource::default_config;
      } else {
        e.source = resource.type == ConfigResourceType::topic ? ConfigSource::dynamic_topic_config
                                                              : ConfigSource::static_broker_config;
      }
      out.entries.push_back(std::move(e));
    }
    co_return out;
  }
  co_return make_error_code(Errc::malformed_response);  // no result for the resource we named
}

asio::awaitable<Result<ApiError>> Admin::incremental_alter_configs(ConfigResource resource,
                                                                   std::vector<ConfigChange> changes) {
  co_return co_await on_strand(client_.executor(), alter_configs_on_strand(std::move(resource), std::move(changes)));
}

namespace {

template <typename Responses>
Result<ApiError> resource_outcome(const Responses& responses, const ConfigResource& resource) {
  for (const auto& r : responses) {
    // Explicit: ApiError converts to error_code, so Result<ApiError> has no implicit constructors.
    if (r.resource_name == resource.name) return outcome::success(api_error(r.error_code, r.error_message));
  }
  return outcome::failure(make_error_code(Errc::malformed_response));
}

}  // namespace

asio::awaitable<Result<ApiError>> Admin::alter_configs_on_strand(ConfigResource resource,
                                                                 std::vector<ConfigChange> changes) {
  SLUICE_CO_TRY(auto conn, co_await config_connection(resource));
  if (!conn->negotiate(protocol::ApiKey::incremental_alter_configs, 0, 1)) {
    co_return co_await legacy_alter_configs(conn, std::move(resource), std::move(changes));
  }
  protocol::IncrementalAlterConfigsRequest request;
  protocol::IncrementalAlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = static_cast<int8_t>(resource.type);
  r.resource_name = resource.name;
  for (const auto& change : changes) {
    protocol::IncrementalAlterConfigsRequest::AlterableConfig c;
    c.name = change.name;
    c.config_operation = static_cast<int8_t>(change.op);
    if (change.op == ConfigChange::Op::set) c.value = change.value;
    r.configs.push_back(std::move(c));
  }
  request.resources.push_back(std::move(r));
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request)));
  co_return resource_outcome(response.body.responses, resource);
}

asio::awaitable<Result<ApiError>> Admin::legacy_alter_configs(std::shared_ptr<BrokerConnection> conn,
                                                              ConfigResource resource,
                                                              std::vector<ConfigChange> changes) {
  // AlterConfigs replaces the whole set of overrides: start from the current ones.
  SLUICE_CO_TRY(auto current, co_await describe_configs_on_strand(resource));
  if (current.error) co_return outcome::success(current.error);
  std::map<std::string, std::string> overrides;
  for (const auto& e : current.entries) {
    if (e.is_override() && e.value) overrides[e.name] = *e.value;
  }
  for (const auto& change : changes) {
    if (change.op == ConfigChange::Op::set) {
      overrides[change.name] = change.value;
    } else {
      overrides.erase(change.name);
    }
  }
  protocol::AlterConfigsRequest request;
  protocol::AlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = static_cast<int8_t>(resource.type);
  r.resource_name = resource.name;
  for (const auto& [name, value] : overrides) {
    protocol::AlterConfigsRequest::AlterableConfig c;
    c.name = name;
    c.value = value;
    r.configs.push_back(std::move(c));
  }
  request.resources.push_back(std::move(r));
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request)));
  co_return resource_outcome(response.body.responses, resource);
}

asio::awaitable<Result<ClusterDescription>> Admin::describe_cluster() {
  co_return co_await on_strand(client_.executor(), describe_cluster_on_strand());
}

asio::awaitable<Result<ClusterDescription>> Admin::describe_cluster_on_strand() {
  SLUICE_CO_TRY(auto conn, co_await client_.any_connection());
  ClusterDescription out;
  if (conn->negotiate(protocol::ApiKey::describe_cluster, 0, 0)) {
    protocol::DescribeClusterRequest request;
    SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request)));
    const auto& body = response.body;
    if (body.error_code != 0) co_return broker_error(static_cast<ErrorCode>(body.error_code));
    out.cluster_id = body.cluster_id;
    out.controller = body.controller_id;
    for (const auto& b : body.brokers) {
      out.brokers.push_back(BrokerInfo{.id = b.broker_id, .host = b.host, .port = b.port, .rack = b.rack});
    }
    std::ranges::sort(out.brokers, {}, &BrokerInfo::id);
    co_return out;
  }
  std::vector<std::string> no_topics;
  SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(no_topics)));
  const ClusterMetadata& metadata = client_.metadata();
  out.cluster_id = metadata.cluster_id();
  out.controller = metadata.controller();
  for (const auto& [id, broker] : metadata.brokers()) out.brokers.push_back(broker);
  co_return out;
}

asio::awaitable<Result<PartitionErrors>> Admin::elect_leaders(ElectionType type,
                                                              std::optional<std::vector<TopicPartition>> partitions) {
  co_return co_await on_strand(client_.executor(), elect_leaders_on_strand(type, std::move(partitions)));
}

template <typename Out, typename Request, typename Read>
asio::awaitable<Result<Out>> Admin::to_controller(protocol::ApiKey key, int16_t min_version, int16_t max_version,
                                                  Request request, Read read) {
  std::error_code last = Errc::no_leader;
  for (int attempt = 0; attempt < client_.config().metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    SLUICE_CO_TRY(auto conn, co_await controller());
    auto version = conn->negotiate(key, min_version, max_version);
    if (!version) co_return version.error();
    Request copy = request;
    auto response = co_await conn->send(std::move(copy), version.value());
    if (!response) {
      last = response.error();
      if (!is_retriable(last)) break;
      continue;
    }
    const auto& body = response.value().body;
    if (static_cast<ErrorCode>(body.error_code) == ErrorCode::not_controller) {
      last = broker_error(ErrorCode::not_controller);
      client_.invalidate_metadata();
      continue;
    }
    if (body.error_code != 0) co_return broker_error(static_cast<ErrorCode>(body.error_code));
    std::optional<Result<Out>> out = read(body);
    if (!out) {
      last = broker_error(ErrorCode::not_controller);
      client_.invalidate_metadata();
      continue;
    }
    co_return std::move(*out);
  }
  co_return last;
}

asio::awaitable<Result<PartitionErrors>> Admin::elect_leaders_on_strand(
    ElectionType type, std::optional<std::vector<TopicPartition>> partitions) {
  protocol::ElectLeadersRequest request;
  request.election_type = static_cast<int8_t>(type);
  request.timeout_ms = static_cast<int32_t>(timeout_.count());
  if (partitions) {
    std::map<std::string, std::vector<PartitionId>> by_topic;
    for (const TopicPartition& tp : *partitions) by_topic[tp.topic].push_back(tp.partition);
    request.topic_partitions.emplace();
    for (auto& [topic, ps] : by_topic) {
      protocol::ElectLeadersRequest::ElectLeadersTopicPartitions t;
      t.topic = topic;
      t.partitions = std::move(ps);
      request.topic_partitions->push_back(std::move(t));
    }
  }
  auto read = [](const protocol::ElectLeadersResponse& body) -> std::optional<Result<PartitionErrors>> {
    PartitionErrors out;
    for (const auto& t : body.replica_election_results) {
      for (const auto& p : t.partition_result) {
        if (static_cast<ErrorCode>(p.error_code) == ErrorCode::not_controller) return std::nullopt;
        out[TopicPartition{t.topic, p.partition_id}] = api_error(p.error_code, p.error_message);
      }
    }
    return out;
  };
  // Version 0 cannot carry the election type: only preferred elections may fall back to it.
  const int16_t min_version = type == ElectionType::preferred ? 0 : 1;
  auto result = co_await to_controller<PartitionErrors>(protocol::ApiKey::elect_leaders, min_version, 2,
                                                        std::move(request), read);
  if (result) client_.invalidate_metadata();  // leaders moved
  co_return result;
}

asio::awaitable<Result<PartitionErrors>> Admin::alter_partition_reassignments(
    std::map<TopicPartition, std::optional<std::vector<BrokerId>>> targets) {
  co_return co_await on_strand(client_.executor(), alter_reassignments_on_strand(std::move(targets)));
}

asio::awaitable<Result<PartitionErrors>> Admin::alter_reassignments_on_strand(
    std::map<TopicPartition, std::optional<std::vector<BrokerId>>> targets) {
  protocol::AlterPartitionReassignmentsRequest request;
  request.timeout_ms = static_cast<int32_t>(timeout_.count());
  std::map<std::string, protocol::AlterPartitionReassignmentsRequest::ReassignableTopic> by_topic;
  for (const auto& [tp, replicas] : targets) {
    auto& t = by_topic[tp.topic];
    t.name = tp.topic;
    protocol::AlterPartitionReassignmentsRequest::ReassignablePartition p;
    p.partition_index = tp.partition;
    p.replicas = replicas;
    t.partitions.push_back(std::move(p));
  }
  for (auto& [name, t] : by_topic) request.topics.push_back(std::move(t));
  auto read = [](const protocol::AlterPartitionReassignmentsResponse& body) -> std::optional<Result<PartitionErrors>> {
    PartitionErrors out;
    for (const auto& t : body.responses) {
      for (const auto& p : t.partitions) {
        out[TopicPartition{t.name, p.partition_index}] = api_error(p.error_code, p.error_message);
      }
    }
    return out;
  };
  co_return co_await to_controller<PartitionErrors>(protocol::ApiKey::alter_partition_reassignments, 0, 0,
                                                    std::move(request), read);
}

asio::awaitable<Result<std::map<TopicPartition, PartitionReassignment>>> Admin::list_partition_reassignments(
    std::optional<std::vector<TopicPartition>> partitions) {
  co_return co_await on_strand(client_.executor(), list_reassignments_on_strand(std::move(partitions)));
}

asio::awaitable<Result<std::map<TopicPartition, PartitionReassignment>>> Admin::list_reassignments_on_strand(
    std::optional<std::vector<TopicPartition>> partitions) {
  using Reassignments = std::map<TopicPartition, PartitionReassignment>;
  protocol::ListPartitionReassignmentsRequest request;
  request.timeout_ms = static_cast<int32_t>(timeout_.count());
  if (partitions) {
    std::map<std::string, std::vector<PartitionId>> by_topic;
    for (const TopicPartition& tp : *partitions) by_topic[tp.topic].push_back(tp.partition);
    request.topics.emplace();
    for (auto& [topic, ps] : by_topic) {
      protocol::ListPartitionReassignmentsRequest::ListPartitionReassignmentsTopics t;
      t.name = topic;
      t.partition_indexes = std::move(ps);
      request.topics->push_back(std::move(t));
    }
  }
  auto read = [](const protocol::ListPartitionReassignmentsResponse& body) -> std::optional<Result<Reassignments>> {
    Reassignments out;
    for (const auto& t : body.topics) {
      for (const auto& p : t.partitions) {
        out[TopicPartition{t.name, p.partition_index}] =
            PartitionReassignment{p.replicas, p.adding_replicas, p.removing_replicas};
      }
    }
    return out;
  };
  co_return co_await to_controller<Reassignments>(protocol::ApiKey::list_partition_reassignments, 0, 0,
                                                  std::move(request), read);
}


// ---- consumer groups ----

namespace {

// Each runs at the coordinator; the lambdas handing them to at_coordinator are not coroutines
// (a capturing coroutine lambda dangles: STYLE.md §4).
asio::awaitable<Result<GroupDescription>> describe_at(
    BrokerId coordinator, std::shared_ptr<BrokerConnection> conn, std::string id) {
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::describe_groups, 0, 5));
  protocol::DescribeGroupsRequest request;
  request.groups.push_back(id);
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  if (response.body.groups.size() != 1) co_return Errc::malformed_response;
  const auto& g = response.body.groups.front();
  GroupDescription d;
  d.group_id = g.group_id;
  d.coordinator = coordinator;
  if (g.error_code != 0) {
    const std::error_code ec = broker_error(static_cast<ErrorCode>(g.error_code));
    if (is_coordinator_error(ec)) co_return ec;
    d.error = {.error = ec, .message = ""};
  }
  d.state = g.group_state;
  d.protocol_type = g.protocol_type;
  d.protocol = g.protocol_data;
  for (const auto& m : g.members) {
    GroupMemberDescription member;
    member.member_id = m.member_id;
    member.group_instance_id = m.group_instance_id;
    member.client_id = m.client_id;
    member.client_host = m.client_host;
    if (g.protocol_type == kConsumerProtocolType || g.protocol_type.empty()) {
      if (auto a = decode_assignment(m.member_assignment)) member.assignment = std::move(a).value();
    }
    d.members.push_back(std::move(member));
  }
  co_return d;
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> offsets_at(
    BrokerId /*coordinator*/, std::shared_ptr<BrokerConnection> conn, std::string group) {
  // v2 is the first with null topics (every committed partition).
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::offset_fetch, 2, 7));
  protocol::OffsetFetchRequest request;
  request.group_id = group;
  request.topics = std::nullopt;
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  if (response.body.error_code != 0) co_return broker_error(static_cast<ErrorCode>(response.body.error_code));
  std::map<TopicPartition, Offset> out;
  for (const auto& t : response.body.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code != 0) co_return broker_error(static_cast<ErrorCode>(p.error_code));
      if (p.committed_offset.value() >= 0) out[TopicPartition{t.name, p.partition_index}] = p.committed_offset;
    }
  }
  co_return out;
}

asio::awaitable<Result<PartitionErrors>> alter_offsets_at(
    BrokerId /*coordinator*/, std::shared_ptr<BrokerConnection> conn,
    std::string group, std::map<TopicPartition, Offset> offsets) {
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::offset_commit, 2, 7));
  // The "simple" commit of a group without members.
  protocol::OffsetCommitRequest request = offset_commit_request(group, -1, "", offsets);
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  PartitionErrors out;
  bool all_moved = true;
  for (const auto& t : response.body.topics) {
    for (const auto& p : t.partitions) {
      out[TopicPartition{t.name, p.partition_index}] = api_error(p.error_code, std::nullopt);
      if (!is_coordinator_error(broker_error(static_cast<ErrorCode>(p.error_code)))) all_moved = false;
    }
  }
  if (!out.empty() && all_moved) co_return out.begin()->second.error;
  co_return out;
}

asio::awaitable<Result<std::map<std::string, ApiError>>> delete_at(
    BrokerId /*coordinator*/, std::shared_ptr<BrokerConnection> conn, std::string id) {
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::delete_groups, 0, 2));
  protocol::DeleteGroupsRequest request;
  request.groups_names.push_back(id);
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  for (const auto& r : response.body.results) {
    if (r.group_id != id) continue;
    ApiError e = api_error(r.error_code, std::nullopt);
    if (e && is_coordinator_error(e.error)) co_return e.error;
    std::map<std::string, ApiError> one;
    one[id] = e;
    co_return one;
  }
  co_return make_error_code(Errc::malformed_response);
}

}  // namespace


asio::awaitable<Result<std::pair<BrokerId, std::shared_ptr<BrokerConnection>>>> Admin::group_coordinator(
    std::string group, bool fresh) {
  if (fresh) {
    std::vector<std::string> no_topics;
    SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(no_topics)));
  }
  SLUICE_CO_TRY(auto found, co_await find_group_coordinator(client_, std::move(group)));
  if (client_.metadata().broker(found.id) == nullptr) {
    std::vector<std::string> no_topics;
    SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(no_topics)));
  }
  SLUICE_CO_TRY(auto conn, co_await client_.connection(found.id));
  co_return std::pair{found.id, std::move(conn)};
}

template <typename Out, typename Call>
asio::awaitable<Result<Out>> Admin::at_coordinator(std::string group, Call call) {
  constexpr int kAttempts = 3;  // the first try and two more after a coordinator error
  std::error_code last = broker_error(ErrorCode::coordinator_not_available);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    auto coordinator = co_await group_coordinator(group, attempt > 0);
    if (!coordinator) {
      last = coordinator.error();
      if (!is_coordinator_error(last) && !is_retriable(last)) break;
      continue;
    }
    Result<Out> out = co_await call(coordinator.value().first, coordinator.value().second);
    if (out || !is_coordinator_error(out.error())) co_return out;
    last = out.error();
  }
  co_return last;
}

asio::awaitable<Result<GroupListings>> Admin::list_groups() {
  co_return co_await on_strand(client_.executor(), list_groups_on_strand());
}

asio::awaitable<Result<GroupListings>> Admin::list_groups_on_strand() {
  std::vector<std::string> no_topics;
  SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(no_topics)));
  GroupListings out;
  std::vector<BrokerId> ids;
  for (const auto& [id, b] : client_.metadata().brokers()) ids.push_back(id);
  for (BrokerId id : ids) {
    auto conn = co_await client_.connection(id);
    if (!conn) {
      out.errors[id] = conn.error();
      continue;
    }
    auto version = conn.value()->negotiate(protocol::ApiKey::list_groups, 0, 4);
    if (!version) {
      out.errors[id] = version.error();
      continue;
    }
    protocol::ListGroupsRequest request;
    auto response = co_await conn.value()->send(std::move(request), version.value());
    if (!response) {
      out.errors[id] = response.error();
      continue;
    }
    if (response.value().body.error_code != 0) {
      out.errors[id] = broker_error(static_cast<ErrorCode>(response.value().body.error_code));
      continue;
    }
    for (const auto& g : response.value().body.groups) {
      out.groups.push_back({.group_id = g.group_id, .protocol_type = g.protocol_type, .state = g.group_state,
                            .coordinator = id});
    }
  }
  std::sort(out.groups.begin(), out.groups.end(),
            [](const GroupListing& a, const GroupListing& b) { return a.group_id < b.group_id; });
  co_return out;
}

asio::awaitable<Result<std::vector<GroupDescription>>> Admin::describe_groups(std::vector<std::string> ids) {
  co_return co_await on_strand(client_.executor(), describe_groups_on_strand(std::move(ids)));
}

asio::awaitable<Result<std::vector<GroupDescription>>> Admin::describe_groups_on_strand(std::vector<std::string> ids) {
  std::vector<GroupDescription> out;
  for (const auto& id : ids) {
    auto call = [id](BrokerId coordinator, std::shared_ptr<BrokerConnection> conn) {
      return describe_at(coordinator, std::move(conn), id);
    };
    auto described = co_await at_coordinator<GroupDescription>(id, std::move(call));
    if (!described) co_return described.error();
    out.push_back(std::move(described).value());
  }
  co_return out;
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> Admin::list_group_offsets(std::string group) {
  co_return co_await on_strand(client_.executor(), list_group_offsets_on_strand(std::move(group)));
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> Admin::list_group_offsets_on_strand(std::string group) {
  using Out = std::map<TopicPartition, Offset>;
  auto call = [group](BrokerId coordinator, std::shared_ptr<BrokerConnection> conn) {
      return offsets_at(coordinator, std::move(conn), group);
  };
  co_return co_await at_coordinator<Out>(group, std::move(call));
}

asio::awaitable<Result<PartitionErrors>> Admin::alter_group_offsets(std::string group,
                                                                    std::map<TopicPartition, Offset> offsets) {
  co_return co_await on_strand(client_.executor(), alter_group_offsets_on_strand(std::move(group), std::move(offsets)));
}

asio::awaitable<Result<PartitionErrors>> Admin::alter_group_offsets_on_strand(std::string group,
                                                                              std::map<TopicPartition, Offset> offsets) {
  auto call = [group, offsets](BrokerId coordinator, std::shared_ptr<BrokerConnection> conn) {
      return alter_offsets_at(coordinator, std::move(conn), group, offsets);
  };
  co_return co_await at_coordinator<PartitionErrors>(group, std::move(call));
}

asio::awaitable<Result<std::map<std::string, ApiError>>> Admin::delete_groups(std::vector<std::string> ids) {
  co_return co_await on_strand(client_.executor(), delete_groups_on_strand(std::move(ids)));
}

asio::awaitable<Result<std::map<std::string, ApiError>>> Admin::delete_groups_on_strand(std::vector<std::string> ids) {
  std::map<std::string, ApiError> out;
  for (const auto& id : ids) {
    using One = std::map<std::string, ApiError>;
    auto call = [id](BrokerId coordinator, std::shared_ptr<BrokerConnection> conn) {
      return delete_at(coordinator, std::move(conn), id);
    };
    auto deleted = co_await at_coordinator<One>(id, std::move(call));
    if (!deleted) co_return deleted.error();
    out.merge(deleted.value());
  }
  co_return out;
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> Admin::list_offsets(std::vector<TopicPartition> partitions,
                                                                               int64_t spec) {
  co_return co_await on_strand(client_.executor(), list_offsets_on_strand(std::move(partitions), spec));
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> Admin::list_offsets_on_strand(
    std::vector<TopicPartition> partitions, int64_t spec) {
  std::map<BrokerId, std::vector<TopicPartition>> by_leader;
  for (auto& tp : partitions) {
    SLUICE_CO_TRY(auto leader, co_await client_.leader_for(tp));
    by_leader[leader].push_back(std::move(tp));
  }
  std::map<TopicPartition, Offset> out;
  for (const auto& [leader, tps] : by_leader) {
    SLUICE_CO_TRY(auto conn, co_await client_.connection(leader));
    SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::list_offsets, 1, 3));
    protocol::ListOffsetsRequest request;
    request.replica_id = BrokerId(-1);
    std::map<std::string, size_t> index;
    for (const auto& tp : tps) {
      auto [it, inserted] = index.try_emplace(tp.topic, request.topics.size());
      if (inserted) request.topics.push_back({.name = tp.topic, .partitions = {}});
      protocol::ListOffsetsRequest::ListOffsetsPartition p;
      p.partition_index = tp.partition;
      p.timestamp = spec;
      request.topics[it->second].partitions.push_back(p);
    }
    SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
    for (const auto& t : response.body.topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code != 0) co_return broker_error(static_cast<ErrorCode>(p.error_code));
        out[TopicPartition{t.name, p.partition_index}] = p.offset;
      }
    }
  }
  co_return out;
}

}  // namespace sluice::client
