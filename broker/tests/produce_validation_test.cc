// validate_produce_records against record-batch.md §7: each rule maps to its error code, and a
// rebuilt (re-compressed) batch holds the same records as the producer's.
#include "broker/produce_validation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/record_batch.h"
#include "protocol/record_batch_builder.h"

namespace sluice::broker {
namespace {

using protocol::BatchSettings;
using protocol::CompressionType;
using protocol::ErrorCode;

Bytes text(const std::string& s) {
  Bytes out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

// prefix + i, appended: GCC 12 -O3 warns (-Wrestrict) on "literal" + std::string&&.
std::string numbered(std::string prefix, int i) {
  prefix.append(std::to_string(i));
  return prefix;
}

Bytes batch_of(BatchSettings settings, int records = 3) {
  protocol::RecordBatchBuilder builder(settings);
  for (int i = 0; i < records; ++i) {
    const Bytes key = text(numbered("k", i));
    const Bytes value = text(numbered("value-", i));
    builder.append(TimestampMs(1'700'000'000'000 + i), ByteView(key), ByteView(value),
                   {protocol::RecordHeader{.key = "h", .value = text("hv")}});
  }
  auto built = builder.build();
  EXPECT_TRUE(built);
  return built ? std::move(built).value() : Bytes{};
}

Bytes plain_batch() { return batch_of({}); }

ErrorCode validate(ByteView records, int16_t version = 9, const storage::LogConfig& config = {}) {
  return validate_produce_records(Bytes(records.begin(), records.end()), version, config).error;
}

// The bytes a validation accepted (empty when it refused them).
Bytes accepted(const ValidatedRecords& v) {
  if (!v.batch) return {};
  return Bytes(v.batch->bytes().begin(), v.batch->bytes().end());
}

// Writes `value` big-endian at `at` and fixes the CRC, so only the rule under test fails.
template <typename T>
Bytes patched(Bytes batch, size_t at, T value) {
  store_be<T>(batch.data() + at, value);
  protocol::update_crc(MutableByteView(batch));
  return batch;
}

constexpr size_t kAttributes = 21;
constexpr size_t kLastOffsetDelta = 23;
constexpr size_t kBaseSequence = 53;

TEST(ProduceValidation, AGoodBatchIsAcceptedUnchanged) {
  const Bytes batch = plain_batch();
  const ValidatedRecords v = validate_produce_records(batch, 9, {});
  EXPECT_EQ(v.error, ErrorCode::none);
  EXPECT_EQ(accepted(v), batch);
}

TEST(ProduceValidation, NoBatchIsInvalidRecord) { EXPECT_EQ(validate(ByteView()), ErrorCode::invalid_record); }

TEST(ProduceValidation, TwoBatchesAreInvalidRecord) {
  Bytes two = plain_batch();
  const Bytes second = plain_batch();
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(validate(two), ErrorCode::invalid_record);
}

TEST(ProduceValidation, MagicZeroAndOneAreInvalidRecord) {
  for (int8_t magic : {0, 1}) {
    Bytes batch = plain_batch();
    batch[protocol::kMagicOffset] = static_cast<std::byte>(magic);
    EXPECT_EQ(validate(batch), ErrorCode::invalid_record) << "magic " << int{magic};
  }
}

// Produce v0-2 carry legacy message sets; we store magic 2 only, and say so with a final error
// rather than a retriable CORRUPT_MESSAGE. A magic-2 batch in v0-2 is validated as in v3+.
TEST(ProduceValidation, MagicZeroAndOneInProduceV0ToV2AreUnsupportedForMessageFormat) {
  for (int16_t version : {0, 1, 2}) {
    for (int8_t magic : {0, 1}) {
      Bytes batch = plain_batch();
      batch[protocol::kMagicOffset] = static_cast<std::byte>(magic);
      EXPECT_EQ(validate(batch, version), ErrorCode::unsupported_for_message_format)
          << "v" << version << " magic " << int{magic};
    }
    EXPECT_EQ(validate(plain_batch(), version), ErrorCode::none) << "v" << version;
    EXPECT_EQ(validate(batch_of({.compression = CompressionType::zstd}), version),
              ErrorCode::unsupported_compression_type);
  }
}

TEST(ProduceValidation, NonZeroBaseOffsetIsInvalidRecord) {
  EXPECT_EQ(validate(batch_of({.base_offset = Offset(5)})), ErrorCode::invalid_record);
}

TEST(ProduceValidation, BatchAboveMaxMessageBytesIsMessageTooLarge) {
  const Bytes batch = plain_batch();
  storage::LogConfig config;
  config.max_message_bytes = static_cast<int64_t>(batch.size()) - 1;
  EXPECT_EQ(validate(batch, 9, config), ErrorCode::message_too_large);
  config.max_message_bytes = static_cast<int64_t>(batch.size());
  EXPECT_EQ(validate(batch, 9, config), ErrorCode::none);
}

TEST(ProduceValidation, BatchLargerThanASegmentIsRecordListTooLarge) {
  const Bytes batch = plain_batch();
  storage::LogConfig config;
  config.segment_bytes = static_cast<int64_t>(batch.size()) - 1;
  EXPECT_EQ(validate(batch, 9, config), ErrorCode::record_list_too_large);
}

TEST(ProduceValidation, TruncatedBatchIsCorruptMessage) {
  Bytes batch = plain_batch();
  batch.resize(batch.size() - 1);
  EXPECT_EQ(validate(batch), ErrorCode::corrupt_message);
}

TEST(ProduceValidation, CrcMismatchIsCorruptMessage) {
  Bytes batch = plain_batch();
  batch.back() ^= std::byte{0x01};
  EXPECT_EQ(validate(batch), ErrorCode::corrupt_message);
}

TEST(ProduceValidation, LastOffsetDeltaDisagreeingWithRecordCountIsInvalidRecord) {
  EXPECT_EQ(validate(patched<int32_t>(plain_batch(), kLastOffsetDelta, 5)), ErrorCode::invalid_record);
  EXPECT_EQ(validate(patched<int32_t>(plain_batch(), kLastOffsetDelta, -1)), ErrorCode::invalid_record);
}

TEST(ProduceValidation, ControlBatchIsInvalidRecord) {
  EXPECT_EQ(validate(batch_of({.control = true})), ErrorCode::invalid_record);
}

TEST(ProduceValidation, ProducerIdWithoutSequenceIsInvalidRecord) {
  const Bytes batch = batch_of({.producer_id = ProducerId(7), .producer_epoch = 0, .base_sequence = 0});
  EXPECT_EQ(validate(batch), ErrorCode::none);
  EXPECT_EQ(validate(patched<int32_t>(batch, kBaseSequence, -1)), ErrorCode::invalid_record);
}

TEST(ProduceValidation, ZstdBelowProduceV7IsUnsupportedCompressionType) {
  const Bytes batch = batch_of({.compression = CompressionType::zstd});
  EXPECT_EQ(validate(batch, 3), ErrorCode::unsupported_compression_type);
  EXPECT_EQ(validate(batch, 6), ErrorCode::unsupported_compression_type);
  EXPECT_EQ(validate(batch, 7), ErrorCode::none);
}

TEST(ProduceValidation, ProducerBatchFlaggedLogAppendTimeIsInvalidTimestamp) {
  const Bytes batch = plain_batch();
  const int16_t attributes = load_be<int16_t>(batch.data() + kAttributes);
  EXPECT_EQ(validate(patched<int16_t>(batch, kAttributes, static_cast<int16_t>(attributes | 0x08))),
            ErrorCode::invalid_timestamp);
}

std::vector<protocol::Record> records_of(ByteView batch) {
  auto decoded = protocol::decode_records(batch);
  EXPECT_TRUE(decoded) << decoded.error().message();
  return decoded ? decoded.value().records : std::vector<protocol::Record>{};
}

CompressionType codec_of(ByteView batch) {
  auto decoded = protocol::decode_records(batch);
  return decoded ? decoded.value().header.compression() : CompressionType::none;
}

struct Recompression {
  CompressionType sent;
  storage::TopicCompression topic;
  CompressionType stored;
};

std::string recompression_name(const ::testing::TestParamInfo<Recompression>& info) {
  std::string name = "From";
  name.append(std::to_string(static_cast<int>(info.param.sent))).append("To");
  name.append(std::to_string(static_cast<int>(info.param.stored)));
  return name;
}

class ProduceRecompression : public ::testing::TestWithParam<Recompression> {};

TEST_P(ProduceRecompression, KeepsRecordsIdenticalUnderTheTopicCodec) {
  const Recompression c = GetParam();
  const Bytes sent = batch_of({.compression = c.sent, .producer_id = ProducerId(3), .producer_epoch = 1,
                               .base_sequence = 10});
  storage::LogConfig config;
  config.compression = c.topic;
  const ValidatedRecords v = validate_produce_records(sent, 9, config);
  ASSERT_EQ(v.error, ErrorCode::none);
  const Bytes stored = accepted(v);
  EXPECT_EQ(codec_of(stored), c.stored);
  EXPECT_EQ(records_of(stored), records_of(sent));
  auto before = protocol::decode_records(sent);
  auto after = protocol::decode_records(stored);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after.value().header.producer_id, before.value().header.producer_id);
  EXPECT_EQ(after.value().header.base_sequence, before.value().header.base_sequence);
  EXPECT_EQ(after.value().header.base_timestamp, before.value().header.base_timestamp);
}

INSTANTIATE_TEST_SUITE_P(
    TopicCodecs, ProduceRecompression,
    ::testing::Values(Recompression{CompressionType::none, storage::TopicCompression::gzip, CompressionType::gzip},
                      Recompression{CompressionType::gzip, storage::TopicCompression::snappy, CompressionType::snappy},
                      Recompression{CompressionType::snappy, storage::TopicCompression::lz4, CompressionType::lz4},
                      Recompression{CompressionType::lz4, storage::TopicCompression::zstd, CompressionType::zstd},
                      Recompression{CompressionType::zstd, storage::TopicCompression::uncompressed,
                                    CompressionType::none},
                      Recompression{CompressionType::lz4, storage::TopicCompression::producer, CompressionType::lz4}),
    recompression_name);

}  // namespace
}  // namespace sluice::broker
