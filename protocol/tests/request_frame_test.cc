#include <gtest/gtest.h>

#include "protocol/errc.h"
#include "protocol/messages/api_versions_response.h"
#include "protocol/messages/metadata_response.h"
#include "protocol/request_frame.h"

namespace sluice::protocol {
namespace {

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(RequestFrame, FlexibleRequestUsesHeaderV2WithANonCompactClientId) {
  // Metadata v9: header v2 = key, version, correlation id, int16 client id, tag section.
  const Bytes frame = bytes({0, 3, 0, 9, 0, 0, 0, 7, 0, 1, 'x', 0x00, 0x01, 0x01, 0x00, 0x00, 0x00});
  auto parsed = parse_request_frame(frame);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_EQ(parsed.value().api_key, ApiKey::metadata);
  EXPECT_EQ(parsed.value().header.correlation_id, 7);
  EXPECT_EQ(parsed.value().header.client_id, "x");
  EXPECT_EQ(parsed.value().body.remaining(), 5U);
  EXPECT_TRUE(decode_any_request(ApiKey::metadata, 9, parsed.value().body));
}

TEST(RequestFrame, NullClientIdIsAllowed) {
  const Bytes frame = bytes({0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff});
  auto parsed = parse_request_frame(frame);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed.value().header.client_id, std::nullopt);
}

TEST(RequestFrame, TooNewApiVersionsStillParsesItsHeader) {
  const Bytes frame = bytes({0, 18, 0, 9, 0, 0, 0, 1, 0, 0, 0x00, 0xaa});
  auto parsed = parse_request_frame(frame);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed.value().header.request_api_version, 9);
  EXPECT_EQ(decode_any_request(ApiKey::api_versions, 9, parsed.value().body).error(),
            Errc::unsupported_version);
}

TEST(RequestFrame, UnsupportedVersionAndUnknownKeyAreErrors) {
  EXPECT_EQ(parse_request_frame(bytes({0, 3, 0, 99, 0, 0, 0, 1, 0, 0})).error(),
            Errc::unsupported_version);
  EXPECT_EQ(parse_request_frame(bytes({0x03, 0xe8, 0, 0, 0, 0, 0, 1, 0, 0})).error(),
            Errc::unknown_api_key);
  EXPECT_EQ(parse_request_frame(bytes({0, 3, 0})).error(), Errc::truncated);
}

TEST(RequestFrame, TrailingBodyBytesAreMalformed) {
  const Bytes body = bytes({0, 0, 0, 0, 0x01});  // Metadata v0: empty topic array, then junk
  Reader r(body);
  EXPECT_EQ(decode_any_request(ApiKey::metadata, 0, r).error(), Errc::malformed);
}

TEST(ResponseFrame, ApiVersionsResponseAlwaysUsesHeaderV0) {
  ApiVersionsResponse response;
  const Bytes frame = build_response_frame(3, 42, response);
  // Size 12: correlation id (4, and no header tag section), error (2), empty compact array (1),
  // throttle (4), body tag section (1).
  EXPECT_EQ(frame, bytes({0, 0, 0, 12, 0, 0, 0, 42, 0, 0, 0x01, 0, 0, 0, 0, 0x00}));
}

TEST(ResponseFrame, FlexibleResponseUsesHeaderV1) {
  MetadataResponse response;
  const Bytes v9 = build_response_frame(9, 42, response);
  const Bytes v8 = build_response_frame(8, 42, response);
  EXPECT_EQ(v9[8], std::byte{0x00});  // the header's empty tag section
  // v9 adds two tag sections (header and body) and compacts two array counts (3 bytes saved
  // each) and a null string (1 byte saved).
  EXPECT_EQ(static_cast<int>(v9.size()) - static_cast<int>(v8.size()), 2 - (3 + 3 + 1));
}

TEST(ResponseFrame, HeaderVersionsFollowTheApiTable) {
  const auto& metadata = *find_api(ApiKey::metadata);
  const auto& api_versions = *find_api(ApiKey::api_versions);
  EXPECT_EQ(request_header_version(metadata, 8), 1);
  EXPECT_EQ(request_header_version(metadata, 9), 2);
  EXPECT_EQ(response_header_version(metadata, 9), 1);
  EXPECT_EQ(request_header_version(api_versions, 3), 2);
  EXPECT_EQ(response_header_version(api_versions, 3), 0);
}

}  // namespace
}  // namespace sluice::protocol
