#include "broker/partition.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "broker/error_mapping.h"
#include "broker/produce_validation.h"
#include "storage/leader_epoch_cache.h"
#include "storage/validated_batches.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {

// v2 batch header: baseOffset int64, batchLength int32, ..., lastOffsetDelta int32 at byte 23.
constexpr size_t kLastOffsetDeltaAt = 23;

std::string ids_to_string(const std::vector<BrokerId>& ids) {
  std::string out;
  for (BrokerId id : ids) {
    if (!out.empty()) out.push_back(',');
    out.append(std::to_string(id.value()));
  }
  return out;
}

}  // namespace

ByteView batches_from(ByteView records, Offset log_end_offset) {
  size_t begin = 0;
  size_t pos = 0;
  while (pos + kLastOffsetDeltaAt + 4 <= records.size()) {
    const auto base = load_be<int64_t>(records.data() + pos);
    const auto length = load_be<int32_t>(records.data() + pos + 8);
    if (length < 0) break;
    const size_t total = protocol::kLogOverhead + static_cast<size_t>(length);
    if (pos + total > records.size() || total < kLastOffsetDeltaAt + 4) break;
    const auto last = base + load_be<int32_t>(records.data() + pos + kLastOffsetDeltaAt);
    pos += total;
    if (Offset(last) < log_end_offset) begin = pos;
  }
  return records.subspan(begin, pos - begin);
}

Offset isr_high_watermark(BrokerId local, Offset leader_leo, const std::vector<BrokerId>& isr,
                          const std::map<BrokerId, FollowerState>& followers) {
  Offset hw = leader_leo;
  for (BrokerId id : isr) {
    if (id == local) continue;
    auto it = followers.find(id);
    const Offset leo = it == followers.end() ? Offset(-1) : it->second.log_end_offset;
    hw = std::min(hw, leo);
  }
  return hw;
}

void record_follower_fetch(FollowerState& state, Offset fetch_offset, Offset leader_leo, int64_t now_ms) {
  if (fetch_offset >= leader_leo) {
    state.last_caught_up_ms = now_ms;
  } else if (fetch_offset >= state.leader_end_offset_at_last_fetch && state.leader_end_offset_at_last_fetch >= Offset(0)) {
    state.last_caught_up_ms = std::max(state.last_caught_up_ms, state.last_fetch_ms);
  }
  state.log_end_offset = fetch_offset;
  state.leader_end_offset_at_last_fetch = leader_leo;
  state.last_fetch_ms = now_ms;
}

std::vector<BrokerId> out_of_sync_replicas(BrokerId local, Offset leader_leo, const std::vector<BrokerId>& isr,
                                           const std::map<BrokerId, FollowerState>& followers, int64_t now_ms,
                                           int64_t max_lag_ms) {
  std::vector<BrokerId> out;
  for (BrokerId id : isr) {
    if (id == local) continue;
    auto it = followers.find(id);
    if (it == followers.end()) continue;  // not tracked: the leader started tracking every ISR member
    const FollowerState& f = it->second;
    if (f.log_end_offset != leader_leo && now_ms - f.last_caught_up_ms > max_lag_ms) out.push_back(id);
  }
  return out;
}

Partition::Partition(TopicPartition tp, BrokerId local, std::shared_ptr<storage::Log> log,
                     asio::any_io_executor strand)
    : tp_(std::move(tp)),
      local_(local),
      log_(std::move(log)),
      strand_(std::move(strand)),
      topic_metrics_(metrics::topic_metrics(tp_.topic)) {}

void Partition::make_leader(const PartitionState& state, int64_t now_ms) {
  if (state.leader_epoch < leader_epoch_) {
    spdlog::info("{}: ignoring leadership at epoch {} below {}", tp_.to_string(), state.leader_epoch.value(),
                 leader_epoch_.value());
    return;
  }
  const bool new_term = !leader_ || state.leader_epoch != leader_epoch_;
  leader_ = true;
  follower_ = false;
  leader_epoch_ = state.leader_epoch;
  leading_epoch_.store(leader_epoch_.value());
  replicas_ = state.replicas;
  replica_count_.store(replicas_.size());
  isr_ = state.isr;
  isr_size_.store(isr_.size());
  zk_version_ = state.zk_version;
  controller_epoch_ = state.controller_epoch;
  if (new_term) {
    // KIP-279: the leader can always answer OffsetForLeaderEpoch for its own epoch.
    if (leader_epoch_ >= LeaderEpoch(0)) log_->leader_epoch_cache().assign(leader_epoch_, log_->log_end_offset());
    followers_.clear();
    isr_change_in_flight_ = false;
    for (BrokerId id : replicas_) {
      if (id == local_) continue;
      FollowerState f;
      // ISR members count as caught up now; the others must catch up first.
      if (std::find(isr_.begin(), isr_.end(), id) != isr_.end()) f.last_caught_up_ms = now_ms;
      followers_[id] = f;
    }
  }
  maybe_increment_high_watermark();
}

void Partition::make_follower(const PartitionState& state) {
  leader_ = false;
  follower_ = true;
  leading_epoch_.store(kNotLeading);
  if (state.leader_epoch > leader_epoch_) leader_epoch_ = state.leader_epoch;
  replicas_ = state.replicas;
  replica_count_.store(replicas_.size());
  isr_.clear();
  isr_size_.store(0);
  zk_version_ = state.zk_version;
  controller_epoch_ = state.controller_epoch;
  followers_.clear();
  isr_change_in_flight_ = false;
}

void Partition::make_not_leader(LeaderEpoch epoch) {
  leader_ = false;
  follower_ = false;
  leading_epoch_.store(kNotLeading);
  if (epoch > leader_epoch_) leader_epoch_ = epoch;
  followers_.clear();
}

IsrChange Partition::isr_change(std::vector<BrokerId> new_isr) const {
  IsrChange change;
  change.tp = tp_;
  change.new_isr = std::move(new_isr);
  change.leader_epoch = leader_epoch_;
  change.controller_epoch = controller_epoch_;
  change.expected = zk_version_;
  return change;
}

FollowerFetchOutcome Partition::update_follower_fetch(BrokerId replica, Offset fetch_offset, int64_t now_ms) {
  FollowerFetchOutcome outcome;
  if (!leader_) return outcome;
  auto it = followers_.find(replica);
  if (it == followers_.end()) return outcome;  // not an assigned replica
  record_follower_fetch(it->second, fetch_offset, log_->log_end_offset(), now_ms);
  outcome.high_watermark_moved = maybe_increment_high_watermark();
  // Expand: a replica outside the ISR that reached the high watermark and the current epoch.
  const bool in_isr = std::find(isr_.begin(), isr_.end(), replica) != isr_.end();
  if (!in_isr && !isr_change_in_flight_) {
    const auto epoch_start = log_->leader_epoch_cache().latest_entry();
    const Offset epoch_start_offset = epoch_start ? epoch_start->start_offset : Offset(0);
    if (fetch_offset >= log_->high_watermark() && fetch_offset >= epoch_start_offset) {
      std::vector<BrokerId> grown = isr_;
      grown.push_back(replica);
      isr_change_in_flight_ = true;
      outcome.expand = isr_change(std::move(grown));
    }
  }
  return outcome;
}

std::optional<IsrChange> Partition::maybe_shrink_isr(int64_t now_ms, int64_t max_lag_ms) {
  if (!leader_ || isr_change_in_flight_) return std::nullopt;
  const std::vector<BrokerId> lagging =
      out_of_sync_replicas(local_, log_->log_end_offset(), isr_, followers_, now_ms, max_lag_ms);
  if (lagging.empty()) return std::nullopt;
  std::vector<BrokerId> shrunk;
  for (BrokerId id : isr_) {
    if (std::find(lagging.begin(), lagging.end(), id) == lagging.end()) shrunk.push_back(id);
  }
  isr_change_in_flight_ = true;
  return isr_change(std::move(shrunk));
}

bool Partition::complete_isr_change(const IsrChange& change, std::optional<ZkVersion> new_version) {
  if (change.leader_epoch != leader_epoch_ || change.expected != zk_version_) return false;  // a newer state came
  isr_change_in_flight_ = false;
  if (!leader_ || !new_version) return false;
  spdlog::info("{}: ISR [{}] at zkVersion {}", tp_.to_string(), ids_to_string(change.new_isr),
               new_version->value());
  (change.new_isr.size() < isr_.size() ? metrics::isr_shrinks() : metrics::isr_expands()).inc();
  isr_ = change.new_isr;
  isr_size_.store(isr_.size());
  zk_version_ = *new_version;
  return maybe_increment_high_watermark();
}

ErrorCode Partition::check_leader_epoch(LeaderEpoch epoch) const {
  if (epoch == kNoLeaderEpoch) return ErrorCode::none;
  if (epoch > leader_epoch_) return ErrorCode::unknown_leader_epoch;
  if (epoch < leader_epoch_) return ErrorCode::fenced_leader_epoch;
  return ErrorCode::none;
}

PartitionAppendResult Partition::append_records_to_leader(storage::ProducedBytes records, int16_t produce_version,
                                                         int16_t acks) {
  if (!leader_) return append_error(ErrorCode::not_leader_or_follower);
  const storage::LogConfig config = log_->config();
  if (acks == -1 && static_cast<int64_t>(isr_.size()) < config.min_insync_replicas) {
    return append_error(ErrorCode::not_enough_replicas);
  }
  ValidatedRecords validated = validate_produce_records(std::move(records), produce_version, config);
  if (validated.error != ErrorCode::none) return append_error(validated.error);
  auto info = log_->append_as_leader(*validated.batch, leader_epoch_);
  if (!info) {
    spdlog::debug("{}: append failed: {}", tp_.to_string(), info.error().message());
    return append_error(to_error_code(info.error()));
  }
  maybe_increment_high_watermark();
  PartitionAppendResult result;
  result.info = info.value();
  result.log_start_offset = log_->log_start_offset();
  result.leader_epoch = leader_epoch_;
  return result;
}

FollowerStepResult Partition::append_records_to_follower(ByteView records, std::shared_ptr<const void> owner,
                                                           LeaderEpoch epoch, Offset leader_high_watermark,
                                                           Offset leader_log_start_offset) {
  FollowerStepResult result;
  if (!is_follower_in(epoch)) {
    result.stale = true;
    return result;
  }
  const ByteView batches = batches_from(records, log_->log_end_offset());
  if (!batches.empty()) {
    auto validated = storage::ValidatedBatches::for_follower(batches, std::move(owner), log_->config());
    if (!validated) {
      result.error = validated.error();
      return result;
    }
    auto appended = log_->append_as_follower(validated.value());
    if (!appended) {
      result.error = appended.error();
      return result;
    }
  }
  log_->set_high_watermark(std::min(leader_high_watermark, log_->log_end_offset()));
  follow_log_start_offset(leader_log_start_offset);
  return result;
}

FollowerStepResult Partition::truncate_as_follower(Offset offset, LeaderEpoch epoch) {
  return follower_step(epoch, [&] { return log_->truncate_to(offset); });
}

FollowerStepResult Partition::truncate_fully_as_follower(Offset offset, LeaderEpoch epoch) {
  return follower_step(epoch, [&] { return log_->truncate_fully_and_start_at(offset); });
}

FollowerStepResult Partition::follower_step(LeaderEpoch epoch, const std::function<Status()>& step) {
  FollowerStepResult result;
  if (!is_follower_in(epoch)) {
    result.stale = true;
    return result;
  }
  if (Status done = step(); !done) result.error = done.error();
  return result;
}

// Kafka's follower: maybeIncrementLogStartOffset(leader's), never past its own high watermark.
void Partition::follow_log_start_offset(Offset leader_log_start_offset) {
  const Offset target = std::min(leader_log_start_offset, log_->high_watermark());
  if (target <= log_->log_start_offset()) return;
  const Status raised = log_->delete_records_before(target);
  if (!raised) {
    spdlog::warn("{}: cannot raise the log start offset to {}: {}", tp_.to_string(), target.value(),
                 raised.error().message());
    return;
  }
  // The whole segments below the new start go now, as on the leader's next retention pass.
  auto deleted = log_->delete_old_segments();
  if (!deleted) {
    spdlog::warn("{}: deleting segments below {} failed: {}", tp_.to_string(), target.value(),
                 deleted.error().message());
  }
  spdlog::debug("{}: log start offset {} from the leader", tp_.to_string(), target.value());
}

EpochEndOffsetResult Partition::end_offset_for_epoch(LeaderEpoch current_leader_epoch, LeaderEpoch requested) const {
  EpochEndOffsetResult result;
  if (!leader_) {
    result.error = ErrorCode::not_leader_or_follower;
    return result;
  }
  if (ErrorCode e = check_leader_epoch(current_leader_epoch); e != ErrorCode::none) {
    result.error = e;
    return result;
  }
  const auto [epoch, end] = log_->leader_epoch_cache().end_offset_for(requested, log_->log_end_offset());
  result.epoch = epoch;
  result.end_offset = end;
  return result;
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
  if (result.records.file) {
    result.fetch_position = storage::LogOffsetMetadata{request.fetch_offset, result.records.segment_base,
                                                       result.records.position.value()};
  } else {
    result.fetch_position = log_->offset_metadata(request.fetch_offset);
  }
  return result;
}

bool Partition::maybe_increment_high_watermark() {
  if (!leader_) return false;
  const Offset hw = isr_high_watermark(local_, log_->log_end_offset(), isr_, followers_);
  if (hw <= log_->high_watermark()) return false;  // only forward
  log_->set_high_watermark(hw);
  return true;
}

}  // namespace sluice::broker
