// The Producer's sending half: draining ready batches into Produce requests, one per leader.
#include <spdlog/spdlog.h>

#include "client/producer.h"
#include "protocol/record_batch_builder.h"

namespace sluice::client {
namespace {

constexpr auto kIdlePoll = std::chrono::seconds(1);

Result<Bytes> encode_batch(const ProducerBatch& batch, protocol::CompressionType codec) {
  protocol::BatchSettings settings;
  settings.compression = codec;
  protocol::RecordBatchBuilder builder(settings);
  for (const PendingRecord& r : batch.records) {
    std::optional<ByteView> key;
    std::optional<ByteView> value;
    if (r.key) key = ByteView(*r.key);
    if (r.value) value = ByteView(*r.value);
    builder.append(r.timestamp, key, value, r.headers);
  }
  return builder.build();
}

// Whether an error means our metadata is wrong (the leader moved, the topic is not there).
bool needs_metadata(std::error_code ec) {
  const auto code = as_broker_error(ec);
  if (!code) return true;  // a connection problem: the broker may be gone
  using protocol::ErrorCode;
  return *code == ErrorCode::not_leader_or_follower || *code == ErrorCode::leader_not_available ||
         *code == ErrorCode::unknown_topic_or_partition || *code == ErrorCode::fenced_leader_epoch ||
         *code == ErrorCode::unknown_leader_epoch || *code == ErrorCode::kafka_storage_error;
}

}  // namespace

asio::awaitable<void> Producer::sender_loop() {
  while (!stopped_ || requests_running_ > 0) {
    const auto now = Clock::now();
    for (auto& batch : accumulator_.expire(now)) batch.complete(Offset(-1), kNoTimestamp, Errc::delivery_timeout);
    if (!stopped_) send_ready(now);
    progress_.notify();
    const auto next = accumulator_.next_ready_time().value_or(now + kIdlePoll);
    co_await wakeup_.wait_until(std::min(next, now + kIdlePoll));
  }
  --loops_running_;
  progress_.notify();
}

void Producer::send_ready(Clock::time_point now) {
  std::map<BrokerId, std::vector<ProducerBatch>> by_leader;
  for (const TopicPartition& tp : accumulator_.ready(now, flushing_ > 0)) {
    const auto leader = client_.metadata().leader_for(tp);
    if (!leader) {
      request_metadata_refresh();
      continue;
    }
    if (in_flight_requests_[*leader] >= config_.max_in_flight) continue;
    by_leader[*leader].push_back(accumulator_.take(tp));
  }
  for (auto& [leader, batches] : by_leader) {
    ++in_flight_requests_[leader];
    ++requests_running_;
    asio::co_spawn(strand_, send_produce(leader, std::move(batches)), LogCompletion{"produce request"});
  }
}

asio::awaitable<void> Producer::send_produce(BrokerId leader, std::vector<ProducerBatch> batches) {
  Status st = co_await send_request(leader, batches);
  if (!st) {
    for (auto& batch : batches) {
      if (!batch.records.empty()) fail_or_retry(std::move(batch), st.error());
    }
  }
  --in_flight_requests_[leader];
  --requests_running_;
  wakeup_.notify();
  progress_.notify();
}

// Sends one Produce request for `batches` and completes those the broker answered; on a
// request-level failure the batches are left for the caller to retry or fail.
asio::awaitable<Status> Producer::send_request(BrokerId leader, std::vector<ProducerBatch>& batches) {
  SLUICE_CO_TRY(auto conn, co_await client_.connection(leader));
  // v3 is the first with v2 batches; zstd needs v7 (KIP-110).
  const int16_t min_version = config_.compression == protocol::CompressionType::zstd ? 7 : 3;
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::produce, min_version, protocol::ProduceRequest::kMaxVersion));
  protocol::ProduceRequest request;
  request.acks = config_.acks;
  request.timeout_ms = static_cast<int32_t>(config_.request_timeout.count());
  std::map<std::string, size_t> topic_index;
  for (auto& batch : batches) {
    if (!batch.encoded) {
      SLUICE_CO_TRY(auto encoded, encode_batch(batch, config_.compression));
      batch.encoded = std::move(encoded);
    }
    auto [it, inserted] = topic_index.try_emplace(batch.tp.topic, request.topic_data.size());
    if (inserted) request.topic_data.push_back({.name = batch.tp.topic, .partition_data = {}});
    request.topic_data[it->second].partition_data.push_back(
        {.index = batch.tp.partition, .records = protocol::RecordsView{*batch.encoded}});
    ++batch.attempts;
  }
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  if (config_.acks == 0) {
    for (auto& batch : batches) {
      batch.complete(Offset(-1), kNoTimestamp, {});
      accumulator_.release(batch.tp);
    }
    co_return ok();
  }
  handle_response(response.body, batches);
  co_return ok();
}

void Producer::handle_response(const protocol::ProduceResponse& response, std::vector<ProducerBatch>& batches) {
  for (auto& batch : batches) {
    std::optional<std::error_code> outcome;
    for (const auto& topic : response.responses) {
      if (topic.name != batch.tp.topic) continue;
      for (const auto& p : topic.partition_responses) {
        if (p.index != batch.tp.partition) continue;
        const auto code = static_cast<protocol::ErrorCode>(p.error_code);
        if (code == protocol::ErrorCode::none) {
          batch.complete(p.base_offset, p.log_append_time_ms, {});
          accumulator_.release(batch.tp);
          outcome = std::error_code{};
        } else {
          outcome = broker_error(code);
        }
      }
    }
    if (!outcome) outcome = make_error_code(Errc::malformed_response);
    if (*outcome) fail_or_retry(std::move(batch), *outcome);
  }
}

void Producer::fail_or_retry(ProducerBatch batch, std::error_code error) {
  const auto now = Clock::now();
  const bool in_time = now + config_.retry_backoff < batch.created + config_.delivery_timeout;
  if (needs_metadata(error)) request_metadata_refresh();
  if (!stopped_ && is_retriable(error) && batch.attempts <= config_.retries && in_time) {
    spdlog::debug("produce to {} failed ({}); retry {}", batch.tp.to_string(), error.message(), batch.attempts);
    batch.retry_at = now + config_.retry_backoff;
    accumulator_.reenqueue(std::move(batch));
    return;
  }
  const TopicPartition tp = batch.tp;
  batch.complete(Offset(-1), kNoTimestamp, error);
  accumulator_.release(tp);
}

void Producer::request_metadata_refresh() {
  client_.invalidate_metadata();
  if (refreshing_ || stopped_) return;
  refreshing_ = true;
  ++requests_running_;
  asio::co_spawn(strand_, refresh_metadata(), LogCompletion{"producer metadata refresh"});
}

asio::awaitable<void> Producer::refresh_metadata() {
  co_await sleep_for(config_.retry_backoff);
  std::vector<std::string> topics;
  for (const auto& [name, info] : client_.metadata().topics()) topics.push_back(name);
  Status st = co_await client_.refresh_metadata(std::move(topics));
  if (!st) spdlog::debug("producer metadata refresh failed: {}", st.error().message());
  refreshing_ = false;
  --requests_running_;
  wakeup_.notify();
}

}  // namespace sluice::client
