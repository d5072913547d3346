#include "broker/group/offset_manager.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "broker/spawn.h"

namespace sluice::broker::group {
namespace {

using coordination::CommittedOffset;
using coordination::ConsumerOffsetsZk;
using coordination::GroupOffsetMap;
using protocol::ErrorCode;

}  // namespace

OffsetManager::OffsetManager(asio::any_io_executor executor, coordination::ZkClient& zk, const MetadataCache& metadata,
                             GroupMembership& membership, OffsetManagerConfig config)
    : strand_(asio::make_strand(std::move(executor))),
      zk_offsets_(zk),
      metadata_(metadata),
      membership_(membership),
      config_(config) {}

void OffsetManager::start() {
  asio::co_spawn(strand_, expiry_loop(), log_completion("offset expiry"));
}

void OffsetManager::stop() {
  asio::dispatch(strand_, [this] {
    *stopped_ = true;
    if (timer_) timer_->cancel();
  });
}

asio::awaitable<void> OffsetManager::expiry_loop() {
  const std::shared_ptr<bool> stopped = stopped_;
  timer_ = std::make_shared<asio::steady_timer>(strand_);
  const std::shared_ptr<asio::steady_timer> timer = timer_;
  while (!*stopped) {
    timer->expires_after(config_.retention_check_interval);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (*stopped) break;
    const auto now = TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
    auto removed = co_await expire_on_strand(now);
    if (!*removed) spdlog::warn("offset expiry failed: {}", removed->error().message());
    else if (removed->value() > 0) spdlog::info("offset expiry removed {} committed offsets", removed->value());
  }
}

bool OffsetManager::coordinates(std::string_view group_id) const {
  return group::coordinates(*metadata_.snapshot(), config_.broker_id, group_id);
}

bool OffsetManager::valid_group_id(std::string_view group_id) { return ConsumerOffsetsZk::group_id_fits(group_id); }

asio::awaitable<Result<GroupOffsetMap*>> OffsetManager::load(const std::string& group_id) {
  // The strand is free while ZooKeeper answers, so a write to the group may start or finish
  // during the read, and ZooKeeper may have served the read before that write: such a read is
  // not cached (it could hide the write until the next reload); read again.
  constexpr int kReads = 5;
  for (int attempt = 0; attempt < kReads; ++attempt) {
    const uint64_t version = metadata_.snapshot()->brokers_version;
    auto it = cache_.find(group_id);
    if (it != cache_.end() && it->second.brokers_version == version) co_return &it->second.offsets;
    const uint64_t writes_before = writes_[group_id];
    auto read = co_await zk_offsets_.read_group(group_id);
    if (!read) co_return read.error();
    if (writes_[group_id] != writes_before) continue;
    Entry& entry = cache_[group_id];
    entry.brokers_version = version;
    entry.offsets = std::move(read).value();
    co_return &entry.offsets;
  }
  co_return make_error_code(coordination::Errc::operation_timeout);
}

void OffsetManager::note_write(const std::string& group_id) { ++writes_[group_id]; }

asio::awaitable<Status> OffsetManager::commit(std::string group_id, GroupOffsetMap offsets) {
  auto done = co_await asio::co_spawn(strand_, commit_on_strand(std::move(group_id), std::move(offsets)),
                                      asio::use_awaitable);
  co_return std::move(*done);
}

asio::awaitable<std::optional<Status>> OffsetManager::commit_on_strand(std::string group_id, GroupOffsetMap offsets) {
  const uint64_t version = metadata_.snapshot()->brokers_version;
  note_write(group_id);
  const Status written = co_await zk_offsets_.commit(group_id, offsets);
  note_write(group_id);
  auto it = cache_.find(group_id);
  if (!written) {
    // A connection loss leaves the outcome unknown: read the group again next time.
    if (it != cache_.end()) cache_.erase(it);
    co_return written;
  }
  if (it != cache_.end() && it->second.brokers_version == version) {
    for (auto& [tp, committed] : offsets) it->second.offsets[tp] = std::move(committed);
  } else if (it != cache_.end()) {
    cache_.erase(it);
  }
  co_return written;
}

asio::awaitable<Result<GroupOffsetMap>> OffsetManager::fetch(std::string group_id) {
  auto done = co_await asio::co_spawn(strand_, fetch_on_strand(std::move(group_id)), asio::use_awaitable);
  co_return std::move(*done);
}

asio::awaitable<std::optional<Result<GroupOffsetMap>>> OffsetManager::fetch_on_strand(std::string group_id) {
  auto entry = co_await load(group_id);
  if (!entry) co_return Result<GroupOffsetMap>(entry.error());
  co_return Result<GroupOffsetMap>(*entry.value());
}

asio::awaitable<ErrorCode> OffsetManager::delete_group(std::string group_id) {
  auto done = co_await asio::co_spawn(strand_, delete_on_strand(std::move(group_id)), asio::use_awaitable);
  co_return *done;
}

// Kafka's order: an unknown (Dead) group is GROUP_ID_NOT_FOUND, one with members NON_EMPTY_GROUP,
// an Empty one (here: also a group that only has offsets) is deleted with its offsets.
asio::awaitable<std::optional<ErrorCode>> OffsetManager::delete_on_strand(std::string group_id) {
  const std::optional<GroupStatus> status = co_await membership_.status(group_id);
  auto entry = co_await load(group_id);
  if (!entry) co_return ErrorCode::coordinator_not_available;
  const bool known = (status && status->state != GroupState::dead) || !entry.value()->empty();
  if (!known) co_return ErrorCode::group_id_not_found;
  const ErrorCode removed = co_await membership_.remove_if_empty(group_id);
  if (removed != ErrorCode::none) co_return removed;
  note_write(group_id);
  const Status deleted = co_await zk_offsets_.delete_group(group_id);
  note_write(group_id);
  cache_.erase(group_id);
  if (!deleted) co_return ErrorCode::coordinator_not_available;
  co_return ErrorCode::none;
}

asio::awaitable<Result<size_t>> OffsetManager::expire_offsets(TimestampMs now) {
  auto done = co_await asio::co_spawn(strand_, expire_on_strand(now), asio::use_awaitable);
  co_return std::move(*done);
}

asio::awaitable<std::optional<Result<size_t>>> OffsetManager::expire_on_strand(TimestampMs now) {
  auto groups = co_await zk_offsets_.list_groups();
  if (!groups) co_return Result<size_t>(groups.error());
  size_t removed = 0;
  for (const std::string& group_id : groups.value()) {
    if (!coordinates(group_id)) continue;
    const std::optional<GroupStatus> status = co_await membership_.status(group_id);
    if (status && status->state != GroupState::empty) continue;
    const TimestampMs empty_since = status && status->empty_since ? *status->empty_since : kNoTimestamp;
    auto entry = co_await load(group_id);
    if (!entry) co_return Result<size_t>(entry.error());
    std::vector<TopicPartition> expired;
    for (const auto& [tp, committed] : *entry.value()) {
      if (committed.commit_timestamp == kNoTimestamp) continue;  // no meta znode: never expires
      const int64_t since = std::max(committed.commit_timestamp.value(), empty_since.value());
      if (since + config_.retention.count() < now.value()) expired.push_back(tp);
    }
    if (expired.empty()) continue;
    note_write(group_id);
    const Status deleted = co_await zk_offsets_.delete_partitions(group_id, expired);
    note_write(group_id);
    if (!deleted) {
      cache_.erase(group_id);
      co_return Result<size_t>(deleted.error());
    }
    // `entry` may be stale after the awaits: look the group up again.
    auto it = cache_.find(group_id);
    if (it != cache_.end()) {
      for (const TopicPartition& tp : expired) it->second.offsets.erase(tp);
    }
    removed += expired.size();
    spdlog::info("expired {} committed offsets of group {}", expired.size(), group_id);
  }
  co_return Result<size_t>(removed);
}

asio::awaitable<Result<std::vector<std::string>>> OffsetManager::groups_with_offsets() {
  auto groups = co_await zk_offsets_.list_groups();
  if (!groups) co_return groups.error();
  std::vector<std::string> mine;
  for (std::string& group_id : groups.value()) {
    if (coordinates(group_id)) mine.push_back(std::move(group_id));
  }
  co_return mine;
}

asio::awaitable<Result<bool>> OffsetManager::has_offsets(std::string group_id) {
  auto offsets = co_await fetch(std::move(group_id));
  if (!offsets) co_return offsets.error();
  co_return !offsets.value().empty();
}

}  // namespace sluice::broker::group
