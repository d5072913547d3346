// Decoding and validating v2 record batches (the header is in record_batch_header.h, one record
// in record.h, the builder in record_batch_builder.h, iteration over many in batch_iterator.h).
//
// Bytes from producers, from disk and from other brokers are all treated as hostile: every
// length, count and decompressed size is checked before it is used, and every failure is an
// Errc value, never a crash or an allocation sized by a number in the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocol/bytes.h"
#include "protocol/record.h"
#include "protocol/record_batch_header.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::protocol {

// Bounds on what decoding one batch may cost. A decoded Record costs about 100 bytes of memory
// beyond its key and value, so the defaults cap one decode near 100 MiB of records plus the
// decompressed bytes.
struct DecodeLimits {
  int32_t max_records = 1 << 20;
  size_t max_decompressed_bytes = size_t{64} << 20;
};

struct DecodedBatch {
  RecordBatchHeader header;
  std::vector<Record> records;

  [[nodiscard]] Offset offset_of(const Record& r) const { return header.base_offset + r.offset_delta; }
  // CreateTime: baseTimestamp + delta. LogAppendTime: the batch's maxTimestamp for every record.
  [[nodiscard]] TimestampMs timestamp_of(const Record& r) const {
    return header.timestamp_type() == TimestampType::log_append_time
               ? header.max_timestamp
               : header.base_timestamp + r.timestamp_delta;
  }
};

// Decodes exactly one whole batch: header, CRC, then the records, decompressed if needed.
// Errors: anything RecordBatchHeader::parse returns; Errc::truncated if `whole_batch` is shorter
// than batchLength says, Errc::malformed if longer; Errc::crc_mismatch; Errc::too_large over
// `limits`; Errc::decompression_failed; Errc::invalid_record when the records disagree with the
// header (count differs from recordCount, offset deltas not strictly increasing within
// [0, lastOffsetDelta], a timestamp that overflows); Errc::malformed for a bad record inside.
// Offset deltas need not be consecutive: log compaction leaves gaps.
Result<DecodedBatch> decode_records(ByteView whole_batch, const DecodeLimits& limits = {});

struct RecordsCheck {
  bool consecutive_offset_deltas = true;  // the records' offset deltas are exactly 0..n-1
};

// Checks everything decode_records checks, returning the same error for the same input, without
// building the records: no allocation per record (a compressed batch is still decompressed once).
// For the produce path, which must validate every record but keeps the batch's bytes as they are.
Result<RecordsCheck> check_records(ByteView whole_batch, const DecodeLimits& limits = {});

// The same two without the CRC, for a batch whose CRC the caller has just verified (storage's
// validation, storage/validated_batches.h), so a produced batch's CRC is computed once.
Result<RecordsCheck> check_records_crc_verified(ByteView whole_batch, const DecodeLimits& limits = {});
Result<DecodedBatch> decode_records_crc_verified(ByteView whole_batch, const DecodeLimits& limits = {});

// Checks one whole batch as storage must before trusting it (append and recovery): the header
// parses (see RecordBatchHeader::parse, with `max_size` as the largest allowed batch),
// `batch.size()` is exactly the batchLength + 12 it declares (Errc::truncated if less,
// Errc::malformed if more: pass one batch, or use BatchIterator), and the CRC matches. Does not
// decompress or look at the records.
Result<RecordBatchHeader> validate_batch(ByteView batch, size_t max_size);

}  // namespace sluice::protocol
