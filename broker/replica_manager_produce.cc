// ReplicaManager's produce path and its DelayedProduce.
#include <spdlog/spdlog.h>

#include "broker/replica_manager.h"
#include "client/async_util.h"
#include "storage/leader_epoch_cache.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;

// A partition's acks=all wait: the records up to `required` (exclusive), appended as leader in
// `epoch`.
struct Awaited {
  std::shared_ptr<Partition> partition;
  LeaderEpoch epoch{-1};
  Offset required{0};
};

// The outcome of one awaited partition, readable from any thread (the Log, its leader-epoch
// cache and the leading epoch are thread-safe). As Kafka's DelayedProduce, a partition this
// broker no longer leads is done at once with NOT_LEADER_OR_FOLLOWER: a follower truncation may
// replace the records under the same offsets, so its high watermark says nothing about them.
// Still leading in a later epoch (the controller bumps it when the ISR shrinks, or this broker
// lost and regained leadership), the records count only if the leader-epoch cache shows that
// epoch `a.epoch` still reaches past them, i.e. no truncation removed them. The high watermark is
// read first: the checks after it prove the records below `required` were not rewritten since.
enum class AwaitedState { waiting, replicated, not_leader };

AwaitedState awaited_state(const Awaited& a) {
  const std::shared_ptr<storage::Log>& log = a.partition->log();
  const Offset hw = log->high_watermark();
  const std::optional<LeaderEpoch> leading = a.partition->leading_epoch();
  if (!leading || *leading < a.epoch) return AwaitedState::not_leader;
  if (*leading != a.epoch) {
    const auto [epoch, end] = log->leader_epoch_cache().end_offset_for(a.epoch, log->log_end_offset());
    if (epoch != a.epoch || end < a.required) return AwaitedState::not_leader;
  }
  return hw >= a.required ? AwaitedState::replicated : AwaitedState::waiting;
}

// DelayedProduce (acks=-1): done when every appended partition's high watermark reached the
// offset after its last appended record, or the partition is no longer led in the epoch of the
// append.
class DelayedProduce final : public DelayedOperation {
 public:
  DelayedProduce(asio::any_io_executor executor, std::chrono::milliseconds timeout, std::vector<Awaited> awaited)
      : DelayedOperation(std::move(executor), timeout), awaited_(std::move(awaited)) {}

  bool try_complete() override {
    for (const Awaited& a : awaited_) {
      if (awaited_state(a) == AwaitedState::waiting) return false;
    }
    return force_complete();
  }

 private:
  std::vector<Awaited> awaited_;
};

// The partition's append step, on its strand.
asio::awaitable<PartitionAppendResult> append_on_strand(std::shared_ptr<Partition> partition,
                                                        storage::ProducedBytes records, int16_t produce_version,
                                                        int16_t acks) {
  co_return partition->append_records_to_leader(std::move(records), produce_version, acks);
}

}  // namespace

asio::awaitable<ProducePartitionOutput> ReplicaManager::append_one(ProducePartitionInput input,
                                                                   int16_t produce_version, int16_t acks) {
  std::shared_ptr<Partition> partition = get_partition(input.tp);
  if (!partition) {
    co_return ProducePartitionOutput{.tp = input.tp, .result = append_error(ErrorCode::unknown_topic_or_partition)};
  }
  PartitionAppendResult result = co_await asio::co_spawn(
      partition->strand(), append_on_strand(partition, std::move(input.records), produce_version, acks),
      asio::use_awaitable);
  if (result.error == ErrorCode::none) {
    partition->topic_metrics().bytes_in.inc(static_cast<uint64_t>(result.info.valid_bytes));
    partition->topic_metrics().messages_in.inc(static_cast<uint64_t>(result.info.record_count));
    fetch_purgatory_.check_and_complete(input.tp);
    produce_purgatory_.check_and_complete(input.tp);
  }
  co_return ProducePartitionOutput{.tp = std::move(input.tp), .result = result};
}

asio::awaitable<std::vector<ProducePartitionOutput>> ReplicaManager::append_records(
    int16_t acks, std::chrono::milliseconds timeout, int16_t produce_version,
    std::vector<ProducePartitionInput> inputs, std::function<void()> appended) {
  // Every partition's append step at once, each on its own strand; results in request order.
  std::vector<asio::awaitable<ProducePartitionOutput>> appends;
  appends.reserve(inputs.size());
  for (ProducePartitionInput& input : inputs) appends.push_back(append_one(std::move(input), produce_version, acks));
  std::vector<ProducePartitionOutput> outputs = co_await client::gather(std::move(appends));
  std::vector<Awaited> awaited;
  std::vector<size_t> awaited_output;  // awaited[i] is outputs[awaited_output[i]]
  std::vector<TopicPartition> keys;
  for (size_t i = 0; i < outputs.size(); ++i) {
    ProducePartitionOutput& out = outputs[i];
    if (acks != -1 || out.result.error != ErrorCode::none || out.result.info.record_count == 0) continue;
    std::shared_ptr<Partition> partition = get_partition(out.tp);
    if (!partition) {
      out.result = append_error(ErrorCode::not_leader_or_follower);  // deleted meanwhile
      continue;
    }
    Awaited a;
    a.partition = std::move(partition);
    a.epoch = out.result.leader_epoch;
    a.required = out.result.info.last_offset + 1;
    awaited.push_back(std::move(a));
    awaited_output.push_back(i);
    keys.push_back(out.tp);
  }
  if (awaited.empty()) co_return outputs;
  if (appended) appended();
  auto op = std::make_shared<DelayedProduce>(co_await asio::this_coro::executor, timeout, awaited);
  if (!produce_purgatory_.try_complete_else_watch(op, keys)) co_await op->wait();
  for (size_t i = 0; i < awaited.size(); ++i) {
    ProducePartitionOutput& out = outputs[awaited_output[i]];
    const Awaited& a = awaited[i];
    const AwaitedState done = awaited_state(a);
    if (done == AwaitedState::not_leader) {
      // Led no more (a follower now, or stopped): the records may be truncated; the producer
      // retries against the new leader.
      out.result.error = ErrorCode::not_leader_or_follower;
    } else if (done == AwaitedState::waiting) {
      out.result.error = ErrorCode::request_timed_out;
    } else if (static_cast<int64_t>(a.partition->isr_size()) < a.partition->log()->config().min_insync_replicas) {
      // Replicated, but the ISR shrank below min.insync.replicas while waiting.
      out.result.error = ErrorCode::not_enough_replicas_after_append;
    }
  }
  co_return outputs;
}

}  // namespace sluice::broker
