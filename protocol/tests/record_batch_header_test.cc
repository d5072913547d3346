#include "protocol/record_batch_header.h"

#include <limits>

#include <gtest/gtest.h>

#include "protocol/errc.h"
#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

RecordBatchHeader sample_header() {
  RecordBatchHeader h;
  h.base_offset = Offset(1234567890123);
  h.batch_length = 49 + 10;
  h.partition_leader_epoch = LeaderEpoch(7);
  h.crc = 0xDEADBEEF;
  h.attributes = 0x13;  // lz4, transactional
  h.last_offset_delta = 4;
  h.base_timestamp = TimestampMs(1'700'000'000'000);
  h.max_timestamp = TimestampMs(1'700'000'000'004);
  h.producer_id = ProducerId(42);
  h.producer_epoch = 3;
  h.base_sequence = 100;
  h.record_count = 5;
  return h;
}

Bytes written(const RecordBatchHeader& h) {
  Bytes out(kRecordBatchHeaderSize);
  h.write(out);
  return out;
}

bool same(const RecordBatchHeader& a, const RecordBatchHeader& b) {
  return a.base_offset == b.base_offset && a.batch_length == b.batch_length &&
         a.partition_leader_epoch == b.partition_leader_epoch && a.magic == b.magic &&
         a.crc == b.crc && a.attributes == b.attributes &&
         a.last_offset_delta == b.last_offset_delta && a.base_timestamp == b.base_timestamp &&
         a.max_timestamp == b.max_timestamp && a.producer_id == b.producer_id &&
         a.producer_epoch == b.producer_epoch && a.base_sequence == b.base_sequence &&
         a.record_count == b.record_count;
}

TEST(RecordBatchHeader, WriteThenParseRoundTripsEveryField) {
  const RecordBatchHeader h = sample_header();
  const auto parsed = RecordBatchHeader::parse(written(h), kNoLimit);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_TRUE(same(parsed.value(), h));
  EXPECT_EQ(parsed.value().compression(), CompressionType::lz4);
  EXPECT_TRUE(parsed.value().is_transactional());
  EXPECT_FALSE(parsed.value().is_control());
  EXPECT_EQ(parsed.value().size_in_bytes(), 71U);
}

TEST(RecordBatchHeader, FieldsSitAtTheirDocumentedOffsets) {
  const Bytes b = written(sample_header());
  EXPECT_EQ(load_be<int64_t>(b.data()), 1234567890123);
  EXPECT_EQ(load_be<int32_t>(b.data() + 8), 59);
  EXPECT_EQ(static_cast<int8_t>(b[kMagicOffset]), 2);
  EXPECT_EQ(load_be<uint32_t>(b.data() + kCrcOffset), 0xDEADBEEF);
  EXPECT_EQ(load_be<int16_t>(b.data() + kAttributesOffset), 0x13);
  EXPECT_EQ(load_be<int32_t>(b.data() + 57), 5);
}

TEST(RecordBatchHeader, ShortInputIsTruncated) {
  const Bytes b = written(sample_header());
  for (size_t n = 0; n < kRecordBatchHeaderSize; ++n) {
    EXPECT_EQ(RecordBatchHeader::parse(ByteView(b).first(n), kNoLimit).error(), Errc::truncated) << n;
  }
}

TEST(RecordBatchHeader, LegacyMagicIsUnsupportedEvenWhenShorterThanAV2Header) {
  for (int magic : {0, 1}) {
    Bytes b(26);  // a minimal magic 0 message: 12 bytes log header + 14
    b[kMagicOffset] = static_cast<std::byte>(magic);
    EXPECT_EQ(RecordBatchHeader::parse(b, kNoLimit).error(), Errc::unsupported_magic);
  }
}

TEST(RecordBatchHeader, UnknownMagicIsMalformed) {
  for (int magic : {3, 0x7F, 0xFF}) {
    Bytes b = written(sample_header());
    b[kMagicOffset] = static_cast<std::byte>(magic);
    EXPECT_EQ(RecordBatchHeader::parse(b, kNoLimit).error(), Errc::malformed) << magic;
  }
}

TEST(RecordBatchHeader, BatchLengthBelowTheHeaderItselfIsMalformed) {
  for (int32_t length : {48, 0, -1, std::numeric_limits<int32_t>::min()}) {
    RecordBatchHeader h = sample_header();
    h.batch_length = length;
    EXPECT_EQ(RecordBatchHeader::parse(written(h), kNoLimit).error(), Errc::malformed) << length;
  }
  RecordBatchHeader h = sample_header();
  h.batch_length = 49;  // a header and no records is still framed correctly
  EXPECT_TRUE(RecordBatchHeader::parse(written(h), kNoLimit));
}

TEST(RecordBatchHeader, BatchOverTheMaximumSizeIsTooLarge) {
  RecordBatchHeader h = sample_header();
  EXPECT_TRUE(RecordBatchHeader::parse(written(h), 71));
  EXPECT_EQ(RecordBatchHeader::parse(written(h), 70).error(), Errc::too_large);
}

TEST(RecordBatchHeader, CompressionFiveToSevenIsUnsupported) {
  for (int16_t codec = 5; codec <= 7; ++codec) {
    RecordBatchHeader h = sample_header();
    h.attributes = codec;
    EXPECT_EQ(RecordBatchHeader::parse(written(h), kNoLimit).error(), Errc::unsupported_compression);
  }
}

TEST(RecordBatchHeader, NegativeLastOffsetDeltaOrRecordCountIsInvalidRecord) {
  RecordBatchHeader h = sample_header();
  h.last_offset_delta = -1;
  EXPECT_EQ(RecordBatchHeader::parse(written(h), kNoLimit).error(), Errc::invalid_record);
  h = sample_header();
  h.record_count = -1;
  EXPECT_EQ(RecordBatchHeader::parse(written(h), kNoLimit).error(), Errc::invalid_record);
}

TEST(RecordBatchHeader, UpdateCrcMakesVerifyCrcPassAndCoversAttributesToEnd) {
  Bytes batch = test::five_record_batch(CompressionType::none);
  EXPECT_TRUE(verify_crc(batch));
  batch.back() ^= std::byte{1};
  EXPECT_EQ(verify_crc(batch).error(), Errc::crc_mismatch);
  update_crc(batch);
  EXPECT_TRUE(verify_crc(batch));
  batch[kAttributesOffset + 1] ^= std::byte{0x08};
  EXPECT_EQ(verify_crc(batch).error(), Errc::crc_mismatch);
}

TEST(RecordBatchHeader, BaseOffsetAndLeaderEpochRewritesKeepTheCrcValid) {
  Bytes batch = test::five_record_batch(CompressionType::none);
  set_base_offset(batch, Offset(987654321));
  set_partition_leader_epoch(batch, LeaderEpoch(12));
  EXPECT_TRUE(verify_crc(batch));
  const auto h = RecordBatchHeader::parse(batch, kNoLimit).value();
  EXPECT_EQ(h.base_offset, Offset(987654321));
  EXPECT_EQ(h.partition_leader_epoch, LeaderEpoch(12));
  EXPECT_EQ(h.last_offset(), Offset(987654325));
}

TEST(ProtocolErrc, CategoryIsNamedAndEveryValueHasAMessage) {
  EXPECT_STREQ(protocol_category().name(), "sluice.protocol");
  for (int e = static_cast<int>(Errc::truncated); e <= static_cast<int>(Errc::too_large); ++e) {
    const std::error_code code = make_error_code(static_cast<Errc>(e));
    EXPECT_EQ(code.message().find("unknown"), std::string::npos) << e;
  }
  EXPECT_NE(std::error_code(99, protocol_category()).message().find("unknown"), std::string::npos);
}

}  // namespace
}  // namespace sluice::protocol
