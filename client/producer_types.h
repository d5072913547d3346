// What a producer is given and what it reports back.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/record.h"
#include "protocol/types.h"

namespace sluice::client {

struct ProducerRecord {
  std::string topic;
  std::optional<Bytes> key{};  // null and empty differ: only null goes to the sticky partition
  std::optional<Bytes> value{};  // null is a tombstone
  std::vector<protocol::RecordHeader> headers{};
  std::optional<PartitionId> partition{};  // set: bypasses the partitioner
  std::optional<TimestampMs> timestamp{};  // unset: the producer's wall clock (CreateTime)
};

// The outcome of one record: its offset and timestamp (the broker's if LogAppendTime), or an
// error. With acks = 0 the offset is -1: the broker never says.
struct DeliveryReport {
  std::string topic;
  PartitionId partition{-1};
  Offset offset{-1};
  TimestampMs timestamp = kNoTimestamp;
  std::error_code error;
};

// Called once per record on the producer's strand.
using DeliveryCallback = std::function<void(const DeliveryReport&)>;

}  // namespace sluice::client
