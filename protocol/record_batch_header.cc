#include "protocol/record_batch_header.h"

#include "protocol/assert.h"
#include "protocol/crc32c.h"
#include "protocol/errc.h"

namespace sluice::protocol {
namespace {

// Field offsets not exported by the header (record_batch_header.h has the full layout).
constexpr size_t kBatchLengthOffset = 8;
constexpr size_t kLeaderEpochOffset = 12;
constexpr size_t kLastOffsetDeltaOffset = 23;
constexpr size_t kBaseTimestampOffset = 27;
constexpr size_t kMaxTimestampOffset = 35;
constexpr size_t kProducerIdOffset = 43;
constexpr size_t kProducerEpochOffset = 51;
constexpr size_t kBaseSequenceOffset = 53;
constexpr size_t kRecordCountOffset = 57;
constexpr int32_t kMinBatchLength = static_cast<int32_t>(kRecordBatchHeaderSize - kLogOverhead);

// Magic first: a legacy (v0/v1) message can be shorter than a v2 header, and "unsupported
// magic" is the more useful answer for it than "truncated".
Status check_magic(ByteView bytes) {
  if (bytes.size() <= kMagicOffset) return Errc::truncated;
  const auto magic = static_cast<int8_t>(bytes[kMagicOffset]);
  if (magic == 0 || magic == 1) return Errc::unsupported_magic;
  if (magic != kMagicV2) return Errc::malformed;
  return ok();
}

RecordBatchHeader read_fields(const std::byte* p) {
  RecordBatchHeader h;
  h.base_offset = Offset(load_be<int64_t>(p));
  h.batch_length = load_be<int32_t>(p + kBatchLengthOffset);
  h.partition_leader_epoch = LeaderEpoch(load_be<int32_t>(p + kLeaderEpochOffset));
  h.magic = static_cast<int8_t>(p[kMagicOffset]);
  h.crc = load_be<uint32_t>(p + kCrcOffset);
  h.attributes = load_be<int16_t>(p + kAttributesOffset);
  h.last_offset_delta = load_be<int32_t>(p + kLastOffsetDeltaOffset);
  h.base_timestamp = TimestampMs(load_be<int64_t>(p + kBaseTimestampOffset));
  h.max_timestamp = TimestampMs(load_be<int64_t>(p + kMaxTimestampOffset));
  h.producer_id = ProducerId(load_be<int64_t>(p + kProducerIdOffset));
  h.producer_epoch = load_be<int16_t>(p + kProducerEpochOffset);
  h.base_sequence = load_be<int32_t>(p + kBaseSequenceOffset);
  h.record_count = load_be<int32_t>(p + kRecordCountOffset);
  return h;
}

}  // namespace

Result<RecordBatchHeader> RecordBatchHeader::parse(ByteView bytes, size_t max_batch_size) {
  SLUICE_TRY(check_magic(bytes));
  if (bytes.size() < kRecordBatchHeaderSize) return Errc::truncated;
  RecordBatchHeader h = read_fields(bytes.data());
  if (h.batch_length < kMinBatchLength) return Errc::malformed;
  if (h.size_in_bytes() > max_batch_size) return Errc::too_large;
  if ((h.attributes & kCompressionMask) > static_cast<int>(CompressionType::zstd)) {
    return Errc::unsupported_compression;
  }
  if (h.last_offset_delta < 0 || h.record_count < 0) return Errc::invalid_record;
  return h;
}

void RecordBatchHeader::write(MutableByteView out) const {
  SLUICE_ASSERT(out.size() >= kRecordBatchHeaderSize, "header needs {} bytes, got {}",
                kRecordBatchHeaderSize, out.size());
  std::byte* p = out.data();
  store_be<int64_t>(p, base_offset.value());
  store_be<int32_t>(p + kBatchLengthOffset, batch_length);
  store_be<int32_t>(p + kLeaderEpochOffset, partition_leader_epoch.value());
  p[kMagicOffset] = static_cast<std::byte>(magic);
  store_be<uint32_t>(p + kCrcOffset, crc);
  store_be<int16_t>(p + kAttributesOffset, attributes);
  store_be<int32_t>(p + kLastOffsetDeltaOffset, last_offset_delta);
  store_be<int64_t>(p + kBaseTimestampOffset, base_timestamp.value());
  store_be<int64_t>(p + kMaxTimestampOffset, max_timestamp.value());
  store_be<int64_t>(p + kProducerIdOffset, producer_id.value());
  store_be<int16_t>(p + kProducerEpochOffset, producer_epoch);
  store_be<int32_t>(p + kBaseSequenceOffset, base_sequence);
  store_be<int32_t>(p + kRecordCountOffset, record_count);
}

Status verify_crc(ByteView batch) {
  SLUICE_ASSERT(batch.size() >= kRecordBatchHeaderSize, "batch of {} bytes has no header",
                batch.size());
  const auto stored = load_be<uint32_t>(batch.data() + kCrcOffset);
  if (crc32c(batch.subspan(kAttributesOffset)) != stored) return Errc::crc_mismatch;
  return ok();
}

void update_crc(MutableByteView batch) {
  SLUICE_ASSERT(batch.size() >= kRecordBatchHeaderSize, "batch of {} bytes has no header",
                batch.size());
  const ByteView covered = ByteView(batch).subspan(kAttributesOffset);
  store_be<uint32_t>(batch.data() + kCrcOffset, crc32c(covered));
}

void set_base_offset(MutableByteView batch, Offset base) {
  SLUICE_ASSERT(batch.size() >= kRecordBatchHeaderSize, "batch of {} bytes has no header",
                batch.size());
  store_be<int64_t>(batch.data(), base.value());
}

void set_partition_leader_epoch(MutableByteView batch, LeaderEpoch epoch) {
  SLUICE_ASSERT(batch.size() >= kRecordBatchHeaderSize, "batch of {} bytes has no header",
                batch.size());
  store_be<int32_t>(batch.data() + kLeaderEpochOffset, epoch.value());
}

void set_log_append_time(MutableByteView batch, TimestampMs now) {
  SLUICE_ASSERT(batch.size() >= kRecordBatchHeaderSize, "batch of {} bytes", batch.size());
  const auto attributes = load_be<int16_t>(batch.data() + kAttributesOffset);
  store_be<int16_t>(batch.data() + kAttributesOffset, static_cast<int16_t>(attributes | kLogAppendTimeFlag));
  store_be<int64_t>(batch.data() + kMaxTimestampOffset, now.value());
  update_crc(batch);
}

}  // namespace sluice::protocol
