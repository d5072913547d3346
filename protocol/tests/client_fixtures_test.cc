// Batches produced by stock clients (data/record-batches/README.md): each must decode to exactly
// the records manifest.json lists, and no single-byte corruption of one may crash the decoder.
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <gtest/gtest.h>

#include "protocol/batch_iterator.h"
#include "protocol/errc.h"
#include "protocol/record_batch.h"
#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

using test::bytes_of;

const std::string kDir = std::string(SLUICE_PROTOCOL_TEST_DATA) + "/record-batches/";

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes_of(s);
}

struct Fixture {
  std::string file;
  std::string codec;
  boost::property_tree::ptree entry;
};

std::vector<Fixture> fixtures() {
  boost::property_tree::ptree manifest;
  boost::property_tree::read_json(kDir + "manifest.json", manifest);
  std::vector<Fixture> out;
  for (const auto& [unused, entry] : manifest) {
    out.push_back({entry.get<std::string>("file"), entry.get<std::string>("codec"), entry});
  }
  return out;
}

std::vector<DecodedBatch> decode_all(const Bytes& bytes) {
  std::vector<DecodedBatch> batches;
  const BatchScan scan = for_each_batch(bytes, bytes.size(), [&](const BatchView& b) -> Status {
    SLUICE_TRY(auto decoded, decode_records(b.bytes));
    batches.push_back(std::move(decoded));
    return ok();
  });
  EXPECT_TRUE(scan.ok()) << scan.error.message();
  EXPECT_EQ(scan.valid_bytes, bytes.size());
  return batches;
}

void expect_manifest_records(const Fixture& f, const std::vector<DecodedBatch>& batches) {
  const auto& expected = f.entry.get_child("records");
  const auto& headers = f.entry.get_child("headers");
  auto want = expected.begin();
  for (const DecodedBatch& batch : batches) {
    for (const Record& r : batch.records) {
      ASSERT_NE(want, expected.end()) << f.file << ": more records than the manifest";
      const auto& w = want->second;
      EXPECT_EQ(batch.offset_of(r), Offset(w.get<int64_t>("offset"))) << f.file;
      EXPECT_EQ(r.key, bytes_of(w.get<std::string>("key"))) << f.file;
      EXPECT_EQ(r.value, bytes_of(w.get<std::string>("value"))) << f.file;
      ASSERT_EQ(r.headers.size(), headers.size()) << f.file;
      for (const RecordHeader& h : r.headers) {
        EXPECT_EQ(h.value, bytes_of(headers.get<std::string>(h.key))) << f.file << " " << h.key;
      }
      ++want;
    }
  }
  EXPECT_EQ(want, expected.end()) << f.file << ": fewer records than the manifest";
}

CompressionType codec_named(const std::string& name) {
  if (name == "gzip") return CompressionType::gzip;
  if (name == "snappy") return CompressionType::snappy;
  if (name == "lz4") return CompressionType::lz4;
  if (name == "zstd") return CompressionType::zstd;
  return CompressionType::none;
}

TEST(ClientFixtures, EveryFixtureDecodesToExactlyTheManifestRecords) {
  const auto all = fixtures();
  ASSERT_EQ(all.size(), 10U);
  for (const Fixture& f : all) {
    const Bytes bytes = read_file(kDir + f.file);
    EXPECT_EQ(bytes.size(), f.entry.get<size_t>("bytes")) << f.file;
    const auto batches = decode_all(bytes);
    ASSERT_FALSE(batches.empty()) << f.file;
    for (const DecodedBatch& b : batches) EXPECT_EQ(b.header.compression(), codec_named(f.codec)) << f.file;
    expect_manifest_records(f, batches);
  }
}

TEST(ClientFixtures, SnappyFixturesCoverBothFramings) {
  const Bytes kcat = read_file(kDir + "kcat-snappy.bin");
  const Bytes python = read_file(kDir + "kafkapython-snappy.bin");
  EXPECT_NE(kcat[kRecordBatchHeaderSize], std::byte{0x82});  // raw block
  EXPECT_EQ(python[kRecordBatchHeaderSize], std::byte{0x82});  // Xerial header
}

// Flips each byte of each fixture in turn; decoding must succeed or fail cleanly. With the CRC
// recomputed too, so that the corruption reaches the record and codec parsers instead of being
// caught by the checksum. Run under ASan/UBSan to make "cleanly" mean something.
TEST(ClientFixtures, FlippingAnyByteNeverCrashesTheDecoder) {
  for (const Fixture& f : fixtures()) {
    const Bytes original = read_file(kDir + f.file);
    for (size_t i = 0; i < original.size(); ++i) {
      for (bool fix_crc : {false, true}) {
        Bytes mutated = original;
        mutated[i] ^= std::byte{0xFF};
        if (fix_crc && mutated.size() >= kRecordBatchHeaderSize) update_crc(mutated);
        const auto r = decode_records(mutated, {.max_records = 1000, .max_decompressed_bytes = 1 << 20});
        if (!r) {
          EXPECT_EQ(r.error().category(), protocol_category());
        }
      }
    }
  }
}

}  // namespace
}  // namespace sluice::protocol
