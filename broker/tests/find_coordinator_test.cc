// FindCoordinator over real sockets against an in-process KafkaServer: every version's layout,
// the docs/groups.md rule over the MetadataCache's live brokers, and the error answers. Expected
// coordinators come from Java's String.hashCode values (find_coordinator_rule_test.cc), not from
// the broker's own function.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/test_client.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/tests/zk_test_util.h"
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

// Brokers 1 and 2 are registered in ZooKeeper (each in its own session, at unreachable ports), so
// the controller itself publishes them: a hand-written cache entry would race its UpdateMetadata.
TEST(FindCoordinator, GroupsSpreadOverTheLiveBrokersByJavaHashModuloCount) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  const int32_t self = broker.port();
  coordination::testing::IoThread io;
  auto session_for = [&](int32_t id, int32_t port) {
    auto zk = coordination::testing::connected_client(io, coordination::testing::config_for(broker.zookeeper_connect()));
    coordination::KafkaZkClient kafka_zk(*zk);
    coordination::BrokerInfo info;
    info.id = BrokerId(id);
    info.endpoints.push_back({.listener = "PLAINTEXT", .host = "127.0.0.1", .port = port, .security_protocol = "PLAINTEXT"});
    const auto registered = io.sync(kafka_zk.register_broker(info));
    EXPECT_TRUE(registered) << registered.error().message();
    return zk;
  };
  auto live_ids = [&] {
    std::vector<BrokerId> ids;
    for (const auto& b : broker.server().metadata_cache().snapshot()->brokers) ids.push_back(b.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto eventually_live = [&](const std::vector<BrokerId>& want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (live_ids() != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return live_ids() == want;
  };
  // Ports 1 and 2: nothing listens there; the controller's connections to them just fail.
  auto broker2 = session_for(2, 2);
  auto broker1 = session_for(1, 1);
  ASSERT_TRUE(eventually_live({BrokerId(0), BrokerId(1), BrokerId(2)}));
  TestClient client(self);
  // abs(hash) % 3 over ids 0, 1, 2: "interop" 1958063037 -> 0, "a" 97 -> 1, "consumer-group-1" 147483020 -> 2.
  const FindCoordinatorResponse zero = find(client, 3, "interop");
  EXPECT_EQ(zero.node_id, BrokerId(0));
  EXPECT_EQ(zero.port, self);
  const FindCoordinatorResponse one = find(client, 2, "a");
  EXPECT_EQ(one.node_id, BrokerId(1));
  EXPECT_EQ(one.host, "127.0.0.1");
  EXPECT_EQ(one.port, 1);
  const FindCoordinatorResponse two = find(client, 1, "consumer-group-1");
  EXPECT_EQ(two.node_id, BrokerId(2));
  EXPECT_EQ(two.port, 2);
  // Broker 2 dies: % 2 over ids 0, 1 -> "consumer-group-1" moves to 0.
  io.sync(broker2->close());
  ASSERT_TRUE(eventually_live({BrokerId(0), BrokerId(1)}));
  EXPECT_EQ(find(client, 0, "consumer-group-1").node_id, BrokerId(0));
  io.sync(broker1->close());
}

// Only a cache that has not heard from the controller yet is empty, so the test empties it by hand;
// the controller may still publish broker 0 over it, so an answer counts only if the cache was
// still empty after it was given (re-emptied and asked again otherwise, bounded).
TEST(FindCoordinator, NoLiveBrokerIsCoordinatorNotAvailable) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  TestClient client(broker.port());
  for (int16_t version : {0, 1, 3}) {
    SCOPED_TRACE(version);
    FindCoordinatorResponse r;
    bool empty_throughout = false;
    for (int attempt = 0; attempt < 50 && !empty_throughout; ++attempt) {
      set_live_brokers(broker, {});
      r = find(client, version, "g");
      empty_throughout = broker.server().metadata_cache().snapshot()->brokers.empty();
    }
    ASSERT_TRUE(empty_throughout) << "the controller kept refilling the cache";
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
