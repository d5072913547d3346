#include "broker/produce_validation.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "broker/error_mapping.h"
#include "protocol/bytes.h"
#include "protocol/record_batch.h"
#include "protocol/record_batch_builder.h"

namespace sluice::broker {
namespace {

using protocol::CompressionType;
using protocol::ErrorCode;
using protocol::RecordBatchHeader;

constexpr size_t kMaxDeclaredBatch = static_cast<size_t>(INT32_MAX);

ValidatedRecords rejected(ErrorCode e) { return {.error = e, .batch = std::nullopt}; }

// Step 1: one whole magic-2 batch, nothing before or after it. A legacy message set keeps its
// magic byte at the same position (offset, size, crc precede it), so one read tells them apart.
ErrorCode check_framing(ByteView records, int16_t version) {
  if (records.size() <= protocol::kMagicOffset) return ErrorCode::invalid_record;
  const auto magic = static_cast<int8_t>(records[protocol::kMagicOffset]);
  // Kafka 2.8 would up-convert a magic 0/1 set; we store magic 2 only (record-batch.md §5). Of
  // the two candidates, CORRUPT_MESSAGE is retriable (the producer would resend the same bytes
  // until its delivery timeout) and claims the bytes are damaged; UNSUPPORTED_FOR_MESSAGE_FORMAT
  // is final and says what is true: this broker's message format does not take the request.
  // On v3+ a legacy set breaks the request's own contract: INVALID_RECORD, as Kafka answers.
  if ((magic == 0 || magic == 1) && version < 3) return ErrorCode::unsupported_for_message_format;
  if (magic != protocol::kMagicV2) return ErrorCode::invalid_record;
  if (records.size() < protocol::kRecordBatchHeaderSize) return ErrorCode::corrupt_message;
  const int32_t length = load_be<int32_t>(records.data() + 8);
  if (length < 0) return ErrorCode::corrupt_message;
  const size_t total = static_cast<size_t>(length) + protocol::kLogOverhead;
  if (total < records.size()) return ErrorCode::invalid_record;  // a second batch follows
  if (total > records.size()) return ErrorCode::corrupt_message;
  return ErrorCode::none;
}

// Kafka checks the codec against the request version before anything else
// (ProduceRequest.validateRecords), and the base offset after the batch's CRC (LogValidator).
ErrorCode check_codec(ByteView records, int16_t version) {
  auto parsed = RecordBatchHeader::parse(records, kMaxDeclaredBatch);
  if (!parsed) return to_error_code(parsed.error());
  if (parsed.value().compression() == CompressionType::zstd && version < 7) {
    return ErrorCode::unsupported_compression_type;
  }
  return ErrorCode::none;
}

// Storage checked the counts (validated_batches.h); these are the producer's own rules.
ErrorCode check_producer_fields(const RecordBatchHeader& h) {
  if (h.base_offset != Offset(0)) return ErrorCode::invalid_record;
  if (h.is_control()) return ErrorCode::invalid_record;
  if (h.producer_id >= ProducerId(0) && h.base_sequence < 0) return ErrorCode::invalid_record;
  return ErrorCode::none;
}

std::optional<CompressionType> target_codec(storage::TopicCompression c) {
  switch (c) {
    case storage::TopicCompression::producer: return std::nullopt;
    case storage::TopicCompression::uncompressed: return CompressionType::none;
    case storage::TopicCompression::gzip: return CompressionType::gzip;
    case storage::TopicCompression::snappy: return CompressionType::snappy;
    case storage::TopicCompression::lz4: return CompressionType::lz4;
    case storage::TopicCompression::zstd: return CompressionType::zstd;
  }
  return std::nullopt;
}

// Re-encodes the records with `codec`, renumbering offset deltas 0..n-1; the new batch goes
// through storage's validation like any other (a CRC computed for it, then checked once).
ValidatedRecords rebuild(ByteView records, CompressionType codec, const storage::LogConfig& config) {
  auto decoded = protocol::decode_records_crc_verified(records);
  if (!decoded) return rejected(to_error_code(decoded.error()));
  const RecordBatchHeader& h = decoded.value().header;
  protocol::RecordBatchBuilder builder({.compression = codec,
                                        .transactional = h.is_transactional(),
                                        .base_timestamp = h.base_timestamp,
                                        .producer_id = h.producer_id,
                                        .producer_epoch = h.producer_epoch,
                                        .base_sequence = h.base_sequence});
  int32_t delta = 0;
  for (protocol::Record& r : decoded.value().records) {
    r.offset_delta = delta++;
    builder.append(std::move(r));
  }
  auto built = builder.build();
  if (!built) return rejected(ErrorCode::message_too_large);
  auto validated = storage::ValidatedBatches::for_leader(std::move(built).value(), config);
  if (!validated) return rejected(to_error_code(validated.error()));
  return {.error = ErrorCode::none, .batch = std::move(validated).value()};
}

}  // namespace

ValidatedRecords validate_produce_records(storage::ProducedBytes records, int16_t produce_version,
                                          const storage::LogConfig& config) {
  if (ErrorCode e = check_framing(records.bytes, produce_version); e != ErrorCode::none) return rejected(e);
  if (ErrorCode e = check_codec(records.bytes, produce_version); e != ErrorCode::none) return rejected(e);
  // Steps 3 to 5 (size, CRC, counts): storage's one validation.
  auto validated = storage::ValidatedBatches::for_leader(std::move(records), config);
  if (!validated) return rejected(to_error_code(validated.error()));
  const ByteView batch = validated.value().bytes();
  const RecordBatchHeader& h = validated.value().first_header();
  if (ErrorCode e = check_producer_fields(h); e != ErrorCode::none) return rejected(e);
  if (h.timestamp_type() == protocol::TimestampType::log_append_time) return rejected(ErrorCode::invalid_timestamp);
  // Step 6: every record is walked and checked; none is materialised unless the batch is rebuilt.
  auto checked = protocol::check_records_crc_verified(batch);
  if (!checked) return rejected(to_error_code(checked.error()));
  const std::optional<CompressionType> target = target_codec(config.compression);
  const bool recompress = target && *target != h.compression();
  if (recompress || !checked.value().consecutive_offset_deltas) {
    return rebuild(batch, target.value_or(h.compression()), config);
  }
  return {.error = ErrorCode::none, .batch = std::move(validated).value()};
}

}  // namespace sluice::broker
