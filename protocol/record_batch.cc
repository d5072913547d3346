#include "protocol/record_batch.h"

#include <algorithm>
#include <limits>

#include "protocol/compression.h"
#include "protocol/errc.h"
#include "protocol/varint.h"

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

  Status check(const Record& r) { return check(r.offset_delta, r.timestamp_delta); }

  Status check(int32_t offset_delta, int64_t timestamp_delta) {
    if (offset_delta < 0 || offset_delta > header_.last_offset_delta) {
      return Errc::invalid_record;
    }
    if (offset_delta <= previous_delta_) return Errc::invalid_record;
    previous_delta_ = offset_delta;
    // Absolute timestamps must be representable, or every reader computing one would overflow.
    int64_t absolute = 0;
    if (__builtin_add_overflow(header_.base_timestamp.value(), timestamp_delta, &absolute)) {
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

// Steps over a varint length and that many bytes; -1 is null when `nullable`. The checks are
// decode_record's (record.cc), without the copy.
Status skip_bytes(ByteView& in, bool nullable) {
  SLUICE_TRY(const int32_t length, read_varint(in));
  if (length == -1 && nullable) return ok();
  if (length < 0 || static_cast<size_t>(length) > in.size()) return Errc::malformed;
  in = in.subspan(static_cast<size_t>(length));
  return ok();
}

// One record's body checked as decode_body (record.cc) checks it; only the deltas are kept.
Status check_record_body(ByteView body, int32_t& offset_delta, int64_t& timestamp_delta) {
  if (body.empty()) return Errc::malformed;
  body = body.subspan(1);  // attributes
  SLUICE_TRY(timestamp_delta, read_varlong(body));
  SLUICE_TRY(offset_delta, read_varint(body));
  SLUICE_TRY(skip_bytes(body, true));  // key
  SLUICE_TRY(skip_bytes(body, true));  // value
  SLUICE_TRY(const int32_t headers, read_varint(body));
  if (headers < 0 || static_cast<size_t>(headers) > body.size() / 2) return Errc::malformed;
  for (int32_t i = 0; i < headers; ++i) {
    SLUICE_TRY(skip_bytes(body, false));
    SLUICE_TRY(skip_bytes(body, true));
  }
  if (!body.empty()) return Errc::malformed;
  return ok();
}

// decode_record_section's checks, in its order and with its errors, building nothing.
Result<RecordsCheck> check_record_section(ByteView section, const RecordBatchHeader& h) {
  RecordsCheck result;
  RecordChecker checker(h);
  for (int32_t i = 0; i < h.record_count; ++i) {
    if (section.empty()) return Errc::invalid_record;
    ByteView rest = section;
    auto length = read_varint(rest);
    if (!length) return length.error() == Errc::truncated ? Errc::malformed : length.error();
    if (length.value() < 0) return Errc::malformed;
    if (static_cast<size_t>(length.value()) > rest.size()) return Errc::malformed;
    int32_t offset_delta = 0;
    int64_t timestamp_delta = 0;
    if (Status st = check_record_body(rest.first(static_cast<size_t>(length.value())), offset_delta, timestamp_delta);
        !st) {
      return st.error() == Errc::truncated ? Errc::malformed : st.error();
    }
    section = rest.subspan(static_cast<size_t>(length.value()));
    SLUICE_TRY(checker.check(offset_delta, timestamp_delta));
    if (offset_delta != i) result.consecutive_offset_deltas = false;
  }
  if (!section.empty()) return Errc::invalid_record;
  return result;
}

}  // namespace

namespace {

enum class Crc { verify, verified };

Result<RecordsCheck> check_records_impl(ByteView whole_batch, const DecodeLimits& limits, Crc crc) {
  SLUICE_TRY(auto header, RecordBatchHeader::parse(whole_batch, std::numeric_limits<size_t>::max()));
  SLUICE_TRY(check_exact_size(header, whole_batch));
  if (crc == Crc::verify) {
    SLUICE_TRY(verify_crc(whole_batch));
  }
  if (header.record_count > limits.max_records) return Errc::too_large;
  const ByteView section = whole_batch.subspan(kRecordBatchHeaderSize);
  if (header.compression() == CompressionType::none) return check_record_section(section, header);
  SLUICE_TRY(auto plain, decompress(header.compression(), section, limits.max_decompressed_bytes));
  return check_record_section(plain, header);
}

Result<DecodedBatch> decode_records_impl(ByteView whole_batch, const DecodeLimits& limits, Crc crc) {
  SLUICE_TRY(auto header, RecordBatchHeader::parse(whole_batch, std::numeric_limits<size_t>::max()));
  SLUICE_TRY(check_exact_size(header, whole_batch));
  if (crc == Crc::verify) {
    SLUICE_TRY(verify_crc(whole_batch));
  }
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

}  // namespace

Result<RecordsCheck> check_records(ByteView whole_batch, const DecodeLimits& limits) {
  return check_records_impl(whole_batch, limits, Crc::verify);
}

Result<RecordsCheck> check_records_crc_verified(ByteView whole_batch, const DecodeLimits& limits) {
  return check_records_impl(whole_batch, limits, Crc::verified);
}

Result<DecodedBatch> decode_records(ByteView whole_batch, const DecodeLimits& limits) {
  return decode_records_impl(whole_batch, limits, Crc::verify);
}

Result<DecodedBatch> decode_records_crc_verified(ByteView whole_batch, const DecodeLimits& limits) {
  return decode_records_impl(whole_batch, limits, Crc::verified);
}

Result<RecordBatchHeader> validate_batch(ByteView batch, size_t max_size) {
  SLUICE_TRY(auto header, RecordBatchHeader::parse(batch, max_size));
  SLUICE_TRY(check_exact_size(header, batch));
  SLUICE_TRY(verify_crc(batch));
  return header;
}

}  // namespace sluice::protocol
