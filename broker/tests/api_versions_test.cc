#include <gtest/gtest.h>

#include "broker/handlers/api_versions.h"
#include "broker/handlers/handler_list.h"
#include "broker/tests/server_fixture.h"
#include "broker/tests/test_client.h"
#include "protocol/error_code.h"
#include "protocol/messages/api_versions_request.h"
#include "protocol/messages/api_versions_response.h"
#include "protocol/messages/response_header.h"

namespace sluice::broker {
namespace {

using protocol::ApiKey;
using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using testing::encode_request;
using testing::ServerFixture;
using testing::TestClient;

ApiVersionsRequest librdkafka_request() {
  return {.client_software_name = "librdkafka", .client_software_version = "2.0.2"};
}

// Reads one response and decodes it: header v0 always, then the body at `body_version`, which
// must use every byte (a v3 body followed by a header tag section would leave one over).
ApiVersionsResponse read_response(TestClient& client, int32_t correlation_id, int16_t body_version) {
  auto frame = client.read_frame();
  EXPECT_TRUE(frame.has_value()) << "no response";
  if (!frame) return {};
  protocol::Reader r(*frame);
  auto header = protocol::ResponseHeader::decode(r, 0);
  EXPECT_TRUE(header && header.value().correlation_id == correlation_id);
  auto body = ApiVersionsResponse::decode(r, body_version);
  EXPECT_TRUE(body) << body.error().message();
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes left over";
  return body ? body.value() : ApiVersionsResponse{};
}

class ApiVersionsTest : public ::testing::TestWithParam<int16_t> {};

TEST_P(ApiVersionsTest, RoundTripsOverARealSocketWithHeaderV0) {
  ServerFixture server(testing::loopback_config(), false);
  TestClient client(server.port());
  ASSERT_TRUE(client.connected());
  const int16_t version = GetParam();
  ASSERT_TRUE(client.send(encode_request(ApiKey::api_versions, version, 7, librdkafka_request(), version)));
  const ApiVersionsResponse response = read_response(client, 7, version);
  EXPECT_EQ(response.error_code, 0);
  EXPECT_EQ(response.api_keys, make_handler_registry().advertised());
  ASSERT_EQ(response.api_keys.size(), 1u);
  EXPECT_EQ(response.api_keys[0].api_key, 18);
  EXPECT_EQ(response.api_keys[0].min_version, 0);
  EXPECT_EQ(response.api_keys[0].max_version, 3);
  EXPECT_EQ(response.throttle_time_ms, 0);
  EXPECT_TRUE(response.supported_features.empty());
  EXPECT_EQ(response.finalized_features_epoch, -1);
}

INSTANTIATE_TEST_SUITE_P(EveryVersion, ApiVersionsTest, ::testing::Values(0, 1, 2, 3));

TEST(ApiVersions, V3ResponseCarriesNoTaggedFields) {
  ServerFixture server(testing::loopback_config(), false);
  TestClient client(server.port());
  ASSERT_TRUE(client.send(encode_request(ApiKey::api_versions, 3, 1, librdkafka_request(), 3)));
  auto frame = client.read_frame();
  ASSERT_TRUE(frame);
  // correlation id, error, compact array (1 entry + 1), 6 bytes, entry tags, throttle, body tags
  const Bytes expected = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1},  // correlation id
                          std::byte{0}, std::byte{0},                              // error
                          std::byte{2},                                            // one entry
                          std::byte{0}, std::byte{18}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{3},
                          std::byte{0},                                            // entry tags
                          std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},  // throttle
                          std::byte{0}};                                           // body tags
  EXPECT_EQ(*frame, expected);
}

TEST(ApiVersions, NewerVersionGetsUnsupportedVersionInV0Format) {
  ServerFixture server(testing::loopback_config(), false);
  TestClient client(server.port());
  for (int16_t version : {4, 9, 32767}) {
    ASSERT_TRUE(client.send(encode_request(ApiKey::api_versions, version, version, librdkafka_request(), 3)));
    const ApiVersionsResponse response = read_response(client, version, 0);
    EXPECT_EQ(response.error_code, static_cast<int16_t>(protocol::ErrorCode::unsupported_version));
    ASSERT_EQ(response.api_keys.size(), 1u);
    EXPECT_EQ(response.api_keys[0].api_key, 18);
    EXPECT_EQ(response.api_keys[0].min_version, 0);
    EXPECT_EQ(response.api_keys[0].max_version, 3);
  }
}

TEST(ApiVersions, V3WithInvalidSoftwareNameGetsInvalidRequest) {
  ServerFixture server(testing::loopback_config(), false);
  TestClient client(server.port());
  const ApiVersionsRequest bad{.client_software_name = "bad name!", .client_software_version = "1.0"};
  ASSERT_TRUE(client.send(encode_request(ApiKey::api_versions, 3, 5, bad, 3)));
  const ApiVersionsResponse response = read_response(client, 5, 3);
  EXPECT_EQ(response.error_code, static_cast<int16_t>(protocol::ErrorCode::invalid_request));
  EXPECT_TRUE(response.api_keys.empty());
  // The connection stays usable.
  ASSERT_TRUE(client.send(encode_request(ApiKey::api_versions, 3, 6, librdkafka_request(), 3)));
  EXPECT_EQ(read_response(client, 6, 3).error_code, 0);
}

TEST(ApiVersions, SoftwareFieldRuleFollowsKip511) {
  EXPECT_TRUE(valid_client_software_field("librdkafka"));
  EXPECT_TRUE(valid_client_software_field("1.7.0-rdkafka-2.0.2"));
  EXPECT_TRUE(valid_client_software_field("a"));
  EXPECT_FALSE(valid_client_software_field(""));
  EXPECT_FALSE(valid_client_software_field("-lead"));
  EXPECT_FALSE(valid_client_software_field("trail."));
  EXPECT_FALSE(valid_client_software_field("under_score"));
}

TEST(HandlerRegistry, AdvertisesEachApiClippedToTheGeneratedSchemas) {
  HandlerRegistry registry;
  registry.add({.key = ApiKey::api_versions, .min_version = 0, .max_version = 10, .fn = {}});
  registry.add({.key = ApiKey::metadata, .min_version = -3, .max_version = 1, .fn = {}});
  const auto advertised = registry.advertised();
  ASSERT_EQ(advertised.size(), 2u);
  EXPECT_EQ(advertised[0].api_key, 3);  // ordered by key
  EXPECT_EQ(advertised[0].min_version, protocol::find_api(ApiKey::metadata)->min_version);
  EXPECT_EQ(advertised[1].api_key, 18);
  EXPECT_EQ(advertised[1].max_version, protocol::find_api(ApiKey::api_versions)->max_version);
}

}  // namespace
}  // namespace sluice::broker
