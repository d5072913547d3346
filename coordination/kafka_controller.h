// KafkaController: the ZooKeeper-mode controller (after Kafka 2.8's KafkaController and
// ControllerEventManager). Every broker runs one; the one whose ephemeral /controller creation
// wins is active: it bumps /controller_epoch, reads the brokers, topics and partition states,
// watches /brokers/ids, /brokers/topics, /admin/delete_topics and each topic znode, elects
// leaders (PartitionStateMachine) and tells the brokers through the ControllerChannelManager
// (LeaderAndIsr, UpdateMetadata, StopReplica), each request stamped with the controller epoch
// and the target's broker epoch. A loser watches /controller and runs again when it vanishes.
//
// Owner: the KafkaServer. Threads: every event (watch firings, startup, expiry) is queued onto
// one strand and handled one at a time, in order; watches only enqueue. is_active() and
// controller_id() may be read from any thread.
// Crash behaviour: none of its state is persistent; a new controller rebuilds it from ZooKeeper.
// Fencing: its partition-state writes check /controller_epoch's version; a failed check
// (controller_moved) resigns.
#pragma once

#include <atomic>
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

namespace sluice::coordination {

struct KafkaControllerConfig {
  BrokerId broker_id{0};
  bool delete_topic_enable = true;  // delete.topic.enable
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

 private:
  enum class EventType {
    startup, controller_change, expire, broker_change, topic_change, partition_modifications,
    topic_deletion, topic_deletion_stop_replica_response,
  };
  struct Event {
    EventType type;
    std::string topic;       // partition_modifications, stop-replica response
    BrokerId broker{-1};     // stop-replica response
    bool success = false;    // stop-replica response
  };

  void enqueue(Event event);
  asio::awaitable<void> drain();
  asio::awaitable<Status> process(Event event);
  Watcher watcher(EventType type, std::string topic = {});

  // Election and failover (kafka_controller.cc).
  asio::awaitable<Status> elect();
  asio::awaitable<Status> on_controller_change();
  asio::awaitable<Status> on_controller_failover(ControllerEpochZkVersion epoch);
  asio::awaitable<Status> read_topic(std::string topic);
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
  PartitionStateMachine partitions_{kafka_zk_, context_};

  std::atomic<bool> active_{false};
  std::atomic<int32_t> controller_id_{-1};
  std::atomic<int32_t> epoch_{0};
};

}  // namespace sluice::coordination
