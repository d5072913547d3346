// KafkaController: the ZooKeeper-mode controller (after Kafka 2.8's KafkaController and
// ControllerEventManager). Every broker runs one; the one whose ephemeral /controller creation
// wins is active: it bumps /controller_epoch, reads the brokers, topics and partition states,
// watches /brokers/ids, /brokers/topics, /admin/delete_topics and each topic znode, elects
// leaders (PartitionStateMachine) and tells the brokers through the ControllerChannelManager
// (LeaderAndIsr, UpdateMetadata, StopReplica), each request stamped with the controller epoch
// and the target's broker epoch. A loser watches /controller and runs again when it vanishes.
// It also watches /isr_change_notification (leaders' ISR changes, propagated as UpdateMetadata)
// and /admin/preferred_replica_election, serves ControlledShutdown and ElectLeaders (queued as
// events like the rest), runs partition reassignments (/admin/reassign_partitions and
// AlterPartitionReassignments; kafka_controller_reassign.cc), and every leader.imbalance.check.interval moves leadership back to
// preferred replicas of brokers whose imbalance exceeds leader.imbalance.per.broker.percentage.
//
// Owner: the KafkaServer. Threads: every event (watch firings, startup, expiry) is queued onto
// one strand and handled one at a time, in order; watches only enqueue. is_active() and
// controller_id() may be read from any thread.
// Crash behaviour: none of its state is persistent; a new controller rebuilds it from ZooKeeper.
// Fencing: its partition-state writes check /controller_epoch's version; a failed check
// (controller_moved) resigns.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <deque>
#include <memory>
#include <set>
#include <string>

#include "client/asio.h"
#include "coordination/controller_channel_manager.h"
#include "coordination/controller_context.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/partition_state_machine.h"
#include "coordination/zk_client.h"
#include "protocol/error_code.h"

namespace sluice::coordination {

struct KafkaControllerConfig {
  BrokerId broker_id{0};
  bool delete_topic_enable = true;  // delete.topic.enable
  bool unclean_leader_election_enable = false;            // unclean.leader.election.enable
  bool auto_leader_rebalance_enable = true;               // auto.leader.rebalance.enable
  int32_t leader_imbalance_per_broker_percentage = 10;    // leader.imbalance.per.broker.percentage
  std::chrono::milliseconds leader_imbalance_check_interval{std::chrono::seconds(300)};
};

// The controller's answer to ControlledShutdown: an ErrorCode value and the partitions the broker
// still leads (nobody else in their ISR could take them).
struct ControlledShutdownResult {
  int16_t error_code = 0;
  std::vector<TopicPartition> remaining;
};

class KafkaController {
 public:
  // REQUIRES: zk and kafka_zk outlive the controller; the executor's context runs until
  // shutdown() completed.
  KafkaController(asio::any_io_executor executor, ZkClient& zk, KafkaZkClient& kafka_zk, KafkaControllerConfig config);
  ~KafkaController();
  KafkaController(const KafkaController&) = delete;
  KafkaController& operator=(const KafkaController&) = delete;

  // Enters the election (at startup and after a new session is registered).
  void startup();
  // The session expired: resign at once (the ephemerals are gone), before a new session exists.
  void on_session_expired();
  // Resigns (deleting /controller if ours), stops the channels and every later event. Idempotent.
  asio::awaitable<void> shutdown();

  [[nodiscard]] bool is_active() const { return active_.load(); }
  // The controller as last seen in /controller; -1 when none.
  [[nodiscard]] BrokerId controller_id() const { return BrokerId(controller_id_.load()); }
  [[nodiscard]] int32_t epoch() const { return epoch_.load(); }
  // Leader elections this broker made as controller, and the unclean ones (the metrics).
  [[nodiscard]] uint64_t leader_elections() const { return partitions_.leader_elections(); }
  [[nodiscard]] uint64_t unclean_leader_elections() const { return partitions_.unclean_leader_elections(); }

  // ControlledShutdown from `broker` (registered with `broker_epoch`, -1: unchecked): queued as an
  // event; moves its leaderships away and drops it from the ISRs. NOT_CONTROLLER when not active,
  // STALE_BROKER_EPOCH for an older registration, BROKER_NOT_AVAILABLE for an unknown broker.
  // Callable from any executor.
  asio::awaitable<ControlledShutdownResult> controlled_shutdown(BrokerId broker, int64_t broker_epoch);

  // ElectLeaders: election_type 0 = preferred, 1 = unclean (of partitions without a live leader);
  // nullopt partitions = every partition that could use one. Each partition's ErrorCode value
  // (NONE, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE,
  // UNKNOWN_TOPIC_OR_PARTITION); a top-level NOT_CONTROLLER fills `error_code`.
  struct ElectLeadersResult {
    int16_t error_code = 0;
    std::map<TopicPartition, int16_t> partitions;
  };
  asio::awaitable<ElectLeadersResult> elect_leaders(std::optional<std::vector<TopicPartition>> partitions,
                                                    int8_t election_type);

  // AlterPartitionReassignments (KIP-455): per partition a target replica list, or nullopt to
  // cancel (revert to the original replicas). Each partition's ErrorCode value: NONE (started,
  // finished or cancelled), INVALID_REPLICA_ASSIGNMENT (empty, duplicate or unknown brokers),
  // UNKNOWN_TOPIC_OR_PARTITION, NO_REASSIGNMENT_IN_PROGRESS (cancel of nothing); a top-level
  // NOT_CONTROLLER fills `error_code`. Callable from any executor.
  using ReassignmentTargets = std::map<TopicPartition, std::optional<std::vector<BrokerId>>>;
  struct AlterReassignmentsResult {
    int16_t error_code = 0;
    std::map<TopicPartition, int16_t> partitions;
  };
  asio::awaitable<AlterReassignmentsResult> alter_partition_reassignments(ReassignmentTargets targets);
  // ListPartitionReassignments: the reassignments in flight (of `partitions`, nullopt = all), with
  // the full replica set and the replicas being added and removed.
  struct ListReassignmentsResult {
    int16_t error_code = 0;
    std::map<TopicPartition, ReplicaAssignment> partitions;
  };
  asio::awaitable<ListReassignmentsResult> list_partition_reassignments(
      std::optional<std::vector<TopicPartition>> partitions);

 private:
  enum class EventType {
    startup, controller_change, expire, broker_change, topic_change, partition_modifications,
    topic_deletion, topic_deletion_stop_replica_response, isr_change, preferred_replica_election,
    auto_rebalance, controlled_shutdown, elect_leaders, reassign_partitions, alter_reassignments,
    list_reassignments,
  };
  struct Event {
    EventType type;
    std::string topic;       // partition_modifications, stop-replica response
    BrokerId broker{-1};     // stop-replica response
    bool success = false;    // stop-replica response
    int64_t broker_epoch = -1;  // controlled shutdown
    std::function<void(ControlledShutdownResult)> done;  // controlled shutdown
    std::optional<std::vector<TopicPartition>> partitions;  // elect leaders
    int8_t election_type = 0;                               // elect leaders
    std::function<void(ElectLeadersResult)> elect_done;     // elect leaders
    ReassignmentTargets targets;                                    // alter reassignments
    std::function<void(AlterReassignmentsResult)> alter_done;       // alter reassignments
    std::function<void(ListReassignmentsResult)> list_done;         // list reassignments (uses partitions)
  };

  void enqueue(Event event);
  static void fail_waiter(Event& event);
  // Answers `reply` (one of Event's reply slots, when set) with NOT_CONTROLLER and clears it.
  template <typename Result>
  static void answer_not_controller(std::function<void(Result)>& reply) {
    if (!reply) return;
    Result result;
    result.error_code = static_cast<int16_t>(protocol::ErrorCode::not_controller);
    reply(std::move(result));
    reply = nullptr;
  }
  // The public request-reply calls: enqueues `event` with its `reply` slot wired to a channel
  // and waits for the answer (NOT_CONTROLLER if the channel fails).
  template <typename Result>
  asio::awaitable<Result> ask(Event event, std::function<void(Result)> Event::*reply) {
    using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, Result)>;
    auto channel = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
    event.*reply = [channel](Result r) { channel->try_send(boost::system::error_code{}, std::move(r)); };
    enqueue(std::move(event));
    auto [ec, result] = co_await channel->async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      Result failed;
      failed.error_code = static_cast<int16_t>(protocol::ErrorCode::not_controller);
      co_return failed;
    }
    co_return result;
  }
  asio::awaitable<void> drain();
  asio::awaitable<Status> process(Event event);
  Watcher watcher(EventType type, std::string topic = {});

  // Election and failover (kafka_controller.cc).
  asio::awaitable<Status> elect();
  asio::awaitable<Status> on_controller_change();
  asio::awaitable<Status> on_controller_failover(ControllerEpochZkVersion epoch);
  asio::awaitable<Status> read_topics(std::vector<std::string> topics);
  void resign();

  // Changes (kafka_controller_events.cc).
  asio::awaitable<Status> on_broker_change();
  asio::awaitable<Status> on_broker_startup(std::vector<BrokerId> brokers);
  asio::awaitable<Status> on_broker_failure(std::vector<BrokerId> brokers);
  asio::awaitable<Status> on_topic_change();
  asio::awaitable<Status> on_partition_modifications(std::string topic);
  asio::awaitable<Status> on_new_partitions(std::vector<TopicPartition> partitions);
  asio::awaitable<Status> on_topic_deletion();
  void start_topic_deletion(const std::string& topic);
  void resume_topic_deletions(BrokerId broker);
  asio::awaitable<Status> on_stop_replica_response(std::string topic, BrokerId broker, bool success);

  // Failover, ISR changes, controlled shutdown, preferred elections (kafka_controller_cluster.cc).
  asio::awaitable<Status> on_isr_change();
  asio::awaitable<Status> on_preferred_replica_election();
  asio::awaitable<Status> on_auto_rebalance();
  asio::awaitable<Status> on_controlled_shutdown(BrokerId broker, int64_t broker_epoch,
                                                 std::function<void(ControlledShutdownResult)> done);
  asio::awaitable<Status> elect_preferred(std::vector<TopicPartition> partitions);
  asio::awaitable<Status> on_elect_leaders(std::optional<std::vector<TopicPartition>> partitions, int8_t election_type,
                                           std::function<void(ElectLeadersResult)> done);
  asio::awaitable<bool> unclean_allowed(std::string topic);
  void schedule_rebalance();

  // Partition reassignment (kafka_controller_reassign.cc, docs/replication.md).
  asio::awaitable<Status> on_reassign_partitions_znode();
  asio::awaitable<Status> on_alter_reassignments(ReassignmentTargets targets,
                                                 std::function<void(AlterReassignmentsResult)> done);
  void on_list_reassignments(std::optional<std::vector<TopicPartition>> partitions,
                             std::function<void(ListReassignmentsResult)> done);
  [[nodiscard]] protocol::ErrorCode validate_reassignment(const TopicPartition& tp,
                                                          const std::vector<BrokerId>& target) const;
  [[nodiscard]] bool reassignment_in_progress() const;
  asio::awaitable<Status> on_partition_reassignment(TopicPartition tp, std::vector<BrokerId> target);
  asio::awaitable<Status> maybe_complete_reassignments();
  // Ends the reassignment of `tp` with `target` as its replicas; false when no target replica can
  // lead yet (it stays in flight).
  asio::awaitable<Result<bool>> finish_reassignment(TopicPartition tp, std::vector<BrokerId> target);
  asio::awaitable<Status> write_topic_assignment(std::string topic);
  asio::awaitable<Status> remove_from_reassign_znode(std::set<TopicPartition> done);
  void send_stop_replica_delete(BrokerId broker, const std::vector<TopicPartition>& partitions);

  // Requests (kafka_controller_events.cc).
  void send_leader_and_isr(const std::vector<TopicPartition>& partitions);
  void send_leader_and_isr_to(BrokerId broker, const std::vector<TopicPartition>& partitions);
  void send_update_metadata();
  std::set<std::string> deleting_topics() const;

  asio::any_io_executor strand_;
  ZkClient& zk_;
  KafkaZkClient& kafka_zk_;
  const KafkaControllerConfig config_;

  // On strand_ only:
  std::deque<Event> queue_;
  bool draining_ = false;
  bool stopped_ = false;
  asio::steady_timer drained_;  // cancelled when drain() finishes, for shutdown() to wait on
  ControllerContext context_;
  std::unique_ptr<ControllerChannelManager> channels_;  // set while active
  asio::steady_timer rebalance_timer_;
  PartitionStateMachine partitions_{kafka_zk_, context_};

  std::atomic<bool> active_{false};
  std::atomic<int32_t> controller_id_{-1};
  std::atomic<int32_t> epoch_{0};
};

}  // namespace sluice::coordination
