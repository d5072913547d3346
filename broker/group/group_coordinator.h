// GroupCoordinator: the membership half of Kafka 2.8's GroupCoordinator (group_interfaces.h has
// the split with OffsetManager). JoinGroup, SyncGroup, Heartbeat, LeaveGroup, DescribeGroups and
// ListGroups for the groups this broker coordinates (docs/groups.md), with Kafka's state machine
// (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead) and timers: a session timer per
// member, the join phase (group.initial.rebalance.delay.ms out of Empty, else the rebalance
// timeout = max over members), KIP-394 pending members, and the KAFKA-12890 sync timeout.
// docs/groups.md describes the state machine and timers as implemented.
//
// Parked JoinGroup and SyncGroup calls are coroutines waiting on a per-member completion (a
// timer that never expires, cancelled when the answer is set); they are always answered: by
// the join or sync phase, by a rebalance (REBALANCE_IN_PROGRESS), by removal (UNKNOWN_MEMBER_ID),
// when the group moves to another broker or on stop() (NOT_COORDINATOR).
//
// Ownership: every request checks coordinates(snapshot, self, group); when the MetadataCache's
// brokers_version changes (seen on a request or by a 500 ms sweep) the groups this broker no
// longer coordinates go Dead and are dropped. Static membership (KIP-345) as Kafka 2.8: a known
// group_instance_id joining with an empty member id takes over the old member (new id), the old
// id is fenced (FENCED_INSTANCE_ID), and a Stable group whose protocol would not change does not
// rebalance. Every cleanup_interval (offsets.retention.check.interval.ms) Empty groups without
// committed offsets are dropped from memory, as Kafka's cleanupGroupMetadata does.
//
// Owner: the KafkaServer. Every public call may come from any executor; state lives on strand_.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "broker/group/group_interfaces.h"
#include "broker/metadata_cache.h"
#include "protocol/bytes.h"
#include "protocol/error_code.h"
#include "protocol/types.h"

namespace sluice::broker::group {

struct GroupConfig {
  BrokerId broker_id{0};
  int32_t initial_rebalance_delay_ms = 3000;  // group.initial.rebalance.delay.ms
  int32_t min_session_timeout_ms = 6000;      // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;   // group.max.session.timeout.ms
  int32_t max_size = 2147483647;              // group.max.size
  // A new member waiting in its first join expires after this (Kafka's NewMemberJoinTimeoutMs).
  int32_t new_member_join_timeout_ms = 5 * 60 * 1000;
  std::chrono::milliseconds ownership_sweep{500};
  // offsets.retention.check.interval.ms: how often Empty groups without offsets are dropped.
  std::chrono::milliseconds cleanup_interval{600000};
};

struct JoinParams {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  bool require_known_member_id = false;  // JoinGroup v4+ (KIP-394)
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<std::pair<std::string, Bytes>> protocols;  // name, metadata; in preference order
};

struct JoinMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Bytes metadata;
};

struct JoinResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinMember> members;  // the leader's answer only
};

struct SyncParams {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;  // v5+
  std::optional<std::string> protocol_name;  // v5+
  std::vector<std::pair<std::string, Bytes>> assignments;  // member id, assignment
};

struct SyncResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  Bytes assignment;
};

struct LeavingMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;    // the whole request
  std::vector<protocol::ErrorCode> member_errors;          // one per leaving member
};

struct MemberSummary {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  Bytes metadata;    // only in Stable
  Bytes assignment;  // only in Stable
};

struct GroupSummary {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::string state;  // "" with an error
  std::string protocol_type;
  std::string protocol;  // only in Stable
  std::vector<MemberSummary> members;
};

struct GroupListing {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  struct Entry {
    std::string group_id;
    std::string protocol_type;
    std::string state;
  };
  std::vector<Entry> groups;
};

class GroupCoordinator final : public GroupMembership {
 public:
  GroupCoordinator(asio::any_io_executor executor, const MetadataCache& metadata_cache, GroupConfig config);
  ~GroupCoordinator() override;
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // The offsets half, or null (then no group has offsets). Set before serving.
  void set_offsets(GroupOffsets* offsets) { offsets_ = offsets; }

  // Starts the periodic ownership sweep.
  void start();
  // Answers every parked call NOT_COORDINATOR, cancels every timer and drops all groups; later
  // calls get COORDINATOR_NOT_AVAILABLE.
  asio::awaitable<void> stop();

  asio::awaitable<JoinResult> join_group(JoinParams params);
  asio::awaitable<SyncResult> sync_group(SyncParams params);
  asio::awaitable<protocol::ErrorCode> heartbeat(std::string group_id, int32_t generation_id, std::string member_id,
                                                 std::optional<std::string> group_instance_id);
  asio::awaitable<LeaveResult> leave_group(std::string group_id, std::vector<LeavingMember> members);
  asio::awaitable<GroupSummary> describe_group(std::string group_id);
  // `states`: empty for all, else only groups in these states (ListGroups v4).
  asio::awaitable<GroupListing> list_groups(std::vector<std::string> states);

  // GroupMembership
  asio::awaitable<protocol::ErrorCode> authorize_commit(std::string group_id, CommitAuthor author) override;
  asio::awaitable<std::optional<GroupStatus>> status(std::string group_id) override;
  asio::awaitable<protocol::ErrorCode> remove_if_empty(std::string group_id) override;

  // One cleanup pass (the cleanup timer's body): drops every Empty group with no member, no
  // pending member and no committed offset. Returns how many were dropped.
  asio::awaitable<size_t> remove_empty_groups();

  struct Group;
  struct Member;

 private:
  // On strand_.
  asio::awaitable<JoinResult> do_join(JoinParams params);
  asio::awaitable<SyncResult> do_sync(SyncParams params);
  protocol::ErrorCode do_heartbeat(const std::string& group_id, int32_t generation_id, const std::string& member_id,
                                  const std::optional<std::string>& group_instance_id);
  LeaveResult do_leave(const std::string& group_id, const std::vector<LeavingMember>& members);
  std::optional<GroupSummary> do_describe(const std::string& group_id);
  GroupListing do_list(const std::vector<std::string>& states);
  protocol::ErrorCode do_authorize(const std::string& group_id, const CommitAuthor& author);

  // NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / none; drops groups that moved away first.
  protocol::ErrorCode check_ownership(std::string_view group_id);
  void sweep_moved_groups();
  asio::awaitable<void> sweep_loop();
  asio::awaitable<void> cleanup_loop();
  void unload(Group& group, protocol::ErrorCode error);

  Group* find(const std::string& group_id);
  std::string new_member_id(const std::string& client_id);
  bool accept_joining_member(const Group& group, const std::string& member_id) const;
  void add_member_and_rebalance(Group& group, const JoinParams& params, const std::string& member_id);
  void update_member_and_rebalance(Group& group, Member& member, const JoinParams& params);
  // KIP-345: a known instance id joined with an empty member id. Returns the answer when the
  // group stays Stable; else the member waits in the join phase (nullopt).
  std::optional<JoinResult> update_static_member_and_rebalance(Group& group, const JoinParams& params,
                                                               const std::string& new_member_id);
  void maybe_prepare_rebalance(Group& group);
  void prepare_rebalance(Group& group);
  void check_join(Group& group);
  void complete_join(Group& group);
  void arm_join_timer(Group& group, int64_t delay_ms);
  void on_join_timer(const std::string& group_id, uint64_t seq);
  void arm_sync_timer(Group& group);
  void on_sync_timer(const std::string& group_id, uint64_t seq);
  void cancel_sync_timer(Group& group);
  void reset_and_propagate_assignment_error(Group& group, protocol::ErrorCode error);
  void schedule_session(Group& group, Member& member, int64_t timeout_ms);
  void on_session_timer(const std::string& group_id, const std::string& member_id, uint64_t seq);
  void on_pending_timer(const std::string& group_id, const std::string& member_id, uint64_t seq);
  void remove_member_and_update_group(Group& group, const std::string& member_id);
  void remove_member(Group& group, const std::string& member_id, protocol::ErrorCode parked_error);
  void remove_pending_member_and_update_group(Group& group, const std::string& member_id);
  JoinResult join_answer(const Group& group, const Member& member) const;

  // The one place that reads offsets_ (null: no offsets). Not on strand_.
  asio::awaitable<Result<bool>> group_has_offsets(std::string group_id);
  asio::awaitable<Result<std::vector<std::string>>> offset_groups();

  asio::any_io_executor strand_;
  const MetadataCache& metadata_cache_;
  GroupConfig config_;
  GroupOffsets* offsets_ = nullptr;
  std::map<std::string, std::unique_ptr<Group>> groups_;
  uint64_t seen_brokers_version_ = 0;
  bool stopped_ = false;
  asio::steady_timer sweep_timer_;
  asio::steady_timer cleanup_timer_;
  std::mt19937_64 random_;
};

}  // namespace sluice::broker::group
