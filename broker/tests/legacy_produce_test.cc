// Produce v0-2 over real sockets against an in-process KafkaServer that leads "t"-0. We advertise
// them for librdkafka's codec gate (wire-protocol.md) but store magic 2 only: a magic 0/1 message
// set is refused per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT in the response layout of the
// request's version, nothing is written, and a magic-2 batch in the same old versions is taken,
// as Kafka 2.8 takes it (it checks the batch format only from v3 on).
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/wire_calls.h"
#include "protocol/messages/produce_request.h"
#include "protocol/messages/produce_response.h"
#include "protocol/messages/response_header.h"

namespace sluice::broker {
namespace {

using protocol::CompressionType;
using protocol::ErrorCode;
using protocol::FetchResponse;
using protocol::ProduceResponse;
using testing::KafkaServerFixture;
using testing::TestClient;

uint32_t crc32_ieee(ByteView bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (std::byte b : bytes) {
    c ^= static_cast<uint8_t>(b);
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// One uncompressed message in a magic 0 or 1 message set (record-batch.md §5), CRC-32 correct.
Bytes legacy_message_set(int8_t magic, const std::string& key, const std::string& value) {
  Bytes message;  // magic onwards: what the CRC covers
  protocol::Writer m(message);
  m.write_int8(magic);
  m.write_int8(0);  // attributes: no codec, CreateTime
  if (magic == 1) m.write_int64(1'700'000'000'000);
  m.write_bytes(as_bytes(key), false);
  m.write_bytes(as_bytes(value), false);
  Bytes set;
  set.reserve(16 + message.size());  // else GCC 12 -O3 reports a false -Warray-bounds
  protocol::Writer w(set);
  w.write_int64(0);  // offset
  w.write_int32(static_cast<int32_t>(4 + message.size()));
  w.write_uint32(crc32_ieee(message));
  w.write_raw(message);
  return set;
}

// The response body's size for one partition of topic "t" at `version`: v0 has index, error and
// base offset; v1 adds throttle_time_ms, v2 log_append_time_ms.
size_t expected_body_size(int16_t version) {
  size_t size = 4 + (2 + 1) + 4 + 4 + 2 + 8;
  if (version >= 1) size += 4;
  if (version >= 2) size += 8;
  return size;
}

// Sends a Produce at `version` and decodes the answer, checking that it fills its frame exactly.
std::optional<ProduceResponse> produce(TestClient& client, int16_t version, ByteView records, int32_t correlation) {
  EXPECT_TRUE(client.send(testing::encode_request(protocol::ApiKey::produce, version, correlation,
                                                  testing::produce_request("t", records, 1), version)));
  auto frame = client.read_frame();
  EXPECT_TRUE(frame) << "no response";
  if (!frame) return std::nullopt;
  EXPECT_EQ(frame->size(), 4 + expected_body_size(version)) << "v" << version << " response layout";
  protocol::Reader r(*frame);
  auto header = protocol::ResponseHeader::decode(r, 0);
  EXPECT_TRUE(header && header.value().correlation_id == correlation);
  auto body = ProduceResponse::decode(r, version);
  EXPECT_TRUE(body) << body.error().message();
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes left over";
  return body ? std::optional<ProduceResponse>(std::move(body).value()) : std::nullopt;
}

class LegacyProduce : public ::testing::TestWithParam<std::tuple<int16_t, int8_t>> {};

TEST_P(LegacyProduce, MagicZeroOrOneIsRefusedUnwrittenAndTheNextGoodRequestSucceeds) {
  const auto [version, magic] = GetParam();
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes legacy = legacy_message_set(magic, "k", "old format");
  auto refused = produce(client, version, legacy, 1);
  ASSERT_TRUE(refused);
  const auto& p = testing::only(*refused);
  EXPECT_EQ(p.error_code, static_cast<int16_t>(ErrorCode::unsupported_for_message_format));
  EXPECT_EQ(p.base_offset, Offset(-1));
  EXPECT_EQ(broker.log_end("t"), Offset(0)) << "nothing written";

  const Bytes batch = testing::producer_batch(CompressionType::none, 3, "after");
  auto accepted = produce(client, version, batch, 2);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(testing::only(*accepted).error_code, 0);
  EXPECT_EQ(testing::only(*accepted).base_offset, Offset(0));
  EXPECT_EQ(broker.log_end("t"), Offset(3));
}

INSTANTIATE_TEST_SUITE_P(VersionAndMagic, LegacyProduce,
                         ::testing::Values(std::make_tuple(int16_t{0}, int8_t{0}), std::make_tuple(int16_t{1}, int8_t{0}),
                                           std::make_tuple(int16_t{2}, int8_t{1}), std::make_tuple(int16_t{2}, int8_t{0})));

// Kafka 2.8 stores a magic-2 batch sent in Produce v0-2 (ProduceRequest.validateRecords checks
// the format from v3 on): the stored batch is the sent one, compressed or not.
TEST(LegacyProduce, MagicTwoBatchInProduceV2IsStoredAsSent) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes batch = testing::producer_batch(CompressionType::gzip, 4, "v2");
  auto produced = produce(client, 2, batch, 1);
  ASSERT_TRUE(produced);
  EXPECT_EQ(testing::only(*produced).error_code, 0);
  EXPECT_EQ(testing::only(*produced).log_append_time_ms, TimestampMs(-1)) << "CreateTime topic";
  auto fetched = testing::call<FetchResponse>(client, 11, testing::fetch_request("t", Offset(0)), 2);
  ASSERT_TRUE(fetched);
  const auto& p = testing::only(*fetched);
  ASSERT_EQ(p.error_code, 0);
  ASSERT_TRUE(p.records);
  EXPECT_EQ(testing::without_broker_fields(p.records->bytes), testing::without_broker_fields(batch));
}

// On v3+ a legacy set breaks the request's own contract: INVALID_RECORD, as Kafka answers.
TEST(LegacyProduce, MagicOneInProduceV3IsInvalidRecord) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes legacy = legacy_message_set(1, "k", "old format");
  auto refused = testing::call<ProduceResponse>(client, 3, testing::produce_request("t", legacy, 1));
  ASSERT_TRUE(refused);
  EXPECT_EQ(testing::only(*refused).error_code, static_cast<int16_t>(ErrorCode::invalid_record));
  EXPECT_EQ(broker.log_end("t"), Offset(0));
}

}  // namespace
}  // namespace sluice::broker
