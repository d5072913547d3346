// RecordBatchBuilder: collects records and encodes them as one v2 batch with a chosen codec, the
// way a producer (or the broker, when it re-compresses) does. Not thread-safe; one batch per
// builder. The result is a complete batch: batchLength, lastOffsetDelta, maxTimestamp,
// recordCount and the CRC are all computed by build().
#pragma once

#include <optional>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/record.h"
#include "protocol/record_batch_header.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::protocol {

struct BatchSettings {
  CompressionType compression = CompressionType::none;
  TimestampType timestamp_type = TimestampType::create_time;
  bool transactional = false;
  bool control = false;
  Offset base_offset{0};  // producers write 0; the broker assigns
  LeaderEpoch partition_leader_epoch = kNoLeaderEpoch;
  // kNoTimestamp here means: take the first record appended by timestamp.
  TimestampMs base_timestamp = kNoTimestamp;
  // The batch's maxTimestamp when timestamp_type is log_append_time (the broker's clock).
  TimestampMs log_append_time = kNoTimestamp;
  ProducerId producer_id{-1};  // -1 unless idempotent or transactional
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(BatchSettings settings) : settings_(settings) {}

  // Appends a record at the next offset delta (0, 1, 2, ...) with absolute timestamp `ts`.
  // REQUIRES: ts - base timestamp fits an int64.
  RecordBatchBuilder& append(TimestampMs ts, std::optional<ByteView> key,
                             std::optional<ByteView> value, std::vector<RecordHeader> headers = {});
  // Appends a record with its deltas as given (a compacted or re-encoded batch may have gaps).
  // REQUIRES: r.offset_delta >= 0 and greater than the previous record's.
  RecordBatchBuilder& append(Record r);

  [[nodiscard]] size_t record_count() const { return records_.size(); }
  [[nodiscard]] bool empty() const { return records_.empty(); }
  [[nodiscard]] const BatchSettings& settings() const { return settings_; }

  // Encodes, compresses and checksums the batch. Errc::too_large if it would not fit the
  // int32 batchLength. REQUIRES: !empty() (Kafka never writes a batch without records).
  [[nodiscard]] Result<Bytes> build() const;

 private:
  [[nodiscard]] RecordBatchHeader make_header(size_t payload_size) const;

  BatchSettings settings_;
  std::vector<Record> records_;
};

}  // namespace sluice::protocol
