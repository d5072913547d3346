// The two halves of the group coordinator and what each asks of the other.
//
//   GroupCoordinator (broker/group/group_coordinator.*): membership - JoinGroup, SyncGroup,
//     Heartbeat, LeaveGroup, DescribeGroups, ListGroups; Kafka's group state machine and timers.
//     Implements GroupMembership.
//   OffsetManager (broker/group/offset_manager.*): committed offsets - OffsetCommit, OffsetFetch,
//     DeleteGroups, offset expiry; a cache backed by /consumers/<group>/offsets in ZooKeeper.
//     Implements GroupOffsets.
//
// Both answer NOT_COORDINATOR for a group this broker does not coordinate (coordinates() below)
// and treat a change of MetadataCache::Snapshot::brokers_version as "groups may have moved":
// what they hold for a group that moved away is dropped (membership: the group goes Dead and
// parked requests are answered NOT_COORDINATOR; offsets: the cache entry is re-read from
// ZooKeeper on next use).
// Every call may be made from any executor; implementations serialise on their own strand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/asio_net.h"
#include "broker/metadata_cache.h"
#include "protocol/error_code.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::broker::group {

// Kafka 2.8's group states; DescribeGroups and ListGroups report them by these names.
enum class GroupState { empty, preparing_rebalance, completing_rebalance, stable, dead };

// "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
std::string_view state_name(GroupState state);

// Who commits: OffsetCommit v1+ fields (v0 and the "simple" commit use generation -1, member "").
struct CommitAuthor {
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct GroupStatus {
  GroupState state = GroupState::empty;
  // When the group last became Empty (or was first seen on this coordinator while Empty): the
  // start of its offsets' retention clock. Unset while it has members.
  std::optional<TimestampMs> empty_since;
};

class GroupMembership {
 public:
  virtual ~GroupMembership() = default;
  // Kafka's checks for an OffsetCommit (docs/groups.md and the
  // OffsetCommit column of §6.2): ErrorCode::none when the commit may be stored (a generation -1
  // commit to an unknown or Empty group included). On success for a member, restarts its
  // session timer. Changes nothing else.
  virtual asio::awaitable<protocol::ErrorCode> authorize_commit(std::string group_id, CommitAuthor author) = 0;
  // nullopt: no group of that id in membership (no members since this broker became its
  // coordinator); such a group counts as Empty for offset expiry and deletion.
  virtual asio::awaitable<std::optional<GroupStatus>> status(std::string group_id) = 0;
  // DeleteGroups: forgets a group with no members (returns none; it goes Dead), refuses one with
  // members (NON_EMPTY_GROUP). An unknown group returns none (the caller decides whether
  // offsets make it exist).
  virtual asio::awaitable<protocol::ErrorCode> remove_if_empty(std::string group_id) = 0;
};

class GroupOffsets {
 public:
  virtual ~GroupOffsets() = default;
  // Groups with committed offsets that this broker coordinates (ListGroups shows them as Empty
  // groups, as Kafka does for groups that only commit offsets).
  virtual asio::awaitable<Result<std::vector<std::string>>> groups_with_offsets() = 0;
  // Whether `group_id` has any committed offset (DescribeGroups answers Empty rather than Dead).
  virtual asio::awaitable<Result<bool>> has_offsets(std::string group_id) = 0;
};

// Whether broker `self` coordinates `group_id` under the rule of docs/groups.md.
bool coordinates(const MetadataCache::Snapshot& snapshot, BrokerId self, std::string_view group_id);

}  // namespace sluice::broker::group
