#include "storage/record_scan.h"

namespace sluice::storage {
namespace {

// Reads one zigzag varint (as Kafka's ByteUtils.readVarlong) at `pos`; nullopt if malformed.
std::optional<int64_t> read_varlong(ByteView bytes, size_t& pos) {
  uint64_t raw = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes.size()) return std::nullopt;
    const auto b = static_cast<uint8_t>(bytes[pos++]);
    raw |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<RecordTimestampOffset> first_record_at_or_after(ByteView batch,
                                                              const protocol::RecordBatchHeader& header,
                                                              TimestampMs target, Offset min_offset) {
  size_t pos = protocol::kRecordBatchHeaderSize;
  for (int32_t i = 0; i < header.record_count; ++i) {
    auto length = read_varlong(batch, pos);
    if (!length || *length < 1 || pos + static_cast<size_t>(*length) > batch.size()) return std::nullopt;
    const size_t next = pos + static_cast<size_t>(*length);
    ++pos;  // attributes
    auto ts_delta = read_varlong(batch, pos);
    auto offset_delta = read_varlong(batch, pos);
    if (!ts_delta || !offset_delta || pos > next) return std::nullopt;
    const TimestampMs ts = header.timestamp_type() == protocol::TimestampType::log_append_time
                               ? header.max_timestamp
                               : header.base_timestamp + *ts_delta;
    const Offset offset = header.base_offset + *offset_delta;
    if (ts >= target && offset >= min_offset) return RecordTimestampOffset{ts, offset};
    pos = next;
  }
  return std::nullopt;
}

}  // namespace sluice::storage
