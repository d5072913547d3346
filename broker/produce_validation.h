// What a leader checks and rewrites in a producer's records before the log append, in Kafka
// 2.8's order (record-batch.md §7, §8). Pure functions: no partition state, no I/O. Runs inside
// the partition's append step (Partition::append_records_to_leader), so the topic config it
// checks against is the one the append uses.
//   step | check                                              | error
//   1    | v0-2: a magic 0/1 message set                       | UNSUPPORTED_FOR_MESSAGE_FORMAT (43)
//   1    | records present, magic 2, exactly one batch         | INVALID_RECORD (87)
//   2    | zstd batch in a Produce below v7                    | UNSUPPORTED_COMPRESSION_TYPE (76)
//   3    | size <= max.message.bytes / <= segment.bytes        | MESSAGE_TOO_LARGE (10) / RECORD_LIST_TOO_LARGE (18)
//   4    | CRC-32C                                             | CORRUPT_MESSAGE (2)
//   5    | lastOffsetDelta + 1 == recordCount > 0              | INVALID_RECORD
//   3-5  | are storage's one validation (storage/validated_batches.h); the CRC is computed once
//   6    | baseOffset == 0, no control bit, producerId >= 0    | INVALID_RECORD
//        | implies baseSequence >= 0                           |
//   7    | records decode and agree with the header            | INVALID_RECORD / CORRUPT_MESSAGE
//        | producer batch not flagged LogAppendTime            | INVALID_TIMESTAMP (32)
// The batch is rebuilt when the topic's compression.type names another codec than the batch's,
// or when its offset deltas are not 0..n-1; producer id, epoch, sequence and the transactional
// flag are kept. Timestamps (LogAppendTime), offsets and the leader epoch are storage's.
// Produce v0-2 are served only for what librdkafka's codec gate needs (wire-protocol.md): a v0-2
// request carrying a magic-2 batch is validated like v3+ (Kafka 2.8 accepts it too, since
// ProduceRequest.validateRecords only checks v3+), a legacy message set is refused (step 1).
#pragma once

#include <cstdint>
#include <optional>

#include "protocol/bytes.h"
#include "protocol/error_code.h"
#include "storage/log_config.h"
#include "storage/validated_batches.h"

namespace sluice::broker {

struct ValidatedRecords {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::optional<storage::ValidatedBatches> batch;  // what to append when error is none
};

// A batch accepted as it is moves into the result, without a copy.
ValidatedRecords validate_produce_records(storage::ProducedBytes records, int16_t produce_version,
                                          const storage::LogConfig& config);

}  // namespace sluice::broker
