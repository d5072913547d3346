#include "client/group_consumer.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

namespace sluice::client {
namespace {

using protocol::ErrorCode;

std::error_code code_error(int16_t code) { return broker_error(static_cast<ErrorCode>(code)); }

bool is_code(std::error_code ec, ErrorCode code) { return as_broker_error(ec) == code; }

// Errors after which joining again may succeed. A response that does not parse is one: librdkafka's
// mock broker, for one, answers a SyncGroup that failed with REBALANCE_IN_PROGRESS with a null
// assignment, which the schema does not allow (ensure_joined bounds the retries).
bool rejoin_may_help(std::error_code ec) {
  return is_retriable(ec) || ec == Errc::malformed_response || is_coordinator_error(ec) ||
         is_code(ec, ErrorCode::rebalance_in_progress) ||
         is_code(ec, ErrorCode::unknown_member_id) || is_code(ec, ErrorCode::illegal_generation) ||
         is_code(ec, ErrorCode::member_id_required);
}

}  // namespace

protocol::OffsetCommitRequest offset_commit_request(std::string group_id, int32_t generation, std::string member_id,
                                                    const std::map<TopicPartition, Offset>& offsets) {
  protocol::OffsetCommitRequest request;
  request.group_id = std::move(group_id);
  request.generation_id = generation;
  request.member_id = std::move(member_id);
  std::map<std::string, size_t> index;
  for (const auto& [tp, offset] : offsets) {
    auto [it, inserted] = index.try_emplace(tp.topic, request.topics.size());
    if (inserted) request.topics.push_back({.name = tp.topic, .partitions = {}});
    protocol::OffsetCommitRequest::OffsetCommitRequestPartition p;
    p.partition_index = tp.partition;
    p.committed_offset = offset;
    p.committed_metadata = std::string();
    request.topics[it->second].partitions.push_back(std::move(p));
  }
  return request;
}

bool is_coordinator_error(std::error_code ec) {
  if (auto code = as_broker_error(ec)) {
    return *code == ErrorCode::not_coordinator || *code == ErrorCode::coordinator_not_available ||
           *code == ErrorCode::coordinator_load_in_progress;
  }
  return ec == Errc::connection_closed || ec == Errc::connection_failed || ec == Errc::timed_out;
}

asio::awaitable<Result<BrokerInfo>> find_group_coordinator(KafkaClient& client, std::string group_id) {
  SLUICE_CO_TRY(auto conn, co_await client.any_connection());
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::find_coordinator, 0, 2));
  protocol::FindCoordinatorRequest request;
  request.key = std::move(group_id);
  request.key_type = 0;
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  if (response.body.error_code != 0) co_return code_error(response.body.error_code);
  BrokerInfo out;
  out.id = response.body.node_id;
  out.host = response.body.host;
  out.port = response.body.port;
  if (out.port <= 0 || out.port > 65535 || out.host.empty()) co_return Errc::malformed_response;
  co_return out;
}

GroupConsumer::GroupConsumer(KafkaClient& client, GroupConsumerConfig config)
    : client_(client),
      config_(std::move(config)),
      consumer_(client, config_.consumer),
      heartbeat_signal_(client.executor()) {}

GroupConsumer::~GroupConsumer() {
  if (coordinator_) coordinator_->close();
}

asio::awaitable<Status> GroupConsumer::subscribe(std::vector<std::string> topics) {
  co_return co_await on_strand(client_.executor(), subscribe_on_strand(std::move(topics)));
}

asio::awaitable<Status> GroupConsumer::subscribe_on_strand(std::vector<std::string> topics) {
  if (state_ == State::closed) co_return Errc::shut_down;
  if (config_.assignors.empty() || config_.group_id.empty()) co_return Errc::invalid_config;
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  topics_ = std::move(topics);
  state_ = State::unjoined;
  last_poll_ = Clock::now();
  if (!heartbeat_running_) {
    heartbeat_running_ = true;
    asio::co_spawn(client_.executor(), heartbeat_loop(), LogCompletion{"group heartbeat"});
  }
  co_return co_await ensure_joined();
}

asio::awaitable<Result<std::vector<ConsumerRecord>>> GroupConsumer::poll(std::chrono::milliseconds max_wait) {
  co_return co_await on_strand(client_.executor(), poll_on_strand(max_wait));
}

asio::awaitable<Result<std::vector<ConsumerRecord>>> GroupConsumer::poll_on_strand(std::chrono::milliseconds max_wait) {
  last_poll_ = Clock::now();
  SLUICE_CO_TRY(co_await ensure_joined());
  auto records = co_await consumer_.poll(max_wait);
  last_poll_ = Clock::now();
  co_return records;
}

asio::awaitable<Status> GroupConsumer::ensure_joined() {
  const auto deadline = Clock::now() + std::max<Clock::duration>(config_.rebalance_timeout, std::chrono::seconds(30));
  std::error_code last;
  while (state_ == State::unjoined) {
    if (Clock::now() >= deadline) co_return last;
    Status st = co_await join_once();
    if (st) break;
    last = st.error();
    if (state_ == State::closed) co_return Errc::shut_down;
    if (!rejoin_may_help(last)) co_return last;
    spdlog::debug("group {}: join failed ({}); retrying", config_.group_id, last.message());
    if (!is_code(last, ErrorCode::member_id_required)) co_await sleep_for(client_.config().retry_backoff);
  }
  if (state_ == State::closed) co_return Errc::shut_down;
  co_return ok();
}

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> GroupConsumer::coordinator() {
  if (coordinator_ && coordinator_->is_open()) co_return coordinator_;
  drop_coordinator();
  std::error_code last = broker_error(ErrorCode::coordinator_not_available);
  for (int attempt = 0; attempt < client_.config().metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    auto found = co_await find_group_coordinator(client_, config_.group_id);
    if (!found) {
      last = found.error();
      if (!is_retriable(last) && !is_coordinator_error(last)) co_return last;
      continue;
    }
    ConnectionConfig cc = client_.config().connection;
    // A JoinGroup may be parked for the whole rebalance timeout.
    cc.request_timeout = std::max(cc.request_timeout, config_.rebalance_timeout + std::chrono::seconds(5));
    auto conn = std::make_shared<BrokerConnection>(client_.executor(), found.value().host,
                                                   static_cast<uint16_t>(found.value().port), cc);
    Status st = co_await conn->connect();
    if (!st) {
      last = st.error();
      continue;
    }
    if (state_ == State::closed) {
      conn->close();
      co_return Errc::shut_down;
    }
    coordinator_ = std::move(conn);
    spdlog::debug("group {}: coordinator is broker {}", config_.group_id, found.value().id.value());
    co_return coordinator_;
  }
  co_return last;
}

void GroupConsumer::drop_coordinator() {
  if (coordinator_) coordinator_->close();
  coordinator_.reset();
}

void GroupConsumer::on_group_error(std::error_code ec) {
  if (state_ == State::closed) return;
  if (is_code(ec, ErrorCode::unknown_member_id) || is_code(ec, ErrorCode::fenced_instance_id)) {
    member_id_.clear();
    generation_ = -1;
    state_ = State::unjoined;
  } else if (is_code(ec, ErrorCode::rebalance_in_progress) || is_code(ec, ErrorCode::illegal_generation)) {
    state_ = State::unjoined;
  } else if (is_coordinator_error(ec)) {
    drop_coordinator();
    state_ = State::unjoined;
  }
}

asio::awaitable<Status> GroupConsumer::join_once() {
  SLUICE_CO_TRY(auto conn, co_await coordinator());
  SLUICE_CO_TRY(auto join_version, conn->negotiate(protocol::ApiKey::join_group, 0, 5));
  protocol::JoinGroupRequest join;
  join.group_id = config_.group_id;
  join.session_timeout_ms = static_cast<int32_t>(config_.session_timeout.count());
  join.rebalance_timeout_ms = static_cast<int32_t>(config_.rebalance_timeout.count());
  join.member_id = member_id_;
  join.protocol_type = std::string(kConsumerProtocolType);
  Subscription subscription;
  subscription.topics = topics_;
  for (const auto& tp : assigned_) subscription.owned_partitions[tp.topic].push_back(tp.partition);
  for (const auto& name : config_.assignors) {
    protocol::JoinGroupRequest::JoinGroupRequestProtocol p;
    p.name = name;
    p.metadata = encode_subscription(subscription, 1);
    join.protocols.push_back(std::move(p));
  }
  auto joined = co_await conn->send(std::move(join), join_version);
  if (!joined) {
    drop_coordinator();
    co_return joined.error();
  }
  auto& jr = joined.value().body;
  if (jr.error_code != 0) {
    const std::error_code ec = code_error(jr.error_code);
    if (is_code(ec, ErrorCode::member_id_required)) member_id_ = jr.member_id;  // KIP-394: join again with it
    if (is_code(ec, ErrorCode::unknown_member_id)) member_id_.clear();
    if (is_coordinator_error(ec)) drop_coordinator();
    co_return ec;
  }
  member_id_ = jr.member_id;
  generation_ = jr.generation_id;
  const std::string protocol = jr.protocol_name.value_or("");
  std::vector<protocol::SyncGroupRequest::SyncGroupRequestAssignment> assignments;
  if (jr.leader == member_id_) {
    spdlog::debug("group {}: leader of generation {} with {} members ({})", config_.group_id, generation_,
                  jr.members.size(), protocol);
    SLUICE_CO_TRY(assignments, co_await run_assignor(protocol, std::move(jr.members)));
  }

  SLUICE_CO_TRY(auto sync_version, conn->negotiate(protocol::ApiKey::sync_group, 0, 3));
  protocol::SyncGroupRequest sync;
  sync.group_id = config_.group_id;
  sync.generation_id = generation_;
  sync.member_id = member_id_;
  sync.assignments = std::move(assignments);
  auto synced = co_await conn->send(std::move(sync), sync_version);
  if (!synced) {
    drop_coordinator();
    co_return synced.error();
  }
  if (synced.value().body.error_code != 0) {
    const std::error_code ec = code_error(synced.value().body.error_code);
    if (is_code(ec, ErrorCode::unknown_member_id)) member_id_.clear();
    if (is_coordinator_error(ec)) drop_coordinator();
    co_return ec;
  }
  auto assignment = decode_assignment(synced.value().body.assignment);
  if (!assignment) {
    spdlog::warn("group {}: undecodable assignment from the leader: {}", config_.group_id,
                 assignment.error().message());
    co_return Errc::malformed_response;
  }
  SLUICE_CO_TRY(co_await start_assignment(std::move(assignment).value()));
  if (state_ == State::closed) co_return Errc::shut_down;
  state_ = State::stable;
  co_return ok();
}

asio::awaitable<Result<std::vector<protocol::SyncGroupRequest::SyncGroupRequestAssignment>>>
GroupConsumer::run_assignor(std::string protocol,
                            std::vector<protocol::JoinGroupResponse::JoinGroupResponseMember> members) {
  std::vector<MemberSubscription> subscriptions;
  std::set<std::string> topics;
  for (const auto& m : members) {
    MemberSubscription s;
    s.member_id = m.member_id;
    if (auto decoded = decode_subscription(m.metadata)) {
      s.topics = decoded.value().topics;
    } else {
      spdlog::warn("group {}: member {} sent an undecodable subscription; it gets nothing", config_.group_id,
                   m.member_id);
    }
    topics.insert(s.topics.begin(), s.topics.end());
    subscriptions.push_back(std::move(s));
  }
  std::map<std::string, int32_t> counts;
  if (!topics.empty()) {
    std::vector<std::string> wanted(topics.begin(), topics.end());
    SLUICE_CO_TRY(co_await client_.refresh_metadata(std::move(wanted)));
    for (const auto& t : topics) {
      const TopicInfo* info = client_.metadata().topic(t);
      if (info != nullptr && info->error == ErrorCode::none) counts[t] = static_cast<int32_t>(info->partitions.size());
    }
  }
  auto assigned = assign_by_name(protocol, counts, subscriptions);
  if (!assigned) co_return broker_error(ErrorCode::inconsistent_group_protocol);
  std::vector<protocol::SyncGroupRequest::SyncGroupRequestAssignment> out;
  for (auto& [member, partitions] : *assigned) {
    MemberAssignment a;
    a.partitions = std::move(partitions);
    protocol::SyncGroupRequest::SyncGroupRequestAssignment entry;
    entry.member_id = member;
    entry.assignment = encode_assignment(a, 0);
    out.push_back(std::move(entry));
  }
  co_return out;
}

asio::awaitable<Status> GroupConsumer::start_assignment(MemberAssignment assignment) {
  assigned_ = assignment.list();
  std::map<TopicPartition, Offset> committed;
  if (!assigned_.empty()) {
    SLUICE_CO_TRY(committed, co_await fetch_committed(assigned_));
  }
  std::vector<Assignment> starts;
  for (const auto& tp : assigned_) {
    auto it = committed.find(tp);
    if (it != committed.end() && it->second.value() >= 0) {
      starts.push_back({tp, StartOffset::at(it->second)});
      continue;
    }
    switch (config_.consumer.auto_offset_reset) {
      case OffsetReset::earliest: starts.push_back({tp, StartOffset::earliest()}); break;
      case OffsetReset::latest: starts.push_back({tp, StartOffset::latest()}); break;
      case OffsetReset::none:
        spdlog::error("group {}: {} has no committed offset and auto_offset_reset is none", config_.group_id,
                      tp.to_string());
        co_return Errc::invalid_config;
    }
  }
  spdlog::debug("group {}: generation {}: {} partitions assigned", config_.group_id, generation_, assigned_.size());
  co_return co_await consumer_.assign(std::move(starts));
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> GroupConsumer::fetch_committed(
    std::vector<TopicPartition> partitions) {
  std::error_code last;
  for (int attempt = 0; attempt < client_.config().metadata_attempts; ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    SLUICE_CO_TRY(auto conn, co_await coordinator());
    SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::offset_fetch, 1, 7));
    protocol::OffsetFetchRequest request;
    request.group_id = config_.group_id;
    request.topics.emplace();
    std::map<std::string, size_t> index;
    for (const auto& tp : partitions) {
      auto [it, inserted] = index.try_emplace(tp.topic, request.topics->size());
      if (inserted) request.topics->push_back({.name = tp.topic, .partition_indexes = {}});
      (*request.topics)[it->second].partition_indexes.push_back(tp.partition);
    }
    auto response = co_await conn->send(std::move(request), version);
    std::error_code ec;
    std::map<TopicPartition, Offset> out;
    if (!response) {
      ec = response.error();
    } else if (response.value().body.error_code != 0) {
      ec = code_error(response.value().body.error_code);
    } else {
      for (const auto& t : response.value().body.topics) {
        for (const auto& p : t.partitions) {
          if (p.error_code != 0 && !ec) ec = code_error(p.error_code);
          out[TopicPartition{t.name, p.partition_index}] = p.committed_offset;
        }
      }
    }
    if (!ec) co_return out;
    last = ec;
    if (!is_coordinator_error(ec)) co_return ec;
    drop_coordinator();
  }
  co_return last;
}

asio::awaitable<Status> GroupConsumer::commit() {
  co_return co_await on_strand(client_.executor(), commit_on_strand(std::nullopt));
}

asio::awaitable<Status> GroupConsumer::commit(std::map<TopicPartition, Offset> offsets) {
  co_return co_await on_strand(client_.executor(), commit_on_strand(std::move(offsets)));
}

asio::awaitable<Status> GroupConsumer::commit_on_strand(std::optional<std::map<TopicPartition, Offset>> offsets) {
  if (state_ == State::closed) co_return Errc::shut_down;
  if (state_ != State::stable) co_return broker_error(ErrorCode::rebalance_in_progress);
  std::map<TopicPartition, Offset> wanted;
  if (offsets) {
    wanted = std::move(*offsets);
  } else {
    for (const auto& tp : assigned_) {
      if (auto pos = consumer_.position(tp)) wanted[tp] = *pos;
    }
  }
  std::erase_if(wanted, [](const auto& kv) { return kv.second.value() < 0; });  // as librdkafka
  if (wanted.empty()) co_return ok();
  Status st = co_await send_commit(wanted);
  if (!st && is_coordinator_error(st.error())) {
    drop_coordinator();  // once more at the coordinator found afresh, still under this generation
    st = co_await send_commit(std::move(wanted));
  }
  if (!st) on_group_error(st.error());
  co_return st;
}

asio::awaitable<Status> GroupConsumer::send_commit(std::map<TopicPartition, Offset> offsets) {
  SLUICE_CO_TRY(auto conn, co_await coordinator());
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::offset_commit, 2, 7));
  protocol::OffsetCommitRequest request = offset_commit_request(config_.group_id, generation_, member_id_, offsets);
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  for (const auto& t : response.body.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code != 0) co_return code_error(p.error_code);
    }
  }
  co_return ok();
}

asio::awaitable<void> GroupConsumer::heartbeat_loop() {
  while (state_ != State::closed) {
    co_await heartbeat_signal_.wait_until(Clock::now() + config_.heartbeat_interval);
    if (state_ != State::stable) continue;
    if (Clock::now() - last_poll_ > config_.rebalance_timeout) {
      spdlog::warn("group {}: no poll for longer than the rebalance timeout; leaving the group", config_.group_id);
      co_await leave_group();
      if (state_ == State::closed) break;
      member_id_.clear();
      generation_ = -1;
      state_ = State::unjoined;
      continue;
    }
    if (!coordinator_ || !coordinator_->is_open()) {
      on_group_error(Errc::connection_closed);
      continue;
    }
    auto conn = coordinator_;
    auto version = conn->negotiate(protocol::ApiKey::heartbeat, 0, 3);
    if (!version) continue;
    const int32_t generation = generation_;
    protocol::HeartbeatRequest request;
    request.group_id = config_.group_id;
    request.generation_id = generation;
    request.member_id = member_id_;
    auto response = co_await conn->send(std::move(request), version.value());
    if (state_ != State::stable || generation != generation_) continue;  // the answer is stale
    if (!response) {
      on_group_error(response.error());
    } else if (response.value().body.error_code != 0) {
      const std::error_code ec = code_error(response.value().body.error_code);
      spdlog::debug("group {}: heartbeat: {}", config_.group_id, ec.message());
      on_group_error(ec);
    }
  }
  heartbeat_running_ = false;
  heartbeat_signal_.notify();
}

asio::awaitable<void> GroupConsumer::leave_group() {
  if (member_id_.empty() || !coordinator_ || !coordinator_->is_open()) co_return;
  auto conn = coordinator_;
  auto version = conn->negotiate(protocol::ApiKey::leave_group, 0, 3);
  if (!version) co_return;
  protocol::LeaveGroupRequest request;
  request.group_id = config_.group_id;
  request.member_id = member_id_;
  protocol::LeaveGroupRequest::MemberIdentity me;
  me.member_id = member_id_;
  request.members.push_back(std::move(me));
  auto response = co_await conn->send(std::move(request), version.value());
  if (!response) {
    spdlog::debug("group {}: LeaveGroup failed: {}", config_.group_id, response.error().message());
  } else if (response.value().body.error_code != 0) {
    spdlog::debug("group {}: LeaveGroup: {}", config_.group_id, code_error(response.value().body.error_code).message());
  }
}

asio::awaitable<void> GroupConsumer::close() { co_await on_strand(client_.executor(), close_on_strand()); }

asio::awaitable<void> GroupConsumer::close_on_strand() {
  if (state_ == State::closed) co_return;
  state_ = State::closed;
  heartbeat_signal_.notify();
  while (heartbeat_running_) co_await heartbeat_signal_.wait_until(Clock::now() + std::chrono::seconds(1));
  co_await leave_group();
  member_id_.clear();
  drop_coordinator();
}

}  // namespace sluice::client
