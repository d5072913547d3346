// ReplicaManager's produce path and its DelayedProduce.
#include <spdlog/spdlog.h>

#include "broker/replica_manager.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;

// DelayedProduce (acks=-1): done when every appended partition's high watermark reached the
// offset after its last appended record. Only the Logs are read, which are thread-safe.
class DelayedProduce final : public DelayedOperation {
 public:
  struct Awaited {
    std::shared_ptr<storage::Log> log;
    Offset required{0};
  };

  DelayedProduce(asio::any_io_executor executor, std::chrono::milliseconds timeout, std::vector<Awaited> awaited)
      : DelayedOperation(std::move(executor), timeout), awaited_(std::move(awaited)) {}

  bool try_complete() override {
    for (const Awaited& a : awaited_) {
      if (a.log->high_watermark() < a.required) return false;
    }
    return force_complete();
  }

 private:
  std::vector<Awaited> awaited_;
};

}  // namespace

asio::awaitable<ProducePartitionOutput> ReplicaManager::append_one(ProducePartitionInput input,
                                                                   int16_t produce_version, int16_t acks) {
  std::shared_ptr<Partition> partition = get_partition(input.tp);
  if (!partition) {
    co_return ProducePartitionOutput{.tp = input.tp, .result = append_error(ErrorCode::unknown_topic_or_partition)};
  }
  PartitionAppendResult result = co_await asio::co_spawn(
      partition->strand(), partition->append_records_to_leader(std::move(input.records), produce_version, acks, pool_),
      asio::use_awaitable);
  if (result.error == ErrorCode::none) {
    fetch_purgatory_.check_and_complete(input.tp);
    produce_purgatory_.check_and_complete(input.tp);
  }
  co_return ProducePartitionOutput{.tp = std::move(input.tp), .result = result};
}

asio::awaitable<std::vector<ProducePartitionOutput>> ReplicaManager::append_records(
    int16_t acks, std::chrono::milliseconds timeout, int16_t produce_version,
    std::vector<ProducePartitionInput> inputs) {
  std::vector<ProducePartitionOutput> outputs;
  outputs.reserve(inputs.size());
  std::vector<DelayedProduce::Awaited> awaited;
  std::vector<TopicPartition> keys;
  for (ProducePartitionInput& input : inputs) {
    outputs.push_back(co_await append_one(std::move(input), produce_version, acks));
    const ProducePartitionOutput& out = outputs.back();
    if (acks != -1 || out.result.error != ErrorCode::none || out.result.info.record_count == 0) continue;
    if (auto partition = get_partition(out.tp)) {
      awaited.push_back({partition->log(), out.result.info.last_offset + 1});
      keys.push_back(out.tp);
    }
  }
  if (awaited.empty()) co_return outputs;
  auto op = std::make_shared<DelayedProduce>(co_await asio::this_coro::executor, timeout, awaited);
  if (!produce_purgatory_.try_complete_else_watch(op, keys)) co_await op->wait();
  for (ProducePartitionOutput& out : outputs) {
    if (out.result.error != ErrorCode::none || out.result.info.record_count == 0) continue;
    auto partition = get_partition(out.tp);
    if (!partition || partition->log()->high_watermark() <= out.result.info.last_offset) {
      out.result.error = ErrorCode::request_timed_out;
    } else if (static_cast<int64_t>(partition->isr_size()) < partition->log()->config().min_insync_replicas) {
      // Replicated, but the ISR shrank below min.insync.replicas while waiting.
      out.result.error = ErrorCode::not_enough_replicas_after_append;
    }
  }
  co_return outputs;
}

}  // namespace sluice::broker
