// RecordBatchHeader: the fixed 61-byte header of a Kafka v2 record batch (magic 2), the unit in
// which producers send, the log stores and consumers fetch records. Layout (big-endian):
//   0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 |
//   17 crc u32 | 21 attributes i16 | 23 lastOffsetDelta i32 | 27 baseTimestamp i64 |
//   35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16 | 53 baseSequence i32 |
//   57 recordCount i32 | 61 records...
// batchLength counts the bytes after itself (total = batchLength + 12). The CRC-32C covers
// bytes [21, end), so baseOffset and partitionLeaderEpoch can be rewritten without it.
// docs/formats/record-batch.md has the full format.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::protocol {

inline constexpr size_t kLogOverhead = 12;             // baseOffset + batchLength
inline constexpr size_t kRecordBatchHeaderSize = 61;
inline constexpr size_t kMagicOffset = 16;             // where every Kafka message format puts magic
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;       // first byte the CRC covers
inline constexpr int8_t kMagicV2 = 2;

// Attribute bits (int16 at byte 21).
inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kLogAppendTimeFlag = 0x08;
inline constexpr int16_t kTransactionalFlag = 0x10;
inline constexpr int16_t kControlFlag = 0x20;

enum class CompressionType : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
enum class TimestampType : int8_t { create_time = 0, log_append_time = 1 };

struct RecordBatchHeader {
  Offset base_offset{0};
  int32_t batch_length = 0;
  LeaderEpoch partition_leader_epoch{-1};
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  TimestampMs base_timestamp = kNoTimestamp;
  TimestampMs max_timestamp = kNoTimestamp;
  ProducerId producer_id{-1};
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  [[nodiscard]] size_t size_in_bytes() const { return static_cast<size_t>(batch_length) + kLogOverhead; }
  [[nodiscard]] Offset last_offset() const { return base_offset + last_offset_delta; }
  [[nodiscard]] Offset next_offset() const { return last_offset() + 1; }
  [[nodiscard]] CompressionType compression() const { return static_cast<CompressionType>(attributes & kCompressionMask); }
  [[nodiscard]] TimestampType timestamp_type() const {
    return (attributes & kLogAppendTimeFlag) != 0 ? TimestampType::log_append_time : TimestampType::create_time;
  }
  [[nodiscard]] bool is_transactional() const { return (attributes & kTransactionalFlag) != 0; }
  [[nodiscard]] bool is_control() const { return (attributes & kControlFlag) != 0; }

  // Decodes the header at the front of `bytes` (which may hold more than one batch). Checks that
  // 61 bytes are present, magic is 2 (unsupported_magic for 0/1 message sets), batchLength is at
  // least the header's own size and at most `max_batch_size` total, and the compression codec is
  // known. Does not check the CRC or that the whole batch is present.
  static Result<RecordBatchHeader> parse(ByteView bytes, size_t max_batch_size);
  // Writes the 61 header bytes. REQUIRES: out.size() >= kRecordBatchHeaderSize.
  void write(MutableByteView out) const;
};

// Checks the stored CRC against bytes [21, end) of one whole batch.
// REQUIRES: batch.size() >= kRecordBatchHeaderSize.
Status verify_crc(ByteView batch);
// Recomputes and stores the CRC of one whole batch after its covered bytes changed.
void update_crc(MutableByteView batch);
// In-place rewrites of the fields outside the CRC. REQUIRES: batch.size() >= kRecordBatchHeaderSize.
void set_base_offset(MutableByteView batch, Offset base);
void set_partition_leader_epoch(MutableByteView batch, LeaderEpoch epoch);
// Marks a whole batch LogAppendTime with maxTimestamp = `now` (what a broker does for topics with
// message.timestamp.type=LogAppendTime) and recomputes the CRC, which covers both fields.
// REQUIRES: batch holds exactly one whole batch.
void set_log_append_time(MutableByteView batch, TimestampMs now);

}  // namespace sluice::protocol
