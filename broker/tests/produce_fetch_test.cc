// Produce and Fetch over real sockets against an in-process KafkaServer that leads "t"-0.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <tuple>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/wire_calls.h"
#include "protocol/record_batch.h"

namespace sluice::broker {
namespace {

using protocol::CompressionType;
using protocol::ErrorCode;
using protocol::FetchResponse;
using protocol::ProduceResponse;
using testing::call;
using testing::fetch_request;
using testing::KafkaServerFixture;
using testing::only;
using testing::produce_request;
using testing::producer_batch;
using testing::TestClient;
using Clock = std::chrono::steady_clock;

constexpr int16_t kFetchVersion = 11;

int16_t error_of(const testing::Reply<ProduceResponse>& r) { return r ? only(*r).error_code : int16_t{-100}; }

class ProduceFetchRoundTrip : public ::testing::TestWithParam<std::tuple<int16_t, CompressionType, int16_t>> {};

TEST_P(ProduceFetchRoundTrip, StoredBatchIsTheSentOneButForOffsetAndEpoch) {
  const auto [version, codec, acks] = GetParam();
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes first = producer_batch(codec, 2, "a");
  const Bytes second = producer_batch(codec, 3, "b");
  for (const Bytes* batch : {&first, &second}) {
    auto produced = call<ProduceResponse>(client, version, produce_request("t", *batch, acks));
    ASSERT_TRUE(produced);
    EXPECT_EQ(only(*produced).error_code, 0);
  }
  auto fetched = call<FetchResponse>(client, kFetchVersion, fetch_request("t", Offset(0)));
  ASSERT_TRUE(fetched);
  const auto& p = only(*fetched);
  ASSERT_EQ(p.error_code, 0);
  EXPECT_EQ(p.high_watermark, Offset(5));
  ASSERT_TRUE(p.records);
  const ByteView stored = p.records->bytes;
  ASSERT_EQ(stored.size(), first.size() + second.size());
  EXPECT_EQ(testing::without_broker_fields(stored.first(first.size())), testing::without_broker_fields(first));
  EXPECT_EQ(testing::without_broker_fields(stored.subspan(first.size())), testing::without_broker_fields(second));
  EXPECT_EQ(load_be<int64_t>(stored.data() + first.size()), 2) << "second batch's base offset";
}

INSTANTIATE_TEST_SUITE_P(
    VersionsCodecsAcks, ProduceFetchRoundTrip,
    ::testing::Combine(::testing::Values(int16_t{3}, int16_t{7}),
                       ::testing::Values(CompressionType::none, CompressionType::gzip, CompressionType::snappy,
                                         CompressionType::lz4),
                       ::testing::Values(int16_t{1}, int16_t{-1})));

INSTANTIATE_TEST_SUITE_P(Zstd, ProduceFetchRoundTrip,
                         ::testing::Combine(::testing::Values(int16_t{7}), ::testing::Values(CompressionType::zstd),
                                            ::testing::Values(int16_t{1}, int16_t{-1})));

class FetchVersions : public ::testing::TestWithParam<int16_t> {};

// Fetch's response is encoded by hand around the records (fetch.cc); v12 is the flexible form.
TEST_P(FetchVersions, DecodesAndCarriesTheStoredBatch) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes batch = producer_batch(CompressionType::snappy);
  ASSERT_EQ(error_of(call<ProduceResponse>(client, 7, produce_request("t", batch, 1))), 0);
  auto fetched = call<FetchResponse>(client, GetParam(), fetch_request("t", Offset(0)));
  ASSERT_TRUE(fetched);
  ASSERT_EQ(only(*fetched).error_code, 0);
  EXPECT_EQ(only(*fetched).high_watermark, Offset(3));
  ASSERT_TRUE(only(*fetched).records);
  EXPECT_EQ(testing::without_broker_fields(only(*fetched).records->bytes), testing::without_broker_fields(batch));
}

INSTANTIATE_TEST_SUITE_P(Versions, FetchVersions, ::testing::Values(4, 7, 11, 12));

TEST(Produce, AcksZeroGetsNoResponseButTheRecordsAreStored) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes batch = producer_batch(CompressionType::gzip);
  const auto request = produce_request("t", batch, 0);
  ASSERT_TRUE(client.send(testing::encode_request(protocol::ApiKey::produce, 7, 5, request, 7)));
  // The next answer on the connection is the Fetch's: the Produce got none. Requests on one
  // connection are handled concurrently, so the Fetch long-polls for the append.
  auto fetched = call<FetchResponse>(client, kFetchVersion, fetch_request("t", Offset(0), 5000, 1), 6);
  ASSERT_TRUE(fetched);
  ASSERT_TRUE(only(*fetched).records);
  EXPECT_EQ(testing::without_broker_fields(only(*fetched).records->bytes), testing::without_broker_fields(batch));
}

TEST(Fetch, LongPollReturnsPromptlyWhenAnotherConnectionProduces) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  const auto start = Clock::now();
  auto poll = std::async(std::launch::async, [&] {
    TestClient consumer(broker.port());
    return call<FetchResponse>(consumer, kFetchVersion, fetch_request("t", Offset(0), 5000, 1));
  });
  TestClient producer(broker.port());
  auto produced = call<ProduceResponse>(producer, 7, produce_request("t", producer_batch(CompressionType::none), 1));
  EXPECT_EQ(error_of(produced), 0);
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(15)), std::future_status::ready);
  auto fetched = poll.get();
  ASSERT_TRUE(fetched);
  ASSERT_TRUE(only(*fetched).records);
  EXPECT_FALSE(only(*fetched).records->bytes.empty());
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(4000)) << "the append did not wake the long poll";
}

TEST(Fetch, IdleLongPollExpiresAfterMaxWait) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient consumer(broker.port());
  const auto start = Clock::now();
  auto fetched = call<FetchResponse>(consumer, kFetchVersion, fetch_request("t", Offset(0), 500, 1));
  const auto waited = Clock::now() - start;
  ASSERT_TRUE(fetched);
  EXPECT_EQ(only(*fetched).error_code, 0);
  EXPECT_TRUE(!only(*fetched).records || only(*fetched).records->bytes.empty());
  EXPECT_GE(waited, std::chrono::milliseconds(450));
  EXPECT_LT(waited, std::chrono::milliseconds(5000));
}

TEST(Fetch, OffsetPastTheLogEndIsOffsetOutOfRange) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), ErrorCode::none);
  TestClient client(broker.port());
  EXPECT_EQ(error_of(call<ProduceResponse>(client, 7, produce_request("t", producer_batch(CompressionType::none), 1))),
            0);
  auto fetched = call<FetchResponse>(client, kFetchVersion, fetch_request("t", Offset(10)));
  ASSERT_TRUE(fetched);
  EXPECT_EQ(only(*fetched).error_code, static_cast<int16_t>(ErrorCode::offset_out_of_range));
}

TEST(DataPlane, FollowerAndUnhostedPartitionsAreRefused) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("f", BrokerId(1), {}, {BrokerId(1), BrokerId(0)}), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes batch = producer_batch(CompressionType::none);
  const auto not_leader = static_cast<int16_t>(ErrorCode::not_leader_or_follower);
  const auto unknown = static_cast<int16_t>(ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(error_of(call<ProduceResponse>(client, 7, produce_request("f", batch, 1))), not_leader);
  EXPECT_EQ(error_of(call<ProduceResponse>(client, 7, produce_request("nope", batch, 1))), unknown);
  auto from_follower = call<FetchResponse>(client, kFetchVersion, fetch_request("f", Offset(0)));
  auto from_nowhere = call<FetchResponse>(client, kFetchVersion, fetch_request("nope", Offset(0)));
  ASSERT_TRUE(from_follower && from_nowhere);
  EXPECT_EQ(only(*from_follower).error_code, not_leader);
  EXPECT_EQ(only(*from_nowhere).error_code, unknown);
}

TEST(Produce, AcksAllBelowMinInsyncReplicasIsNotEnoughReplicasAndAppendsNothing) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t", BrokerId(0), {{"min.insync.replicas", "2"}}), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes batch = producer_batch(CompressionType::none);
  EXPECT_EQ(error_of(call<ProduceResponse>(client, 7, produce_request("t", batch, -1))),
            static_cast<int16_t>(ErrorCode::not_enough_replicas));
  EXPECT_EQ(broker.log_end("t"), Offset(0));
  EXPECT_EQ(error_of(call<ProduceResponse>(client, 7, produce_request("t", batch, 1))), 0);
  EXPECT_EQ(broker.log_end("t"), Offset(3));
}

// A pipelined produce does not wait for the acks=all wait of the one before it on the
// connection: the second batch is appended while the first still waits for an ISR member that
// never fetches (broker 1 does not exist), and the answers still come in request order.
TEST(Produce, PipelinedProduceIsAppendedWhileAnAcksAllOneWaits) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t", BrokerId(0), {}, {BrokerId(0), BrokerId(1)}), ErrorCode::none);
  TestClient client(broker.port());
  const Bytes first = producer_batch(CompressionType::none, 3, "first");
  const Bytes second = producer_batch(CompressionType::none, 3, "second");
  auto waiting = produce_request("t", first, -1);
  waiting.timeout_ms = 3000;
  ASSERT_TRUE(client.send(testing::encode_request(protocol::ApiKey::produce, 7, 1, waiting, 7)));
  ASSERT_TRUE(client.send(testing::encode_request(protocol::ApiKey::produce, 7, 2, produce_request("t", second, 1), 7)));
  const auto sent = Clock::now();
  while (broker.log_end("t") < Offset(6) && Clock::now() - sent < std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(broker.log_end("t"), Offset(6)) << "the second produce waited for the first one's replication";
  EXPECT_LT(Clock::now() - sent, std::chrono::seconds(2));
  for (int32_t correlation : {1, 2}) {
    auto frame = client.read_frame();
    ASSERT_TRUE(frame) << "no answer " << correlation;
    protocol::Reader r(*frame);
    const auto* api = protocol::find_api(protocol::ApiKey::produce);
    auto header = protocol::ResponseHeader::decode(r, protocol::response_header_version(*api, 7));
    ASSERT_TRUE(header);
    EXPECT_EQ(header.value().correlation_id, correlation) << "answers out of request order";
    auto body = ProduceResponse::decode(r, 7);
    ASSERT_TRUE(body);
    EXPECT_EQ(only(body.value()).error_code, correlation == 1 ? static_cast<int16_t>(ErrorCode::request_timed_out) : 0);
  }
}

// One invalid produce per rule: its code comes back, the log end stays, the next good one lands.
struct BadProduce {
  const char* name;
  Bytes records;
  int16_t version;
  ErrorCode expected;
};

std::vector<BadProduce> bad_produces() {
  const Bytes good = producer_batch(CompressionType::none);
  Bytes two = good;
  two.insert(two.end(), good.begin(), good.end());
  Bytes magic1 = good;
  magic1[protocol::kMagicOffset] = std::byte{1};
  Bytes bad_crc = good;
  bad_crc.back() ^= std::byte{0xff};
  Bytes offset = good;
  store_be<int64_t>(offset.data(), 7);
  Bytes control = protocol::RecordBatchBuilder({.control = true}).append(TimestampMs(1), std::nullopt, std::nullopt)
                      .build().value();
  Bytes log_append_time = good;
  log_append_time[22] |= std::byte{0x08};
  protocol::update_crc(MutableByteView(log_append_time));
  return {{"empty", {}, 7, ErrorCode::invalid_record},
          {"two batches", two, 7, ErrorCode::invalid_record},
          {"magic 1", magic1, 7, ErrorCode::invalid_record},
          {"crc", bad_crc, 7, ErrorCode::corrupt_message},
          {"base offset", offset, 7, ErrorCode::invalid_record},
          {"control", control, 7, ErrorCode::invalid_record},
          {"log append time", log_append_time, 7, ErrorCode::invalid_timestamp},
          {"zstd at v6", producer_batch(CompressionType::zstd), 6, ErrorCode::unsupported_compression_type}};
}

TEST(Produce, EachValidationErrorComesBackAndAppendsNothing) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t", BrokerId(0), {{"max.message.bytes", "1000"}}), ErrorCode::none);
  TestClient client(broker.port());
  std::vector<BadProduce> cases = bad_produces();
  cases.push_back({"too large", producer_batch(CompressionType::none, 30), 7, ErrorCode::message_too_large});
  Offset end(0);
  for (const BadProduce& bad : cases) {
    EXPECT_EQ(error_of(call<ProduceResponse>(client, bad.version, produce_request("t", bad.records, 1))),
              static_cast<int16_t>(bad.expected))
        << bad.name;
    EXPECT_EQ(broker.log_end("t"), end) << bad.name;
    auto good = call<ProduceResponse>(client, 7, produce_request("t", producer_batch(CompressionType::lz4), 1));
    EXPECT_EQ(error_of(good), 0) << "after " << bad.name;
    end = end + 3;
    EXPECT_EQ(broker.log_end("t"), end);
  }
}

}  // namespace
}  // namespace sluice::broker
