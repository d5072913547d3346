// ZkTopicCreator: auto-creation of topics from Metadata (auto.create.topics.enable), as Kafka's
// ZK mode: each missing topic is created through AdminZkClient with num.partitions and
// default.replication.factor and no config overrides; the controller then brings it online and
// Metadata answers LEADER_NOT_AVAILABLE until it has. As Kafka, an ordinary topic's replication
// factor is not capped (more than the live brokers fails, logged); the internal topics
// (__consumer_offsets, __transaction_state) get it capped at the live broker count.
// Illegal names and topics that exist meanwhile are skipped (logged at debug).
//
// Owner: the KafkaServer. Thread-safe. create_topics returns at once; the creations run on
// `executor`. REQUIRES: the AdminZkClient and KafkaZkClient outlive every creation it starts
// (stop the executor before destroying them).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker/asio_net.h"
#include "broker/topic_creator.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"

namespace sluice::broker {

class ZkTopicCreator final : public TopicCreator {
 public:
  struct Defaults {
    int32_t num_partitions = 1;              // num.partitions
    int16_t default_replication_factor = 1;  // default.replication.factor
  };

  ZkTopicCreator(asio::any_io_executor executor, coordination::AdminZkClient& admin,
                 coordination::KafkaZkClient& zk, Defaults defaults);

  void create_topics(std::vector<std::string> topics) override;

  // Topics whose creation is under way. Thread-safe.
  [[nodiscard]] size_t in_flight() const;

 private:
  static asio::awaitable<void> create_one(ZkTopicCreator* self, std::string topic);
  asio::awaitable<int32_t> replication_factor_for(std::string topic);

  asio::any_io_executor executor_;
  coordination::AdminZkClient& admin_;
  coordination::KafkaZkClient& zk_;
  Defaults defaults_;
  mutable std::mutex mutex_;
  std::set<std::string> in_flight_;  // a topic asked for again while being created is not re-created
};

// Kafka's internal topics, whose auto-created replication factor is capped at the live brokers.
bool is_internal_topic(const std::string& topic);

}  // namespace sluice::broker
