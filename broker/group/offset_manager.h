// OffsetManager: committed offsets of the groups this broker coordinates (OffsetCommit,
// OffsetFetch, DeleteGroups, offset expiry), kept in ZooKeeper by ConsumerOffsetsZk
// (docs/groups.md) with a per-group cache in front.
//
// A group's cache entry is loaded from ZooKeeper on first use and is valid only while
// MetadataCache::Snapshot::brokers_version is the one it was loaded under: when the live brokers
// change, the group may have moved away and back, and another coordinator may have written
// meanwhile, so the entry is read again. A commit updates the entry only after its multi
// committed. Every expiry_interval, groups this broker coordinates whose membership status is
// nullopt or Empty lose the offsets whose max(commit_timestamp, empty_since) + retention < now
// (one multi per group); offsets without a meta znode (written by old tools) never expire.
//
// Owner: the KafkaServer. Every call may be made from any executor; state lives on strand_.
// The GroupMembership, ZkClient and MetadataCache must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "broker/group/group_interfaces.h"
#include "broker/metadata_cache.h"
#include "coordination/consumer_offsets_zk.h"
#include "coordination/zk_client.h"
#include "protocol/error_code.h"

namespace sluice::broker::group {

struct OffsetManagerConfig {
  BrokerId broker_id{0};
  int32_t offset_metadata_max_bytes = 4096;            // offset.metadata.max.bytes
  std::chrono::milliseconds retention{10080LL * 60 * 1000};  // offsets.retention.minutes
  std::chrono::milliseconds retention_check_interval{600000};  // offsets.retention.check.interval.ms
};

class OffsetManager final : public GroupOffsets {
 public:
  OffsetManager(asio::any_io_executor executor, coordination::ZkClient& zk, const MetadataCache& metadata,
                GroupMembership& membership, OffsetManagerConfig config);

  // Starts the expiry timer; stop() cancels it. Both from any thread.
  void start();
  void stop();

  [[nodiscard]] const OffsetManagerConfig& config() const { return config_; }
  [[nodiscard]] const MetadataCache& metadata() const { return metadata_; }
  // Whether this broker coordinates `group_id` now.
  [[nodiscard]] bool coordinates(std::string_view group_id) const;
  // Whether the id can name a group here (its escaped znode name fits).
  [[nodiscard]] static bool valid_group_id(std::string_view group_id);

  // Stores `offsets` in one multi; the cache follows only a committed multi.
  asio::awaitable<Status> commit(std::string group_id, coordination::GroupOffsetMap offsets);
  // Every committed offset of the group, from the cache (loaded or reloaded as needed).
  asio::awaitable<Result<coordination::GroupOffsetMap>> fetch(std::string group_id);
  // DeleteGroups for one group (the checks of docs/groups.md), after the id and coordinator checks.
  asio::awaitable<protocol::ErrorCode> delete_group(std::string group_id);
  // One expiry pass at `now` (the timer's body; public for tests). Returns the partitions removed.
  asio::awaitable<Result<size_t>> expire_offsets(TimestampMs now);

  // GroupOffsets.
  asio::awaitable<Result<std::vector<std::string>>> groups_with_offsets() override;
  asio::awaitable<Result<bool>> has_offsets(std::string group_id) override;

 private:
  struct Entry {
    uint64_t brokers_version = 0;
    coordination::GroupOffsetMap offsets;
  };
  asio::awaitable<std::optional<Status>> commit_on_strand(std::string group_id, coordination::GroupOffsetMap offsets);
  asio::awaitable<std::optional<Result<coordination::GroupOffsetMap>>> fetch_on_strand(std::string group_id);
  asio::awaitable<std::optional<protocol::ErrorCode>> delete_on_strand(std::string group_id);
  asio::awaitable<std::optional<Result<size_t>>> expire_on_strand(TimestampMs now);
  // On strand_: the group's current entry.
  asio::awaitable<Result<coordination::GroupOffsetMap*>> load(const std::string& group_id);
  // On strand_: called when a write to the group's offsets starts and when it ends.
  void note_write(const std::string& group_id);
  asio::awaitable<void> expiry_loop();

  asio::any_io_executor strand_;
  coordination::ConsumerOffsetsZk zk_offsets_;
  const MetadataCache& metadata_;
  GroupMembership& membership_;
  OffsetManagerConfig config_;
  std::map<std::string, Entry> cache_;  // on strand_
  // On strand_: per group, bumped when a write to its offsets starts and when it ends; a read
  // of the group that saw it change is not cached.
  std::map<std::string, uint64_t> writes_;
  std::shared_ptr<asio::steady_timer> timer_;
  std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
};

}  // namespace sluice::broker::group
