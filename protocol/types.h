// The fundamental ids shared by every module (RP:src/v/model/fundamental.h in spirit).
#pragma once

#include <cstdint>
#include <string>

#include "protocol/strong_id.h"

namespace sluice {

// A record's position in a partition log. Absolute, never relative to a segment.
using Offset = StrongOffset<int64_t, struct OffsetTag>;
// A byte position inside one segment's .log file.
using FilePosition = StrongOffset<int64_t, struct FilePositionTag>;
// Milliseconds since the Unix epoch, as record timestamps are.
using TimestampMs = StrongOffset<int64_t, struct TimestampTag>;

using PartitionId = StrongId<int32_t, struct PartitionIdTag>;
using BrokerId = StrongId<int32_t, struct BrokerIdTag>;
using LeaderEpoch = StrongId<int32_t, struct LeaderEpochTag>;
using ProducerId = StrongId<int64_t, struct ProducerIdTag>;
using ZkVersion = StrongId<int32_t, struct ZkVersionTag>;

// Kafka's "no timestamp" (-1) and "no leader epoch" (-1) values.
inline constexpr TimestampMs kNoTimestamp{-1};
inline constexpr LeaderEpoch kNoLeaderEpoch{-1};

// A topic partition: the unit of ordering, replication and storage.
struct TopicPartition {
  std::string topic;
  PartitionId partition;

  auto operator<=>(const TopicPartition&) const = default;
  // "<topic>-<partition>", the name of the partition's log directory.
  [[nodiscard]] std::string to_string() const { return topic + "-" + std::to_string(partition.value()); }
};

}  // namespace sluice

template <>
struct std::hash<sluice::TopicPartition> {
  size_t operator()(const sluice::TopicPartition& tp) const noexcept {
    return std::hash<std::string>{}(tp.topic) * 31 + static_cast<size_t>(tp.partition.value());
  }
};
