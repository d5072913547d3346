// GroupConsumer: a Consumer whose partitions come from a consumer group (AK KafkaConsumer with
// subscribe(), ConsumerCoordinator; docs/groups.md). It finds the group's
// coordinator (FindCoordinator v2), joins (JoinGroup v5, with the KIP-394 MEMBER_ID_REQUIRED
// round trip) offering the "range" and "roundrobin" assignors over protocol type "consumer";
// the leader runs the chosen assignor over Metadata partition counts (client/assignors.h) and
// hands the result out with SyncGroup v3. Each member then reads its committed offsets
// (OffsetFetch v5+; none -> auto_offset_reset) and consumes with a Consumer in assign() mode.
//
// A heartbeat coroutine sends Heartbeat v3 every heartbeat interval while the member is in the
// group. REBALANCE_IN_PROGRESS and ILLEGAL_GENERATION mark the member for rejoining;
// UNKNOWN_MEMBER_ID also drops the member id; NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a
// lost connection drop the coordinator, which is found again before rejoining. The rejoin
// happens in the next poll(); the records poll() returns were fetched for the assignment held
// at that moment. A member that does not call poll() for rebalance_timeout (Kafka's
// max.poll.interval.ms) leaves the group, as Kafka's does.
//
// Commits are explicit: commit() commits the positions (the offset after each record poll()
// has returned), commit(offsets) the given ones, both with OffsetCommit v7 under the current
// generation. Committing after processing gives at-least-once, before it at-most-once
// (docs/delivery.md). Nothing is committed automatically, not even before a rebalance.
//
// The coordinator gets a connection of its own whose request timeout covers a JoinGroup parked
// for the whole rebalance timeout (Kafka's consumer stretches its request timeout the same way).
// Owner: the KafkaClient's strand; public coroutines hop onto it. One poll() at a time;
// close() before destroying.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/assignors.h"
#include "client/consumer.h"
#include "client/kafka_client.h"
#include "protocol/messages/offset_commit_request.h"

namespace sluice::client {

struct GroupConsumerConfig {
  std::string group_id;
  // Offered in this order; the group picks one every member supports.
  std::vector<std::string> assignors = {std::string(kRangeAssignor), std::string(kRoundRobinAssignor)};
  std::chrono::milliseconds session_timeout{45'000};
  std::chrono::milliseconds heartbeat_interval{3'000};
  std::chrono::milliseconds rebalance_timeout{300'000};  // max.poll.interval.ms
  ConsumerConfig consumer;  // fetch sizes and auto_offset_reset (for partitions without a commit)
};

// The coordinator of `group_id`, asked of any broker with FindCoordinator (key type 0).
// The broker's error (COORDINATOR_NOT_AVAILABLE...) or the client's.
asio::awaitable<Result<BrokerInfo>> find_group_coordinator(KafkaClient& client, std::string group_id);

// An OffsetCommit of `offsets` (empty metadata, leader epoch unknown) for `group_id` as member
// `member_id` of `generation` (-1 and "" for the "simple" commit of a group without members).
protocol::OffsetCommitRequest offset_commit_request(std::string group_id, int32_t generation, std::string member_id,
                                                    const std::map<TopicPartition, Offset>& offsets);

// Errors that mean "ask FindCoordinator again": NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
// COORDINATOR_LOAD_IN_PROGRESS, or a lost connection.
bool is_coordinator_error(std::error_code ec);

class GroupConsumer {
 public:
  // REQUIRES: `client` outlives the consumer and has bootstrapped.
  GroupConsumer(KafkaClient& client, GroupConsumerConfig config);
  ~GroupConsumer();
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  // Subscribes to `topics` and joins the group (waits for the first assignment). Errors: the
  // broker's (INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL...) or the
  // client's (no coordinator found, shut_down).
  asio::awaitable<Status> subscribe(std::vector<std::string> topics);
  // Rejoins first if the group asked for it, then fetches as Consumer::poll does.
  asio::awaitable<Result<std::vector<ConsumerRecord>>> poll(std::chrono::milliseconds max_wait);
  // Commits the position of every assigned partition. A failed commit under a changed
  // generation (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) marks the member
  // for rejoining and is returned: the partitions may belong to another member now.
  asio::awaitable<Status> commit();
  asio::awaitable<Status> commit(std::map<TopicPartition, Offset> offsets);
  // Stops heartbeating and leaves the group (LeaveGroup). Later calls fail with shut_down.
  asio::awaitable<void> close();

  // Call on the client's strand (or while no coroutine of the consumer runs).
  [[nodiscard]] std::vector<TopicPartition> assignment() const { return assigned_; }
  [[nodiscard]] const std::string& member_id() const { return member_id_; }
  [[nodiscard]] int32_t generation() const { return generation_; }
  [[nodiscard]] std::optional<Offset> position(const TopicPartition& tp) const { return consumer_.position(tp); }

 private:
  enum class State { unjoined, stable, closed };

  asio::awaitable<Status> subscribe_on_strand(std::vector<std::string> topics);
  asio::awaitable<Result<std::vector<ConsumerRecord>>> poll_on_strand(std::chrono::milliseconds max_wait);
  asio::awaitable<Status> commit_on_strand(std::optional<std::map<TopicPartition, Offset>> offsets);
  asio::awaitable<void> close_on_strand();

  // Joins until stable, or a non-retriable error, or closed.
  asio::awaitable<Status> ensure_joined();
  asio::awaitable<Status> join_once();
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> coordinator();
  void drop_coordinator();
  asio::awaitable<Result<std::vector<protocol::SyncGroupRequest::SyncGroupRequestAssignment>>> run_assignor(
      std::string protocol, std::vector<protocol::JoinGroupResponse::JoinGroupResponseMember> members);
  asio::awaitable<Status> start_assignment(MemberAssignment assignment);
  asio::awaitable<Result<std::map<TopicPartition, Offset>>> fetch_committed(std::vector<TopicPartition> partitions);
  asio::awaitable<Status> send_commit(std::map<TopicPartition, Offset> offsets);
  asio::awaitable<void> leave_group();
  asio::awaitable<void> heartbeat_loop();
  // Reacts to a group error of Heartbeat, SyncGroup or OffsetCommit.
  void on_group_error(std::error_code ec);

  KafkaClient& client_;
  GroupConsumerConfig config_;
  Consumer consumer_;
  std::vector<std::string> topics_;
  State state_ = State::unjoined;
  std::string member_id_;
  int32_t generation_ = -1;
  std::vector<TopicPartition> assigned_;
  std::shared_ptr<BrokerConnection> coordinator_;
  Clock::time_point last_poll_ = Clock::now();
  bool heartbeat_running_ = false;
  Signal heartbeat_signal_;  // wakes the heartbeat loop (close) and close (loop ended)
};

}  // namespace sluice::client
