// KafkaZkClient: Kafka's meaning on top of ZkClient, the pieces a broker needs first (after
// AK:core/src/main/scala/kafka/zk/KafkaZkClient.scala): the persistent paths, /cluster/id, the
// broker's ephemeral registration, topic assignments, partition leader/ISR state, topic configs.
// JSON shapes: kafka_zk_json.h; paths: kafka_zk_data.h.
//
// Owner: the broker; stateless apart from the ZkClient it borrows, which must outlive it.
// Errors are ZkClient's, plus Errc::corrupt_data for a znode whose JSON does not parse.
#pragma once

#include <string>
#include <vector>

#include "client/asio.h"
#include "coordination/kafka_zk_data.h"
#include "coordination/zk_client.h"

namespace sluice::coordination {

class KafkaZkClient {
 public:
  explicit KafkaZkClient(ZkClient& zk) : zk_(zk) {}

  // The persistent znodes every broker creates at startup if missing (null data).
  static const std::vector<std::string>& persistent_paths();
  asio::awaitable<Status> create_top_level_paths();

  // The cluster id: created by the first broker (a random UUID, 22-char URL-safe base64), read
  // back by every later one and by a broker that lost the creation race.
  asio::awaitable<Result<std::string>> get_or_create_cluster_id();

  // Registers this broker: the ephemeral /brokers/ids/<id>, created and filled in one multi as
  // Kafka does (so a fresh registration has version 1). Returns the broker epoch (czxid).
  // Fails with node_exists if another live session holds the id; a registration left by this
  // session (a retry after connection loss) counts as done.
  asio::awaitable<Result<int64_t>> register_broker(BrokerInfo broker);
  // Fails with no_node for an unregistered id.
  asio::awaitable<Result<BrokerInfo>> get_broker(BrokerId id);
  // Every registered broker, by id; ids that vanish while being read are skipped.
  asio::awaitable<Result<std::vector<BrokerInfo>>> get_all_brokers();

  asio::awaitable<Result<std::vector<std::string>>> get_all_topics();
  // Fails with node_exists for an existing topic.
  asio::awaitable<Status> create_topic_assignment(std::string topic, TopicAssignment assignment);
  // Returns the new version. Kafka writes this with kMatchAnyVersion (controller writes are
  // fenced by a controller-epoch check instead).
  asio::awaitable<Result<ZkVersion>> set_topic_assignment(std::string topic, TopicAssignment assignment,
                                                          ZkVersion expected);
  // Fails with no_node for an unknown topic.
  asio::awaitable<Result<VersionedTopicAssignment>> get_topic_assignment(std::string topic);

  // Creates .../partitions/<p>/state (and its null-data parents). Returns the version (0).
  asio::awaitable<Result<ZkVersion>> create_partition_state(TopicPartition tp, LeaderIsrAndControllerEpoch state);
  // leader_and_isr.zk_version is the znode's version. Fails with no_node.
  asio::awaitable<Result<LeaderIsrAndControllerEpoch>> get_partition_state(TopicPartition tp);
  // Writes only if the znode is still at `expected`; returns the new version. bad_version: another
  // writer (controller or leader) won; re-read and decide.
  asio::awaitable<Result<ZkVersion>> update_partition_state(TopicPartition tp, LeaderIsrAndControllerEpoch state,
                                                            ZkVersion expected);

  // Whether /brokers/topics/<topic> exists.
  asio::awaitable<Result<bool>> topic_exists(std::string topic);
  // Marks the topic for deletion: the null-data /admin/delete_topics/<topic>. Fails with
  // node_exists when it is already marked.
  asio::awaitable<Status> create_delete_topic_path(std::string topic);
  asio::awaitable<Result<bool>> is_topic_marked_for_deletion(std::string topic);
  // The children of /admin/delete_topics (empty if the znode is absent).
  asio::awaitable<Result<std::vector<std::string>>> get_topics_marked_for_deletion();
  // Tells every broker to re-read /config/<entity_path> ("topics/<t>"): a persistent sequential
  // /config/changes/config_change_<seq>. Returns the created path.
  asio::awaitable<Result<std::string>> create_config_change_notification(std::string entity_path);

  // Creates or overwrites /config/topics/<topic>.
  asio::awaitable<Status> set_topic_config(std::string topic, TopicConfig config);
  // An empty config when the znode is absent, as Kafka's fetchEntityConfig.
  asio::awaitable<Result<TopicConfig>> get_topic_config(std::string topic);

 private:
  // Creates `path` with `data`, creating missing ancestors with null data.
  asio::awaitable<Status> create_recursive(std::string path, Bytes data);
  asio::awaitable<Result<bool>> path_exists(std::string path);
  asio::awaitable<Status> ensure_path(std::string path);
  asio::awaitable<Result<int64_t>> existing_registration(std::string path);

  ZkClient& zk_;
};

// A random UUID as 22 chars of URL-safe base64 without padding, as Kafka's cluster ids.
std::string random_base64_uuid();

}  // namespace sluice::coordination
