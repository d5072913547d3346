#include "protocol/record_batch.h"

#include <algorithm>
#include <limits>

#include "protocol/compression.h"
#include "protocol/errc.h"

namespace sluice::protocol {
namespace {

// length, attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount.
constexpr size_t kMinRecordBytes = 7;

Status check_exact_size(const RecordBatchHeader& h, ByteView batch) {
  if (batch.size() < h.size_in_bytes()) return Errc::truncated;
  if (batch.size() > h.size_in_bytes()) return Errc::malformed;
  return ok();
}

// Tracks what the records must agree on with their header, one record at a time.
class RecordChecker {
 public:
  explicit RecordChecker(const RecordBatchHeader& h) : header_(h) {}

  Status check(const Record& r) {
    if (r.offset_delta < 0 || r.offset_delta > header_.last_offset_delta) {
      return Errc::invalid_record;
    }
    if (r.offset_delta <= previous_delta_) return Errc::invalid_record;
    previous_delta_ = r.offset_delta;
    // Absolute timestamps must be representable, or every reader computing one would overflow.
    int64_t absolute = 0;
    if (__builtin_add_overflow(header_.base_timestamp.value(), r.timestamp_delta, &absolute)) {
      return Errc::invalid_record;
    }
    return ok();
  }

 private:
  const RecordBatchHeader& header_;
  int64_t previous_delta_ = -1;  // below every valid delta, so the first record passes
};

Result<std::vector<Record>> decode_record_section(ByteView section, const RecordBatchHeader& h) {
  std::vector<Record> records;
  // A count in the input sizes nothing beyond what the bytes present could hold.
  records.reserve(std::min(static_cast<size_t>(h.record_count), section.size() / kMinRecordBytes));
  RecordChecker checker(h);
  for (int32_t i = 0; i < h.record_count; ++i) {
    if (section.empty()) return Errc::invalid_record;  // fewer records than recordCount
    auto record = decode_record(section);
    if (!record) {
      // The batch itself is whole, so a record running past the section's end is malformed.
      return record.error() == Errc::truncated ? Errc::malformed : record.error();
    }
    SLUICE_TRY(checker.check(record.value()));
    records.push_back(std::move(record).value());
  }
  if (!section.empty()) return Errc::invalid_record;  // more records than recordCount
  return records;
}

}  // namespace

Result<DecodedBatch> decode_records(ByteView whole_batch, const DecodeLimits& limits) {
  SLUICE_TRY(auto header, RecordBatchHeader::parse(whole_batch, std::numeric_limits<size_t>::max()));
  SLUICE_TRY(check_exact_size(header, whole_batch));
  SLUICE_TRY(verify_crc(whole_batch));
  if (header.record_count > limits.max_records) return Errc::too_large;
  const ByteView section = whole_batch.subspan(kRecordBatchHeaderSize);
  DecodedBatch batch{header, {}};
  if (header.compression() == CompressionType::none) {
    SLUICE_TRY(batch.records, decode_record_section(section, header));
  } else {
    SLUICE_TRY(auto plain, decompress(header.compression(), section, limits.max_decompressed_bytes));
    SLUICE_TRY(batch.records, decode_record_section(plain, header));
  }
  return batch;
}

Result<RecordBatchHeader> validate_batch(ByteView batch, size_t max_size) {
  SLUICE_TRY(auto header, RecordBatchHeader::parse(batch, max_size));
  SLUICE_TRY(check_exact_size(header, batch));
  SLUICE_TRY(verify_crc(batch));
  return header;
}

}  // namespace sluice::protocol
