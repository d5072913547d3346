#include "coordination/kafka_zk_client.h"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <random>

#include "coordination/kafka_zk_json.h"

namespace sluice::coordination {

const std::vector<std::string>& KafkaZkClient::persistent_paths() {
  // Kafka 2.8's ZkData.PersistentZkPaths, in its order.
  static const std::vector<std::string> paths = {
      "/consumers",          "/brokers/ids",       "/brokers/topics",
      "/config/changes",     "/admin/delete_topics", "/brokers/seqid",
      "/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification",
      "/config/topics",      "/config/clients",    "/config/users",
      "/config/brokers",     "/config/ips",
  };
  return paths;
}

asio::awaitable<Status> KafkaZkClient::create_top_level_paths() {
  for (const std::string& path : persistent_paths()) {
    SLUICE_CO_TRY(co_await ensure_path(path));
  }
  co_return ok();
}

asio::awaitable<Status> KafkaZkClient::ensure_path(std::string path) {
  const Status st = co_await create_recursive(std::move(path), {});
  if (!st && st.error() != Errc::node_exists) co_return st;
  co_return ok();
}

asio::awaitable<Status> KafkaZkClient::create_recursive(std::string path, Bytes data) {
  auto created = co_await zk_.create(path, data, CreateMode::persistent);
  if (created || created.error() != Errc::no_node) co_return created ? ok() : Status(created.error());
  const size_t slash = path.rfind('/');
  if (slash != 0 && slash != std::string::npos) {
    const Status parent = co_await create_recursive(path.substr(0, slash), {});
    if (!parent && parent.error() != Errc::node_exists) co_return parent;
  }
  created = co_await zk_.create(path, std::move(data), CreateMode::persistent);
  co_return created ? ok() : Status(created.error());
}

std::string random_base64_uuid() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id;
  do {
    std::array<uint8_t, 16> b{};
    for (auto& byte : b) byte = static_cast<uint8_t>(rng());
    b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // IETF variant
    id.clear();
    for (size_t i = 0; i < b.size(); i += 3) {
      const uint32_t chunk = (uint32_t{b[i]} << 16) | (i + 1 < b.size() ? uint32_t{b[i + 1]} << 8 : 0) |
                             (i + 2 < b.size() ? uint32_t{b[i + 2]} : 0);
      const size_t chars = std::min<size_t>(4, (b.size() - i) * 8 / 6 + 1);
      for (size_t c = 0; c < chars; ++c) id.push_back(kAlphabet[(chunk >> (18 - 6 * c)) & 0x3f]);
    }
  } while (id.front() == '-');  // a leading '-' reads as an option to command-line tools
  return id;
}

asio::awaitable<Result<std::string>> KafkaZkClient::get_or_create_cluster_id() {
  auto existing = co_await zk_.get_data(zk_paths::kClusterId);
  if (existing) co_return kafka_json::decode_cluster_id(existing.value().data);
  if (existing.error() != Errc::no_node) co_return existing.error();
  const std::string proposed = random_base64_uuid();
  const Status created = co_await create_recursive(zk_paths::kClusterId, kafka_json::encode_cluster_id(proposed));
  if (created) co_return proposed;
  if (created.error() != Errc::node_exists) co_return created.error();
  // Another broker won the race: its id is the cluster's.
  SLUICE_CO_TRY(const NodeData winner, co_await zk_.get_data(zk_paths::kClusterId));
  co_return kafka_json::decode_cluster_id(winner.data);
}

asio::awaitable<Result<int64_t>> KafkaZkClient::register_broker(BrokerInfo broker) {
  const std::string path = zk_paths::broker(broker.id);
  // Built outside the co_await: GCC 12 miscompiles an initializer_list inside one.
  std::vector<ZkOp> ops;
  ops.push_back(ZkOp::create(path, {}, CreateMode::ephemeral));
  ops.push_back(ZkOp::set_data(path, kafka_json::encode_broker(broker), ZkVersion(0)));
  auto result = co_await zk_.multi(std::move(ops));
  if (!result) co_return result.error();
  if (result.value().committed()) {
    const int64_t epoch = result.value().ops[1].stat->czxid;
    spdlog::info("registered broker {} at {} with epoch {}", broker.id.value(), path, epoch);
    co_return epoch;
  }
  if (result.value().error != Errc::node_exists) co_return result.value().error;
  co_return co_await existing_registration(path);
}

asio::awaitable<Result<int64_t>> KafkaZkClient::existing_registration(std::string path) {
  SLUICE_CO_TRY(const NodeData node, co_await zk_.get_data(path));
  if (node.stat.ephemeral_owner == zk_.session_id()) co_return node.stat.czxid;
  spdlog::error("broker id at {} is registered by another session (0x{:x})", path, node.stat.ephemeral_owner);
  co_return Errc::node_exists;
}

asio::awaitable<Result<BrokerInfo>> KafkaZkClient::get_broker(BrokerId id) {
  SLUICE_CO_TRY(const NodeData node, co_await zk_.get_data(zk_paths::broker(id)));
  co_return kafka_json::decode_broker(id, node.stat.czxid, node.data);
}

asio::awaitable<Result<std::vector<BrokerInfo>>> KafkaZkClient::get_all_brokers() {
  SLUICE_CO_TRY(const auto names, co_await zk_.get_children(zk_paths::kBrokerIds));
  std::vector<BrokerInfo> brokers;
  for (const std::string& name : names) {
    int32_t id = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (ec != std::errc() || end != name.data() + name.size()) continue;  // not a broker id
    auto broker = co_await get_broker(BrokerId(id));
    if (!broker && broker.error() == Errc::no_node) continue;  // deregistered meanwhile
    if (!broker) co_return broker.error();
    brokers.push_back(std::move(broker).value());
  }
  std::sort(brokers.begin(), brokers.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  co_return brokers;
}

}  // namespace sluice::coordination
