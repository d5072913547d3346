#include "broker/metadata_cache.h"

#include <unistd.h>

#include <algorithm>
#include <array>

namespace sluice::broker {

MetadataCache::MetadataCache() : current_(std::make_shared<const Snapshot>()) {}

void MetadataCache::update_metadata(const MetadataUpdate& update) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<Snapshot>(*current_);
  if (update.brokers) {
    const auto ids = [](const std::vector<BrokerEndpoint>& brokers) {
      std::vector<BrokerId> out;
      out.reserve(brokers.size());
      for (const BrokerEndpoint& b : brokers) out.push_back(b.id);
      std::sort(out.begin(), out.end());
      return out;
    };
    if (ids(*update.brokers) != ids(next->brokers)) ++next->brokers_version;
    next->brokers = *update.brokers;
  }
  if (update.controller_id) next->controller_id = *update.controller_id;
  if (update.cluster_id) next->cluster_id = update.cluster_id;
  for (const auto& [topic, state] : update.partition_states) {
    TopicMetadata& t = next->topics[topic];
    t.name = topic;
    t.is_internal = topic == "__consumer_offsets";
    t.partitions[state.partition] = state;
  }
  for (const std::string& topic : update.deleted_topics) next->topics.erase(topic);
  current_ = std::move(next);
}

std::shared_ptr<const MetadataCache::Snapshot> MetadataCache::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::string advertised_host(const std::string& host) {
  if (!host.empty()) return host;
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "127.0.0.1";
  return std::string(name.data());
}

}  // namespace sluice::broker
