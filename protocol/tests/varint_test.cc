#include "protocol/varint.h"

#include <limits>

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

Bytes raw(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(Varint, ZigzagMapsSmallMagnitudesToSmallNumbers) {
  EXPECT_EQ(zigzag_encode(int32_t{0}), 0U);
  EXPECT_EQ(zigzag_encode(int32_t{-1}), 1U);
  EXPECT_EQ(zigzag_encode(int32_t{1}), 2U);
  EXPECT_EQ(zigzag_encode(int32_t{-2}), 3U);
  EXPECT_EQ(zigzag_encode(std::numeric_limits<int32_t>::max()), 0xFFFFFFFEU);
  EXPECT_EQ(zigzag_encode(std::numeric_limits<int32_t>::min()), 0xFFFFFFFFU);
  EXPECT_EQ(zigzag_encode(std::numeric_limits<int64_t>::min()), ~uint64_t{0});
}

TEST(Varint, VarintRoundTripsAtEveryBoundary) {
  for (int32_t v : {0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, 1 << 20, -(1 << 27),
                    std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}) {
    Bytes out;
    write_varint(out, v);
    EXPECT_EQ(out.size(), varint_size(v));
    ByteView in(out);
    EXPECT_EQ(read_varint(in).value(), v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(Varint, VarlongRoundTripsAtEveryBoundary) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1} << 35, -(int64_t{1} << 50),
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    Bytes out;
    write_varlong(out, v);
    EXPECT_EQ(out.size(), varlong_size(v));
    EXPECT_LE(out.size(), kMaxVarlongBytes);
    ByteView in(out);
    EXPECT_EQ(read_varlong(in).value(), v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(Varint, KnownEncodingsMatchTheWireFormat) {
  Bytes out;
  write_uvarint(out, 300);
  EXPECT_EQ(out, raw({0xAC, 0x02}));
  out.clear();
  write_varint(out, -1);
  EXPECT_EQ(out, raw({0x01}));
  out.clear();
  write_varint(out, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(out, raw({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
}

TEST(Varint, ReaderAdvancesOnlyPastWhatItDecoded) {
  const Bytes in_bytes = raw({0xAC, 0x02, 0x05});
  ByteView in(in_bytes);
  EXPECT_EQ(read_uvarint(in).value(), 300U);
  ASSERT_EQ(in.size(), 1U);
  EXPECT_EQ(read_uvarint(in).value(), 5U);
}

TEST(Varint, InputEndingInsideAVarintIsTruncatedAndNotConsumed) {
  for (const Bytes& b : {raw({}), raw({0x80}), raw({0xFF, 0xFF, 0xFF, 0xFF})}) {
    ByteView in(b);
    EXPECT_EQ(read_varint(in).error(), Errc::truncated);
    EXPECT_EQ(in.size(), b.size());
  }
}

TEST(Varint, MoreThanFiveBytesForAVarintIsMalformed) {
  const Bytes b = raw({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  ByteView in(b);
  EXPECT_EQ(read_varint(in).error(), Errc::malformed);
}

TEST(Varint, FifthByteWithBitsBeyond32IsMalformed) {
  const Bytes b = raw({0xFF, 0xFF, 0xFF, 0xFF, 0x1F});
  ByteView in(b);
  EXPECT_EQ(read_uvarint(in).error(), Errc::malformed);
}

TEST(Varint, MoreThanTenBytesForAVarlongIsMalformed) {
  const Bytes eleven = raw({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  ByteView in(eleven);
  EXPECT_EQ(read_varlong(in).error(), Errc::malformed);
  const Bytes tenth_too_big = raw({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02});
  ByteView in2(tenth_too_big);
  EXPECT_EQ(read_varlong(in2).error(), Errc::malformed);
}

}  // namespace
}  // namespace sluice::protocol
