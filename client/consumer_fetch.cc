// The Consumer's fetching half: one Fetch per leader per round, decoded into records.
#include <limits>

#include <spdlog/spdlog.h>

#include "client/consumer.h"
#include "protocol/batch_iterator.h"
#include "protocol/record_batch.h"

namespace sluice::client {

// The state one poll round shares with its per-leader fetches.
struct Consumer::FetchRound {
  explicit FetchRound(asio::any_io_executor ex) : done(std::move(ex)) {}
  std::vector<ConsumerRecord> records;
  std::error_code error;  // the first non-retriable one
  int outstanding = 0;
  Signal done;
};

asio::awaitable<Result<std::vector<ConsumerRecord>>> Consumer::fetch_round(std::chrono::milliseconds max_wait) {
  std::vector<TopicPartition> positioned;
  for (const auto& [tp, state] : assignment_) {
    if (state.position) positioned.push_back(tp);
  }
  if (positioned.empty()) co_return std::vector<ConsumerRecord>{};
  SLUICE_CO_TRY(auto groups, co_await group_by_leader(std::move(positioned)));
  auto round = std::make_shared<FetchRound>(client_.executor());
  round->outstanding = static_cast<int>(groups.size());
  for (auto& [leader, partitions] : groups) {
    asio::co_spawn(client_.executor(), fetch_from(leader, std::move(partitions), max_wait, round),
                   LogCompletion{"consumer fetch"});
  }
  while (round->outstanding > 0) co_await round->done.wait_until(Clock::time_point::max());
  if (round->error) co_return round->error;
  co_return std::move(round->records);
}

protocol::FetchRequest Consumer::build_fetch(BrokerId leader, const std::vector<TopicPartition>& partitions,
                                             std::chrono::milliseconds max_wait) {
  protocol::FetchRequest request;
  request.replica_id = BrokerId(-1);
  request.max_wait_ms = static_cast<int32_t>(max_wait.count());
  request.min_bytes = config_.fetch_min_bytes;
  request.max_bytes = config_.fetch_max_bytes;
  request.isolation_level = 0;  // read_uncommitted
  std::vector<FetchTarget> wanted;
  wanted.reserve(partitions.size());
  for (const auto& tp : partitions) {
    wanted.push_back({.tp = tp,
                      .fetch_offset = *assignment_.at(tp).position,
                      .log_start_offset = Offset(-1),
                      .max_bytes = config_.max_partition_fetch_bytes,
                      .current_leader_epoch = LeaderEpoch(-1)});
  }
  sessions_[leader].build(wanted, request);
  return request;
}

asio::awaitable<void> Consumer::fetch_from(BrokerId leader, std::vector<TopicPartition> partitions,
                                           std::chrono::milliseconds max_wait, std::shared_ptr<FetchRound> round) {
  auto finish = [&round](std::error_code ec) {
    if (ec && !is_retriable(ec) && !round->error) round->error = ec;
    --round->outstanding;
    round->done.notify();
  };
  auto conn = co_await client_.connection(leader);
  if (!conn) {
    client_.invalidate_metadata();
    co_return finish(conn.error());
  }
  auto version = conn.value()->negotiate(protocol::ApiKey::fetch, 4, protocol::FetchRequest::kMaxVersion);
  if (!version) co_return finish(version.error());
  auto response = co_await conn.value()->send(build_fetch(leader, partitions, max_wait), version.value());
  if (!response) {
    sessions_[leader].handle_error();
    client_.invalidate_metadata();
    co_return finish(response.error());
  }
  const auto& body = response.value().body;
  // A session error (an evicted session) makes the next fetch a full one; nothing is lost.
  if (!sessions_[leader].handle_response(body) || body.error_code != 0) {
    co_return finish(broker_error(static_cast<protocol::ErrorCode>(body.error_code)));
  }
  std::error_code first_error;
  for (const auto& topic : body.responses) {
    for (const auto& p : topic.partitions) {
      const TopicPartition tp{topic.topic, p.partition_index};
      if (!assignment_.contains(tp)) continue;
      Status st = take_partition(tp, p, round->records);
      if (!st && !first_error) first_error = st.error();
    }
  }
  finish(first_error);
}

Status Consumer::take_partition(const TopicPartition& tp, const protocol::FetchResponse::PartitionData& data,
                                std::vector<ConsumerRecord>& out) {
  using protocol::ErrorCode;
  const auto code = static_cast<ErrorCode>(data.error_code);
  PartitionState& state = assignment_.at(tp);
  if (code == ErrorCode::offset_out_of_range) {
    if (config_.auto_offset_reset == OffsetReset::none) return broker_error(code);
    reset_after_out_of_range(tp);
    return ok();
  }
  if (code != ErrorCode::none) {
    if (protocol::is_retriable(code)) client_.invalidate_metadata();
    spdlog::debug("fetch {}: {}", tp.to_string(), protocol::error_code_name(code));
    return broker_error(code);
  }
  if (!data.records || !state.position) return ok();
  return decode_fetched(tp, data.records->bytes, &*state.position, out);
}

namespace {

void append_batch(const TopicPartition& tp, const protocol::DecodedBatch& batch, Offset from,
                  std::vector<ConsumerRecord>& out) {
  for (const auto& r : batch.records) {
    const Offset offset = batch.offset_of(r);
    if (offset < from) continue;
    out.push_back(ConsumerRecord{.topic = tp.topic,
                                 .partition = tp.partition,
                                 .offset = offset,
                                 .timestamp = batch.timestamp_of(r),
                                 .timestamp_type = batch.header.timestamp_type(),
                                 .key = r.key,
                                 .value = r.value,
                                 .headers = r.headers});
  }
}

}  // namespace

Status decode_fetched(const TopicPartition& tp, ByteView records, Offset* position, std::vector<ConsumerRecord>& out) {
  protocol::BatchIterator batches(records, std::numeric_limits<int32_t>::max());
  for (;;) {
    auto next = batches.next();
    if (!next) {
      // A torn tail is where the fetch's byte limit cut the last batch: fetch it next time.
      if (next.error() == protocol::Errc::truncated) return ok();
      return next.error();
    }
    if (!next.value()) return ok();
    const protocol::BatchView& view = *next.value();
    if (view.header.last_offset() < *position) continue;
    if (!view.header.is_control()) {
      SLUICE_TRY(auto decoded, protocol::decode_records(view.bytes));
      append_batch(tp, decoded, *position, out);
    }
    *position = view.header.next_offset();
  }
}

}  // namespace sluice::client
