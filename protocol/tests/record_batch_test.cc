#include "protocol/record_batch.h"

#include <limits>

#include <gtest/gtest.h>

#include "protocol/errc.h"
#include "protocol/record_batch_builder.h"
#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

using test::bytes_of;
using test::maybe;

constexpr CompressionType kCodecs[] = {CompressionType::none, CompressionType::gzip,
                                       CompressionType::snappy, CompressionType::lz4,
                                       CompressionType::zstd};

// Records covering null vs empty keys and values, and header values.
std::vector<Record> tricky_records() {
  std::vector<Record> rs(5);
  rs[0] = {0, 0, maybe("key"), maybe("value"), {{"h", maybe("v")}, {"", std::nullopt}}};
  rs[1] = {1, 5, std::nullopt, maybe("value without key"), {}};
  rs[2] = {2, -3, maybe(""), std::nullopt, {{"tombstone", maybe("")}}};
  rs[3] = {3, 10, maybe(""), maybe(""), {}};
  rs[4] = {4, 1'000'000, std::nullopt, std::nullopt, {}};
  return rs;
}

// A record with only its deltas (and maybe a key) set.
Record at(int32_t offset_delta, int64_t timestamp_delta = 0, std::optional<Bytes> key = {}) {
  Record r;
  r.offset_delta = offset_delta;
  r.timestamp_delta = timestamp_delta;
  r.key = std::move(key);
  return r;
}

// Hand-assembles a batch (valid CRC) from a header and records the builder would refuse.
Bytes assemble(RecordBatchHeader h, const std::vector<Record>& records) {
  Bytes body;
  for (const Record& r : records) encode_record(body, r);
  Bytes batch(kRecordBatchHeaderSize);
  h.batch_length = static_cast<int32_t>(kRecordBatchHeaderSize - kLogOverhead + body.size());
  h.write(batch);
  batch.insert(batch.end(), body.begin(), body.end());
  update_crc(batch);
  return batch;
}

RecordBatchHeader header_for(int32_t count, int32_t last_delta) {
  RecordBatchHeader h;
  h.base_timestamp = TimestampMs(1000);
  h.max_timestamp = TimestampMs(1000);
  h.record_count = count;
  h.last_offset_delta = last_delta;
  return h;
}

TEST(RecordBatch, BuilderOutputDecodesToTheSameRecordsWithEveryCodec) {
  for (CompressionType codec : kCodecs) {
    RecordBatchBuilder builder({.compression = codec, .base_timestamp = TimestampMs(1000)});
    for (Record r : tricky_records()) builder.append(std::move(r));
    const Bytes batch = builder.build().value();
    const auto decoded = decode_records(batch);
    ASSERT_TRUE(decoded) << static_cast<int>(codec) << ": " << decoded.error().message();
    EXPECT_EQ(decoded.value().records, tricky_records());
    EXPECT_EQ(decoded.value().header.compression(), codec);
    EXPECT_EQ(decoded.value().header.record_count, 5);
    EXPECT_EQ(decoded.value().header.last_offset_delta, 4);
    EXPECT_EQ(decoded.value().header.max_timestamp, TimestampMs(1'001'000));
  }
}

TEST(RecordBatch, BuilderWritesProducerFieldsAndAttributes) {
  RecordBatchBuilder builder({.compression = CompressionType::zstd,
                              .transactional = true,
                              .base_offset = Offset(100),
                              .partition_leader_epoch = LeaderEpoch(3),
                              .producer_id = ProducerId(77),
                              .producer_epoch = 2,
                              .base_sequence = 40});
  builder.append(TimestampMs(5000), as_bytes("k"), as_bytes("v"));
  builder.append(TimestampMs(4000), as_bytes("k"), std::nullopt);
  const auto decoded = decode_records(builder.build().value()).value();
  const RecordBatchHeader& h = decoded.header;
  EXPECT_EQ(h.attributes, 0x14);  // zstd | transactional
  EXPECT_EQ(h.base_offset, Offset(100));
  EXPECT_EQ(h.partition_leader_epoch, LeaderEpoch(3));
  EXPECT_EQ(h.producer_id, ProducerId(77));
  EXPECT_EQ(h.producer_epoch, 2);
  EXPECT_EQ(h.base_sequence, 40);
  EXPECT_EQ(h.base_timestamp, TimestampMs(5000));  // the first record's timestamp
  EXPECT_EQ(h.max_timestamp, TimestampMs(5000));
  EXPECT_EQ(decoded.timestamp_of(decoded.records[1]), TimestampMs(4000));
  EXPECT_EQ(decoded.offset_of(decoded.records[1]), Offset(101));
}

TEST(RecordBatch, LogAppendTimeGivesEveryRecordTheBatchMaxTimestamp) {
  RecordBatchBuilder builder({.timestamp_type = TimestampType::log_append_time,
                              .base_timestamp = TimestampMs(10),
                              .log_append_time = TimestampMs(99999)});
  builder.append(TimestampMs(10), std::nullopt, as_bytes("a"));
  const auto decoded = decode_records(builder.build().value()).value();
  EXPECT_EQ(decoded.header.timestamp_type(), TimestampType::log_append_time);
  EXPECT_EQ(decoded.timestamp_of(decoded.records[0]), TimestampMs(99999));
}

TEST(RecordBatch, OffsetDeltaGapsAsLeftByCompactionDecode) {
  RecordBatchBuilder builder({.base_timestamp = TimestampMs(0)});
  builder.append(at(2, 0, maybe("a")));
  builder.append(at(7, 0, maybe("b")));
  const auto decoded = decode_records(builder.build().value()).value();
  EXPECT_EQ(decoded.header.last_offset_delta, 7);
  EXPECT_EQ(decoded.header.record_count, 2);
}

TEST(RecordBatch, EveryTruncationOfAValidBatchIsAnError) {
  for (CompressionType codec : kCodecs) {
    const Bytes batch = test::five_record_batch(codec);
    for (size_t n = 0; n < batch.size(); ++n) {
      const auto r = decode_records(ByteView(batch).first(n));
      ASSERT_FALSE(r) << static_cast<int>(codec) << " cut at " << n;
      EXPECT_EQ(r.error(), Errc::truncated);
      EXPECT_FALSE(validate_batch(ByteView(batch).first(n), batch.size()));
    }
  }
}

TEST(RecordBatch, BytesAfterTheBatchAreMalformed) {
  Bytes batch = test::five_record_batch(CompressionType::none);
  batch.push_back(std::byte{0});
  EXPECT_EQ(decode_records(batch).error(), Errc::malformed);
  EXPECT_EQ(validate_batch(batch, 1 << 20).error(), Errc::malformed);
}

TEST(RecordBatch, CorruptBytesFailTheCrc) {
  Bytes batch = test::five_record_batch(CompressionType::lz4);
  batch[batch.size() / 2] ^= std::byte{0x40};
  EXPECT_EQ(decode_records(batch).error(), Errc::crc_mismatch);
  EXPECT_EQ(validate_batch(batch, 1 << 20).error(), Errc::crc_mismatch);
}

TEST(RecordBatch, ValidateBatchReturnsTheHeaderAndAppliesTheSizeLimit) {
  const Bytes batch = test::five_record_batch(CompressionType::gzip);
  const auto h = validate_batch(batch, batch.size());
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().record_count, 5);
  EXPECT_EQ(validate_batch(batch, batch.size() - 1).error(), Errc::too_large);
}

TEST(RecordBatch, MoreRecordsThanTheLimitIsTooLarge) {
  const Bytes batch = test::five_record_batch(CompressionType::none);
  EXPECT_EQ(decode_records(batch, {.max_records = 4}).error(), Errc::too_large);
  EXPECT_TRUE(decode_records(batch, {.max_records = 5}));
}

TEST(RecordBatch, DecompressedSizeOverTheLimitIsTooLarge) {
  RecordBatchBuilder builder({.compression = CompressionType::zstd});
  builder.append(TimestampMs(0), std::nullopt, Bytes(1 << 20, std::byte{'x'}));
  const Bytes batch = builder.build().value();
  EXPECT_LT(batch.size(), 1000U);
  EXPECT_EQ(decode_records(batch, {.max_decompressed_bytes = 1 << 19}).error(), Errc::too_large);
}

TEST(RecordBatch, RecordCountDisagreeingWithTheRecordsIsInvalid) {
  const std::vector<Record> two = {at(0), at(1)};
  EXPECT_EQ(decode_records(assemble(header_for(3, 2), two)).error(), Errc::invalid_record);
  EXPECT_EQ(decode_records(assemble(header_for(1, 1), two)).error(), Errc::invalid_record);
  EXPECT_TRUE(decode_records(assemble(header_for(2, 1), two)));
}

TEST(RecordBatch, AHugeRecordCountAllocatesNothingAndFails) {
  const std::vector<Record> one = {at(0)};
  const auto r = decode_records(assemble(header_for(std::numeric_limits<int32_t>::max(), 0), one),
                                {.max_records = std::numeric_limits<int32_t>::max()});
  EXPECT_EQ(r.error(), Errc::invalid_record);
}

TEST(RecordBatch, OffsetDeltasMustIncreaseWithinLastOffsetDelta) {
  const std::vector<Record> repeated = {at(0), at(0)};
  EXPECT_EQ(decode_records(assemble(header_for(2, 1), repeated)).error(), Errc::invalid_record);
  const std::vector<Record> beyond = {at(0), at(5)};
  EXPECT_EQ(decode_records(assemble(header_for(2, 4), beyond)).error(), Errc::invalid_record);
  const std::vector<Record> negative = {at(-1)};
  EXPECT_EQ(decode_records(assemble(header_for(1, 0), negative)).error(), Errc::invalid_record);
}

TEST(RecordBatch, TimestampDeltaThatOverflowsIsInvalid) {
  RecordBatchHeader h = header_for(1, 0);
  h.base_timestamp = TimestampMs(std::numeric_limits<int64_t>::max() - 1);
  const std::vector<Record> late = {at(0, 2)};
  EXPECT_EQ(decode_records(assemble(h, late)).error(), Errc::invalid_record);
}

TEST(RecordBatch, RecordLengthsThatLieAreMalformed) {
  Bytes record;
  encode_record(record, at(0, 0, maybe("abc")));
  // Byte 0 is the record length; claim one byte more than the record has.
  for (int delta : {1, -1}) {
    Bytes lying = record;
    lying[0] = static_cast<std::byte>(std::to_integer<int>(lying[0]) + 2 * delta);  // zigzag
    ByteView in(lying);
    EXPECT_FALSE(decode_record(in)) << delta;
  }
  const Bytes minus_one = bytes_of("\x01");  // zigzag -1
  ByteView negative_length(minus_one);
  EXPECT_EQ(decode_record(negative_length).error(), Errc::malformed);
}

TEST(RecordBatch, HeaderCountBeyondTheRecordBytesIsMalformed) {
  Bytes body = bytes_of(std::string("\x00\x00\x00\x01\x01", 5));  // attrs, ts, delta, null, null
  body.push_back(std::byte{0xFE});  // header count 8191 (zigzag), and no bytes for any header
  body.push_back(std::byte{0x7F});
  Bytes record;
  record.push_back(static_cast<std::byte>(body.size() * 2));
  record.insert(record.end(), body.begin(), body.end());
  ByteView in(record);
  EXPECT_EQ(decode_record(in).error(), Errc::malformed);
}

// check_records must accept and reject exactly what decode_records does, with the same error.
void expect_check_agrees_with_decode(ByteView batch, const std::string& what) {
  const auto decoded = decode_records(batch);
  const auto checked = check_records(batch);
  ASSERT_EQ(static_cast<bool>(decoded), static_cast<bool>(checked)) << what;
  if (!decoded) {
    EXPECT_EQ(decoded.error(), checked.error()) << what;
    return;
  }
  bool consecutive = true;
  for (size_t i = 0; i < decoded.value().records.size(); ++i) {
    if (decoded.value().records[i].offset_delta != static_cast<int32_t>(i)) consecutive = false;
  }
  EXPECT_EQ(checked.value().consecutive_offset_deltas, consecutive) << what;
}

TEST(RecordBatch, CheckRecordsAgreesWithDecodeOnValidAndTruncatedBatches) {
  for (CompressionType codec : kCodecs) {
    RecordBatchBuilder builder({.compression = codec, .base_timestamp = TimestampMs(0)});
    for (Record& r : tricky_records()) builder.append(std::move(r));
    const Bytes batch = builder.build().value();
    ASSERT_TRUE(check_records(batch)) << static_cast<int>(codec);
    EXPECT_TRUE(check_records(batch).value().consecutive_offset_deltas);
    for (size_t n = 0; n < batch.size(); ++n) {
      expect_check_agrees_with_decode(ByteView(batch).first(n), "cut at " + std::to_string(n));
    }
  }
}

TEST(RecordBatch, CheckRecordsAgreesWithDecodeOnEveryCorruptedRecordByte) {
  RecordBatchBuilder builder({.base_timestamp = TimestampMs(0)});
  for (Record& r : tricky_records()) builder.append(std::move(r));
  const Bytes batch = builder.build().value();
  // Each byte of the records section changed to several values, the CRC then made to match, so
  // that the record walk itself has to find what is wrong.
  for (size_t i = kRecordBatchHeaderSize; i < batch.size(); ++i) {
    for (int value : {0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF}) {
      Bytes corrupt = batch;
      corrupt[i] = static_cast<std::byte>(value);
      update_crc(corrupt);
      expect_check_agrees_with_decode(corrupt, "byte " + std::to_string(i) + " = " + std::to_string(value));
    }
  }
}

TEST(RecordBatch, CheckRecordsReportsOffsetDeltaGapsAndHeaderDisagreements) {
  RecordBatchBuilder builder({.base_timestamp = TimestampMs(0)});
  builder.append(at(2, 0, maybe("a")));
  builder.append(at(7, 0, maybe("b")));
  const auto gaps = check_records(builder.build().value());
  ASSERT_TRUE(gaps);
  EXPECT_FALSE(gaps.value().consecutive_offset_deltas);
  const std::vector<Record> two = {at(0), at(1)};
  EXPECT_EQ(check_records(assemble(header_for(3, 2), two)).error(), Errc::invalid_record);
  EXPECT_EQ(check_records(assemble(header_for(2, 1), {at(0), at(0)})).error(), Errc::invalid_record);
  RecordBatchHeader late = header_for(1, 0);
  late.base_timestamp = TimestampMs(std::numeric_limits<int64_t>::max() - 1);
  EXPECT_EQ(check_records(assemble(late, {at(0, 2)})).error(), Errc::invalid_record);
  const Bytes batch = test::five_record_batch(CompressionType::none);
  EXPECT_EQ(check_records(batch, {.max_records = 4}).error(), Errc::too_large);
}

}  // namespace
}  // namespace sluice::protocol
