// Walking the records of an uncompressed v2 batch for their offsets and timestamps (time lookups
// answer with a record, not a batch). Compressed batches are not decoded here: storage leaves
// codecs to protocol/, and answers those lookups per batch.
#pragma once

#include <optional>

#include "protocol/bytes.h"
#include "protocol/record_batch_header.h"
#include "protocol/types.h"

namespace sluice::storage {

struct RecordTimestampOffset {
  TimestampMs timestamp;
  Offset offset;
};

// The first record of `batch` (a whole uncompressed v2 batch described by `header`) with
// timestamp >= target and offset >= min_offset; nullopt if none or the records are malformed.
std::optional<RecordTimestampOffset> first_record_at_or_after(ByteView batch,
                                                              const protocol::RecordBatchHeader& header,
                                                              TimestampMs target, Offset min_offset);

}  // namespace sluice::storage
