// KafkaZkClient: batched partition-state writes, /isr_change_notification and
// /admin/preferred_replica_election (docs/formats/zookeeper.md; Kafka 2.8's IsrChangeNotificationZNode
// and PreferredReplicaElectionZNode JSON).
#include <nlohmann/json.hpp>

#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"

namespace sluice::coordination {
namespace {

Bytes to_bytes(std::string_view s) {
  const ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

// {"version":1,"partitions":[{"topic":"t","partition":0},...]}
Bytes encode_partitions(const std::vector<TopicPartition>& partitions) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["partitions"] = nlohmann::json::array();
  for (const TopicPartition& tp : partitions) {
    nlohmann::ordered_json p;
    p["topic"] = tp.topic;
    p["partition"] = tp.partition.value();
    j["partitions"].push_back(std::move(p));
  }
  return to_bytes(j.dump());
}

Result<std::vector<TopicPartition>> decode_partitions(ByteView data) {
  const auto j = nlohmann::json::parse(as_chars(data), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("partitions") || !j["partitions"].is_array()) return Errc::corrupt_data;
  std::vector<TopicPartition> out;
  for (const auto& p : j["partitions"]) {
    if (!p.is_object() || !p.contains("topic") || !p["topic"].is_string() || !p.contains("partition") ||
        !p["partition"].is_number_integer()) {
      return Errc::corrupt_data;
    }
    out.push_back({p["topic"].get<std::string>(), PartitionId(p["partition"].get<int32_t>())});
  }
  return out;
}

}  // namespace

asio::awaitable<Result<std::vector<ZkVersion>>> KafkaZkClient::update_partition_states(
    std::vector<PartitionStateWrite> writes, ZkVersion epoch_zk_version) {
  std::vector<ZkOp> ops;
  ops.reserve(writes.size() + 1);
  ops.push_back(ZkOp::check_version(zk_paths::kControllerEpoch, epoch_zk_version));
  for (const PartitionStateWrite& w : writes) {
    ops.push_back(ZkOp::set_data(zk_paths::partition_state(w.tp), kafka_json::encode_partition_state(w.state), w.expected));
  }
  SLUICE_CO_TRY(const MultiResult result, co_await zk_.multi(std::move(ops)));
  if (!result.committed()) {
    if (result.failed_op() == 0) co_return Errc::controller_moved;
    co_return result.error;
  }
  std::vector<ZkVersion> versions;
  versions.reserve(writes.size());
  for (size_t i = 1; i < result.ops.size(); ++i) {
    versions.push_back(result.ops[i].stat ? result.ops[i].stat->version : ZkVersion(0));
  }
  co_return versions;
}

asio::awaitable<Result<std::vector<std::string>>> KafkaZkClient::get_isr_change_notifications(Watcher watcher) {
  auto children = co_await zk_.get_children(zk_paths::kIsrChangeNotification, std::move(watcher));
  if (!children && children.error() == Errc::no_node) co_return std::vector<std::string>{};
  co_return children;
}

asio::awaitable<Result<std::vector<TopicPartition>>> KafkaZkClient::get_isr_change_notification(std::string child) {
  auto node = co_await zk_.get_data(std::string(zk_paths::kIsrChangeNotification) + "/" + child);
  if (!node && node.error() == Errc::no_node) co_return std::vector<TopicPartition>{};
  if (!node) co_return node.error();
  co_return decode_partitions(node.value().data);
}

asio::awaitable<Status> KafkaZkClient::delete_isr_change_notifications(std::vector<std::string> children) {
  for (const std::string& child : children) {
    const Status removed =
        co_await zk_.remove(std::string(zk_paths::kIsrChangeNotification) + "/" + child, kMatchAnyVersion);
    if (!removed && removed.error() != Errc::no_node) co_return removed;
  }
  co_return ok();
}

asio::awaitable<Result<std::optional<std::vector<TopicPartition>>>> KafkaZkClient::get_preferred_replica_election(
    Watcher watcher) {
  using Out = std::optional<std::vector<TopicPartition>>;
  SLUICE_CO_TRY(const auto stat, co_await zk_.exists(zk_paths::kPreferredReplicaElection, std::move(watcher)));
  if (!stat) co_return Out();
  auto node = co_await zk_.get_data(zk_paths::kPreferredReplicaElection);
  if (!node && node.error() == Errc::no_node) co_return Out();
  if (!node) co_return node.error();
  auto partitions = decode_partitions(node.value().data);
  // A znode that does not parse is dropped, as Kafka logs and deletes it.
  if (!partitions) co_return Out(std::vector<TopicPartition>{});
  co_return Out(std::move(partitions.value()));
}

asio::awaitable<Status> KafkaZkClient::create_preferred_replica_election(std::vector<TopicPartition> partitions) {
  auto created = co_await zk_.create(zk_paths::kPreferredReplicaElection, encode_partitions(partitions),
                                     CreateMode::persistent);
  if (!created && created.error() == Errc::no_node) {
    SLUICE_CO_TRY(co_await ensure_path("/admin"));
    created = co_await zk_.create(zk_paths::kPreferredReplicaElection, encode_partitions(partitions),
                                  CreateMode::persistent);
  }
  if (!created) co_return created.error();
  co_return ok();
}

asio::awaitable<Status> KafkaZkClient::delete_preferred_replica_election() {
  const Status removed = co_await zk_.remove(zk_paths::kPreferredReplicaElection, kMatchAnyVersion);
  if (!removed && removed.error() != Errc::no_node) co_return removed;
  co_return ok();
}

}  // namespace sluice::coordination
