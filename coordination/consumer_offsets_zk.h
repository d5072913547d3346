// ConsumerOffsetsZk: committed consumer-group offsets in ZooKeeper (docs/groups.md, "Committed
// offsets in ZooKeeper"). The value znode is Kafka 0.8's, so zkCli users and tools that read
// ZooKeeper offsets see ours:
//   /consumers/<group>/offsets/<topic>/<partition>       the offset, decimal ASCII, no newline
//   /consumers/<group>/offsets_meta/<topic>/<partition>  {"version":1,"leader_epoch":N,
//                                                          "metadata":"...","commit_timestamp":ms}
// A missing meta znode reads as epoch -1, metadata "", commit timestamp -1 (offsets written by
// old tools). <group> is escape_group_id(group id): ordinary ids are used as they are.
//
// Owner: the broker (OffsetManager) and the controller (topic deletion); stateless apart from
// the ZkClient it borrows, which must outlive it. Errors are ZkClient's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/asio.h"
#include "coordination/zk_client.h"
#include "protocol/types.h"

namespace sluice::coordination {

struct CommittedOffset {
  Offset offset{-1};
  LeaderEpoch leader_epoch = kNoLeaderEpoch;
  std::string metadata;
  TimestampMs commit_timestamp = kNoTimestamp;  // kNoTimestamp: no meta znode

  bool operator==(const CommittedOffset&) const = default;
};

using GroupOffsetMap = std::map<TopicPartition, CommittedOffset>;

class ConsumerOffsetsZk {
 public:
  // The longest znode name a group may have, after escaping (longer ids: INVALID_GROUP_ID).
  static constexpr size_t kMaxGroupNodeBytes = 255;
  static constexpr char kEscapePrefix = '%';

  explicit ConsumerOffsetsZk(ZkClient& zk) : zk_(zk) {}

  // The znode name of a group: the id itself when it is a valid ZooKeeper path component that
  // does not start with '%'; else '%' followed by the id with every byte outside
  // [A-Za-z0-9._~-] written as %XX (upper-case hex). One to one and reversible.
  static std::string escape_group_id(std::string_view group_id);
  // The inverse; nullopt for a name escape_group_id never produces.
  static std::optional<std::string> unescape_group_id(std::string_view node_name);
  // Whether the id's znode name fits kMaxGroupNodeBytes.
  static bool group_id_fits(std::string_view group_id);

  static std::string group_path(std::string_view group_id);
  static std::string offset_path(std::string_view group_id, const TopicPartition& tp);
  static std::string meta_path(std::string_view group_id, const TopicPartition& tp);

  // Writes every entry in ONE multi (create or set_data of the value and meta znodes); missing
  // parents are created first. Nothing is written when the multi fails.
  asio::awaitable<Status> commit(std::string group_id, GroupOffsetMap offsets);
  // Every committed offset of the group (empty when it has none).
  asio::awaitable<Result<GroupOffsetMap>> read_group(std::string group_id);
  // The ids of the groups with at least one committed offset.
  asio::awaitable<Result<std::vector<std::string>>> list_groups();
  // Removes /consumers/<group> with everything under it; ok when absent.
  asio::awaitable<Status> delete_group(std::string group_id);
  // Removes the value and meta znodes of `partitions` in one multi (absent ones skipped).
  asio::awaitable<Status> delete_partitions(std::string group_id, std::vector<TopicPartition> partitions);
  // Removes /consumers/*/offsets/<topic> and /consumers/*/offsets_meta/<topic> of every group.
  asio::awaitable<Status> delete_topic(std::string topic);

  // The meta znode's JSON, and its parse (nullopt when it does not parse).
  static std::string encode_meta(const CommittedOffset& offset);
  static std::optional<CommittedOffset> decode_meta(std::string_view json);

 private:
  asio::awaitable<Result<std::vector<std::string>>> children_or_empty(std::string path);

  ZkClient& zk_;
};

}  // namespace sluice::coordination
