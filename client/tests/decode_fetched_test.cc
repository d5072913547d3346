#include <gtest/gtest.h>

#include "client/consumer.h"
#include "protocol/record_batch_builder.h"

namespace sluice::client {
namespace {

const TopicPartition kTp{"t", PartitionId(0)};

Bytes batch(Offset base, int count, protocol::CompressionType codec) {
  protocol::BatchSettings settings;
  settings.compression = codec;
  settings.base_offset = base;
  protocol::RecordBatchBuilder builder(settings);
  for (int i = 0; i < count; ++i) {
    std::string value(1, 'v');
    value += std::to_string(base.value() + i);
    builder.append(TimestampMs(1000 + i), std::nullopt, as_bytes(value));
  }
  return builder.build().value();
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(DecodeFetched, SkipsRecordsBelowThePositionAndAdvancesPastEachBatch) {
  const Bytes bytes = concat({batch(Offset(0), 5, protocol::CompressionType::gzip),
                              batch(Offset(5), 5, protocol::CompressionType::none)});
  Offset position(3);
  std::vector<ConsumerRecord> out;
  ASSERT_TRUE(decode_fetched(kTp, bytes, &position, out));
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out.front().offset, Offset(3));
  EXPECT_EQ(out.back().offset, Offset(9));
  EXPECT_EQ(as_chars(*out.front().value), "v3");
  EXPECT_EQ(out.front().timestamp, TimestampMs(1003));
  EXPECT_FALSE(out.front().key.has_value());
  EXPECT_EQ(position, Offset(10));
}

TEST(DecodeFetched, IgnoresATornTrailingBatch) {
  Bytes second = batch(Offset(2), 2, protocol::CompressionType::lz4);
  second.resize(second.size() - 5);
  const Bytes bytes = concat({batch(Offset(0), 2, protocol::CompressionType::none), second});
  Offset position(0);
  std::vector<ConsumerRecord> out;
  ASSERT_TRUE(decode_fetched(kTp, bytes, &position, out));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(position, Offset(2));
}

TEST(DecodeFetched, CorruptBatchIsAnError) {
  Bytes bytes = batch(Offset(0), 2, protocol::CompressionType::none);
  bytes.back() ^= std::byte{0xff};
  Offset position(0);
  std::vector<ConsumerRecord> out;
  EXPECT_FALSE(decode_fetched(kTp, bytes, &position, out));
  EXPECT_EQ(position, Offset(0));
}

}  // namespace
}  // namespace sluice::client
