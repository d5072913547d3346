#include "protocol/crc32c.h"

#include <gtest/gtest.h>

#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

using test::bytes_of;
using test::random_bytes;

struct Vector {
  Bytes input;
  uint32_t crc;
};

std::vector<Vector> known_vectors() {
  return {
      {bytes_of("123456789"), 0xE3069283},
      {Bytes(32, std::byte{0x00}), 0x8A9136AA},
      {Bytes(32, std::byte{0xFF}), 0x62A8AB43},
      {Bytes{}, 0x00000000},
  };
}

TEST(Crc32c, PortableMatchesKnownVectors) {
  for (const auto& v : known_vectors()) EXPECT_EQ(crc32c_portable(v.input), v.crc);
}

TEST(Crc32c, HardwareMatchesKnownVectors) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  for (const auto& v : known_vectors()) EXPECT_EQ(crc32c_hardware(v.input), v.crc);
}

TEST(Crc32c, DispatchedMatchesKnownVectors) {
  for (const auto& v : known_vectors()) EXPECT_EQ(crc32c(v.input), v.crc);
}

TEST(Crc32c, IncrementalEqualsOneShot) {
  const Bytes data = random_bytes(1000);
  const uint32_t whole = crc32c(data);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    const ByteView v(data);
    EXPECT_EQ(crc32c(v.subspan(split), crc32c(v.first(split))), whole) << split;
    EXPECT_EQ(crc32c_portable(v.subspan(split), crc32c_portable(v.first(split))), whole) << split;
  }
}

TEST(Crc32c, HardwareAndPortableAgreeOnEveryLengthAndAlignment) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  const Bytes data = random_bytes(300 + 8);
  for (size_t start = 0; start < 8; ++start) {
    for (size_t length = 0; length <= 300; ++length) {
      const ByteView v = ByteView(data).subspan(start, length);
      ASSERT_EQ(crc32c_hardware(v), crc32c_portable(v)) << "start " << start << " length " << length;
    }
  }
}

// Lengths around the block sizes accelerated kernels fold at, large inputs, and a running CRC
// carried in, checked against the plain tables.
TEST(Crc32c, HardwareMatchesPortableOnLargeAndOddLengths) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  const Bytes data = random_bytes((size_t{1} << 20) + 64);
  for (size_t length : {767, 768, 769, 1543, 1536 + 5, 24575, 24576, 24577, 49152 + 768 + 7, 100003,
                        (1 << 20) + 3}) {
    for (size_t start : {0, 3}) {
      const ByteView v = ByteView(data).subspan(start, length);
      ASSERT_EQ(crc32c_hardware(v), crc32c_portable(v)) << "length " << length;
      ASSERT_EQ(crc32c_hardware(v, 0x12345678), crc32c_portable(v, 0x12345678)) << "length " << length;
    }
  }
}

}  // namespace
}  // namespace sluice::protocol
