// The connection pipeline over real sockets: ordering, back-pressure, and Kafka's rule that a
// request the broker cannot read closes that connection (and only that one).
#include <gtest/gtest.h>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/server_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "protocol/messages/api_versions_request.h"
#include "protocol/messages/metadata_request.h"
#include "protocol/messages/produce_request.h"

namespace sluice::broker {
namespace {

using protocol::ApiKey;
using protocol::ApiVersionsRequest;
using testing::encode_request;
using testing::frame_of;
using testing::loopback_config;
using testing::ServerFixture;
using testing::TestClient;

Bytes api_versions(int32_t correlation_id, int16_t version = 0) {
  return encode_request(ApiKey::api_versions, version, correlation_id,
                        ApiVersionsRequest{.client_software_name = "t", .client_software_version = "1"}, version);
}

Bytes delayed_echo(int32_t correlation_id) {
  return encode_request(ApiKey::metadata, 1, correlation_id, protocol::MetadataRequest{}, 1);
}

Bytes silent(int32_t correlation_id) {
  return encode_request(ApiKey::produce, 3, correlation_id, protocol::ProduceRequest{}, 3);
}

int32_t correlation_of(const Bytes& frame) { return load_be<int32_t>(frame.data()); }

// The connection is answered again: the server is still serving.
void expect_served(TestClient& client, int32_t correlation_id) {
  ASSERT_TRUE(client.send(api_versions(correlation_id)));
  auto frame = client.read_frame();
  ASSERT_TRUE(frame) << "no response";
  EXPECT_EQ(correlation_of(*frame), correlation_id);
}

void expect_pipelined_answers_in_order(uint16_t port, int count) {
  TestClient client(port);
  ASSERT_TRUE(client.connected());
  Bytes all;
  for (int32_t id = 1; id <= count; ++id) {
    const Bytes request = id % 2 == 0 ? delayed_echo(id) : api_versions(id, static_cast<int16_t>(id % 4));
    all.insert(all.end(), request.begin(), request.end());
  }
  ASSERT_TRUE(client.send(all));  // every request before reading any response
  for (int32_t id = 1; id <= count; ++id) {
    auto frame = client.read_frame();
    ASSERT_TRUE(frame) << "no response for correlation id " << id;
    ASSERT_EQ(correlation_of(*frame), id);
  }
}

TEST(Connection, PipelinedRequestsAreAnsweredInRequestOrder) {
  ServerFixture server;
  expect_pipelined_answers_in_order(server.port(), 200);
}

// Two pipelined produces to one partition must append in the order sent, so a connection runs
// its requests one after another (as Kafka does), even though later ones would finish sooner.
TEST(Connection, PipelinedRequestsOfOneConnectionRunOneAfterAnother) {
  ServerFixture server;
  testing::echo_concurrency().most = 0;
  TestClient client(server.port());
  ASSERT_TRUE(client.connected());
  Bytes all;
  for (int32_t id = 1; id <= 40; ++id) {
    const Bytes request = delayed_echo(id);
    all.insert(all.end(), request.begin(), request.end());
  }
  ASSERT_TRUE(client.send(all));
  for (int32_t id = 1; id <= 40; ++id) {
    auto frame = client.read_frame();
    ASSERT_TRUE(frame) << "no response for correlation id " << id;
    ASSERT_EQ(correlation_of(*frame), id);
  }
  EXPECT_EQ(testing::echo_concurrency().most.load(), 1);
}

TEST(Connection, QueueBoundOfOneStillAnswersEveryPipelinedRequest) {
  auto config = loopback_config();
  config.connection.max_queued_requests = 1;
  ServerFixture server(config);
  expect_pipelined_answers_in_order(server.port(), 200);
}

TEST(Connection, NoResponseRequestsAreSkippedInTheOrder) {
  ServerFixture server;
  TestClient client(server.port());
  Bytes all = silent(1);
  for (const Bytes& b : {api_versions(2), silent(3), delayed_echo(4)}) all.insert(all.end(), b.begin(), b.end());
  ASSERT_TRUE(client.send(all));
  for (int32_t id : {2, 4}) {
    auto frame = client.read_frame();
    ASSERT_TRUE(frame);
    EXPECT_EQ(correlation_of(*frame), id);
  }
}

TEST(Connection, HandlerAskingToCloseClosesAfterEarlierResponses) {
  ServerFixture server;
  TestClient client(server.port());
  Bytes all = delayed_echo(1);
  const Bytes closing = silent(-1);
  all.insert(all.end(), closing.begin(), closing.end());
  ASSERT_TRUE(client.send(all));
  auto first = client.read_frame();
  ASSERT_TRUE(first);
  EXPECT_EQ(correlation_of(*first), 1);
  EXPECT_TRUE(client.closed_by_peer());
}

// Each case: what a bad client sends; it must be disconnected while a client connected before
// it keeps being served.
struct BadInput {
  const char* name;
  Bytes bytes;
  bool then_shutdown_write = false;
};

Bytes raw(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Bytes header_only(int16_t key, int16_t version) {
  Bytes payload(8 + 2);
  store_be<int16_t>(payload.data(), key);
  store_be<int16_t>(payload.data() + 2, version);
  store_be<int32_t>(payload.data() + 4, 1);
  store_be<int16_t>(payload.data() + 8, -1);  // null client id
  return frame_of(payload);
}

std::vector<BadInput> bad_inputs() {
  const std::string text = "GET / HTTP/1.1\r\nHost: sluice\r\n\r\n";
  Bytes truncated = api_versions(1);
  truncated.resize(truncated.size() - 3);
  return {
      {"garbage text (its first 4 bytes read as a size over the limit)",
       Bytes(as_bytes(text).begin(), as_bytes(text).end())},
      {"garbage inside a well-sized frame", frame_of(raw({0xff, 0x7f, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef}))},
      {"a frame too short for a header", frame_of(raw({0x00, 0x12, 0x00}))},
      {"an empty frame", frame_of({})},
      {"a truncated frame, then end of file", truncated, true},
      {"a 2 GiB size prefix", raw({0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0})},
      {"a negative size prefix (-1)", raw({0xff, 0xff, 0xff, 0xff})},
      {"a negative size prefix (INT32_MIN)", raw({0x80, 0x00, 0x00, 0x00})},
      {"an unknown api key", header_only(1000, 0)},
      {"a key with a schema but no handler", header_only(static_cast<int16_t>(ApiKey::fetch), 4)},
      {"a version above the handler's range", header_only(static_cast<int16_t>(ApiKey::metadata), 5)},
      {"a negative ApiVersions version", header_only(static_cast<int16_t>(ApiKey::api_versions), -1)},
      {"a malformed ApiVersions v3 body", frame_of(raw({0x00, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0xff, 0xff, 0x00, 0x05}))},
  };
}

TEST(Connection, UnreadableInputClosesOnlyThatConnection) {
  ServerFixture server;
  TestClient bystander(server.port());
  expect_served(bystander, 100);
  int32_t id = 101;
  for (const BadInput& input : bad_inputs()) {
    SCOPED_TRACE(input.name);
    TestClient bad(server.port());
    ASSERT_TRUE(bad.connected());
    ASSERT_TRUE(bad.send(input.bytes));
    if (input.then_shutdown_write) bad.shutdown_write();
    EXPECT_TRUE(bad.closed_by_peer());
    expect_served(bystander, id++);
  }
}

TEST(Connection, RequestOverSocketRequestMaxBytesCloses) {
  auto config = loopback_config();
  config.connection.request_max_bytes = 1000;
  ServerFixture server(config);
  TestClient bystander(server.port());
  TestClient at_limit(server.port());
  Bytes fits = api_versions(1);
  fits.resize(1004);  // trailing bytes after the v0 body are ignored, as Kafka does
  store_be<int32_t>(fits.data(), 1000);
  ASSERT_TRUE(at_limit.send(fits));
  auto answer = at_limit.read_frame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(correlation_of(*answer), 1);

  TestClient over(server.port());
  Bytes big(2004);
  store_be<int32_t>(big.data(), 2000);
  ASSERT_TRUE(over.send(ByteView(big).first(8)));
  EXPECT_TRUE(over.closed_by_peer());
  expect_served(bystander, 2);
}

// The same rule through the real KafkaServer and its real handlers (not the test handlers of
// ServerFixture): bodies each handler cannot decode, versions outside each handler's range, and a
// frame whose declared size (under socket.request.max.bytes) never fully arrives. Each bad client
// is dropped or left waiting alone; a bystander keeps being served, and a partition the broker
// leads still takes records afterwards.
Bytes header_then(int16_t key, int16_t version, std::initializer_list<int> body) {
  Bytes payload(10);
  store_be<int16_t>(payload.data(), key);
  store_be<int16_t>(payload.data() + 2, version);
  store_be<int32_t>(payload.data() + 4, 9);
  store_be<int16_t>(payload.data() + 8, -1);  // null client id
  for (int v : body) payload.push_back(static_cast<std::byte>(v));
  return frame_of(payload);
}

TEST(Connection, KafkaServerDropsUndecodableRequestsToEveryHandlerAndKeepsServing) {
  testing::KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  TestClient bystander(broker.port());
  expect_served(bystander, 1);
  const auto produce = static_cast<int16_t>(ApiKey::produce);
  const auto fetch = static_cast<int16_t>(ApiKey::fetch);
  const auto list_offsets = static_cast<int16_t>(ApiKey::list_offsets);
  const auto metadata = static_cast<int16_t>(ApiKey::metadata);
  const std::vector<BadInput> inputs = {
      {"Produce v7 cut after its header", header_then(produce, 7, {}), false},
      {"Produce v7 with a truncated topic array", header_then(produce, 7, {0xff, 0xff, 0x00, 0x01, 0, 0, 0x75}), false},
      {"Produce v7 with a negative topic count", header_then(produce, 7, {0xff, 0xff, 0, 1, 0, 0, 0x75, 0x30, 0x80, 0, 0, 0}),
       false},
      {"Fetch v11 with garbage", header_then(fetch, 11, {0xde, 0xad, 0xbe, 0xef}), false},
      {"Fetch v12 (flexible) with a bad tag section", header_then(fetch, 12, {0x05, 0xff, 0xff, 0xff, 0xff}), false},
      {"ListOffsets v5 cut short", header_then(list_offsets, 5, {0xff, 0xff}), false},
      {"Metadata v9 (flexible) with garbage", header_then(metadata, 9, {0x00, 0x7f, 0x7f}), false},
      {"Produce v2 cut after its header", header_then(produce, 2, {}), false},
      {"FindCoordinator v3 (flexible) with garbage", header_then(10, 3, {0x00, 0x7f}), false},
      {"FindCoordinator v4, above the advertised range", header_then(10, 4, {}), false},
      {"Fetch v13, above the advertised range", header_then(fetch, 13, {}), false},
      {"Metadata v10, above the advertised range", header_then(metadata, 10, {}), false},
      {"an API the broker does not serve (JoinGroup v5)", header_then(11, 5, {}), false},
  };
  int32_t id = 2;
  for (const BadInput& input : inputs) {
    SCOPED_TRACE(input.name);
    TestClient bad(broker.port());
    ASSERT_TRUE(bad.connected());
    ASSERT_TRUE(bad.send(input.bytes));
    EXPECT_TRUE(bad.closed_by_peer());
    expect_served(bystander, id++);
  }
  // A 64 MiB frame (under the default socket.request.max.bytes of 100 MiB) of which 1 KiB ever
  // arrives: that connection waits, alone.
  TestClient stalled(broker.port());
  Bytes partial(4 + 1024);
  store_be<int32_t>(partial.data(), 64 << 20);
  ASSERT_TRUE(stalled.send(partial));
  expect_served(bystander, id++);
  TestClient late(broker.port());
  expect_served(late, id++);

  const Bytes batch = testing::producer_batch(protocol::CompressionType::none, 3, "after");
  auto produced = testing::call<protocol::ProduceResponse>(late, 7, testing::produce_request("t", batch, 1), id++);
  ASSERT_TRUE(produced);
  EXPECT_EQ(broker.log_end("t"), Offset(3));
}

TEST(Connection, StopClosesOpenConnections) {
  auto server = std::make_unique<ServerFixture>();
  TestClient client(server->port());
  expect_served(client, 1);
  server->server().stop();
  EXPECT_TRUE(client.closed_by_peer());
  TestClient late(server->port());
  EXPECT_FALSE(late.connected() && late.send(api_versions(2)) && late.read_frame().has_value());
  server.reset();  // the fixture checks that the io threads ran out of work
}

}  // namespace
}  // namespace sluice::broker
