// ReplicaManager's fetch path and its DelayedFetch (long poll).
#include <spdlog/spdlog.h>

#include "broker/replica_manager.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;

// DelayedFetch: done when the watched partitions hold at least min_bytes to return, or one of
// them can no longer be read or is no longer led here (an error is an answer too). As Kafka's
// DelayedFetch.tryComplete it compares positions and reads nothing: the bytes available are the
// distance from the fetch offset's position (the first read's) to the position of the end the
// fetcher may read to (high watermark, or log end for followers), both in one segment. Reads only
// what is thread-safe: the Logs and the partitions' leading epochs.
//   end vs fetch offset                     | outcome
//   led here no more                        | complete (Kafka's case A)
//   end == fetch offset                     | nothing yet
//   end < fetch offset                      | complete: truncated below the fetch (case E)
//   fetch offset below the log start        | complete: the read says out of range
//   a position unknown, or another segment  | complete (case F: a roll, or an older segment)
//   same segment                            | min(end - fetch position, max_bytes) counts
class DelayedFetch final : public DelayedOperation {
 public:
  struct Watched {
    std::shared_ptr<Partition> partition;
    std::shared_ptr<storage::Log> log;
    Offset fetch_offset{0};
    int32_t max_bytes = 0;
    std::optional<storage::LogOffsetMetadata> fetch_position;
  };

  DelayedFetch(asio::any_io_executor executor, std::chrono::milliseconds timeout, FetchParams params,
               std::vector<Watched> watched)
      : DelayedOperation(std::move(executor), timeout), params_(params), watched_(std::move(watched)) {}

  bool try_complete() override {
    int64_t available = 0;
    for (const Watched& w : watched_) {
      if (!w.partition->leading_epoch()) return force_complete();
      const Offset end = params_.replica_id >= BrokerId(0) ? w.log->log_end_offset() : w.log->high_watermark();
      if (end == w.fetch_offset) continue;
      if (end < w.fetch_offset || w.fetch_offset < w.log->log_start_offset()) return force_complete();
      const std::optional<storage::LogOffsetMetadata> end_position = w.log->offset_metadata(end);
      if (!w.fetch_position || !end_position || end_position->segment_base != w.fetch_position->segment_base) {
        return force_complete();
      }
      available += std::min<int64_t>(end_position->position - w.fetch_position->position, w.max_bytes);
    }
    return available >= params_.min_bytes ? force_complete() : false;
  }

 private:
  FetchParams params_;
  std::vector<Watched> watched_;
};

struct ReadOutcome {
  PartitionReadResult result;
  FollowerFetchOutcome follower;
};

// A follower's fetch also tells the leader where the follower's log ends.
asio::awaitable<ReadOutcome> read_on_strand(std::shared_ptr<Partition> partition, PartitionReadRequest request,
                                            BrokerId replica_id) {
  ReadOutcome out;
  out.result = partition->read(request);
  if (replica_id >= BrokerId(0) && out.result.error == ErrorCode::none) {
    out.follower = partition->update_follower_fetch(replica_id, request.fetch_offset, steady_now_ms());
  }
  co_return out;
}

bool ready_to_answer(const FetchParams& params, const std::vector<FetchPartitionOutput>& outputs) {
  if (params.max_wait_ms <= 0 || outputs.empty()) return true;
  int64_t bytes = 0;
  for (const FetchPartitionOutput& out : outputs) {
    if (out.result.error != ErrorCode::none) return true;
    bytes += out.result.records.length;
  }
  return bytes >= params.min_bytes;
}

}  // namespace

asio::awaitable<std::vector<FetchPartitionOutput>> ReplicaManager::read_all(FetchParams params,
                                                                            std::vector<FetchPartitionInput> inputs) {
  std::vector<FetchPartitionOutput> outputs;
  outputs.reserve(inputs.size());
  int64_t remaining = params.max_bytes;
  for (FetchPartitionInput& input : inputs) {
    std::shared_ptr<Partition> partition = get_partition(input.tp);
    if (!partition) {
      outputs.push_back({.tp = std::move(input.tp), .result = read_error(ErrorCode::unknown_topic_or_partition)});
      continue;
    }
    const int64_t used = static_cast<int64_t>(params.max_bytes) - remaining;
    PartitionReadRequest request{.fetch_offset = input.fetch_offset,
                                 .max_bytes = std::min<int64_t>(input.max_bytes, std::max<int64_t>(remaining, 0)),
                                 .min_one_batch = used == 0,
                                 .follower = params.replica_id >= BrokerId(0),
                                 .current_leader_epoch = input.current_leader_epoch};
    ReadOutcome outcome = co_await asio::co_spawn(partition->strand(),
                                                  read_on_strand(partition, request, params.replica_id),
                                                  asio::use_awaitable);
    if (outcome.follower.high_watermark_moved) after_high_watermark_change(input.tp);
    if (outcome.follower.expand) spawn_isr_write(partition, std::move(*outcome.follower.expand));
    PartitionReadResult result = std::move(outcome.result);
    remaining -= result.records.length;
    outputs.push_back({.tp = std::move(input.tp), .result = std::move(result)});
  }
  co_return outputs;
}

namespace {

// BytesOutPerSec counts what consumers are sent, as Kafka's does (followers' fetches are
// replication traffic), once per answered fetch.
std::vector<FetchPartitionOutput> count_bytes_out(const ReplicaManager& replica_manager, const FetchParams& params,
                                                  std::vector<FetchPartitionOutput> outputs) {
  if (params.replica_id >= BrokerId(0)) return outputs;
  for (const FetchPartitionOutput& out : outputs) {
    if (out.result.error != ErrorCode::none || out.result.records.length <= 0) continue;
    if (auto partition = replica_manager.get_partition(out.tp)) {
      partition->topic_metrics().bytes_out.inc(static_cast<uint64_t>(out.result.records.length));
    }
  }
  return outputs;
}

}  // namespace

asio::awaitable<std::vector<FetchPartitionOutput>> ReplicaManager::fetch_messages(
    FetchParams params, std::vector<FetchPartitionInput> inputs) {
  std::vector<FetchPartitionOutput> first = co_await read_all(params, inputs);
  if (ready_to_answer(params, first)) co_return count_bytes_out(*this, params, std::move(first));
  std::vector<DelayedFetch::Watched> watched;
  std::vector<TopicPartition> keys;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const FetchPartitionInput& input = inputs[i];
    std::shared_ptr<Partition> partition = get_partition(input.tp);
    if (!partition) co_return count_bytes_out(*this, params, std::move(first));
    watched.push_back({partition, partition->log(), input.fetch_offset, input.max_bytes, first[i].result.fetch_position});
    keys.push_back(input.tp);
  }
  auto op = std::make_shared<DelayedFetch>(co_await asio::this_coro::executor,
                                           std::chrono::milliseconds(params.max_wait_ms), params, std::move(watched));
  if (!fetch_purgatory_.try_complete_else_watch(op, keys)) co_await op->wait();
  co_return count_bytes_out(*this, params, co_await read_all(params, std::move(inputs)));
}

}  // namespace sluice::broker
