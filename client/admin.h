// Admin: cluster administration over the KafkaClient (AK Admin's calls): topics are created,
// deleted and grown on the controller (re-found on NOT_CONTROLLER), described and listed from
// metadata; configs are described and altered on any broker (a broker's own on that broker);
// the cluster is described by DescribeCluster where the broker has it, else by Metadata.
// Per-topic and per-resource outcomes are separate: one's error never fails the others.
// Owner: the KafkaClient's strand; public coroutines hop onto it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "client/assignors.h"
#include "client/kafka_client.h"

namespace sluice::client {

struct NewTopic {
  std::string name;
  int32_t num_partitions = 1;
  int16_t replication_factor = 1;
  std::map<std::string, std::string> configs;
};

// One topic's or resource's outcome: no error on success, else the broker's (e.g.
// TOPIC_ALREADY_EXISTS) with its error_message when it sent one. Converts to the error_code.
struct ApiError {
  std::error_code error;
  std::string message;  // the broker's explanation; may be empty

  explicit operator bool() const { return static_cast<bool>(error); }
  operator std::error_code() const { return error; }  // NOLINT: implicit on purpose
};

// Per topic.
using TopicErrors = std::map<std::string, ApiError>;

// DescribeConfigs/AlterConfigs resource types (Kafka's ConfigResource.Type ids).
enum class ConfigResourceType : int8_t { topic = 2, broker = 4 };

struct ConfigResource {
  ConfigResourceType type = ConfigResourceType::topic;
  std::string name;  // the topic, or the broker id in decimal
};

// Kafka's DescribeConfigs config_source ids.
enum class ConfigSource : int8_t {
  unknown = 0,
  dynamic_topic_config = 1,
  dynamic_broker_config = 2,
  dynamic_default_broker_config = 3,
  static_broker_config = 4,
  default_config = 5,
  dynamic_broker_logger_config = 6,
};

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // null for a sensitive value
  ConfigSource source = ConfigSource::unknown;
  bool read_only = false;
  bool is_sensitive = false;

  // Set on the resource itself (a topic override, a broker's dynamic config).
  [[nodiscard]] bool is_override() const {
    return source == ConfigSource::dynamic_topic_config || source == ConfigSource::dynamic_broker_config;
  }
};

struct ConfigDescription {
  ApiError error;
  std::vector<ConfigEntry> entries;  // as the broker listed them
};

// One change of IncrementalAlterConfigs; `value` is ignored for remove.
struct ConfigChange {
  enum class Op : int8_t { set = 0, remove = 1 };
  std::string name;
  Op op = Op::set;
  std::string value;
};

struct ClusterDescription {
  std::optional<std::string> cluster_id;
  BrokerId controller{-1};          // -1: none known
  std::vector<BrokerInfo> brokers;  // sorted by id
};

// ElectLeaders (KIP-460): the preferred replica, or any live replica for a partition without a
// live leader (unclean, data may be lost).
enum class ElectionType : int8_t { preferred = 0, unclean = 1 };

// Per partition: no error when elected, else e.g. ELECTION_NOT_NEEDED.
using PartitionErrors = std::map<TopicPartition, ApiError>;

// A reassignment in flight (ListPartitionReassignments): the full replica set and the replicas
// being added and removed.
struct PartitionReassignment {
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> adding;
  std::vector<BrokerId> removing;
};


// A group as ListGroups names it, with the broker that answered (its coordinator).
struct GroupListing {
  std::string group_id;
  std::string protocol_type;  // "consumer" for consumer groups; "" for offsets-only groups
  std::string state;          // ListGroups v4+; else ""
  BrokerId coordinator{-1};
};

// Every live broker's ListGroups, merged; `errors` names the brokers that did not answer.
struct GroupListings {
  std::vector<GroupListing> groups;  // sorted by group id
  std::map<BrokerId, std::error_code> errors;
};

struct GroupMemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  // The "consumer" protocol assignment, decoded; nullopt if the bytes were not one.
  std::optional<MemberAssignment> assignment;
};

struct GroupDescription {
  std::string group_id;
  ApiError error;
  std::string state;  // Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_type;
  std::string protocol;  // the assignor in use
  std::vector<GroupMemberDescription> members;
  BrokerId coordinator{-1};
};

// ListOffsets specs (Kafka's): the log end, the log start, or else a timestamp (ms).
inline constexpr int64_t kLatestOffsetSpec = -1;
inline constexpr int64_t kEarliestOffsetSpec = -2;

class Admin {
 public:
  // REQUIRES: `client` outlives the admin and has bootstrapped.
  explicit Admin(KafkaClient& client, std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : client_(client), timeout_(timeout) {}

  asio::awaitable<Result<TopicErrors>> create_topics(std::vector<NewTopic> topics);
  asio::awaitable<Result<TopicErrors>> delete_topics(std::vector<std::string> names);
  // Fresh metadata for `names`; a topic that does not exist comes back with its error set.
  asio::awaitable<Result<std::vector<TopicInfo>>> describe_topics(std::vector<std::string> names);
  // Every non-internal topic, sorted.
  asio::awaitable<Result<std::vector<std::string>>> list_topics();
  // Grows each topic to its new partition count (the controller assigns the replicas).
  asio::awaitable<Result<TopicErrors>> create_partitions(std::map<std::string, int32_t> counts);

  // The resource's configs, every one the broker reports (overrides and defaults).
  asio::awaitable<Result<ConfigDescription>> describe_configs(ConfigResource resource);
  // Applies `changes` with IncrementalAlterConfigs; a broker without it (before Kafka 2.3) gets
  // AlterConfigs with the current overrides (from DescribeConfigs) edited by `changes`. That
  // fallback is read-modify-write: a concurrent change between the two can be lost, as in Kafka.
  asio::awaitable<Result<ApiError>> incremental_alter_configs(ConfigResource resource,
                                                              std::vector<ConfigChange> changes);
  // Brokers, controller and cluster id.
  asio::awaitable<Result<ClusterDescription>> describe_cluster();
  // Leader election on the controller for `partitions` (nullopt: every partition that needs one;
  // then only those elected are listed).
  asio::awaitable<Result<PartitionErrors>> elect_leaders(ElectionType type,
                                                         std::optional<std::vector<TopicPartition>> partitions);

  // AlterPartitionReassignments on the controller (KIP-455): per partition the target replicas, or
  // nullopt to cancel its reassignment. Per partition: no error when started (or cancelled).
  asio::awaitable<Result<PartitionErrors>> alter_partition_reassignments(
      std::map<TopicPartition, std::optional<std::vector<BrokerId>>> targets);
  // The reassignments in flight (of `partitions`; nullopt = all).
  asio::awaitable<Result<std::map<TopicPartition, PartitionReassignment>>> list_partition_reassignments(
      std::optional<std::vector<TopicPartition>> partitions);

  // Consumer groups (docs/groups.md). Group requests go to the group's coordinator (found with
  // FindCoordinator) and are sent again, with fresh metadata, after NOT_COORDINATOR,
  // COORDINATOR_NOT_AVAILABLE or COORDINATOR_LOAD_IN_PROGRESS (a few times, with backoff).
  asio::awaitable<Result<GroupListings>> list_groups();
  // DescribeGroups at each group's coordinator; one entry per id, in order.
  asio::awaitable<Result<std::vector<GroupDescription>>> describe_groups(std::vector<std::string> ids);
  // Every committed offset of the group (OffsetFetch with null topics); absent: none committed.
  asio::awaitable<Result<std::map<TopicPartition, Offset>>> list_group_offsets(std::string group);
  // OffsetCommit with generation -1 and member "": accepted by the coordinator only while the
  // group is Empty (or unknown). Per partition: no error when stored.
  asio::awaitable<Result<PartitionErrors>> alter_group_offsets(std::string group, std::map<TopicPartition, Offset> offsets);
  // DeleteGroups at each coordinator. Per group: no error when deleted, else e.g. NON_EMPTY_GROUP.
  asio::awaitable<Result<std::map<std::string, ApiError>>> delete_groups(std::vector<std::string> ids);
  // ListOffsets at each partition's leader for `spec` (kLatestOffsetSpec, kEarliestOffsetSpec or
  // a timestamp). A timestamp after the last record answers -1, as in Kafka.
  asio::awaitable<Result<std::map<TopicPartition, Offset>>> list_offsets(std::vector<TopicPartition> partitions,
                                                                          int64_t spec);

 private:
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> controller();
  // Sends `request` to the controller at the highest version both sides know within [min, max],
  // again (after the retry backoff, with fresh metadata) while the answer says NOT_CONTROLLER or
  // the connection fails retriably. `read(body)` turns the answer into the result, or nullopt
  // when its per-partition errors say the controller moved.
  template <typename Out, typename Request, typename Read>
  asio::awaitable<Result<Out>> to_controller(protocol::ApiKey key, int16_t min_version, int16_t max_version,
                                             Request request, Read read);
  asio::awaitable<Result<PartitionErrors>> alter_reassignments_on_strand(
      std::map<TopicPartition, std::optional<std::vector<BrokerId>>> targets);
  asio::awaitable<Result<std::map<TopicPartition, PartitionReassignment>>> list_reassignments_on_strand(
      std::optional<std::vector<TopicPartition>> partitions);
  asio::awaitable<Result<TopicErrors>> create_on_strand(std::vector<NewTopic> topics);
  asio::awaitable<Result<TopicErrors>> delete_on_strand(std::vector<std::string> names);
  asio::awaitable<Result<std::vector<TopicInfo>>> describe_on_strand(std::vector<std::string> names);
  asio::awaitable<Result<std::vector<std::string>>> list_on_strand();
  asio::awaitable<Result<TopicErrors>> create_partitions_on_strand(std::map<std::string, int32_t> counts);
  // The connection a config request for `resource` goes to: its broker, or any.
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> config_connection(ConfigResource resource);
  asio::awaitable<Result<ConfigDescription>> describe_configs_on_strand(ConfigResource resource);
  asio::awaitable<Result<ApiError>> alter_configs_on_strand(ConfigResource resource,
                                                            std::vector<ConfigChange> changes);
  asio::awaitable<Result<ApiError>> legacy_alter_configs(std::shared_ptr<BrokerConnection> conn,
                                                         ConfigResource resource,
                                                         std::vector<ConfigChange> changes);
  asio::awaitable<Result<ClusterDescription>> describe_cluster_on_strand();
  asio::awaitable<Result<PartitionErrors>> elect_leaders_on_strand(ElectionType type,
                                                                   std::optional<std::vector<TopicPartition>> partitions);

  // The connection to `group`'s coordinator; `fresh` refreshes metadata first.
  asio::awaitable<Result<std::pair<BrokerId, std::shared_ptr<BrokerConnection>>>> group_coordinator(std::string group,
                                                                                                     bool fresh);
  // Runs `call(coordinator id, connection)` at `group`'s coordinator, again while its answer is a
  // coordinator error (is_coordinator_error), bounded.
  template <typename Out, typename Call>
  asio::awaitable<Result<Out>> at_coordinator(std::string group, Call call);
  asio::awaitable<Result<GroupListings>> list_groups_on_strand();
  asio::awaitable<Result<std::vector<GroupDescription>>> describe_groups_on_strand(std::vector<std::string> ids);
  asio::awaitable<Result<std::map<TopicPartition, Offset>>> list_group_offsets_on_strand(std::string group);
  asio::awaitable<Result<PartitionErrors>> alter_group_offsets_on_strand(std::string group,
                                                                         std::map<TopicPartition, Offset> offsets);
  asio::awaitable<Result<std::map<std::string, ApiError>>> delete_groups_on_strand(std::vector<std::string> ids);
  asio::awaitable<Result<std::map<TopicPartition, Offset>>> list_offsets_on_strand(std::vector<TopicPartition> partitions,
                                                                                   int64_t spec);

  KafkaClient& client_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sluice::client
