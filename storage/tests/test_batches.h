// Test data builder: uncompressed v2 record batches of `count` records with null keys and
// `value_size`-byte values, encoded by protocol's RecordBatchBuilder (as a producer would).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "protocol/assert.h"
#include "protocol/bytes.h"
#include "protocol/record_batch_builder.h"
#include "protocol/types.h"

namespace sluice::storage::testing {

// `count` records of `value_size` bytes with timestamps first_ts, first_ts + ts_step, ...
// REQUIRES: count > 0 (Kafka never writes an empty batch).
inline Bytes make_batch(Offset base_offset, int count, size_t value_size, TimestampMs first_ts,
                        int64_t ts_step = 1, LeaderEpoch leader_epoch = LeaderEpoch(-1)) {
  protocol::BatchSettings settings;
  settings.base_offset = base_offset;
  settings.partition_leader_epoch = leader_epoch;
  protocol::RecordBatchBuilder builder(settings);
  const Bytes value(value_size, std::byte{0x61});
  for (int i = 0; i < count; ++i) builder.append(first_ts + i * ts_step, std::nullopt, ByteView(value));
  auto batch = builder.build();
  SLUICE_ASSERT(batch.has_value(), "building a test batch failed: {}", batch.error().message());
  return std::move(batch.value());
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace sluice::storage::testing
