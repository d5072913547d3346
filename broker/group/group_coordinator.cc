#include "broker/group/group_coordinator.h"

#include <algorithm>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "broker/spawn.h"
#include "protocol/assert.h"

namespace sluice::broker::group {
namespace {

using protocol::ErrorCode;

// One parked answer: the waiting coroutine sleeps on a timer that never expires; complete()
// stores the answer and cancels the wait. Waiter and completer share the coordinator's strand.
template <typename T>
class Parked {
 public:
  explicit Parked(const asio::any_io_executor& executor) : timer_(executor, asio::steady_timer::time_point::max()) {}
  void complete(T value) {
    if (value_) return;
    value_ = std::move(value);
    timer_.cancel();
  }
  asio::awaitable<T> wait() {
    while (!value_) co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return std::move(*value_);
  }

 private:
  asio::steady_timer timer_;
  std::optional<T> value_;
};

TimestampMs now_ms() {
  return TimestampMs(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

struct GroupCoordinator::Member {
  explicit Member(const asio::any_io_executor& executor) : session_timer(executor) {}
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<std::pair<std::string, Bytes>> protocols;
  Bytes assignment;
  bool is_new = false;
  std::shared_ptr<Parked<JoinResult>> awaiting_join;
  std::shared_ptr<Parked<SyncResult>> awaiting_sync;
  asio::steady_timer session_timer;
  uint64_t session_seq = 0;

  [[nodiscard]] const Bytes* metadata_for(const std::string& protocol) const {
    for (const auto& [name, metadata] : protocols) {
      if (name == protocol) return &metadata;
    }
    return nullptr;
  }
  // Same protocols, same metadata, same order (Kafka's MemberMetadata.matches).
  [[nodiscard]] bool matches(const std::vector<std::pair<std::string, Bytes>>& other) const {
    return protocols == other;
  }
};

struct GroupCoordinator::Group {
  explicit Group(const asio::any_io_executor& executor) : join_timer(executor), sync_timer(executor) {}
  std::string group_id;
  GroupState state = GroupState::empty;
  int32_t generation_id = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader_id;
  std::map<std::string, std::unique_ptr<Member>> members;
  std::vector<std::string> join_order;  // member ids in the order they were added
  std::map<std::string, std::string> static_members;  // KIP-345: group_instance_id -> member id
  // KIP-394: ids handed out with MEMBER_ID_REQUIRED, each with its session timer.
  std::map<std::string, std::unique_ptr<asio::steady_timer>> pending_members;
  uint64_t pending_seq = 0;
  std::set<std::string> pending_sync;  // KAFKA-12890: members yet to send SyncGroup
  bool new_member_added = false;
  std::optional<TimestampMs> empty_since;
  // The join phase: the initial delay out of Empty (delay then extensions) or the rebalance timeout.
  asio::steady_timer join_timer;
  uint64_t join_seq = 0;
  bool initial_delay = false;
  int64_t initial_remaining_ms = 0;
  asio::steady_timer sync_timer;
  uint64_t sync_seq = 0;

  [[nodiscard]] bool has(const std::string& id) const { return members.count(id) != 0; }
  // What the periodic cleanup may drop (if it has no offsets either).
  [[nodiscard]] bool removable() const {
    return state == GroupState::empty && members.empty() && pending_members.empty();
  }
  [[nodiscard]] bool has_static_member(const std::optional<std::string>& instance) const {
    return instance && static_members.count(*instance) != 0;
  }
  // Kafka's isStaticMemberFenced: the instance id is known and belongs to another member id.
  [[nodiscard]] bool is_static_member_fenced(const std::string& member_id,
                                             const std::optional<std::string>& instance) const {
    return has_static_member(instance) && static_members.at(*instance) != member_id;
  }
  [[nodiscard]] bool is_leader(const std::string& id) const { return leader_id && *leader_id == id; }
  [[nodiscard]] size_t num_awaiting_join() const {
    return static_cast<size_t>(
        std::count_if(members.begin(), members.end(), [](const auto& m) { return m.second->awaiting_join != nullptr; }));
  }
  [[nodiscard]] bool all_members_joined() const {
    return num_awaiting_join() == members.size() && pending_members.empty();
  }
  [[nodiscard]] int32_t rebalance_timeout_ms() const {
    int32_t out = 0;
    for (const auto& [id, m] : members) out = std::max(out, m->rebalance_timeout_ms);
    return out;
  }
  // Kafka's supportsProtocols: an Empty group takes any non-empty type and protocol list; else
  // the type must match and one protocol must be supported by every member.
  [[nodiscard]] bool supports_protocols(const std::string& type,
                                        const std::vector<std::pair<std::string, Bytes>>& protocols) const {
    if (members.empty()) return !type.empty() && !protocols.empty();
    if (!protocol_type || *protocol_type != type) return false;
    return std::any_of(protocols.begin(), protocols.end(), [&](const auto& p) {
      return std::all_of(members.begin(), members.end(),
                         [&](const auto& m) { return m.second->metadata_for(p.first) != nullptr; });
    });
  }
  // Candidates: protocols every member supports; each member votes for its first candidate.
  [[nodiscard]] std::string select_protocol() const {
    std::vector<std::string> candidates;
    const Member& first = *members.at(join_order.front());
    for (const auto& [name, metadata] : first.protocols) {
      const bool everyone = std::all_of(members.begin(), members.end(),
                                        [&](const auto& m) { return m.second->metadata_for(name) != nullptr; });
      if (everyone) candidates.push_back(name);
    }
    std::map<std::string, int> votes;
    for (const auto& [id, m] : members) {
      for (const auto& [name, metadata] : m->protocols) {
        if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
          ++votes[name];
          break;
        }
      }
    }
    std::string best;
    int best_votes = -1;
    for (const std::string& name : candidates) {  // ties go to the first member's preference
      if (votes[name] > best_votes) {
        best = name;
        best_votes = votes[name];
      }
    }
    return best;
  }
};

GroupCoordinator::GroupCoordinator(asio::any_io_executor executor, const MetadataCache& metadata_cache,
                                   GroupConfig config)
    : strand_(asio::make_strand(executor)),
      metadata_cache_(metadata_cache),
      config_(config),
      sweep_timer_(strand_),
      cleanup_timer_(strand_),
      random_(std::random_device{}()) {}

GroupCoordinator::~GroupCoordinator() = default;

void GroupCoordinator::start() {
  asio::co_spawn(strand_, sweep_loop(), log_completion("group ownership sweep"));
  asio::co_spawn(strand_, cleanup_loop(), log_completion("group cleanup"));
}

asio::awaitable<void> GroupCoordinator::cleanup_loop() {
  while (!stopped_) {
    cleanup_timer_.expires_after(config_.cleanup_interval);
    co_await cleanup_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) break;
    const size_t removed = co_await remove_empty_groups();
    if (removed > 0) spdlog::info("group cleanup removed {} empty groups without offsets", removed);
  }
}

asio::awaitable<size_t> GroupCoordinator::remove_empty_groups() {
  const std::vector<std::string> candidates = co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self) -> asio::awaitable<std::vector<std::string>> {
        std::vector<std::string> ids;
        if (self->stopped_) co_return ids;
        for (const auto& [id, group] : self->groups_) {
          if (group->removable()) ids.push_back(id);
        }
        co_return ids;
      }(this),
      asio::use_awaitable);
  size_t removed = 0;
  for (const std::string& id : candidates) {
    const Result<bool> has = co_await group_has_offsets(id);
    if (!has || has.value()) continue;  // unknown (ZooKeeper trouble) or with offsets: kept
    // Again on the strand: a member may have joined meanwhile.
    const bool dropped = co_await asio::co_spawn(
        strand_,
        [](GroupCoordinator* self, std::string group_id) -> asio::awaitable<bool> {
          auto it = self->groups_.find(group_id);
          if (self->stopped_ || it == self->groups_.end() || !it->second->removable()) co_return false;
          self->unload(*it->second, ErrorCode::coordinator_not_available);
          self->groups_.erase(it);
          co_return true;
        }(this, id),
        asio::use_awaitable);
    if (dropped) ++removed;
  }
  co_return removed;
}

asio::awaitable<void> GroupCoordinator::sweep_loop() {
  while (!stopped_) {
    sweep_timer_.expires_after(config_.ownership_sweep);
    co_await sweep_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) break;
    sweep_moved_groups();
  }
}

asio::awaitable<void> GroupCoordinator::stop() {
  co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self) -> asio::awaitable<void> {
        self->stopped_ = true;
        self->sweep_timer_.cancel();
        self->cleanup_timer_.cancel();
        for (auto& [id, group] : self->groups_) self->unload(*group, ErrorCode::not_coordinator);
        self->groups_.clear();
        co_return;
      }(this),
      asio::use_awaitable);
}

// --- ownership ---------------------------------------------------------------------------------

void GroupCoordinator::sweep_moved_groups() {
  const auto snapshot = metadata_cache_.snapshot();
  if (snapshot->brokers_version == seen_brokers_version_) return;
  seen_brokers_version_ = snapshot->brokers_version;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (coordinates(*snapshot, config_.broker_id, it->first)) {
      ++it;
      continue;
    }
    spdlog::info("group {}: coordinator moved away from broker {}; unloading", it->first, config_.broker_id.value());
    unload(*it->second, ErrorCode::not_coordinator);
    it = groups_.erase(it);
  }
}

ErrorCode GroupCoordinator::check_ownership(std::string_view group_id) {
  if (stopped_) return ErrorCode::coordinator_not_available;
  sweep_moved_groups();
  const auto snapshot = metadata_cache_.snapshot();
  if (snapshot->brokers.empty()) return ErrorCode::coordinator_not_available;
  if (!coordinates(*snapshot, config_.broker_id, group_id)) return ErrorCode::not_coordinator;
  return ErrorCode::none;
}

// Dead: parked calls answered with `error`, timers cancelled. The caller drops the group.
void GroupCoordinator::unload(Group& group, ErrorCode error) {
  group.state = GroupState::dead;
  ++group.join_seq;
  group.join_timer.cancel();
  cancel_sync_timer(group);
  for (auto& [id, timer] : group.pending_members) timer->cancel();
  group.pending_members.clear();
  for (auto& [id, member] : group.members) {
    JoinResult join;
    join.error = error;
    join.member_id = id;
    if (member->awaiting_join) member->awaiting_join->complete(join);
    SyncResult sync;
    sync.error = error;
    if (member->awaiting_sync) member->awaiting_sync->complete(sync);
    member->awaiting_join.reset();
    member->awaiting_sync.reset();
    ++member->session_seq;
    member->session_timer.cancel();
  }
  group.members.clear();
  group.join_order.clear();
  group.static_members.clear();
}

GroupCoordinator::Group* GroupCoordinator::find(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

// client_id + "-" + a random (version 4) UUID, as Kafka's UUID.randomUUID().toString().
std::string GroupCoordinator::new_member_id(const std::string& client_id) {
  uint64_t hi = random_();
  uint64_t lo = random_();
  hi = (hi & ~uint64_t{0xF000}) | uint64_t{0x4000};
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  std::string id = client_id;
  id.append("-").append(uuid);
  return id;
}

// --- JoinGroup ---------------------------------------------------------------------------------

asio::awaitable<JoinResult> GroupCoordinator::join_group(JoinParams params) {
  co_return co_await asio::co_spawn(strand_, do_join(std::move(params)), asio::use_awaitable);
}

JoinResult GroupCoordinator::join_answer(const Group& group, const Member& member) const {
  JoinResult result;
  result.generation_id = group.generation_id;
  result.protocol_type = group.protocol_type;
  result.protocol_name = group.protocol_name;
  result.leader = group.leader_id.value_or("");
  result.member_id = member.member_id;
  if (group.is_leader(member.member_id) && group.protocol_name) {
    for (const std::string& id : group.join_order) {
      const Member& m = *group.members.at(id);
      const Bytes* metadata = m.metadata_for(*group.protocol_name);
      result.members.push_back({m.member_id, m.group_instance_id, metadata ? *metadata : Bytes{}});
    }
  }
  return result;
}

bool GroupCoordinator::accept_joining_member(const Group& group, const std::string& member_id) const {
  const auto max = static_cast<size_t>(config_.max_size);
  switch (group.state) {
    case GroupState::empty:
    case GroupState::dead: return true;
    case GroupState::preparing_rebalance: {
      auto it = group.members.find(member_id);
      return (it != group.members.end() && it->second->awaiting_join) || group.num_awaiting_join() < max;
    }
    case GroupState::completing_rebalance:
    case GroupState::stable: return group.has(member_id) || group.members.size() < max;
  }
  return false;
}

asio::awaitable<JoinResult> GroupCoordinator::do_join(JoinParams params) {
  JoinResult error_result;
  error_result.member_id = params.member_id;
  auto fail = [&](ErrorCode error) {
    error_result.error = error;
    return error_result;
  };
  if (params.group_id.empty()) co_return fail(ErrorCode::invalid_group_id);
  if (const ErrorCode owner = check_ownership(params.group_id); owner != ErrorCode::none) co_return fail(owner);
  if (params.session_timeout_ms < config_.min_session_timeout_ms ||
      params.session_timeout_ms > config_.max_session_timeout_ms) {
    co_return fail(ErrorCode::invalid_session_timeout);
  }
  const bool unknown_member = params.member_id.empty();
  Group* group = find(params.group_id);
  if (!group) {
    if (!unknown_member) co_return fail(ErrorCode::unknown_member_id);
    auto created = std::make_unique<Group>(strand_);
    created->group_id = params.group_id;
    created->empty_since = now_ms();
    group = created.get();
    groups_.emplace(params.group_id, std::move(created));
  }
  if (!accept_joining_member(*group, params.member_id)) {
    error_result.member_id = "";
    co_return fail(ErrorCode::group_max_size_reached);
  }
  if (group->state == GroupState::dead) co_return fail(ErrorCode::coordinator_not_available);
  if (!group->supports_protocols(params.protocol_type, params.protocols)) {
    co_return fail(ErrorCode::inconsistent_group_protocol);
  }
  std::shared_ptr<Parked<JoinResult>> parked;
  if (unknown_member) {
    const std::string member_id = new_member_id(params.group_instance_id.value_or(params.client_id));
    if (group->has_static_member(params.group_instance_id)) {
      if (std::optional<JoinResult> answer = update_static_member_and_rebalance(*group, params, member_id)) {
        co_return std::move(*answer);
      }
      parked = group->members.at(member_id)->awaiting_join;
    } else if (params.require_known_member_id && !params.group_instance_id) {
      // KIP-394: the id is pending until the member rejoins with it within its session timeout.
      auto timer = std::make_unique<asio::steady_timer>(strand_);
      timer->expires_after(std::chrono::milliseconds(params.session_timeout_ms));
      const uint64_t seq = ++group->pending_seq;
      timer->async_wait([this, group_id = group->group_id, member_id, seq](const boost::system::error_code& ec) {
        if (!ec) on_pending_timer(group_id, member_id, seq);
      });
      group->pending_members[member_id] = std::move(timer);
      JoinResult result;
      result.error = ErrorCode::member_id_required;
      result.member_id = member_id;
      co_return result;
    } else {
      add_member_and_rebalance(*group, params, member_id);
      parked = group->members.at(member_id)->awaiting_join;
    }
  } else if (group->pending_members.count(params.member_id) != 0) {
    add_member_and_rebalance(*group, params, params.member_id);
    parked = group->members.at(params.member_id)->awaiting_join;
  } else {
    // KIP-345: a known instance id with another member id is a zombie; an unknown instance id
    // (or member id) must rejoin with an empty member id.
    if (group->is_static_member_fenced(params.member_id, params.group_instance_id)) {
      co_return fail(ErrorCode::fenced_instance_id);
    }
    auto it = group->members.find(params.member_id);
    const bool unknown_instance = params.group_instance_id && !group->has_static_member(params.group_instance_id);
    if (it == group->members.end() || unknown_instance) {
      co_return fail(ErrorCode::unknown_member_id);
    }
    Member& member = *it->second;
    switch (group->state) {
      case GroupState::preparing_rebalance:
        update_member_and_rebalance(*group, member, params);
        break;
      case GroupState::completing_rebalance:
        if (member.matches(params.protocols)) {
          schedule_session(*group, member, member.session_timeout_ms);
          co_return join_answer(*group, member);
        }
        update_member_and_rebalance(*group, member, params);
        break;
      case GroupState::stable:
        if (!group->is_leader(member.member_id) && member.matches(params.protocols)) {
          schedule_session(*group, member, member.session_timeout_ms);
          JoinResult result = join_answer(*group, member);
          result.members.clear();
          co_return result;
        }
        update_member_and_rebalance(*group, member, params);
        break;
      case GroupState::empty:
      case GroupState::dead: co_return fail(ErrorCode::unknown_member_id);
    }
    parked = member.awaiting_join;
  }
  check_join(*group);
  if (!parked) co_return fail(ErrorCode::unknown_member_id);
  co_return co_await parked->wait();
}

void GroupCoordinator::add_member_and_rebalance(Group& group, const JoinParams& params, const std::string& member_id) {
  if (auto pending = group.pending_members.find(member_id); pending != group.pending_members.end()) {
    pending->second->cancel();
    group.pending_members.erase(pending);
  }
  auto member = std::make_unique<Member>(strand_);
  member->member_id = member_id;
  member->group_instance_id = params.group_instance_id;
  member->client_id = params.client_id;
  member->client_host = params.client_host;
  member->session_timeout_ms = params.session_timeout_ms;
  member->rebalance_timeout_ms = params.rebalance_timeout_ms;
  member->protocol_type = params.protocol_type;
  member->protocols = params.protocols;
  member->is_new = true;
  member->awaiting_join = std::make_shared<Parked<JoinResult>>(strand_);
  if (group.state == GroupState::preparing_rebalance && group.generation_id == 0) group.new_member_added = true;
  if (group.members.empty()) group.protocol_type = params.protocol_type;
  if (!group.leader_id) group.leader_id = member_id;
  Member& added = *member;
  group.members.emplace(member_id, std::move(member));
  group.join_order.push_back(member_id);
  if (params.group_instance_id) group.static_members[*params.group_instance_id] = member_id;
  group.empty_since.reset();
  schedule_session(group, added, config_.new_member_join_timeout_ms);
  maybe_prepare_rebalance(group);
}

void GroupCoordinator::update_member_and_rebalance(Group& group, Member& member, const JoinParams& params) {
  member.protocols = params.protocols;
  member.session_timeout_ms = params.session_timeout_ms;
  member.rebalance_timeout_ms = params.rebalance_timeout_ms;
  member.client_host = params.client_host;
  if (member.awaiting_join) {  // a duplicate join: the older call is superseded
    JoinResult superseded;
    superseded.error = ErrorCode::unknown_member_id;
    superseded.member_id = member.member_id;
    member.awaiting_join->complete(superseded);
  }
  member.awaiting_join = std::make_shared<Parked<JoinResult>>(strand_);
  maybe_prepare_rebalance(group);
}

// Kafka 2.8's updateStaticMemberAndRebalance: the member record moves to the new id (the old id's
// parked calls are answered FENCED_INSTANCE_ID), then by state: Stable with an unchanged protocol
// choice keeps the generation, and the answer names the leader as it was before the swap, so a
// static leader coming back acts as a follower and its SyncGroup returns the stored assignment;
// CompletingRebalance rebalances; PreparingRebalance lets the member wait in the join phase.
std::optional<JoinResult> GroupCoordinator::update_static_member_and_rebalance(Group& group, const JoinParams& params,
                                                                               const std::string& new_member_id) {
  const std::string old_member_id = group.static_members.at(*params.group_instance_id);
  spdlog::info("group {}: static member {} rejoined; member id {} replaces {}", group.group_id,
               *params.group_instance_id, new_member_id, old_member_id);
  const std::optional<std::string> current_leader = group.leader_id;
  auto node = group.members.extract(old_member_id);
  SLUICE_ASSERT(!node.empty(), "static member {} of group {} missing", old_member_id, group.group_id);
  Member& member = *node.mapped();
  if (member.awaiting_join) {
    JoinResult fenced;
    fenced.error = ErrorCode::fenced_instance_id;
    fenced.member_id = old_member_id;
    member.awaiting_join->complete(fenced);
    member.awaiting_join.reset();
  }
  if (member.awaiting_sync) {
    SyncResult fenced;
    fenced.error = ErrorCode::fenced_instance_id;
    member.awaiting_sync->complete(fenced);
    member.awaiting_sync.reset();
  }
  member.member_id = new_member_id;
  node.key() = new_member_id;
  group.members.insert(std::move(node));
  std::replace(group.join_order.begin(), group.join_order.end(), old_member_id, new_member_id);
  if (group.pending_sync.erase(old_member_id) != 0) group.pending_sync.insert(new_member_id);
  if (group.is_leader(old_member_id)) group.leader_id = new_member_id;
  group.static_members[*params.group_instance_id] = new_member_id;
  // Kafka's updateMember: new protocols, timeouts and a parked join.
  member.protocols = params.protocols;
  member.session_timeout_ms = params.session_timeout_ms;
  member.rebalance_timeout_ms = params.rebalance_timeout_ms;
  member.client_id = params.client_id;
  member.client_host = params.client_host;
  member.awaiting_join = std::make_shared<Parked<JoinResult>>(strand_);
  schedule_session(group, member, member.session_timeout_ms);
  switch (group.state) {
    case GroupState::stable:
      if (group.protocol_name && *group.protocol_name == group.select_protocol()) {
        JoinResult answer;
        answer.generation_id = group.generation_id;
        answer.protocol_type = group.protocol_type;
        answer.protocol_name = group.protocol_name;
        answer.leader = current_leader.value_or("");
        answer.member_id = new_member_id;
        member.awaiting_join.reset();
        return answer;
      }
      maybe_prepare_rebalance(group);
      break;
    case GroupState::completing_rebalance: maybe_prepare_rebalance(group); break;
    case GroupState::preparing_rebalance: break;
    case GroupState::empty:
    case GroupState::dead: SLUICE_ASSERT(false, "static member in a {} group", state_name(group.state));
  }
  return std::nullopt;
}

void GroupCoordinator::maybe_prepare_rebalance(Group& group) {
  if (group.state == GroupState::stable || group.state == GroupState::completing_rebalance ||
      group.state == GroupState::empty) {
    prepare_rebalance(group);
  }
}

void GroupCoordinator::prepare_rebalance(Group& group) {
  if (group.state == GroupState::completing_rebalance) {
    reset_and_propagate_assignment_error(group, ErrorCode::rebalance_in_progress);
  }
  cancel_sync_timer(group);
  const bool from_empty = group.state == GroupState::empty;
  group.state = GroupState::preparing_rebalance;
  if (from_empty) {
    group.initial_delay = true;
    group.initial_remaining_ms = std::max<int64_t>(group.rebalance_timeout_ms() - config_.initial_rebalance_delay_ms, 0);
    arm_join_timer(group, config_.initial_rebalance_delay_ms);
  } else {
    group.initial_delay = false;
    arm_join_timer(group, group.rebalance_timeout_ms());
    check_join(group);
  }
}

void GroupCoordinator::arm_join_timer(Group& group, int64_t delay_ms) {
  const uint64_t seq = ++group.join_seq;
  group.join_timer.expires_after(std::chrono::milliseconds(delay_ms));
  group.join_timer.async_wait([this, group_id = group.group_id, seq](const boost::system::error_code& ec) {
    if (!ec) on_join_timer(group_id, seq);
  });
}

void GroupCoordinator::on_join_timer(const std::string& group_id, uint64_t seq) {
  Group* group = find(group_id);
  if (stopped_ || !group || group->join_seq != seq || group->state != GroupState::preparing_rebalance) return;
  if (group->initial_delay && group->new_member_added && group->initial_remaining_ms != 0) {
    // Kafka's InitialDelayedJoin: members arrived during the wait, so wait again (bounded).
    group->new_member_added = false;
    const int64_t delay = std::min<int64_t>(config_.initial_rebalance_delay_ms, group->initial_remaining_ms);
    group->initial_remaining_ms = std::max<int64_t>(group->initial_remaining_ms - delay, 0);
    arm_join_timer(*group, delay);
    return;
  }
  complete_join(*group);
}

// DelayedJoin.tryComplete: the join phase ends early once everyone rejoined (not during the
// initial delay, which always runs out).
void GroupCoordinator::check_join(Group& group) {
  if (group.state != GroupState::preparing_rebalance || group.initial_delay) return;
  if (group.all_members_joined()) complete_join(group);
}

void GroupCoordinator::complete_join(Group& group) {
  ++group.join_seq;
  group.join_timer.cancel();
  group.initial_delay = false;
  std::vector<std::string> missing;
  for (const auto& [id, member] : group.members) {
    if (!member->awaiting_join && !member->group_instance_id) missing.push_back(id);
  }
  for (const std::string& id : missing) {
    spdlog::info("group {}: member {} did not rejoin in time; removed", group.group_id, id);
    remove_member(group, id, ErrorCode::unknown_member_id);
  }
  // Static members stay though they did not rejoin. Kafka's maybeElectNewJoinedLeader: a leader
  // that did not rejoin hands over to one that did; when none did, the phase starts over (the
  // absent static members' sessions will run out).
  if (!group.members.empty() && group.num_awaiting_join() == 0) {
    spdlog::info("group {}: no member rejoined; the join phase starts over", group.group_id);
    arm_join_timer(group, group.rebalance_timeout_ms());
    return;
  }
  if (group.leader_id && !group.members.at(*group.leader_id)->awaiting_join) {
    for (const std::string& id : group.join_order) {
      if (group.members.at(id)->awaiting_join) {
        group.leader_id = id;
        break;
      }
    }
  }
  ++group.generation_id;
  if (group.members.empty()) {
    group.protocol_name.reset();
    group.state = GroupState::empty;
    group.empty_since = now_ms();
    return;
  }
  group.protocol_name = group.select_protocol();
  group.state = GroupState::completing_rebalance;
  group.pending_sync.clear();
  for (auto& [id, member] : group.members) {
    auto parked = std::move(member->awaiting_join);
    member->awaiting_join.reset();
    if (parked) parked->complete(join_answer(group, *member));
    schedule_session(group, *member, member->session_timeout_ms);
    member->is_new = false;
    group.pending_sync.insert(id);
  }
  arm_sync_timer(group);
}

// --- SyncGroup ---------------------------------------------------------------------------------

void GroupCoordinator::arm_sync_timer(Group& group) {
  const uint64_t seq = ++group.sync_seq;
  group.sync_timer.expires_after(std::chrono::milliseconds(group.rebalance_timeout_ms()));
  group.sync_timer.async_wait([this, group_id = group.group_id, seq](const boost::system::error_code& ec) {
    if (!ec) on_sync_timer(group_id, seq);
  });
}

void GroupCoordinator::cancel_sync_timer(Group& group) {
  ++group.sync_seq;
  group.sync_timer.cancel();
  group.pending_sync.clear();
}

// KAFKA-12890: members that did not send SyncGroup within the rebalance timeout are removed.
void GroupCoordinator::on_sync_timer(const std::string& group_id, uint64_t seq) {
  Group* group = find(group_id);
  if (stopped_ || !group || group->sync_seq != seq) return;
  if (group->state != GroupState::completing_rebalance && group->state != GroupState::stable) return;
  const std::set<std::string> late = std::move(group->pending_sync);
  group->pending_sync.clear();
  for (const std::string& id : late) {
    spdlog::info("group {}: member {} sent no SyncGroup in time; removed", group_id, id);
    remove_member(*group, id, ErrorCode::unknown_member_id);
  }
  if (!late.empty()) maybe_prepare_rebalance(*group);
}

void GroupCoordinator::reset_and_propagate_assignment_error(Group& group, ErrorCode error) {
  for (auto& [id, member] : group.members) {
    member->assignment.clear();
    if (member->awaiting_sync) {
      SyncResult result;
      result.error = error;
      member->awaiting_sync->complete(result);
      member->awaiting_sync.reset();
      schedule_session(group, *member, member->session_timeout_ms);
    }
  }
}

asio::awaitable<SyncResult> GroupCoordinator::sync_group(SyncParams params) {
  co_return co_await asio::co_spawn(strand_, do_sync(std::move(params)), asio::use_awaitable);
}

asio::awaitable<SyncResult> GroupCoordinator::do_sync(SyncParams params) {
  SyncResult result;
  auto fail = [&](ErrorCode error) {
    result.error = error;
    return result;
  };
  if (params.group_id.empty()) co_return fail(ErrorCode::invalid_group_id);
  if (const ErrorCode owner = check_ownership(params.group_id); owner != ErrorCode::none) co_return fail(owner);
  Group* group = find(params.group_id);
  if (!group) co_return fail(ErrorCode::unknown_member_id);
  if (group->state == GroupState::dead) co_return fail(ErrorCode::coordinator_not_available);
  if (group->is_static_member_fenced(params.member_id, params.group_instance_id)) {
    co_return fail(ErrorCode::fenced_instance_id);
  }
  auto it = group->members.find(params.member_id);
  if (it == group->members.end()) co_return fail(ErrorCode::unknown_member_id);
  if (params.generation_id != group->generation_id) co_return fail(ErrorCode::illegal_generation);
  if ((params.protocol_type && group->protocol_type != params.protocol_type) ||
      (params.protocol_name && group->protocol_name != params.protocol_name)) {
    co_return fail(ErrorCode::inconsistent_group_protocol);
  }
  Member& member = *it->second;
  switch (group->state) {
    case GroupState::empty: co_return fail(ErrorCode::unknown_member_id);
    case GroupState::dead: co_return fail(ErrorCode::coordinator_not_available);
    case GroupState::preparing_rebalance: co_return fail(ErrorCode::rebalance_in_progress);
    case GroupState::stable:
      group->pending_sync.erase(member.member_id);
      schedule_session(*group, member, member.session_timeout_ms);
      result.protocol_type = group->protocol_type;
      result.protocol_name = group->protocol_name;
      result.assignment = member.assignment;
      co_return result;
    case GroupState::completing_rebalance: break;
  }
  if (member.awaiting_sync) {  // a duplicate sync: the older call is superseded
    SyncResult superseded;
    superseded.error = ErrorCode::rebalance_in_progress;
    member.awaiting_sync->complete(superseded);
  }
  auto parked = std::make_shared<Parked<SyncResult>>(strand_);
  member.awaiting_sync = parked;
  group->pending_sync.erase(member.member_id);
  schedule_session(*group, member, member.session_timeout_ms);
  if (group->is_leader(member.member_id)) {
    // Members the leader left out get empty bytes; ids not in the group are ignored.
    for (auto& [id, m] : group->members) m->assignment.clear();
    for (auto& [id, bytes] : params.assignments) {
      if (auto target = group->members.find(id); target != group->members.end()) target->second->assignment = bytes;
    }
    for (auto& [id, m] : group->members) {
      if (!m->awaiting_sync) continue;
      SyncResult answer;
      answer.protocol_type = group->protocol_type;
      answer.protocol_name = group->protocol_name;
      answer.assignment = m->assignment;
      m->awaiting_sync->complete(answer);
      m->awaiting_sync.reset();
    }
    group->state = GroupState::stable;
  }
  co_return co_await parked->wait();
}

// --- Heartbeat, LeaveGroup, session timers ----------------------------------------------------

asio::awaitable<ErrorCode> GroupCoordinator::heartbeat(std::string group_id, int32_t generation_id,
                                                       std::string member_id,
                                                       std::optional<std::string> group_instance_id) {
  co_return co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self, std::string group, int32_t generation, std::string member,
         std::optional<std::string> instance) -> asio::awaitable<ErrorCode> {
        co_return self->do_heartbeat(group, generation, member, instance);
      }(this, std::move(group_id), generation_id, std::move(member_id), std::move(group_instance_id)),
      asio::use_awaitable);
}

ErrorCode GroupCoordinator::do_heartbeat(const std::string& group_id, int32_t generation_id,
                                         const std::string& member_id,
                                         const std::optional<std::string>& group_instance_id) {
  if (group_id.empty()) return ErrorCode::invalid_group_id;
  if (const ErrorCode owner = check_ownership(group_id); owner != ErrorCode::none) return owner;
  Group* group = find(group_id);
  if (!group) return ErrorCode::unknown_member_id;
  if (group->state == GroupState::dead) return ErrorCode::coordinator_not_available;
  if (group->is_static_member_fenced(member_id, group_instance_id)) return ErrorCode::fenced_instance_id;
  auto it = group->members.find(member_id);
  if (it == group->members.end()) return ErrorCode::unknown_member_id;
  if (generation_id != group->generation_id) return ErrorCode::illegal_generation;
  switch (group->state) {
    case GroupState::empty:
    case GroupState::dead: return ErrorCode::unknown_member_id;
    case GroupState::preparing_rebalance:
      schedule_session(*group, *it->second, it->second->session_timeout_ms);
      return ErrorCode::rebalance_in_progress;
    case GroupState::completing_rebalance:
    case GroupState::stable:
      schedule_session(*group, *it->second, it->second->session_timeout_ms);
      return ErrorCode::none;
  }
  return ErrorCode::none;
}

void GroupCoordinator::schedule_session(Group& group, Member& member, int64_t timeout_ms) {
  const uint64_t seq = ++member.session_seq;
  member.session_timer.expires_after(std::chrono::milliseconds(timeout_ms));
  member.session_timer.async_wait(
      [this, group_id = group.group_id, member_id = member.member_id, seq](const boost::system::error_code& ec) {
        if (!ec) on_session_timer(group_id, member_id, seq);
      });
}

void GroupCoordinator::on_session_timer(const std::string& group_id, const std::string& member_id, uint64_t seq) {
  Group* group = find(group_id);
  if (stopped_ || !group) return;
  auto it = group->members.find(member_id);
  if (it == group->members.end() || it->second->session_seq != seq) return;
  const Member& member = *it->second;
  // Kafka's hasSatisfiedHeartbeat: a member parked in a rebalance is alive, unless it is new.
  if (!member.is_new && (member.awaiting_join || member.awaiting_sync)) return;
  spdlog::info("group {}: member {} session timed out; removed", group_id, member_id);
  remove_member_and_update_group(*group, member_id);
}

void GroupCoordinator::on_pending_timer(const std::string& group_id, const std::string& member_id, uint64_t seq) {
  (void)seq;
  Group* group = find(group_id);
  if (stopped_ || !group || group->pending_members.count(member_id) == 0) return;
  remove_pending_member_and_update_group(*group, member_id);
}

void GroupCoordinator::remove_member(Group& group, const std::string& member_id, ErrorCode parked_error) {
  auto it = group.members.find(member_id);
  if (it == group.members.end()) return;
  Member& member = *it->second;
  if (member.awaiting_join) {
    JoinResult join;
    join.error = parked_error;
    join.member_id = member_id;
    member.awaiting_join->complete(join);
  }
  if (member.awaiting_sync) {
    SyncResult sync;
    sync.error = parked_error;
    member.awaiting_sync->complete(sync);
  }
  ++member.session_seq;
  member.session_timer.cancel();
  if (member.group_instance_id) {
    auto s = group.static_members.find(*member.group_instance_id);
    if (s != group.static_members.end() && s->second == member_id) group.static_members.erase(s);
  }
  group.members.erase(it);
  group.join_order.erase(std::remove(group.join_order.begin(), group.join_order.end(), member_id),
                         group.join_order.end());
  group.pending_sync.erase(member_id);
  if (group.is_leader(member_id)) {
    group.leader_id.reset();
    // Kafka: any member that rejoined, else any member.
    for (const std::string& id : group.join_order) {
      if (group.members.at(id)->awaiting_join) {
        group.leader_id = id;
        break;
      }
    }
    if (!group.leader_id && !group.join_order.empty()) group.leader_id = group.join_order.front();
  }
}

void GroupCoordinator::remove_member_and_update_group(Group& group, const std::string& member_id) {
  remove_member(group, member_id, ErrorCode::unknown_member_id);
  switch (group.state) {
    case GroupState::dead:
    case GroupState::empty: break;
    case GroupState::stable:
    case GroupState::completing_rebalance: maybe_prepare_rebalance(group); break;
    case GroupState::preparing_rebalance: check_join(group); break;
  }
}

void GroupCoordinator::remove_pending_member_and_update_group(Group& group, const std::string& member_id) {
  auto it = group.pending_members.find(member_id);
  if (it == group.pending_members.end()) return;
  it->second->cancel();
  group.pending_members.erase(it);
  check_join(group);
}

asio::awaitable<LeaveResult> GroupCoordinator::leave_group(std::string group_id, std::vector<LeavingMember> members) {
  co_return co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self, std::string group, std::vector<LeavingMember> leaving) -> asio::awaitable<LeaveResult> {
        co_return self->do_leave(group, leaving);
      }(this, std::move(group_id), std::move(members)),
      asio::use_awaitable);
}

LeaveResult GroupCoordinator::do_leave(const std::string& group_id, const std::vector<LeavingMember>& members) {
  LeaveResult result;
  if (group_id.empty()) {
    result.error = ErrorCode::invalid_group_id;
    return result;
  }
  if (const ErrorCode owner = check_ownership(group_id); owner != ErrorCode::none) {
    result.error = owner;
    return result;
  }
  Group* group = find(group_id);
  if (group && group->state == GroupState::dead) {
    result.error = ErrorCode::coordinator_not_available;
    return result;
  }
  // Kafka 2.8's handleLeaveGroup: a known instance id names the member to remove (LeaveGroup v3+
  // may leave the member id empty, as an administrator removing an instance does); a member id
  // that does not match the instance's is fenced.
  for (const LeavingMember& leaving : members) {
    if (!group) {
      result.member_errors.push_back(ErrorCode::unknown_member_id);
    } else if (!leaving.member_id.empty() &&
               group->is_static_member_fenced(leaving.member_id, leaving.group_instance_id)) {
      result.member_errors.push_back(ErrorCode::fenced_instance_id);
    } else if (!leaving.member_id.empty() && group->pending_members.count(leaving.member_id) != 0) {
      remove_pending_member_and_update_group(*group, leaving.member_id);
      result.member_errors.push_back(ErrorCode::none);
    } else if (group->has_static_member(leaving.group_instance_id) || group->has(leaving.member_id)) {
      const std::string id = group->has_static_member(leaving.group_instance_id)
                                 ? group->static_members.at(*leaving.group_instance_id)
                                 : leaving.member_id;
      spdlog::info("group {}: member {} left", group_id, id);
      remove_member_and_update_group(*group, id);
      result.member_errors.push_back(ErrorCode::none);
    } else {
      result.member_errors.push_back(ErrorCode::unknown_member_id);
    }
  }
  return result;
}

// --- DescribeGroups, ListGroups ---------------------------------------------------------------

asio::awaitable<Result<bool>> GroupCoordinator::group_has_offsets(std::string group_id) {
  if (!offsets_) co_return false;
  co_return co_await offsets_->has_offsets(std::move(group_id));
}

asio::awaitable<Result<std::vector<std::string>>> GroupCoordinator::offset_groups() {
  if (!offsets_) co_return std::vector<std::string>{};
  co_return co_await offsets_->groups_with_offsets();
}

asio::awaitable<GroupSummary> GroupCoordinator::describe_group(std::string group_id) {
  // nullopt inside: the group is unknown to membership (then offsets decide Empty or Dead).
  std::optional<std::optional<GroupSummary>> described = co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self, std::string group) -> asio::awaitable<std::optional<std::optional<GroupSummary>>> {
        co_return std::optional<std::optional<GroupSummary>>(self->do_describe(group));
      }(this, group_id),
      asio::use_awaitable);
  if (described && *described) co_return std::move(**described);
  GroupSummary summary;
  const Result<bool> has = co_await group_has_offsets(group_id);
  if (!has) {
    summary.error = ErrorCode::coordinator_load_in_progress;
    co_return summary;
  }
  summary.state = std::string(state_name(has.value() ? GroupState::empty : GroupState::dead));
  co_return summary;
}

std::optional<GroupSummary> GroupCoordinator::do_describe(const std::string& group_id) {
  GroupSummary summary;
  if (const ErrorCode owner = check_ownership(group_id); owner != ErrorCode::none) {
    summary.error = owner;
    return summary;
  }
  const Group* group = find(group_id);
  if (!group) return std::nullopt;
  const bool stable = group->state == GroupState::stable;
  summary.state = std::string(state_name(group->state));
  summary.protocol_type = group->protocol_type.value_or("");
  if (stable) summary.protocol = group->protocol_name.value_or("");
  for (const std::string& id : group->join_order) {
    const Member& m = *group->members.at(id);
    MemberSummary out;
    out.member_id = m.member_id;
    out.group_instance_id = m.group_instance_id;
    out.client_id = m.client_id;
    out.client_host = m.client_host;
    if (stable) {
      if (const Bytes* metadata = m.metadata_for(summary.protocol)) out.metadata = *metadata;
      out.assignment = m.assignment;
    }
    summary.members.push_back(std::move(out));
  }
  return summary;
}

asio::awaitable<GroupListing> GroupCoordinator::list_groups(std::vector<std::string> states) {
  GroupListing listing = co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self) -> asio::awaitable<GroupListing> { co_return self->do_list({}); }(this),
      asio::use_awaitable);
  if (listing.error != ErrorCode::none) co_return listing;
  const Result<std::vector<std::string>> with_offsets = co_await offset_groups();
  if (!with_offsets) {
    listing.error = ErrorCode::coordinator_load_in_progress;
    listing.groups.clear();
    co_return listing;
  }
  for (const std::string& id : with_offsets.value()) {
    const bool known = std::any_of(listing.groups.begin(), listing.groups.end(),
                                   [&](const GroupListing::Entry& e) { return e.group_id == id; });
    if (!known) listing.groups.push_back({id, "", std::string(state_name(GroupState::empty))});
  }
  if (!states.empty()) {
    std::erase_if(listing.groups, [&](const GroupListing::Entry& e) {
      return std::find(states.begin(), states.end(), e.state) == states.end();
    });
  }
  std::sort(listing.groups.begin(), listing.groups.end(),
            [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  co_return listing;
}

GroupListing GroupCoordinator::do_list(const std::vector<std::string>& /*states*/) {
  GroupListing listing;
  if (stopped_) {
    listing.error = ErrorCode::coordinator_not_available;
    return listing;
  }
  sweep_moved_groups();
  for (const auto& [id, group] : groups_) {
    if (group->state == GroupState::dead) continue;
    listing.groups.push_back({id, group->protocol_type.value_or(""), std::string(state_name(group->state))});
  }
  return listing;
}

// --- GroupMembership ----------------------------------------------------------------------------

asio::awaitable<ErrorCode> GroupCoordinator::authorize_commit(std::string group_id, CommitAuthor author) {
  co_return co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self, std::string group, CommitAuthor who) -> asio::awaitable<ErrorCode> {
        co_return self->do_authorize(group, who);
      }(this, std::move(group_id), std::move(author)),
      asio::use_awaitable);
}

// Kafka 2.8's doCommitOffsets checks (docs/groups.md).
ErrorCode GroupCoordinator::do_authorize(const std::string& group_id, const CommitAuthor& author) {
  if (const ErrorCode owner = check_ownership(group_id); owner != ErrorCode::none) return owner;
  Group* group = find(group_id);
  if (!group) return author.generation_id < 0 ? ErrorCode::none : ErrorCode::illegal_generation;
  if (group->state == GroupState::dead) return ErrorCode::coordinator_not_available;
  if (group->is_static_member_fenced(author.member_id, author.group_instance_id)) {
    return ErrorCode::fenced_instance_id;
  }
  if (author.generation_id < 0 && group->state == GroupState::empty) return ErrorCode::none;
  auto it = group->members.find(author.member_id);
  if (it == group->members.end()) return ErrorCode::unknown_member_id;
  if (author.generation_id != group->generation_id) return ErrorCode::illegal_generation;
  switch (group->state) {
    case GroupState::stable:
    case GroupState::preparing_rebalance:
      schedule_session(*group, *it->second, it->second->session_timeout_ms);
      return ErrorCode::none;
    case GroupState::completing_rebalance: return ErrorCode::rebalance_in_progress;
    case GroupState::empty:
    case GroupState::dead: return ErrorCode::unknown_member_id;
  }
  return ErrorCode::unknown_member_id;
}

asio::awaitable<std::optional<GroupStatus>> GroupCoordinator::status(std::string group_id) {
  // Wrapped once more: co_spawn's completion needs a default-constructible value.
  std::optional<std::optional<GroupStatus>> out = co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self, std::string group) -> asio::awaitable<std::optional<std::optional<GroupStatus>>> {
        if (!self->stopped_) self->sweep_moved_groups();
        const Group* g = self->find(group);
        if (!g) co_return std::optional<std::optional<GroupStatus>>(std::optional<GroupStatus>());
        GroupStatus s;
        s.state = g->state;
        s.empty_since = g->empty_since;
        co_return std::optional<std::optional<GroupStatus>>(s);
      }(this, std::move(group_id)),
      asio::use_awaitable);
  co_return out ? *out : std::nullopt;
}

asio::awaitable<ErrorCode> GroupCoordinator::remove_if_empty(std::string group_id) {
  co_return co_await asio::co_spawn(
      strand_,
      [](GroupCoordinator* self, std::string group) -> asio::awaitable<ErrorCode> {
        auto it = self->groups_.find(group);
        if (it == self->groups_.end()) co_return ErrorCode::none;
        if (!it->second->members.empty() || !it->second->pending_members.empty()) co_return ErrorCode::non_empty_group;
        self->unload(*it->second, ErrorCode::coordinator_not_available);
        self->groups_.erase(it);
        co_return ErrorCode::none;
      }(this, std::move(group_id)),
      asio::use_awaitable);
}

}  // namespace sluice::broker::group
