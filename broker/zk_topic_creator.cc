#include "broker/zk_topic_creator.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/spawn.h"
#include "coordination/errc.h"

namespace sluice::broker {

bool is_internal_topic(const std::string& topic) {
  return topic == "__consumer_offsets" || topic == "__transaction_state";
}

ZkTopicCreator::ZkTopicCreator(asio::any_io_executor executor, coordination::AdminZkClient& admin,
                               coordination::KafkaZkClient& zk, Defaults defaults)
    : executor_(std::move(executor)), admin_(admin), zk_(zk), defaults_(defaults) {}

void ZkTopicCreator::create_topics(std::vector<std::string> topics) {
  for (std::string& topic : topics) {
    {
      std::lock_guard lock(mutex_);
      if (!in_flight_.insert(topic).second) continue;
    }
    asio::co_spawn(executor_, create_one(this, topic), log_completion("auto-creating topic " + topic));
  }
}

size_t ZkTopicCreator::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_.size();
}

asio::awaitable<int32_t> ZkTopicCreator::replication_factor_for(std::string topic) {
  const int32_t wanted = defaults_.default_replication_factor;
  if (!is_internal_topic(topic)) co_return wanted;
  auto brokers = co_await zk_.get_all_brokers();
  if (!brokers || brokers.value().empty()) co_return wanted;  // create_topic reports the failure
  co_return std::min<int32_t>(wanted, static_cast<int32_t>(brokers.value().size()));
}

asio::awaitable<void> ZkTopicCreator::create_one(ZkTopicCreator* self, std::string topic) {
  coordination::NewTopic t;
  t.name = topic;
  t.partitions = self->defaults_.num_partitions;
  t.replication_factor = co_await self->replication_factor_for(topic);
  auto created = co_await self->admin_.create_topic(std::move(t), false);
  if (created) {
    spdlog::info("auto-created topic {} with {} partitions", topic, created.value().size());
  } else if (created.error().code == coordination::Errc::topic_exists ||
             created.error().code == coordination::Errc::invalid_topic) {
    spdlog::debug("not auto-creating topic {}: {}", topic, created.error().message);
  } else {
    spdlog::warn("cannot auto-create topic {}: {}", topic, created.error().message);
  }
  std::lock_guard lock(self->mutex_);
  self->in_flight_.erase(topic);
}

}  // namespace sluice::broker
