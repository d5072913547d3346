// Request/response helpers over a TestClient for the data-plane tests: encode a generated
// request, read and decode the generated response (header version as the API implies), and
// build producer batches with protocol::RecordBatchBuilder.
#pragma once

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "protocol/messages/fetch_request.h"
#include "protocol/messages/fetch_response.h"
#include "protocol/messages/produce_request.h"
#include "protocol/messages/produce_response.h"
#include "protocol/messages/response_header.h"
#include "protocol/record_batch_builder.h"

namespace sluice::broker::testing {

// A decoded response with the frame it was decoded from: its RecordsView fields point into it.
template <typename Response>
class Reply {
 public:
  Reply() = default;
  Reply(Bytes frame, Response body) : frame_(std::move(frame)), body_(std::move(body)) {}
  explicit operator bool() const { return body_.has_value(); }
  Response& operator*() { return *body_; }
  const Response& operator*() const { return *body_; }
  Response* operator->() { return &*body_; }
  const Response* operator->() const { return &*body_; }

 private:
  Bytes frame_;  // moving a vector keeps its buffer, so the views stay valid
  std::optional<Response> body_;
};

// Sends `request` and decodes the answer; empty (after a failed expectation) if none came.
template <typename Response, typename Request>
Reply<Response> call(TestClient& client, int16_t version, const Request& request, int32_t correlation = 1) {
  EXPECT_TRUE(client.send(encode_request(Request::kApiKey, version, correlation, request, version)));
  auto frame = client.read_frame();
  EXPECT_TRUE(frame) << "no response";
  if (!frame) return {};
  Bytes bytes = std::move(frame).value();
  protocol::Reader r(bytes);
  const auto* api = protocol::find_api(Request::kApiKey);
  auto header = protocol::ResponseHeader::decode(r, protocol::response_header_version(*api, version));
  EXPECT_TRUE(header && header.value().correlation_id == correlation);
  auto body = Response::decode(r, version);
  EXPECT_TRUE(body) << body.error().message();
  if (!body) return {};
  return Reply<Response>(std::move(bytes), std::move(body).value());
}

inline Bytes text(const std::string& s) {
  Bytes out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

inline Bytes producer_batch(protocol::CompressionType codec, int records = 3, const std::string& tag = "r") {
  protocol::RecordBatchBuilder builder({.compression = codec});
  for (int i = 0; i < records; ++i) {
    std::string key_text = tag;
    key_text.append("-key-").append(std::to_string(i));
    std::string value_text = tag;
    value_text.append("-value-").append(std::to_string(i)).append(50, 'x');
    const Bytes key = text(key_text);
    const Bytes value = text(value_text);
    builder.append(TimestampMs(1'700'000'000'000 + i), ByteView(key), ByteView(value));
  }
  auto built = builder.build();
  EXPECT_TRUE(built);
  return built ? std::move(built).value() : Bytes{};
}

inline protocol::ProduceRequest produce_request(const std::string& topic, ByteView records, int16_t acks) {
  protocol::ProduceRequest request{.acks = acks, .timeout_ms = 5000};
  request.topic_data.push_back({.name = topic, .partition_data = {}});
  request.topic_data[0].partition_data.push_back({.index = PartitionId(0), .records = protocol::RecordsView{records}});
  return request;
}

inline protocol::FetchRequest fetch_request(const std::string& topic, Offset offset, int32_t max_wait_ms = 0,
                                            int32_t min_bytes = 0) {
  protocol::FetchRequest request{.replica_id = BrokerId(-1), .max_wait_ms = max_wait_ms, .min_bytes = min_bytes};
  request.topics.push_back({.topic = topic, .partitions = {}});
  request.topics[0].partitions.push_back({.fetch_offset = offset, .partition_max_bytes = 1 << 20});
  return request;
}

// The one partition of a one-partition response.
inline const protocol::ProduceResponse::PartitionProduceResponse& only(const protocol::ProduceResponse& r) {
  return r.responses.at(0).partition_responses.at(0);
}
inline const protocol::FetchResponse::PartitionData& only(const protocol::FetchResponse& r) {
  return r.responses.at(0).partitions.at(0);
}

// A stored batch equals the producer's except baseOffset (0-7) and partitionLeaderEpoch (12-15).
inline Bytes without_broker_fields(ByteView batch) {
  Bytes out(batch.begin(), batch.end());
  if (out.size() < 16) return out;
  std::fill(out.begin(), out.begin() + 8, std::byte{0});
  std::fill(out.begin() + 12, out.begin() + 16, std::byte{0});
  return out;
}

}  // namespace sluice::broker::testing
