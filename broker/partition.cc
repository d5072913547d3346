#include "broker/partition.h"

#include <spdlog/spdlog.h>

#include "broker/error_mapping.h"
#include "broker/produce_validation.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {

// Result<T> has no default constructor, which co_spawn's completion needs.
struct LogAppendOutcome {
  std::error_code error;
  storage::LogAppendInfo info;
};

// Runs on the blocking pool: a roll or flush.messages fsyncs.
asio::awaitable<LogAppendOutcome> append_on_pool(std::shared_ptr<storage::Log> log, Bytes batch, LeaderEpoch epoch) {
  auto info = log->append_as_leader(batch, epoch);
  if (!info) co_return LogAppendOutcome{.error = info.error(), .info = {}};
  co_return LogAppendOutcome{.error = {}, .info = info.value()};
}

}  // namespace

Partition::Partition(TopicPartition tp, BrokerId local, std::shared_ptr<storage::Log> log,
                     asio::any_io_executor strand)
    : tp_(std::move(tp)), local_(local), log_(std::move(log)), strand_(std::move(strand)) {}

void Partition::make_leader(const PartitionState& state) {
  if (leader_ && state.leader_epoch < leader_epoch_) {
    spdlog::info("{}: ignoring leadership at epoch {} below {}", tp_.to_string(), state.leader_epoch.value(),
                 leader_epoch_.value());
    return;
  }
  leader_ = true;
  leader_epoch_ = state.leader_epoch;
  replicas_ = state.replicas;
  isr_ = state.isr;
  maybe_increment_high_watermark();
}

void Partition::make_not_leader(LeaderEpoch epoch) {
  leader_ = false;
  if (epoch > leader_epoch_) leader_epoch_ = epoch;
}

ErrorCode Partition::check_leader_epoch(LeaderEpoch epoch) const {
  if (epoch == kNoLeaderEpoch) return ErrorCode::none;
  if (epoch > leader_epoch_) return ErrorCode::unknown_leader_epoch;
  if (epoch < leader_epoch_) return ErrorCode::fenced_leader_epoch;
  return ErrorCode::none;
}

asio::awaitable<PartitionAppendResult> Partition::append_records_to_leader(Bytes records, int16_t produce_version,
                                                                           int16_t acks, asio::thread_pool& pool) {
  if (!leader_) co_return append_error(ErrorCode::not_leader_or_follower);
  const storage::LogConfig config = log_->config();
  if (acks == -1 && static_cast<int64_t>(isr_.size()) < config.min_insync_replicas) {
    co_return append_error(ErrorCode::not_enough_replicas);
  }
  ValidatedRecords validated = validate_produce_records(std::move(records), produce_version, config);
  if (validated.error != ErrorCode::none) co_return append_error(validated.error);
  const LogAppendOutcome outcome =
      co_await asio::co_spawn(pool, append_on_pool(log_, std::move(validated.batch), leader_epoch_), asio::use_awaitable);
  if (outcome.error) {
    spdlog::debug("{}: append failed: {}", tp_.to_string(), outcome.error.message());
    co_return append_error(to_error_code(outcome.error));
  }
  maybe_increment_high_watermark();
  co_return PartitionAppendResult{.error = ErrorCode::none, .info = outcome.info, .log_start_offset = log_->log_start_offset()};
}

PartitionReadResult Partition::read(const PartitionReadRequest& request) const {
  if (!leader_) return read_error(ErrorCode::not_leader_or_follower);
  if (ErrorCode e = check_leader_epoch(request.current_leader_epoch); e != ErrorCode::none) return read_error(e);
  PartitionReadResult result;
  result.high_watermark = log_->high_watermark();
  result.log_start_offset = log_->log_start_offset();
  result.log_end_offset = log_->log_end_offset();
  const std::optional<Offset> limit =
      request.follower ? std::optional<Offset>() : std::optional<Offset>(result.high_watermark);
  auto slice = log_->read(request.fetch_offset, request.max_bytes, limit, request.min_one_batch);
  if (!slice) {
    result.error = to_error_code(slice.error());
    return result;
  }
  result.records = std::move(slice).value();
  return result;
}

void Partition::maybe_increment_high_watermark() {
  // ISR = {self}: every appended offset is replicated everywhere it needs to be.
  if (leader_ && isr_.size() == 1 && isr_.front() == local_) log_->set_high_watermark(log_->log_end_offset());
}

}  // namespace sluice::broker
