#include "protocol/compression.h"

#include <cstring>

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "protocol/errc.h"
#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

using test::bytes_of;
using test::random_bytes;
using test::repetitive_bytes;

constexpr size_t kLimit = size_t{64} << 20;
constexpr CompressionType kCodecs[] = {CompressionType::none, CompressionType::gzip,
                                       CompressionType::snappy, CompressionType::lz4,
                                       CompressionType::zstd};
constexpr CompressionType kRealCodecs[] = {CompressionType::gzip, CompressionType::snappy,
                                           CompressionType::lz4, CompressionType::zstd};

std::string name(CompressionType c) { return std::to_string(static_cast<int>(c)); }

void expect_round_trip(CompressionType codec, const Bytes& data) {
  const auto packed = compress(codec, data);
  ASSERT_TRUE(packed) << name(codec);
  const auto unpacked = decompress(codec, packed.value(), data.size());
  ASSERT_TRUE(unpacked) << name(codec) << ": " << unpacked.error().message();
  EXPECT_TRUE(unpacked.value() == data) << name(codec) << " size " << data.size();
}

TEST(Compression, EveryCodecRoundTripsSmallInputs) {
  for (CompressionType codec : kCodecs) {
    for (size_t n : {0, 1, 2, 100, 1000, 40000}) expect_round_trip(codec, repetitive_bytes(n));
  }
}

TEST(Compression, EveryCodecRoundTripsSeveralMebibytes) {
  for (CompressionType codec : kCodecs) expect_round_trip(codec, repetitive_bytes(5 << 20));
}

TEST(Compression, EveryCodecRoundTripsIncompressibleData) {
  for (CompressionType codec : kCodecs) expect_round_trip(codec, random_bytes(3 << 20));
}

TEST(Compression, OutputOneByteOverTheLimitIsTooLarge) {
  const Bytes data = repetitive_bytes(200000);
  for (CompressionType codec : kCodecs) {
    const Bytes packed = compress(codec, data).value();
    EXPECT_EQ(decompress(codec, packed, data.size() - 1).error(), Errc::too_large) << name(codec);
    EXPECT_TRUE(decompress(codec, packed, data.size())) << name(codec);
  }
}

TEST(Compression, GarbageFailsToDecompress) {
  const Bytes garbage = bytes_of("this is certainly not a compressed record batch, not at all");
  for (CompressionType codec : kRealCodecs) {
    EXPECT_EQ(decompress(codec, garbage, kLimit).error(), Errc::decompression_failed) << name(codec);
    EXPECT_EQ(decompress(codec, {}, kLimit).error(), Errc::decompression_failed) << name(codec);
  }
}

TEST(Compression, RandomInputNeverDecompressesOrCrashes) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    const Bytes junk = random_bytes(1 + seed * 7, seed);
    for (CompressionType codec : kRealCodecs) {
      const auto r = decompress(codec, junk, 1 << 20);
      ASSERT_FALSE(r) << name(codec) << " seed " << seed;
      EXPECT_TRUE(r.error() == Errc::decompression_failed || r.error() == Errc::too_large);
    }
  }
}

TEST(Compression, EveryTruncationOfAStreamFailsOrYieldsLess) {
  const Bytes data = repetitive_bytes(3000);
  for (CompressionType codec : kRealCodecs) {
    const Bytes packed = compress(codec, data).value();
    for (size_t n = 0; n < packed.size(); ++n) {
      const auto r = decompress(codec, ByteView(packed).first(n), kLimit);
      // A Xerial stream cut between blocks is itself a valid, shorter stream.
      if (codec == CompressionType::snappy && r) {
        EXPECT_LT(r.value().size(), data.size());
      } else {
        EXPECT_FALSE(r) << name(codec) << " cut at " << n;
      }
    }
  }
}

TEST(Compression, GzipWritesAnRfc1952StreamAndReadsZlibAndConcatenatedMembers) {
  const Bytes data = repetitive_bytes(5000);
  const Bytes packed = compress(CompressionType::gzip, data).value();
  ASSERT_GE(packed.size(), 2U);
  EXPECT_EQ(packed[0], std::byte{0x1F});
  EXPECT_EQ(packed[1], std::byte{0x8B});

  Bytes two_members = packed;
  two_members.insert(two_members.end(), packed.begin(), packed.end());
  Bytes twice = data;
  twice.insert(twice.end(), data.begin(), data.end());
  EXPECT_TRUE(decompress(CompressionType::gzip, two_members, kLimit).value() == twice);

  uLongf zlib_size = compressBound(data.size());
  Bytes zlib(zlib_size);
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib.data()), &zlib_size,
                      reinterpret_cast<const Bytef*>(data.data()), data.size(), 6), Z_OK);
  zlib.resize(zlib_size);
  EXPECT_TRUE(decompress(CompressionType::gzip, zlib, kLimit).value() == data);
}

TEST(Compression, GzipBombStopsAtTheLimit) {
  const Bytes packed = compress(CompressionType::gzip, Bytes(32 << 20, std::byte{0})).value();
  EXPECT_LT(packed.size(), 64U << 10);
  EXPECT_EQ(decompress(CompressionType::gzip, packed, 1 << 20).error(), Errc::too_large);
}

TEST(Compression, SnappyWritesXerialFramingWithVersionOneAnd32KiBBlocks) {
  const Bytes data = random_bytes(100000);
  const Bytes packed = compress(CompressionType::snappy, data).value();
  const unsigned char header[] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  ASSERT_GT(packed.size(), sizeof header);
  EXPECT_EQ(std::memcmp(packed.data(), header, sizeof header), 0);
  // Walk the blocks: each decompresses to at most 32 KiB.
  size_t at = sizeof header;
  size_t blocks = 0;
  while (at < packed.size()) {
    const auto length = load_be<uint32_t>(packed.data() + at);
    size_t plain = 0;
    ASSERT_TRUE(snappy::GetUncompressedLength(
        reinterpret_cast<const char*>(packed.data() + at + 4), length, &plain));
    EXPECT_LE(plain, 32U * 1024);
    at += 4 + length;
    ++blocks;
  }
  EXPECT_EQ(at, packed.size());
  EXPECT_EQ(blocks, 4U);  // 100000 bytes = 3 full blocks + 1 partial
}

TEST(Compression, SnappyReadsTheRawBlockForm) {
  const Bytes data = repetitive_bytes(70000);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(data.data()), data.size(), &raw);
  EXPECT_TRUE(decompress(CompressionType::snappy, as_bytes(raw), kLimit).value() == data);
}

TEST(Compression, SnappyRefusesAClaimedLengthOverTheLimitBeforeAllocating) {
  Bytes claim;  // uvarint 2^30, then nothing
  for (int b : {0x80, 0x80, 0x80, 0x80, 0x04}) claim.push_back(static_cast<std::byte>(b));
  EXPECT_EQ(decompress(CompressionType::snappy, claim, kLimit).error(), Errc::too_large);
}

TEST(Compression, Lz4WritesKafkasFrameDescriptor) {
  const Bytes packed = compress(CompressionType::lz4, repetitive_bytes(1000)).value();
  ASSERT_GE(packed.size(), 7U);
  EXPECT_EQ(load_be<uint32_t>(packed.data()), 0x04224D18U);
  EXPECT_EQ(packed[4], std::byte{0x60});  // version 01, independent blocks, no checksums or size
  EXPECT_EQ(packed[5], std::byte{0x40});  // 64 KiB blocks
}

TEST(Compression, Lz4RefusesAFrameClaimingMoreThanTheLimit) {
  LZ4F_cctx* ctx = nullptr;
  ASSERT_FALSE(LZ4F_isError(LZ4F_createCompressionContext(&ctx, LZ4F_VERSION)));
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.contentSize = 1ULL << 30;
  Bytes frame(LZ4F_HEADER_SIZE_MAX);
  const size_t header = LZ4F_compressBegin(ctx, frame.data(), frame.size(), &prefs);
  LZ4F_freeCompressionContext(ctx);
  ASSERT_FALSE(LZ4F_isError(header));
  frame.resize(header);
  frame.insert(frame.end(), 4, std::byte{0});  // end mark
  EXPECT_EQ(decompress(CompressionType::lz4, frame, kLimit).error(), Errc::too_large);
}

TEST(Compression, ZstdReadsConcatenatedFramesAndRefusesLargeClaims) {
  const Bytes data = repetitive_bytes(3 << 20);
  const Bytes packed = compress(CompressionType::zstd, data).value();
  EXPECT_EQ(load_be<uint32_t>(packed.data()), 0x28B52FFDU);
  EXPECT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), data.size());
  // Only the frame header: the claim alone is refused, before any decoding.
  EXPECT_EQ(decompress(CompressionType::zstd, ByteView(packed).first(18), 1 << 20).error(),
            Errc::too_large);
  Bytes two = packed;
  two.insert(two.end(), packed.begin(), packed.end());
  EXPECT_EQ(decompress(CompressionType::zstd, two, kLimit).value().size(), 2 * data.size());
}

}  // namespace
}  // namespace sluice::protocol
