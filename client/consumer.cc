#include "client/consumer.h"

#include <spdlog/spdlog.h>

namespace sluice::client {
namespace {
constexpr int64_t kLatest = -1;
}  // namespace

asio::awaitable<Status> Consumer::assign(std::vector<Assignment> assignment) {
  co_return co_await on_strand(client_.executor(), assign_on_strand(std::move(assignment)));
}

asio::awaitable<Status> Consumer::assign_on_strand(std::vector<Assignment> assignment) {
  assignment_.clear();
  for (auto& a : assignment) {
    PartitionState state{.start = a.start, .position = std::nullopt};
    if (a.start.kind == StartOffset::Kind::offset) state.position = Offset(a.start.value);
    assignment_[a.tp] = state;
  }
  co_return co_await resolve_positions();
}

std::optional<Offset> Consumer::position(const TopicPartition& tp) const {
  auto it = assignment_.find(tp);
  return it == assignment_.end() ? std::nullopt : it->second.position;
}

asio::awaitable<Result<std::vector<ConsumerRecord>>> Consumer::poll(std::chrono::milliseconds max_wait) {
  co_return co_await on_strand(client_.executor(), poll_on_strand(max_wait));
}

asio::awaitable<Result<std::vector<ConsumerRecord>>> Consumer::poll_on_strand(std::chrono::milliseconds max_wait) {
  const auto deadline = Clock::now() + max_wait;
  for (;;) {
    SLUICE_CO_TRY(co_await resolve_positions());
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto round_started = Clock::now();
    SLUICE_CO_TRY(auto records, co_await fetch_round(std::max(left, std::chrono::milliseconds(0))));
    if (!records.empty() || Clock::now() >= deadline) co_return records;
    // A broker that answers at once despite max_wait (or an error round): don't spin.
    if (Clock::now() - round_started < client_.config().retry_backoff) {
      co_await sleep_for(std::min<Clock::duration>(client_.config().retry_backoff, deadline - Clock::now()));
    }
  }
}

asio::awaitable<Result<Consumer::LeaderGroups>> Consumer::group_by_leader(std::vector<TopicPartition> partitions) {
  LeaderGroups groups;
  for (auto& tp : partitions) {
    SLUICE_CO_TRY(auto leader, co_await client_.leader_for(tp));
    groups[leader].push_back(std::move(tp));
  }
  co_return groups;
}

asio::awaitable<Status> Consumer::resolve_positions() {
  std::vector<TopicPartition> unresolved;
  for (const auto& [tp, state] : assignment_) {
    if (!state.position) unresolved.push_back(tp);
  }
  std::error_code last;
  for (int attempt = 0; attempt < client_.config().metadata_attempts && !unresolved.empty(); ++attempt) {
    if (attempt > 0) co_await sleep_for(client_.config().retry_backoff);
    SLUICE_CO_TRY(auto groups, co_await group_by_leader(unresolved));
    unresolved.clear();
    for (auto& [leader, partitions] : groups) {
      Status st = co_await resolve_on(leader, partitions);
      if (st) continue;
      if (!is_retriable(st.error())) co_return st.error();
      last = st.error();
      client_.invalidate_metadata();
      for (auto& tp : partitions) unresolved.push_back(tp);
    }
  }
  if (!unresolved.empty()) co_return last;
  co_return ok();
}

// ListOffsets on one leader. A timestamp with no record at or after it answers -1 (KIP-79):
// the position is then the log end, as for a seek past the last record.
asio::awaitable<Status> Consumer::resolve_on(BrokerId leader, std::vector<TopicPartition> partitions) {
  std::vector<std::pair<TopicPartition, int64_t>> queries;
  for (const auto& tp : partitions) queries.emplace_back(tp, assignment_[tp].start.value);
  SLUICE_CO_TRY(auto offsets, co_await list_offsets(leader, queries));
  std::vector<std::pair<TopicPartition, int64_t>> past_end;
  for (const auto& [tp, offset] : offsets) {
    if (offset.value() >= 0) {
      assignment_[tp].position = offset;
    } else {
      past_end.emplace_back(tp, kLatest);
    }
  }
  if (past_end.empty()) co_return ok();
  SLUICE_CO_TRY(auto ends, co_await list_offsets(leader, past_end));
  for (const auto& [tp, offset] : ends) assignment_[tp].position = offset;
  co_return ok();
}

asio::awaitable<Result<std::map<TopicPartition, Offset>>> Consumer::list_offsets(
    BrokerId leader, std::vector<std::pair<TopicPartition, int64_t>> queries) {
  SLUICE_CO_TRY(auto conn, co_await client_.connection(leader));
  // v1: one offset per partition, and lookups by timestamp (KIP-79). At most v3: v4+ only adds
  // leader-epoch fencing, which we don't use (and librdkafka 2.0.2's mock broker mis-encodes
  // v4+ responses with more than one partition).
  constexpr int16_t kMaxListOffsetsVersion = 3;
  SLUICE_CO_TRY(auto version, conn->negotiate(protocol::ApiKey::list_offsets, 1, kMaxListOffsetsVersion));
  protocol::ListOffsetsRequest request;
  request.replica_id = BrokerId(-1);
  std::map<std::string, size_t> index;
  for (const auto& [tp, timestamp] : queries) {
    auto [it, inserted] = index.try_emplace(tp.topic, request.topics.size());
    if (inserted) request.topics.push_back({.name = tp.topic, .partitions = {}});
    protocol::ListOffsetsRequest::ListOffsetsPartition p;
    p.partition_index = tp.partition;
    p.timestamp = timestamp;
    request.topics[it->second].partitions.push_back(p);
  }
  SLUICE_CO_TRY(auto response, co_await conn->send(std::move(request), version));
  std::map<TopicPartition, Offset> out;
  for (const auto& topic : response.body.topics) {
    for (const auto& p : topic.partitions) {
      if (p.error_code != 0) {
        spdlog::debug("ListOffsets v{} {}-{}: error {}", version, topic.name, p.partition_index.value(), p.error_code);
        co_return broker_error(static_cast<protocol::ErrorCode>(p.error_code));
      }
      out[TopicPartition{topic.name, p.partition_index}] = p.offset;
    }
  }
  if (out.size() != queries.size()) co_return Errc::malformed_response;
  co_return out;
}

void Consumer::reset_after_out_of_range(const TopicPartition& tp) {
  PartitionState& state = assignment_[tp];
  spdlog::info("{}: offset {} out of range; resetting", tp.to_string(), state.position.value_or(Offset(-1)).value());
  state.position.reset();
  state.start = config_.auto_offset_reset == OffsetReset::earliest ? StartOffset::earliest() : StartOffset::latest();
}

}  // namespace sluice::client
