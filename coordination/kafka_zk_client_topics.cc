// KafkaZkClient: topics, partition state and topic configs.
#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"

#include <algorithm>

#include "client/async_util.h"

namespace sluice::coordination {

asio::awaitable<Result<std::vector<std::string>>> KafkaZkClient::get_all_topics() {
  co_return co_await zk_.get_children(zk_paths::kBrokerTopics);
}

asio::awaitable<Status> KafkaZkClient::create_topic_assignment(std::string topic, TopicAssignment assignment) {
  co_return co_await create_recursive(zk_paths::topic(topic), kafka_json::encode_topic_assignment(assignment));
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::set_topic_assignment(std::string topic, TopicAssignment assignment,
                                                                       ZkVersion expected) {
  SLUICE_CO_TRY(const ZNodeStat stat, co_await zk_.set_data(zk_paths::topic(topic),
                                                                   kafka_json::encode_topic_assignment(assignment),
                                                                   expected));
  co_return stat.version;
}

asio::awaitable<Result<VersionedTopicAssignment>> KafkaZkClient::get_topic_assignment(std::string topic) {
  SLUICE_CO_TRY(const NodeData node, co_await zk_.get_data(zk_paths::topic(topic)));
  SLUICE_CO_TRY(TopicAssignment assignment, kafka_json::decode_topic_assignment(node.data));
  co_return VersionedTopicAssignment{std::move(assignment), node.stat.version};
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::create_partition_state(TopicPartition tp,
                                                                         LeaderIsrAndControllerEpoch state) {
  SLUICE_CO_TRY(co_await create_recursive(zk_paths::partition_state(tp), kafka_json::encode_partition_state(state)));
  co_return ZkVersion(0);
}

asio::awaitable<Result<LeaderIsrAndControllerEpoch>> KafkaZkClient::get_partition_state(TopicPartition tp) {
  SLUICE_CO_TRY(const NodeData node, co_await zk_.get_data(zk_paths::partition_state(tp)));
  co_return kafka_json::decode_partition_state(node.data, node.stat.version);
}

asio::awaitable<Result<std::map<TopicPartition, LeaderIsrAndControllerEpoch>>> KafkaZkClient::get_partition_states(
    std::vector<TopicPartition> tps) {
  // In slices, so a huge cluster does not hold a coroutine per partition at once.
  constexpr size_t kSlice = 4096;
  std::map<TopicPartition, LeaderIsrAndControllerEpoch> out;
  for (size_t start = 0; start < tps.size(); start += kSlice) {
    const size_t end = std::min(tps.size(), start + kSlice);
    std::vector<asio::awaitable<Result<LeaderIsrAndControllerEpoch>>> reads;
    reads.reserve(end - start);
    for (size_t i = start; i < end; ++i) reads.push_back(get_partition_state(tps[i]));
    auto states = co_await client::gather(std::move(reads));
    for (size_t i = 0; i < states.size(); ++i) {
      if (!states[i] && states[i].error() == Errc::no_node) continue;
      if (!states[i]) co_return states[i].error();
      out.emplace(tps[start + i], std::move(states[i]).value());
    }
  }
  co_return out;
}

asio::awaitable<Result<ZkVersion>> KafkaZkClient::update_partition_state(TopicPartition tp,
                                                                         LeaderIsrAndControllerEpoch state,
                                                                         ZkVersion expected) {
  SLUICE_CO_TRY(const ZNodeStat stat, co_await zk_.set_data(zk_paths::partition_state(tp),
                                                                   kafka_json::encode_partition_state(state),
                                                                   expected));
  co_return stat.version;
}

asio::awaitable<Status> KafkaZkClient::set_topic_config(std::string topic, TopicConfig config) {
  const std::string path = zk_paths::topic_config(topic);
  Bytes json = kafka_json::encode_topic_config(config);
  const auto set = co_await zk_.set_data(path, json, kMatchAnyVersion);
  if (set || set.error() != Errc::no_node) co_return set ? ok() : Status(set.error());
  const Status created = co_await create_recursive(path, json);
  if (created || created.error() != Errc::node_exists) co_return created;
  // Created concurrently: overwrite, as the last writer wins in Kafka too.
  SLUICE_CO_TRY(co_await zk_.set_data(path, std::move(json), kMatchAnyVersion));
  co_return ok();
}

asio::awaitable<Result<TopicConfig>> KafkaZkClient::get_topic_config(std::string topic) {
  auto node = co_await zk_.get_data(zk_paths::topic_config(topic));
  if (!node && node.error() == Errc::no_node) co_return TopicConfig{};
  if (!node) co_return node.error();
  co_return kafka_json::decode_topic_config(node.value().data);
}

}  // namespace sluice::coordination
