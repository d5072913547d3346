// FindCoordinator over real sockets against an in-process KafkaServer: every version's layout,
// the docs/groups.md rule over the MetadataCache's live brokers, and the error answers. Expected
// coordinators come from Java's String.hashCode values (find_coordinator_rule_test.cc), not from
// the broker's own function.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/test_client.h"
#include "protocol/messages/find_coordinator_request.h"
#include "protocol/messages/find_coordinator_response.h"
#include "protocol/messages/response_header.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;
using testing::KafkaServerFixture;
using testing::TestClient;

// Asks at `version` and decodes the answer; the body must fill the frame exactly.
FindCoordinatorResponse find(TestClient& client, int16_t version, const std::string& key, int8_t key_type = 0,
                             int32_t correlation = 1) {
  FindCoordinatorRequest request;
  request.key = key;
  request.key_type = key_type;
  EXPECT_TRUE(client.send(testing::encode_request(protocol::ApiKey::find_coordinator, version, correlation, request,
                                                  version)));
  auto frame = client.read_frame();
  EXPECT_TRUE(frame) << "no response";
  if (!frame) return {};
  protocol::Reader r(*frame);
  const auto* api = protocol::find_api(protocol::ApiKey::find_coordinator);
  auto header = protocol::ResponseHeader::decode(r, protocol::response_header_version(*api, version));
  EXPECT_TRUE(header && header.value().correlation_id == correlation);
  auto body = FindCoordinatorResponse::decode(r, version);
  EXPECT_TRUE(body) << body.error().message();
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes left over at v" << version;
  return body ? body.value() : FindCoordinatorResponse{};
}

BrokerEndpoint endpoint(int32_t id, std::string host, int32_t port) {
  BrokerEndpoint b;
  b.id = BrokerId(id);
  b.host = std::move(host);
  b.port = port;
  return b;
}

void set_live_brokers(KafkaServerFixture& broker, std::vector<BrokerEndpoint> live) {
  MetadataUpdate update;
  update.brokers = std::move(live);
  broker.server().metadata_cache().update_metadata(update);
}

class FindCoordinatorVersions : public ::testing::TestWithParam<int16_t> {};

TEST_P(FindCoordinatorVersions, ASingleBrokerCoordinatesEveryGroupItself) {
  const int16_t version = GetParam();
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  TestClient client(broker.port());
  for (const std::string group : {"interop", "consumer-group-1", ""}) {
    SCOPED_TRACE(group);
    const FindCoordinatorResponse r = find(client, version, group);
    EXPECT_EQ(r.error_code, 0);
    EXPECT_EQ(r.node_id, BrokerId(0));
    EXPECT_EQ(r.host, "127.0.0.1");
    EXPECT_EQ(r.port, broker.port());
    EXPECT_EQ(r.error_message, std::nullopt);
  }
}

INSTANTIATE_TEST_SUITE_P(V0ToV3, FindCoordinatorVersions, ::testing::Values(0, 1, 2, 3));

// v0 has neither throttle_time_ms nor error_message: error, node id, host, port and nothing else.
TEST(FindCoordinator, V0AnswerHasOnlyErrorNodeHostAndPort) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  TestClient client(broker.port());
  const FindCoordinatorRequest request{.key = "g", .key_type = 0};
  ASSERT_TRUE(client.send(testing::encode_request(protocol::ApiKey::find_coordinator, 0, 4, request, 0)));
  auto frame = client.read_frame();
  ASSERT_TRUE(frame);
  const size_t host = std::string("127.0.0.1").size();
  ASSERT_EQ(frame->size(), 4 + 2 + 4 + (2 + host) + 4);
  EXPECT_EQ(load_be<int16_t>(frame->data() + 4), 0);
  EXPECT_EQ(load_be<int32_t>(frame->data() + 6), 0);
  EXPECT_EQ(load_be<int32_t>(frame->data() + 12 + host), broker.port());
}

TEST(FindCoordinator, GroupsSpreadOverTheLiveBrokersByJavaHashModuloCount) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  const int32_t self = broker.port();
  set_live_brokers(broker, {endpoint(2, "b2.example", 9092), endpoint(0, "127.0.0.1", self), endpoint(1, "b1.example", 9091)});
  TestClient client(broker.port());
  // abs(hash) % 3 over ids 0, 1, 2: "interop" 1958063037 -> 0, "a" 97 -> 1, "consumer-group-1" 147483020 -> 2.
  EXPECT_EQ(find(client, 3, "interop").node_id, BrokerId(0));
  const FindCoordinatorResponse one = find(client, 2, "a");
  EXPECT_EQ(one.node_id, BrokerId(1));
  EXPECT_EQ(one.host, "b1.example");
  EXPECT_EQ(one.port, 9091);
  const FindCoordinatorResponse two = find(client, 1, "consumer-group-1");
  EXPECT_EQ(two.node_id, BrokerId(2));
  EXPECT_EQ(two.host, "b2.example");
  // Broker 2 dies: % 2 over ids 0, 1 -> "consumer-group-1" moves to 0.
  set_live_brokers(broker, {endpoint(0, "127.0.0.1", self), endpoint(1, "b1.example", 9091)});
  EXPECT_EQ(find(client, 0, "consumer-group-1").node_id, BrokerId(0));
}

TEST(FindCoordinator, NoLiveBrokerIsCoordinatorNotAvailable) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  set_live_brokers(broker, {});
  TestClient client(broker.port());
  for (int16_t version : {0, 1, 3}) {
    const FindCoordinatorResponse r = find(client, version, "g");
    EXPECT_EQ(r.error_code, static_cast<int16_t>(ErrorCode::coordinator_not_available));
    EXPECT_EQ(r.node_id, BrokerId(-1));
    EXPECT_EQ(r.host, "");
    EXPECT_EQ(r.port, -1);
    if (version >= 1) {
      EXPECT_TRUE(r.error_message.has_value());
    }
  }
}

TEST(FindCoordinator, TransactionKeyIsCoordinatorNotAvailableAndUnknownTypeIsInvalidRequest) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  TestClient client(broker.port());
  const FindCoordinatorResponse txn = find(client, 2, "my-transactional-id", 1);
  EXPECT_EQ(txn.error_code, static_cast<int16_t>(ErrorCode::coordinator_not_available));
  EXPECT_EQ(txn.node_id, BrokerId(-1));
  const FindCoordinatorResponse unknown = find(client, 3, "g", 7, 2);
  EXPECT_EQ(unknown.error_code, static_cast<int16_t>(ErrorCode::invalid_request));
  EXPECT_EQ(unknown.node_id, BrokerId(-1));
  // The connection is still served.
  EXPECT_EQ(find(client, 1, "g", 0, 3).node_id, BrokerId(0));
}

}  // namespace
}  // namespace sluice::broker
