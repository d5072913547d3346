// KafkaZkClient: the znodes of topic administration (deletion markers, config change
// notifications), after Kafka 2.8's KafkaZkClient.createDeleteTopicPath and
// createConfigChangeNotification.
#include "coordination/kafka_zk_client.h"
#include "coordination/kafka_zk_json.h"

namespace sluice::coordination {

asio::awaitable<Result<bool>> KafkaZkClient::path_exists(std::string path) {
  SLUICE_CO_TRY(const auto stat, co_await zk_.exists(std::move(path)));
  co_return stat.has_value();
}

asio::awaitable<Result<bool>> KafkaZkClient::topic_exists(std::string topic) {
  co_return co_await path_exists(zk_paths::topic(topic));
}

asio::awaitable<Status> KafkaZkClient::create_delete_topic_path(std::string topic) {
  co_return co_await create_recursive(zk_paths::delete_topic(topic), {});
}

asio::awaitable<Result<bool>> KafkaZkClient::is_topic_marked_for_deletion(std::string topic) {
  co_return co_await path_exists(zk_paths::delete_topic(topic));
}

asio::awaitable<Result<std::vector<std::string>>> KafkaZkClient::get_topics_marked_for_deletion() {
  auto children = co_await zk_.get_children(zk_paths::kDeleteTopics);
  if (!children && children.error() == Errc::no_node) co_return std::vector<std::string>{};
  co_return children;
}

asio::awaitable<Result<std::string>> KafkaZkClient::create_config_change_notification(std::string entity_path) {
  Bytes json = kafka_json::encode_config_change_notification(entity_path);
  auto created = co_await zk_.create(zk_paths::kConfigChangePrefix, json, CreateMode::persistent_sequential);
  if (created || created.error() != Errc::no_node) co_return created;
  // /config/changes is created at broker startup; a tool may run before any broker did.
  SLUICE_CO_TRY(co_await ensure_path(zk_paths::kConfigChanges));
  co_return co_await zk_.create(zk_paths::kConfigChangePrefix, std::move(json), CreateMode::persistent_sequential);
}

}  // namespace sluice::coordination
