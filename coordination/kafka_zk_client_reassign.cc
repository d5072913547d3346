// KafkaZkClient: /admin/reassign_partitions and the controller's fenced topic znode writes
// (docs/formats/zookeeper.md; Kafka 2.8's ReassignPartitionsZNode).
#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"

namespace sluice::coordination {
namespace {

asio::awaitable<Result<std::optional<PartitionReassignments>>> read_reassignments(ZkClient& zk) {
  using Out = std::optional<PartitionReassignments>;
  auto node = co_await zk.get_data(zk_paths::kReassignPartitions);
  if (!node && node.error() == Errc::no_node) co_return Out();
  if (!node) co_return node.error();
  auto decoded = kafka_json::decode_partition_reassignments(node.value().data);
  if (!decoded) co_return Out(PartitionReassignments{});
  co_return Out(std::move(decoded.value()));
}

}  // namespace

asio::awaitable<Result<std::optional<PartitionReassignments>>> KafkaZkClient::get_partition_reassignments(
    Watcher watcher) {
  using Out = std::optional<PartitionReassignments>;
  SLUICE_CO_TRY(const auto stat, co_await zk_.exists(zk_paths::kReassignPartitions, std::move(watcher)));
  if (!stat) co_return Out();
  co_return co_await read_reassignments(zk_);
}

asio::awaitable<Result<std::optional<PartitionReassignments>>> KafkaZkClient::get_partition_reassignments() {
  co_return co_await read_reassignments(zk_);
}

asio::awaitable<Status> KafkaZkClient::create_partition_reassignments(PartitionReassignments reassignments) {
  SLUICE_CO_TRY(co_await ensure_path("/admin"));
  auto created = co_await zk_.create(zk_paths::kReassignPartitions,
                                     kafka_json::encode_partition_reassignments(reassignments), CreateMode::persistent);
  if (!created) co_return created.error();
  co_return ok();
}

asio::awaitable<Status> KafkaZkClient::set_partition_reassignments(PartitionReassignments remaining,
                                                                   ZkVersion epoch_zk_version) {
  ZkOp op = remaining.empty()
                ? ZkOp::remove(zk_paths::kReassignPartitions, kMatchAnyVersion)
                : ZkOp::set_data(zk_paths::kReassignPartitions,
                                 kafka_json::encode_partition_reassignments(remaining), kMatchAnyVersion);
  auto written = co_await fenced_write(std::move(op), epoch_zk_version);
  if (!written && written.error() != Errc::no_node) co_return written.error();
  co_return ok();
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::set_topic_assignment(std::string topic, TopicAssignment assignment,
                                                                       ZkVersion expected, ZkVersion epoch_zk_version) {
  ZkOp op = ZkOp::set_data(zk_paths::topic(topic), kafka_json::encode_topic_assignment(assignment), expected);
  co_return co_await fenced_write(std::move(op), epoch_zk_version);
}

}  // namespace sluice::coordination
