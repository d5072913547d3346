// KafkaZkClient: the controller's znodes (/controller, /controller_epoch), fenced partition-state
// writes and the removal of a deleted topic's znodes (docs/formats/zookeeper.md).
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "coordination/kafka_zk_client.h"
#include "coordination/zk_tree.h"
#include "coordination/kafka_zk_json.h"

namespace sluice::coordination {
namespace {

Bytes to_bytes(std::string_view s) {
  const ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

// {"version":1,"brokerid":N,"timestamp":"<ms>"}, in Kafka's key order.
Bytes encode_controller(BrokerId id) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["brokerid"] = id.value();
  j["timestamp"] = std::to_string(now.count());
  return to_bytes(j.dump());
}

Result<BrokerId> decode_controller(ByteView data) {
  const auto j = nlohmann::json::parse(as_chars(data), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("brokerid") || !j["brokerid"].is_number_integer()) return Errc::corrupt_data;
  return BrokerId(j["brokerid"].get<int32_t>());
}

Result<ControllerEpoch> decode_epoch(ByteView data) {
  const std::string_view text = as_chars(data);
  int32_t epoch = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), epoch);
  if (ec != std::errc() || end != text.data() + text.size()) return Errc::corrupt_data;
  return ControllerEpoch(epoch);
}

}  // namespace

asio::awaitable<Result<std::optional<BrokerId>>> KafkaZkClient::read_controller_id() {
  auto node = co_await zk_.get_data(zk_paths::kController);
  if (!node && node.error() == Errc::no_node) co_return std::optional<BrokerId>();
  if (!node) co_return node.error();
  SLUICE_CO_TRY(const BrokerId id, decode_controller(node.value().data));
  co_return std::optional<BrokerId>(id);
}

asio::awaitable<Result<std::optional<BrokerId>>> KafkaZkClient::get_controller_id() {
  co_return co_await read_controller_id();
}

asio::awaitable<Result<std::optional<BrokerId>>> KafkaZkClient::get_controller_id(Watcher watcher) {
  SLUICE_CO_TRY(const auto stat, co_await zk_.exists(zk_paths::kController, std::move(watcher)));
  if (!stat) co_return std::optional<BrokerId>();
  co_return co_await read_controller_id();
}

asio::awaitable<Result<std::optional<ControllerEpochZkVersion>>> KafkaZkClient::get_controller_epoch() {
  auto node = co_await zk_.get_data(zk_paths::kControllerEpoch);
  if (!node && node.error() == Errc::no_node) co_return std::optional<ControllerEpochZkVersion>();
  if (!node) co_return node.error();
  SLUICE_CO_TRY(const ControllerEpoch epoch, decode_epoch(node.value().data));
  ControllerEpochZkVersion out;
  out.epoch = epoch;
  out.zk_version = node.value().stat.version;
  co_return std::optional<ControllerEpochZkVersion>(out);
}

asio::awaitable<Result<ControllerEpochZkVersion>> KafkaZkClient::register_controller_and_increment_epoch(BrokerId id) {
  SLUICE_CO_TRY(auto current, co_await get_controller_epoch());
  if (!current) {
    // Kafka's InitialControllerEpoch: the first election then writes 1.
    auto created = co_await zk_.create(zk_paths::kControllerEpoch, to_bytes("0"), CreateMode::persistent);
    if (!created && created.error() != Errc::node_exists) co_return created.error();
    SLUICE_CO_TRY(current, co_await get_controller_epoch());
    if (!current) co_return Errc::no_node;
  }
  const ControllerEpoch next(current->epoch.value() + 1);
  std::vector<ZkOp> ops;
  ops.push_back(ZkOp::create(zk_paths::kController, encode_controller(id), CreateMode::ephemeral));
  ops.push_back(ZkOp::set_data(zk_paths::kControllerEpoch, to_bytes(std::to_string(next.value())), current->zk_version));
  SLUICE_CO_TRY(const MultiResult result, co_await zk_.multi(std::move(ops)));
  if (result.committed()) {
    ControllerEpochZkVersion won;
    won.epoch = next;
    won.zk_version = result.ops[1].stat->version;
    co_return won;
  }
  // A retry after a lost response may find our own registration: then we won after all.
  auto owner = co_await zk_.get_data(zk_paths::kController);
  SLUICE_CO_TRY(auto epoch, co_await get_controller_epoch());
  if (owner && owner.value().stat.ephemeral_owner == zk_.session_id() && epoch && epoch->epoch == next) {
    co_return *epoch;
  }
  co_return Errc::node_exists;
}

asio::awaitable<Status> KafkaZkClient::delete_controller_if_owned() {
  auto node = co_await zk_.get_data(zk_paths::kController);
  if (!node && node.error() == Errc::no_node) co_return ok();
  if (!node) co_return node.error();
  if (node.value().stat.ephemeral_owner != zk_.session_id()) co_return ok();
  const Status removed = co_await zk_.remove(zk_paths::kController, node.value().stat.version);
  if (!removed && removed.error() != Errc::no_node) co_return removed;
  co_return ok();
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::fenced_write(ZkOp op, ZkVersion epoch_zk_version) {
  std::vector<ZkOp> ops;
  ops.push_back(ZkOp::check_version(zk_paths::kControllerEpoch, epoch_zk_version));
  ops.push_back(std::move(op));
  SLUICE_CO_TRY(const MultiResult result, co_await zk_.multi(std::move(ops)));
  if (result.committed()) co_return result.ops[1].stat ? result.ops[1].stat->version : ZkVersion(0);
  if (result.failed_op() == 0) co_return Errc::controller_moved;
  co_return result.error;
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::create_partition_state(TopicPartition tp,
                                                                         LeaderIsrAndControllerEpoch state,
                                                                         ZkVersion epoch_zk_version) {
  // The null-data parents carry no decision, so only the state znode itself is fenced.
  const Status parent = co_await create_recursive(zk_paths::topic_partition(tp), {});
  if (!parent && parent.error() != Errc::node_exists) co_return parent.error();
  ZkOp op = ZkOp::create(zk_paths::partition_state(tp), kafka_json::encode_partition_state(state),
                         CreateMode::persistent);
  co_return co_await fenced_write(std::move(op), epoch_zk_version);
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::update_partition_state(TopicPartition tp,
                                                                         LeaderIsrAndControllerEpoch state,
                                                                         ZkVersion expected,
                                                                         ZkVersion epoch_zk_version) {
  ZkOp op = ZkOp::set_data(zk_paths::partition_state(tp), kafka_json::encode_partition_state(state), expected);
  co_return co_await fenced_write(std::move(op), epoch_zk_version);
}

asio::awaitable<Status> KafkaZkClient::remove_recursive(std::string path) {
  co_return co_await coordination::remove_recursive(zk_, std::move(path));
}

asio::awaitable<Status> KafkaZkClient::delete_topic_znodes(std::string topic) {
  SLUICE_CO_TRY(co_await remove_recursive(zk_paths::topic(topic)));
  SLUICE_CO_TRY(co_await remove_recursive(zk_paths::topic_config(topic)));
  co_return co_await delete_topic_deletion_marker(std::move(topic));
}

asio::awaitable<Status> KafkaZkClient::delete_topic_deletion_marker(std::string topic) {
  const Status removed = co_await zk_.remove(zk_paths::delete_topic(topic), kMatchAnyVersion);
  if (!removed && removed.error() != Errc::no_node) co_return removed;
  co_return ok();
}

}  // namespace sluice::coordination
