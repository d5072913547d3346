// Requests as the stock clients put them on the wire (docs/formats/wire-protocol.md), checked both
// ways: our decoder reads the client's bytes, and our encoder writes the same bytes back.
#include <string_view>

#include <gtest/gtest.h>

#include "protocol/messages/api_versions_request.h"
#include "protocol/messages/find_coordinator_request.h"
#include "protocol/messages/find_coordinator_response.h"
#include "protocol/messages/metadata_request.h"
#include "protocol/messages/produce_request.h"
#include "protocol/messages/produce_response.h"
#include "protocol/request_frame.h"
#include "protocol/tests/message_test_util.h"
#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

// Builds fixture bytes from ints (one byte each) and string pieces.
class Fixture {
 public:
  Fixture& b(std::initializer_list<int> values) {
    for (int v : values) bytes_.push_back(static_cast<std::byte>(v));
    return *this;
  }
  Fixture& s(std::string_view text) {
    const ByteView v = as_bytes(text);
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  Fixture& raw(ByteView v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  [[nodiscard]] const Bytes& bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

// Parses the frame, decodes its body as T, and checks that re-encoding gives the same frame.
template <typename T>
T decode_frame_both_ways(const Bytes& frame, int16_t version, std::string_view client_id) {
  auto parsed = parse_request_frame(frame);
  EXPECT_TRUE(parsed.has_value());
  if (!parsed) return T{};
  EXPECT_EQ(parsed.value().header.request_api_version, version);
  EXPECT_EQ(parsed.value().header.client_id, std::string(client_id));
  auto body = T::decode(parsed.value().body, version);
  EXPECT_TRUE(body.has_value());
  if (!body) return T{};
  EXPECT_TRUE(parsed.value().body.empty());

  const auto* api = find_api(T::kApiKey);
  Bytes again;
  Writer w(again);
  parsed.value().header.encode(w, request_header_version(*api, version));
  body.value().encode(w, version);
  EXPECT_EQ(again, frame);
  return body.value();
}

TEST(ClientRequestFixtures, ApiVersionsV3FromLibrdkafka) {
  Fixture f;
  f.b({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x07}).s("rdkafka").b({0x00});
  f.b({0x0b}).s("librdkafka").b({0x06}).s("2.0.2").b({0x00});
  const auto request = decode_frame_both_ways<ApiVersionsRequest>(f.bytes(), 3, "rdkafka");
  EXPECT_EQ(request.client_software_name, "librdkafka");
  EXPECT_EQ(request.client_software_version, "2.0.2");
}

TEST(ClientRequestFixtures, ApiVersionsV0FromKafkaPython) {
  Fixture f;
  f.b({0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12}).s("kafka-python-2.0.2");
  decode_frame_both_ways<ApiVersionsRequest>(f.bytes(), 0, "kafka-python-2.0.2");
}

TEST(ClientRequestFixtures, MetadataV1ForOneTopicAndForAllTopics) {
  Fixture one;
  one.b({0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x07}).s("rdkafka");
  one.b({0x00, 0x00, 0x00, 0x01, 0x00, 0x04}).s("test");
  const auto request = decode_frame_both_ways<MetadataRequest>(one.bytes(), 1, "rdkafka");
  ASSERT_TRUE(request.topics.has_value());
  ASSERT_EQ(request.topics->size(), 1U);
  EXPECT_EQ(request.topics->front().name, "test");

  Fixture all;
  all.b({0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x07}).s("rdkafka");
  all.b({0xff, 0xff, 0xff, 0xff});
  EXPECT_FALSE(decode_frame_both_ways<MetadataRequest>(all.bytes(), 1, "rdkafka").topics);
}

TEST(ClientRequestFixtures, ProduceV7WithOneRecordBatch) {
  const Bytes batch = test::five_record_batch(CompressionType::none);
  const auto size = static_cast<uint32_t>(batch.size());
  Fixture f;
  f.b({0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x05, 0x00, 0x07}).s("rdkafka");
  f.b({0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x75, 0x30});  // no txn id, acks -1, 30000 ms
  f.b({0x00, 0x00, 0x00, 0x01, 0x00, 0x04}).s("test");
  f.b({0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02});  // one partition: index 2
  f.b({static_cast<int>(size >> 24), static_cast<int>((size >> 16) & 0xff),
       static_cast<int>((size >> 8) & 0xff), static_cast<int>(size & 0xff)});
  f.raw(batch);
  const auto request = decode_frame_both_ways<ProduceRequest>(f.bytes(), 7, "rdkafka");
  EXPECT_EQ(request.transactional_id, std::nullopt);
  EXPECT_EQ(request.acks, -1);
  EXPECT_EQ(request.timeout_ms, 30000);
  ASSERT_EQ(request.topic_data.size(), 1U);
  ASSERT_EQ(request.topic_data[0].partition_data.size(), 1U);
  const auto& partition = request.topic_data[0].partition_data[0];
  EXPECT_EQ(partition.index, PartitionId(2));
  ASSERT_TRUE(partition.records.has_value());
  EXPECT_TRUE(partition.records == RecordsView{batch});
  // The records view points into the frame: no copy.
  EXPECT_EQ(partition.records->bytes.data() + batch.size(), f.bytes().data() + f.bytes().size());
}

// Produce v0-2 start with acks: no transactional_id before it (that arrives in v3).
TEST(ClientRequestFixtures, ProduceV2HasNoTransactionalId) {
  const Bytes set = {std::byte{0xab}, std::byte{0xcd}};  // the codec does not look inside
  Fixture f;
  f.b({0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x07}).s("rdkafka");
  f.b({0x00, 0x01, 0x00, 0x00, 0x13, 0x88});  // acks 1, 5000 ms
  f.b({0x00, 0x00, 0x00, 0x01, 0x00, 0x01}).s("t");
  f.b({0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}).raw(set);
  const auto request = decode_frame_both_ways<ProduceRequest>(f.bytes(), 2, "rdkafka");
  EXPECT_EQ(request.acks, 1);
  EXPECT_EQ(request.timeout_ms, 5000);
  ASSERT_TRUE(request.topic_data.at(0).partition_data.at(0).records.has_value());
  EXPECT_TRUE(request.topic_data[0].partition_data[0].records == RecordsView{set});
}

// ProduceResponse v0 has no throttle_time_ms (v1) and no log_append_time_ms (v2).
TEST(ClientRequestFixtures, ProduceResponseGrowsFieldByFieldFromV0ToV2) {
  ProduceResponse response;
  response.throttle_time_ms = 7;
  response.responses.push_back({.name = "t", .partition_responses = {}});
  response.responses[0].partition_responses.push_back({.index = PartitionId(0), .error_code = 43,
                                                        .base_offset = Offset(-1)});
  Fixture v0;
  v0.b({0, 0, 0, 1, 0, 1}).s("t").b({0, 0, 0, 1, 0, 0, 0, 0, 0, 43}).b({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  Fixture v1 = v0;
  v1.b({0, 0, 0, 7});
  Fixture v2;
  v2.b({0, 0, 0, 1, 0, 1}).s("t").b({0, 0, 0, 1, 0, 0, 0, 0, 0, 43}).b({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  v2.b({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).b({0, 0, 0, 7});  // log_append_time -1, throttle
  const Fixture* expected[] = {&v0, &v1, &v2};
  for (int16_t version = 0; version <= 2; ++version) {
    Bytes out;
    Writer w(out);
    response.encode(w, version);
    EXPECT_EQ(out, expected[version]->bytes()) << "v" << version;
  }
}

// FindCoordinator v0 is the key alone; v1 adds key_type; the v0 answer is error, node, host, port.
TEST(ClientRequestFixtures, FindCoordinatorV0AndV1) {
  Fixture v0;
  v0.b({0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x07}).s("rdkafka").b({0x00, 0x01}).s("g");
  EXPECT_EQ(decode_frame_both_ways<FindCoordinatorRequest>(v0.bytes(), 0, "rdkafka").key, "g");
  Fixture v1;
  v1.b({0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x07}).s("rdkafka").b({0x00, 0x01}).s("g").b({0x01});
  EXPECT_EQ(decode_frame_both_ways<FindCoordinatorRequest>(v1.bytes(), 1, "rdkafka").key_type, 1);
  FindCoordinatorResponse response;
  response.error_code = 15;
  response.node_id = BrokerId(-1);
  response.port = -1;
  Bytes out;
  Writer w(out);
  response.encode(w, 0);
  Fixture expected;
  expected.b({0x00, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(out, expected.bytes());
}

}  // namespace
}  // namespace sluice::protocol
