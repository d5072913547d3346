#include "broker/dynamic_config_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <vector>

#include "broker/spawn.h"
#include "coordination/kafka_zk_data.h"

namespace sluice::broker {

namespace {
constexpr std::string_view kChildPrefix = "config_change_";
constexpr std::string_view kTopicsEntity = "topics/";
}  // namespace

std::optional<int64_t> config_change_sequence(const std::string& child) {
  if (!child.starts_with(kChildPrefix) || child.size() == kChildPrefix.size()) return std::nullopt;
  int64_t seq = -1;
  const char* begin = child.data() + kChildPrefix.size();
  const char* end = child.data() + child.size();
  auto [ptr, ec] = std::from_chars(begin, end, seq);
  if (ec != std::errc() || ptr != end || seq < 0) return std::nullopt;
  return seq;
}

std::optional<std::string> topic_of_config_change(ByteView json) {
  const auto chars = as_chars(json);
  const nlohmann::json doc = nlohmann::json::parse(chars.begin(), chars.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) return std::nullopt;
  if (version->get<int>() == 1) {
    const auto type = doc.find("entity_type");
    const auto name = doc.find("entity_name");
    if (type == doc.end() || name == doc.end() || !type->is_string() || !name->is_string()) return std::nullopt;
    if (type->get<std::string>() != "topics") return std::nullopt;
    return name->get<std::string>();
  }
  if (version->get<int>() == 2) {
    const auto path = doc.find("entity_path");
    if (path == doc.end() || !path->is_string()) return std::nullopt;
    const std::string p = path->get<std::string>();
    if (!p.starts_with(kTopicsEntity) || p.size() == kTopicsEntity.size()) return std::nullopt;
    std::string topic = p.substr(kTopicsEntity.size());
    if (topic.find('/') != std::string::npos) return std::nullopt;
    return topic;
  }
  return std::nullopt;
}

std::shared_ptr<DynamicConfigManager> DynamicConfigManager::create(asio::any_io_executor strand,
                                                                   coordination::ZkClient& zk,
                                                                   coordination::KafkaZkClient& kafka_zk,
                                                                   storage::LogManager& logs,
                                                                   storage::LogConfig defaults) {
  return std::make_shared<DynamicConfigManager>(std::move(strand), zk, kafka_zk, logs, defaults);
}

DynamicConfigManager::DynamicConfigManager(asio::any_io_executor strand, coordination::ZkClient& zk,
                                           coordination::KafkaZkClient& kafka_zk, storage::LogManager& logs,
                                           storage::LogConfig defaults)
    : strand_(std::move(strand)), zk_(zk), kafka_zk_(kafka_zk), logs_(logs), defaults_(defaults) {}

asio::awaitable<Status> DynamicConfigManager::start() {
  // co_spawn's completion needs a default-constructible value: Status is not.
  auto on_strand = [](std::shared_ptr<DynamicConfigManager> self) -> asio::awaitable<std::optional<Status>> {
    co_return co_await process(std::move(self));
  };
  std::optional<Status> status =
      co_await asio::co_spawn(strand_, on_strand(shared_from_this()), asio::use_awaitable);
  co_return std::move(*status);
}

void DynamicConfigManager::stop() { stopped_ = true; }

void DynamicConfigManager::on_watch() {
  if (stopped_) return;
  asio::co_spawn(
      strand_,
      [](std::shared_ptr<DynamicConfigManager> self) -> asio::awaitable<void> {
        Status st = co_await process(self);
        if (!st) spdlog::warn("config change notifications: {}", st.error().message());
      }(shared_from_this()),
      log_completion("processing config change notifications"));
}

asio::awaitable<Status> DynamicConfigManager::process(std::shared_ptr<DynamicConfigManager> self) {
  // A second caller while a pass runs only asks for another pass: one pass at a time.
  if (self->processing_) {
    self->again_ = true;
    co_return ok();
  }
  self->processing_ = true;
  Status result = ok();
  do {
    self->again_ = false;
    result = co_await self->process_once();
  } while (self->again_ && !self->stopped_);
  self->processing_ = false;
  co_return result;
}

asio::awaitable<Status> DynamicConfigManager::process_once() {
  if (stopped_) co_return ok();
  std::weak_ptr<DynamicConfigManager> weak = weak_from_this();
  coordination::Watcher watcher{strand_, [weak](coordination::WatchEvent) {
                                  if (auto self = weak.lock()) self->on_watch();
                                }};
  auto children = co_await zk_.get_children(coordination::zk_paths::kConfigChanges, std::move(watcher));
  if (!children) co_return children.error();
  std::vector<std::pair<int64_t, std::string>> fresh;
  for (const std::string& child : children.value()) {
    auto seq = config_change_sequence(child);
    if (seq && *seq > last_processed_.load()) fresh.emplace_back(*seq, child);
  }
  std::sort(fresh.begin(), fresh.end());
  for (auto& [seq, child] : fresh) {
    if (stopped_) break;
    co_await process_notification(std::move(child), seq);
  }
  co_return ok();
}

asio::awaitable<void> DynamicConfigManager::process_notification(std::string child, int64_t sequence) {
  const std::string path = std::string(coordination::zk_paths::kConfigChanges) + "/" + child;
  auto data = co_await zk_.get_data(path);
  if (!data) {
    // no_node: purged meanwhile; the change it announced is in /config/topics already.
    if (data.error() != coordination::Errc::no_node) {
      spdlog::warn("{}: cannot read: {}", path, data.error().message());
      co_return;  // retried with the next notification or watch
    }
  } else if (auto topic = topic_of_config_change(data.value().data)) {
    Status applied = co_await apply_topic_config(*topic);
    if (!applied) {
      spdlog::warn("{}: cannot apply the config of topic {}: {}", path, *topic, applied.error().message());
      co_return;
    }
  } else {
    spdlog::debug("{}: not a topic config change, skipped", path);
  }
  last_processed_ = sequence;
}

asio::awaitable<Status> DynamicConfigManager::apply_topic_config(std::string topic) {
  auto overrides = co_await kafka_zk_.get_topic_config(topic);
  if (!overrides) co_return overrides.error();
  std::string reason;
  auto config = storage::LogConfig::with_overrides(defaults_, overrides.value(), &reason);
  if (!config) {
    // Validated when written; a hand-edited znode is not applied (the logs keep their config).
    spdlog::warn("topic {}: invalid config in ZooKeeper, not applied: {}", topic, reason);
    applied_.fetch_add(1);
    co_return ok();
  }
  int updated = 0;
  for (const TopicPartition& tp : logs_.partitions()) {
    if (tp.topic != topic) continue;
    if (auto log = logs_.get_log(tp)) {
      log->update_config(config.value());
      ++updated;
    }
  }
  spdlog::info("topic {}: config overrides {} applied to {} open logs", topic,
               overrides.value().empty() ? "(none)" : std::to_string(overrides.value().size()), updated);
  applied_.fetch_add(1);
  co_return ok();
}

}  // namespace sluice::broker
