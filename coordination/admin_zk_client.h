// AdminZkClient: topic administration by writing ZooKeeper, as Kafka 2.8's AdminZkClient (ZK
// mode): the CreateTopics, CreatePartitions, DeleteTopics and AlterConfigs handlers and the CLI
// call it; the controller notices the znodes and does the rest (docs/replication.md).
//
// Writes, in Kafka's order:
//   create_topic        /config/topics/<t> first (so the controller sees the config when it
//                       sees the topic), then /brokers/topics/<t> (version 3, with a topic id)
//   add_partitions      /brokers/topics/<t> rewritten with the new partitions, old ones kept
//   delete_topic        /admin/delete_topics/<t> (null data)
//   change_topic_config /config/topics/<t>, then /config/changes/config_change_<seq> with
//                       {"version":2,"entity_path":"topics/<t>"}
// Nothing is transactional, as in Kafka: a crash between the two writes of create_topic leaves
// a config without a topic, which the next create of that name overwrites.
//
// Owner: the caller's executor; stateless apart from the placement source. Borrows the
// KafkaZkClient, which must outlive it. Errors: AdminError (admin_error.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/asio.h"
#include "coordination/admin_error.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/replica_assignment.h"
#include "coordination/topic_validation.h"

namespace sluice::coordination {

// A CreateTopics entry: either a partition count and replication factor, or an explicit
// assignment (partitions 0..n-1) with both counts left at -1.
struct NewTopic {
  std::string name;
  int32_t partitions = -1;
  int32_t replication_factor = -1;
  PartitionReplicas assignment;
  TopicConfig config;
};

// A topic as ZooKeeper holds it.
struct TopicDescription {
  std::string name;
  std::optional<std::string> topic_id;
  std::map<PartitionId, ReplicaAssignment> partitions;
  // Leader and ISR of the partitions the controller has brought online (a state znode exists).
  std::map<PartitionId, LeaderIsrAndControllerEpoch> states;
  TopicConfig config;
  bool marked_for_deletion = false;
};

class AdminZkClient {
 public:
  // Picks a new topic's PlacementStart given the live broker count; tests fix it.
  using PlacementSource = std::function<PlacementStart(size_t broker_count)>;

  struct Options {
    ConfigValidator validate_config;  // values; names are always checked (topic_validation.h)
    PlacementSource placement;        // default: random_placement_start
    bool write_topic_ids = true;      // Kafka 2.8 with IBP >= 2.8-IV0
  };

  explicit AdminZkClient(KafkaZkClient& zk) : AdminZkClient(zk, Options{}) {}
  AdminZkClient(KafkaZkClient& zk, Options options);

  // Validates, assigns replicas over the live brokers, and (unless validate_only) writes the
  // topic. Returns the assignment. topic_exists if the topic exists or is marked for deletion.
  asio::awaitable<AdminResult<PartitionReplicas>> create_topic(NewTopic topic, bool validate_only);

  // CreatePartitions: grows `topic` to `total_partitions`, keeping the existing assignment. The
  // new partitions' replicas come from `assignment` (one list per new partition, brokers must be
  // live) or Kafka's assignment continuing the pattern of partition 0. Returns the new
  // partitions' assignment. invalid_topic while the topic is queued for deletion,
  // reassignment_in_progress while any of its partitions is being reassigned.
  asio::awaitable<AdminResult<PartitionReplicas>> add_partitions(
      std::string topic, int32_t total_partitions, std::optional<std::vector<std::vector<BrokerId>>> assignment,
      bool validate_only);

  // Marks the topic for deletion. topic_not_found, or topic_marked_for_deletion if already
  // marked.
  asio::awaitable<AdminStatus> delete_topic(std::string topic);

  // Replaces the topic's config overrides (AlterConfigs semantics: `config` is the whole set)
  // and notifies the brokers.
  asio::awaitable<AdminStatus> change_topic_config(std::string topic, TopicConfig config);

  // Every topic, sorted, including those marked for deletion.
  asio::awaitable<AdminResult<std::vector<std::string>>> list_topics();
  // topic_not_found for an unknown topic.
  asio::awaitable<AdminResult<TopicDescription>> describe_topic(std::string topic);

 private:
  asio::awaitable<AdminCheck> check_new_topic_name(std::string name);
  asio::awaitable<AdminResult<PartitionReplicas>> plan_new_topic(NewTopic topic);
  asio::awaitable<AdminStatus> write_new_topic(NewTopic topic, PartitionReplicas assignment);
  asio::awaitable<AdminResult<std::vector<BrokerId>>> live_broker_ids();
  asio::awaitable<AdminResult<PartitionReplicas>> plan_added_partitions(
      TopicAssignment existing, int32_t total_partitions,
      std::optional<std::vector<std::vector<BrokerId>>> assignment);
  asio::awaitable<AdminResult<std::map<PartitionId, LeaderIsrAndControllerEpoch>>> partition_states(
      std::string topic, std::vector<PartitionId> partitions);

  KafkaZkClient& zk_;
  Options options_;
};

}  // namespace sluice::coordination
