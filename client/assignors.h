// The "consumer" embedded protocol of a group (docs/groups.md) and the partition
// assignors a group leader runs over it. Pure functions: no Asio, no connections.
//
// Subscription (JoinGroup protocols[].metadata): version i16, topics [string], user_data bytes?,
//   v1+: owned_partitions [topic string, partitions [i32]]. Newer versions are read by their
//   known prefix, as Kafka's ConsumerProtocol does.
// Assignment (SyncGroup bytes): version i16, partitions [topic string, partitions [i32]],
//   user_data bytes?. Zero bytes mean "nothing assigned".
// Decoding is total: counts and lengths are checked against the bytes left before anything is
// allocated, so garbage gives Errc::truncated / Errc::malformed, never a crash.
//
// range = Kafka's RangeAssignor: per topic, the members subscribed to it sorted by member id,
//   each given a contiguous run; the first (partitions % members) get one more.
// roundrobin = Kafka's RoundRobinAssignor: every subscribed partition sorted by (topic,
//   partition), dealt to the members sorted by id in turn, skipping members not subscribed to
//   the partition's topic.
// Topics without a known partition count are left out, as Kafka does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::client {

inline constexpr std::string_view kConsumerProtocolType = "consumer";
inline constexpr std::string_view kRangeAssignor = "range";
inline constexpr std::string_view kRoundRobinAssignor = "roundrobin";

// topic -> partitions (ascending).
using TopicPartitions = std::map<std::string, std::vector<PartitionId>>;

struct Subscription {
  std::vector<std::string> topics;
  std::optional<Bytes> user_data;
  TopicPartitions owned_partitions;  // v1+
};

struct MemberAssignment {
  TopicPartitions partitions;
  std::optional<Bytes> user_data;

  [[nodiscard]] std::vector<TopicPartition> list() const;
};

// version 0 or 1 (1 adds owned_partitions).
Bytes encode_subscription(const Subscription& s, int16_t version = 1);
Result<Subscription> decode_subscription(ByteView bytes);
Bytes encode_assignment(const MemberAssignment& a, int16_t version = 0);
// Empty input: an empty assignment.
Result<MemberAssignment> decode_assignment(ByteView bytes);

struct MemberSubscription {
  std::string member_id;
  std::vector<std::string> topics;
};

// member id -> its partitions; every member appears, with an empty map if given nothing.
using GroupAssignment = std::map<std::string, TopicPartitions>;

GroupAssignment range_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                             const std::vector<MemberSubscription>& members);
GroupAssignment round_robin_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                   const std::vector<MemberSubscription>& members);
// By name ("range" or "roundrobin"); nullopt for another name.
std::optional<GroupAssignment> assign_by_name(std::string_view assignor,
                                              const std::map<std::string, int32_t>& partitions_per_topic,
                                              const std::vector<MemberSubscription>& members);

}  // namespace sluice::client
