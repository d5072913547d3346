// The primitive Reader/Writer: encodings, and rejection of lengths and counts the input can't hold
// before anything is allocated for them.
#include <limits>

#include <gtest/gtest.h>

#include "protocol/errc.h"
#include "protocol/messages/api_versions_response.h"
#include "protocol/messages/fetch_request.h"
#include "protocol/tests/message_test_util.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace sluice::protocol {
namespace {

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(WireReader, ReadsBigEndianIntegers) {
  const Bytes in = bytes({0x12, 0x34, 0xff, 0xff, 0xff, 0xfe});
  Reader r(in);
  EXPECT_EQ(r.read_int16().value(), 0x1234);
  EXPECT_EQ(r.read_int32().value(), -2);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.read_int8().error(), Errc::truncated);
}

TEST(WireReader, StringsAndCompactStringsAndNulls) {
  const Bytes in = bytes({0x00, 0x02, 'h', 'i', 0xff, 0xff, 0x03, 'h', 'i', 0x00, 0x01});
  Reader r(in);
  EXPECT_EQ(r.read_string(false).value(), "hi");
  EXPECT_EQ(r.read_nullable_string(false).value(), std::nullopt);
  EXPECT_EQ(r.read_string(true).value(), "hi");
  EXPECT_EQ(r.read_nullable_string(true).value(), std::nullopt);
  EXPECT_EQ(r.read_string(true).value(), "");
}

TEST(WireReader, NullForANonNullableStringIsMalformed) {
  const Bytes in = bytes({0xff, 0xff});
  Reader r(in);
  EXPECT_EQ(r.read_string(false).error(), Errc::malformed);
}

TEST(WireReader, LengthBelowMinusOneIsMalformed) {
  const Bytes in = bytes({0xff, 0xfe});
  Reader r(in);
  EXPECT_EQ(r.read_nullable_string(false).error(), Errc::malformed);
}

TEST(WireReader, HugeLengthsAreRejectedBeforeAllocating) {
  const Bytes string16 = bytes({0x7f, 0xff, 'a'});
  const Bytes bytes32 = bytes({0x7f, 0xff, 0xff, 0xff, 'a'});
  const Bytes compact = bytes({0xff, 0xff, 0xff, 0xff, 0x07, 'a'});
  const Bytes over_int32 = bytes({0xff, 0xff, 0xff, 0xff, 0x0f, 'a'});
  EXPECT_EQ(Reader(string16).read_string(false).error(), Errc::truncated);
  EXPECT_EQ(Reader(bytes32).read_bytes(false).error(), Errc::truncated);
  EXPECT_EQ(Reader(compact).read_bytes(true).error(), Errc::truncated);
  EXPECT_EQ(Reader(over_int32).read_bytes(true).error(), Errc::malformed);
  EXPECT_EQ(Reader(bytes32).read_records(false).error(), Errc::truncated);
}

TEST(WireReader, HugeArrayCountsAreRejectedBeforeAllocating) {
  // 2^31-1 elements of at least 4 bytes each, with 8 bytes of input.
  const Bytes in = bytes({0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 2});
  Reader r(in);
  auto result = read_array(r, false, 4, [&] { return r.read_int32(); });
  EXPECT_EQ(result.error(), Errc::truncated);
  // Two 4-byte elements fit exactly.
  const Bytes two = bytes({0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2});
  Reader ok_reader(two);
  auto ok_result = read_array(ok_reader, false, 4, [&] { return ok_reader.read_int32(); });
  EXPECT_EQ(ok_result.value(), (std::vector<int32_t>{1, 2}));
}

TEST(WireReader, NullArrayIsNulloptOnlyWhereNullable) {
  const Bytes in = bytes({0x00});  // compact null
  Reader r1(in);
  EXPECT_EQ(read_nullable_array(r1, true, 4, [&] { return r1.read_int32(); }).value(), std::nullopt);
  EXPECT_TRUE(r1.empty());
  Reader r2(in);
  EXPECT_EQ(read_array(r2, true, 4, [&] { return r2.read_int32(); }).error(), Errc::malformed);
}

TEST(WireReader, RecordsAreAViewIntoTheInput) {
  const Bytes in = bytes({0x00, 0x00, 0x00, 0x02, 0xab, 0xcd});
  Reader r(in);
  auto records = r.read_records(false).value();
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ(records->bytes.data(), in.data() + 4);
  EXPECT_EQ(records->bytes.size(), 2U);
}

TEST(WireTaggedFields, UnknownTagsAreSkipped) {
  // Two fields: tag 3 (2 bytes), tag 7 (1 byte); then a trailing int8.
  const Bytes in = bytes({0x02, 0x03, 0x02, 0xaa, 0xbb, 0x07, 0x01, 0xcc, 0x2a});
  Reader r(in);
  std::vector<uint32_t> seen;
  ASSERT_TRUE(r.read_tagged_fields([&](uint32_t tag, Reader&) -> Status {
    seen.push_back(tag);
    return ok();
  }));
  EXPECT_EQ(seen, (std::vector<uint32_t>{3, 7}));
  EXPECT_EQ(r.read_int8().value(), 0x2a);
}

TEST(WireTaggedFields, TagsMustStrictlyIncrease) {
  const Bytes repeated = bytes({0x02, 0x01, 0x00, 0x01, 0x00});
  const Bytes descending = bytes({0x02, 0x02, 0x00, 0x01, 0x00});
  EXPECT_EQ(Reader(repeated).skip_tagged_fields().error(), Errc::malformed);
  EXPECT_EQ(Reader(descending).skip_tagged_fields().error(), Errc::malformed);
}

TEST(WireTaggedFields, HugeCountOrSizeIsRejected) {
  const Bytes count = bytes({0xff, 0xff, 0xff, 0xff, 0x0f, 0x00});
  const Bytes size = bytes({0x01, 0x00, 0xff, 0xff, 0x03, 0x00});
  EXPECT_EQ(Reader(count).skip_tagged_fields().error(), Errc::truncated);
  EXPECT_EQ(Reader(size).skip_tagged_fields().error(), Errc::truncated);
}

TEST(WireTaggedFields, KnownTagDecodesAndUnknownOnesAroundItAreSkipped) {
  FetchRequest request;
  request.replica_id = BrokerId(-1);
  Bytes encoded = test::encode_message(request, 12);
  ASSERT_EQ(encoded.back(), std::byte{0x00});  // empty top-level tag section
  encoded.pop_back();
  // tag 0 (cluster_id, compact "c1"), tag 5 unknown (1 byte), tag 9 unknown (0 bytes).
  for (int b : std::initializer_list<int>{0x03, 0x00, 0x03, 0x03, 'c', '1', 0x05, 0x01, 0xee, 0x09, 0x00}) {
    encoded.push_back(static_cast<std::byte>(b));
  }
  Reader r(encoded);
  auto decoded = FetchRequest::decode(r, 12);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(decoded.value().cluster_id, "c1");
  EXPECT_TRUE(r.empty());
}

TEST(WireTaggedFields, DefaultTaggedFieldsAreNeverEmitted) {
  // librdkafka 2.0.2 mis-skips tagged fields: a default response carries only empty sections.
  ApiVersionsResponse response;
  response.api_keys.push_back({.api_key = 18, .min_version = 0, .max_version = 3});
  const Bytes encoded = test::encode_message(response, 3);
  const Bytes expected = bytes({0, 0, 0x02, 0, 18, 0, 0, 0, 3, 0x00, 0, 0, 0, 0, 0x00});
  EXPECT_EQ(encoded, expected);
}

TEST(WireWriter, CompactAndNullEncodings) {
  Bytes out;
  Writer w(out);
  w.write_nullable_string(std::nullopt, true);
  w.write_nullable_string(std::nullopt, false);
  w.write_string("ab", true);
  w.write_null_array(false);
  w.write_uvarint(300);
  EXPECT_EQ(out, bytes({0x00, 0xff, 0xff, 0x03, 'a', 'b', 0xff, 0xff, 0xff, 0xff, 0xac, 0x02}));
}

}  // namespace
}  // namespace sluice::protocol
