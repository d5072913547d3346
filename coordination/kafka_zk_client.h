// KafkaZkClient: Kafka's meaning on top of ZkClient, the pieces a broker needs first (after
// AK:core/src/main/scala/kafka/zk/KafkaZkClient.scala): the persistent paths, /cluster/id, the
// broker's ephemeral registration, topic assignments, partition leader/ISR state, topic configs.
// JSON shapes: kafka_zk_json.h; paths: kafka_zk_data.h.
//
// Owner: the broker; stateless apart from the ZkClient it borrows, which must outlive it.
// Errors are ZkClient's, plus Errc::corrupt_data for a znode whose JSON does not parse.
#pragma once

#include <map>
#include <optional>
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
  // Many partitions' states at once, pipelined (the client bounds the requests in flight, as
  // Kafka's getTopicPartitionStates does): a failover reads thousands. Partitions without a
  // state znode are left out.
  asio::awaitable<Result<std::map<TopicPartition, LeaderIsrAndControllerEpoch>>> get_partition_states(
      std::vector<TopicPartition> tps);
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

  // The controller's znodes (kafka_zk_client_controller.cc).
  // /controller's broker id, nullopt when there is no controller. With a watcher, an exists watch
  // is armed either way, so it fires when a controller appears, changes or vanishes.
  asio::awaitable<Result<std::optional<BrokerId>>> get_controller_id();
  asio::awaitable<Result<std::optional<BrokerId>>> get_controller_id(Watcher watcher);
  // nullopt when /controller_epoch is absent (no controller was ever elected).
  asio::awaitable<Result<std::optional<ControllerEpochZkVersion>>> get_controller_epoch();
  // The election: creates /controller_epoch ("0") if absent, then in one multi creates the
  // ephemeral /controller {"version":1,"brokerid":N,"timestamp":"<ms>"} and sets
  // /controller_epoch to epoch+1 conditional on its version. Returns the new epoch and version.
  // Fails with node_exists when another broker is controller (or won this race).
  asio::awaitable<Result<ControllerEpochZkVersion>> register_controller_and_increment_epoch(BrokerId id);
  // Deletes /controller if this session created it (resignation); ok when absent or not ours.
  asio::awaitable<Status> delete_controller_if_owned();

  // Fenced partition-state writes: a multi of check(/controller_epoch, epoch_zk_version) and the
  // write. Fail with controller_moved when the check fails, else as create/update_partition_state.
  asio::awaitable<Result<ZkVersion>> create_partition_state(TopicPartition tp, LeaderIsrAndControllerEpoch state,
                                                            ZkVersion epoch_zk_version);
  asio::awaitable<Result<ZkVersion>> update_partition_state(TopicPartition tp, LeaderIsrAndControllerEpoch state,
                                                            ZkVersion expected, ZkVersion epoch_zk_version);
  // Many such writes in one multi (a check of /controller_epoch, then a conditional set_data per
  // partition): all or nothing. Returns each new version, in order; controller_moved when the
  // check fails, bad_version when some state changed under us (nothing written then).
  struct PartitionStateWrite {
    TopicPartition tp;
    LeaderIsrAndControllerEpoch state;
    ZkVersion expected{0};
  };
  asio::awaitable<Result<std::vector<ZkVersion>>> update_partition_states(std::vector<PartitionStateWrite> writes,
                                                                           ZkVersion epoch_zk_version);

  // /isr_change_notification/isr_change_<seq> znodes (leaders announce ISR changes there).
  // The children, arming `watcher` on the parent; empty when the parent is absent.
  asio::awaitable<Result<std::vector<std::string>>> get_isr_change_notifications(Watcher watcher);
  // The partitions one notification lists ({"version":1,"partitions":[{"topic":..,"partition":..}]});
  // an empty list when it vanished meanwhile.
  asio::awaitable<Result<std::vector<TopicPartition>>> get_isr_change_notification(std::string child);
  asio::awaitable<Status> delete_isr_change_notifications(std::vector<std::string> children);

  // /admin/preferred_replica_election ({"version":1,"partitions":[...]}): the partitions asked for,
  // arming an exists watch; nullopt when absent. delete_... removes it (ok when absent).
  asio::awaitable<Result<std::optional<std::vector<TopicPartition>>>> get_preferred_replica_election(Watcher watcher);
  asio::awaitable<Status> create_preferred_replica_election(std::vector<TopicPartition> partitions);
  asio::awaitable<Status> delete_preferred_replica_election();

  // /admin/reassign_partitions (kafka_zk_client_reassign.cc). get_... arms an exists watch (which
  // also fires on data changes) and returns nullopt when absent; a znode that does not parse comes
  // back as an empty map (the controller then deletes it, as Kafka does).
  asio::awaitable<Result<std::optional<PartitionReassignments>>> get_partition_reassignments(Watcher watcher);
  asio::awaitable<Result<std::optional<PartitionReassignments>>> get_partition_reassignments();
  // Creates the znode (the legacy admin tool's write); node_exists while one is pending.
  asio::awaitable<Status> create_partition_reassignments(PartitionReassignments reassignments);
  // The controller's fenced rewrite: the remaining partitions, or a delete when none remain.
  // ok when the znode is absent.
  asio::awaitable<Status> set_partition_reassignments(PartitionReassignments remaining, ZkVersion epoch_zk_version);
  // The controller's fenced topic znode write (the reassignment steps).
  asio::awaitable<Result<ZkVersion>> set_topic_assignment(std::string topic, TopicAssignment assignment,
                                                          ZkVersion expected, ZkVersion epoch_zk_version);

  // Removes a deleted topic's znodes: /brokers/topics/<t> with everything under it,
  // /config/topics/<t>, then the marker /admin/delete_topics/<t>. Absent znodes are fine.
  asio::awaitable<Status> delete_topic_znodes(std::string topic);
  // Removes the marker alone (a marked topic that does not exist, or deletion disabled).
  asio::awaitable<Status> delete_topic_deletion_marker(std::string topic);

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
  // Deletes `path` and its descendants; ok when already absent.
  asio::awaitable<Status> remove_recursive(std::string path);
  asio::awaitable<Result<std::optional<BrokerId>>> read_controller_id();
  asio::awaitable<Result<ZkVersion>> fenced_write(ZkOp op, ZkVersion epoch_zk_version);

  ZkClient& zk_;
};

// A random UUID as 22 chars of URL-safe base64 without padding, as Kafka's cluster ids.
std::string random_base64_uuid();

}  // namespace sluice::coordination
