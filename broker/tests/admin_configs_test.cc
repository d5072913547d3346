// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs against a real ZooKeeper, and the
// DynamicConfigManager applying a change to an open log.
#include <gtest/gtest.h>

#include <map>

#include "broker/dynamic_config_manager.h"
#include "broker/tests/admin_fixture.h"
#include "protocol/messages/alter_configs_request.h"
#include "protocol/messages/alter_configs_response.h"
#include "protocol/messages/describe_configs_request.h"
#include "protocol/messages/describe_configs_response.h"
#include "protocol/messages/incremental_alter_configs_request.h"
#include "protocol/messages/incremental_alter_configs_response.h"

namespace sluice::broker::testing {
namespace {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;
using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;
using protocol::IncrementalAlterConfigsRequest;
using protocol::IncrementalAlterConfigsResponse;
using Entry = DescribeConfigsResponse::DescribeConfigsResourceResult;

int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

DescribeConfigsRequest::DescribeConfigsResource resource(int8_t type, std::string name,
                                                         std::optional<std::vector<std::string>> keys = std::nullopt) {
  DescribeConfigsRequest::DescribeConfigsResource r;
  r.resource_type = type;
  r.resource_name = std::move(name);
  r.configuration_keys = std::move(keys);
  return r;
}

std::map<std::string, Entry> by_name(const DescribeConfigsResponse::DescribeConfigsResult& r) {
  std::map<std::string, Entry> out;
  for (const auto& e : r.configs) out[e.name] = e;
  return out;
}

AlterConfigsRequest::AlterConfigsResource alter(int8_t type, std::string name,
                                                std::vector<std::pair<std::string, std::optional<std::string>>> configs) {
  AlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = type;
  r.resource_name = std::move(name);
  for (auto& [k, v] : configs) {
    AlterConfigsRequest::AlterableConfig c;
    c.name = k;
    c.value = v;
    r.configs.push_back(c);
  }
  return r;
}

IncrementalAlterConfigsRequest::AlterableConfig op(std::string name, int8_t operation,
                                                   std::optional<std::string> value = std::nullopt) {
  IncrementalAlterConfigsRequest::AlterableConfig c;
  c.name = std::move(name);
  c.config_operation = operation;
  c.value = std::move(value);
  return c;
}

IncrementalAlterConfigsRequest incremental(std::string topic,
                                           std::vector<IncrementalAlterConfigsRequest::AlterableConfig> ops) {
  IncrementalAlterConfigsRequest request;
  IncrementalAlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = kResourceTopic;
  r.resource_name = std::move(topic);
  r.configs = std::move(ops);
  request.resources.push_back(r);
  return request;
}

class AdminConfigsTest : public AdminFixture {
 protected:
  coordination::TopicConfig topic_config(const std::string& topic) {
    auto c = sync(kafka_zk_->get_topic_config(topic));
    EXPECT_TRUE(c);
    return c ? c.value() : coordination::TopicConfig{};
  }
  size_t notifications() {
    auto children = sync(zk_->get_children("/config/changes"));
    return children ? children.value().size() : 0;
  }
};

TEST_F(AdminConfigsTest, DescribeTopicConfigsWithSourcesAndSynonyms) {
  make_topic("described", 1, {{"retention.ms", "1000"}});
  DescribeConfigsRequest request;
  request.resources.push_back(resource(kResourceTopic, "described"));
  request.include_synonyms = true;
  auto response = call<DescribeConfigsResponse>(request, 1);
  ASSERT_EQ(response.results.size(), 1u);
  const auto& result = response.results[0];
  EXPECT_EQ(result.error_code, 0);
  EXPECT_EQ(result.resource_name, "described");
  auto entries = by_name(result);
  EXPECT_EQ(entries.size(), 17u);
  EXPECT_EQ(entries.at("unclean.leader.election.enable").value, "false");  // the broker's default
  const Entry& retention = entries.at("retention.ms");
  EXPECT_EQ(retention.value, "1000");
  EXPECT_EQ(retention.config_source, kSourceDynamicTopic);
  EXPECT_FALSE(retention.read_only);
  EXPECT_FALSE(retention.is_sensitive);
  ASSERT_EQ(retention.synonyms.size(), 2u);
  EXPECT_EQ(retention.synonyms[0].name, "retention.ms");
  EXPECT_EQ(retention.synonyms[1].name, "log.retention.ms");
  EXPECT_EQ(retention.synonyms[1].value, "604800000");
  EXPECT_EQ(retention.synonyms[1].source, kSourceDefault);
  const Entry& bytes = entries.at("retention.bytes");  // set by the broker's config
  EXPECT_EQ(bytes.value, std::to_string(1 << 30));
  EXPECT_EQ(bytes.config_source, kSourceStaticBroker);
  ASSERT_EQ(bytes.synonyms.size(), 2u);
  EXPECT_EQ(bytes.synonyms[0].name, "log.retention.bytes");
  EXPECT_EQ(entries.at("cleanup.policy").value, "delete");
  EXPECT_EQ(entries.at("cleanup.policy").config_source, kSourceDefault);
  EXPECT_EQ(entries.at("max.message.bytes").value, "1048588");
}

TEST_F(AdminConfigsTest, DescribeConfigsFiltersKeysAndReportsDefaultsAtV0) {
  make_topic("filtered", 1, {{"segment.bytes", "1048576"}});
  DescribeConfigsRequest request;
  request.resources.push_back(resource(kResourceTopic, "filtered", std::vector<std::string>{"segment.bytes", "flush.ms", "nope"}));
  auto response = call<DescribeConfigsResponse>(request, 0);
  ASSERT_EQ(response.results.size(), 1u);
  auto entries = by_name(response.results[0]);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries.at("segment.bytes").value, "1048576");
  EXPECT_FALSE(entries.at("segment.bytes").is_default);
  EXPECT_TRUE(entries.at("flush.ms").is_default);
  EXPECT_TRUE(entries.at("segment.bytes").synonyms.empty()) << "not asked for";
}

TEST_F(AdminConfigsTest, DescribeConfigsErrorsAndBrokerResources) {
  DescribeConfigsRequest request;
  request.resources.push_back(resource(kResourceTopic, "ghost"));
  request.resources.push_back(resource(kResourceTopic, "bad/name"));
  request.resources.push_back(resource(kResourceBroker, "1", std::vector<std::string>{"broker.id", "num.partitions", "log.retention.bytes"}));
  request.resources.push_back(resource(kResourceBroker, "2"));
  request.resources.push_back(resource(kResourceBroker, ""));
  request.resources.push_back(resource(kResourceBrokerLogger, "1"));
  request.resources.push_back(resource(99, "x"));
  auto response = call<DescribeConfigsResponse>(request, 2);
  ASSERT_EQ(response.results.size(), 7u);
  EXPECT_EQ(response.results[0].error_code, code(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(response.results[1].error_code, code(ErrorCode::invalid_topic_exception));
  EXPECT_EQ(response.results[2].error_code, 0);
  auto broker = by_name(response.results[2]);
  ASSERT_EQ(broker.size(), 3u);
  EXPECT_EQ(broker.at("broker.id").value, "1");
  EXPECT_TRUE(broker.at("broker.id").read_only);
  EXPECT_EQ(broker.at("broker.id").config_source, kSourceStaticBroker);
  EXPECT_EQ(broker.at("num.partitions").value, "2");
  EXPECT_EQ(broker.at("log.retention.bytes").value, std::to_string(1 << 30));
  EXPECT_EQ(response.results[3].error_code, code(ErrorCode::invalid_request));
  EXPECT_EQ(response.results[4].error_code, 0);
  EXPECT_TRUE(response.results[4].configs.empty());
  EXPECT_EQ(response.results[5].error_code, code(ErrorCode::invalid_request));
  EXPECT_EQ(response.results[6].error_code, code(ErrorCode::invalid_request));
  for (size_t i : {0u, 1u, 3u, 5u, 6u}) EXPECT_TRUE(response.results[i].error_message.has_value()) << i;
}

TEST_F(AdminConfigsTest, AlterConfigsReplacesTheWholeSetAndNotifies) {
  make_topic("altered", 1, {{"retention.ms", "1000"}, {"segment.bytes", "1048576"}});
  const size_t before = notifications();
  AlterConfigsRequest request;
  request.resources.push_back(alter(kResourceTopic, "altered", {{"retention.bytes", "5000"}}));
  auto response = call<AlterConfigsResponse>(request, 1);
  ASSERT_EQ(response.responses.size(), 1u);
  EXPECT_EQ(response.responses[0].error_code, 0);
  EXPECT_EQ(topic_config("altered"), (coordination::TopicConfig{{"retention.bytes", "5000"}}));
  EXPECT_EQ(notifications(), before + 1);
}

TEST_F(AdminConfigsTest, AlterConfigsErrorsWriteNothing) {
  make_topic("guarded", 1, {{"retention.ms", "1000"}});
  const size_t before = notifications();
  AlterConfigsRequest request;
  request.resources.push_back(alter(kResourceTopic, "ghost", {{"retention.ms", "1"}}));
  request.resources.push_back(alter(kResourceTopic, "guarded", {{"cleanup.policy", "compact"}}));
  request.resources.push_back(alter(kResourceTopic, "guarded", {{"retention.ms", std::nullopt}}));
  request.resources.push_back(alter(kResourceTopic, "guarded", {{"made.up", "1"}}));
  request.resources.push_back(alter(kResourceBroker, "1", {{"num.partitions", "3"}}));
  auto response = call<AlterConfigsResponse>(request, 0);
  ASSERT_EQ(response.responses.size(), 5u);
  EXPECT_EQ(response.responses[0].error_code, code(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(response.responses[1].error_code, code(ErrorCode::invalid_config));
  EXPECT_EQ(response.responses[2].error_code, code(ErrorCode::invalid_request));
  EXPECT_EQ(response.responses[3].error_code, code(ErrorCode::invalid_config));
  EXPECT_EQ(response.responses[4].error_code, code(ErrorCode::invalid_request));
  EXPECT_EQ(topic_config("guarded"), (coordination::TopicConfig{{"retention.ms", "1000"}}));
  EXPECT_EQ(notifications(), before);

  AlterConfigsRequest dry;
  dry.validate_only = true;
  dry.resources.push_back(alter(kResourceTopic, "guarded", {{"retention.ms", "2000"}}));
  auto checked = call<AlterConfigsResponse>(dry, 1);
  ASSERT_EQ(checked.responses.size(), 1u);
  EXPECT_EQ(checked.responses[0].error_code, 0);
  EXPECT_EQ(topic_config("guarded").at("retention.ms"), "1000");
}

TEST_F(AdminConfigsTest, IncrementalAlterConfigsSetDeleteAppendSubtract) {
  make_topic("edited", 1, {{"retention.ms", "1000"}, {"segment.bytes", "1048576"}});
  auto response = call<IncrementalAlterConfigsResponse>(
      incremental("edited", {op("retention.ms", 0, "2000"), op("segment.bytes", 1), op("max.message.bytes", 0, "4096")}), 0);
  ASSERT_EQ(response.responses.size(), 1u);
  EXPECT_EQ(response.responses[0].error_code, 0) << response.responses[0].error_message.value_or("");
  EXPECT_EQ(topic_config("edited"),
            (coordination::TopicConfig{{"max.message.bytes", "4096"}, {"retention.ms", "2000"}}));

  // APPEND of "delete" to the default "delete" keeps one; SUBTRACT of an absent value is a no-op.
  auto appended = call<IncrementalAlterConfigsResponse>(
      incremental("edited", {op("cleanup.policy", 2, "delete")}), 1);
  ASSERT_EQ(appended.responses.size(), 1u);
  EXPECT_EQ(appended.responses[0].error_code, 0);
  EXPECT_EQ(topic_config("edited").at("cleanup.policy"), "delete");

  const std::vector<std::pair<IncrementalAlterConfigsRequest, ErrorCode>> bad = {
      {incremental("edited", {op("cleanup.policy", 2, "compact")}), ErrorCode::invalid_config},
      {incremental("edited", {op("retention.ms", 2, "5")}), ErrorCode::invalid_request},
      {incremental("edited", {op("retention.ms", 3, "5")}), ErrorCode::invalid_request},
      {incremental("edited", {op("retention.ms", 0, "1"), op("retention.ms", 1)}), ErrorCode::invalid_request},
      {incremental("edited", {op("retention.ms", 7, "1")}), ErrorCode::invalid_request},
      {incremental("edited", {op("retention.ms", 0)}), ErrorCode::invalid_request},
      {incremental("edited", {op("retention.ms", 0, "-5")}), ErrorCode::invalid_config},
      {incremental("ghost", {op("retention.ms", 0, "1")}), ErrorCode::unknown_topic_or_partition},
  };
  for (const auto& [request, error] : bad) {
    auto r = call<IncrementalAlterConfigsResponse>(request, 1);
    ASSERT_EQ(r.responses.size(), 1u);
    EXPECT_EQ(r.responses[0].error_code, code(error)) << request.resources[0].configs[0].name;
    EXPECT_TRUE(r.responses[0].error_message.has_value());
  }
  EXPECT_EQ(topic_config("edited").at("retention.ms"), "2000");

  IncrementalAlterConfigsRequest broker;
  IncrementalAlterConfigsRequest::AlterConfigsResource b;
  b.resource_type = kResourceBroker;
  b.resource_name = "1";
  b.configs.push_back(op("num.partitions", 0, "3"));
  broker.resources.push_back(b);
  auto refused = call<IncrementalAlterConfigsResponse>(broker, 0);
  ASSERT_EQ(refused.responses.size(), 1u);
  EXPECT_EQ(refused.responses[0].error_code, code(ErrorCode::invalid_request));
}

TEST(ConfigChangeNotification, ParsesBothVersionsAndSkipsOtherEntities) {
  auto parse = [](std::string_view json) { return topic_of_config_change(as_bytes(json)); };
  EXPECT_EQ(parse(R"({"version":2,"entity_path":"topics/orders"})"), "orders");
  EXPECT_EQ(parse(R"({"version":1,"entity_type":"topics","entity_name":"t1"})"), "t1");
  EXPECT_EQ(parse(R"({"version":2,"entity_path":"clients/app"})"), std::nullopt);
  EXPECT_EQ(parse(R"({"version":2,"entity_path":"users/u/clients/c"})"), std::nullopt);
  EXPECT_EQ(parse(R"({"version":2,"entity_path":"topics/"})"), std::nullopt);
  EXPECT_EQ(parse(R"({"version":3,"entity_path":"topics/x"})"), std::nullopt);
  EXPECT_EQ(parse("not json"), std::nullopt);
  EXPECT_EQ(config_change_sequence("config_change_0000000042"), 42);
  EXPECT_EQ(config_change_sequence("config_change_"), std::nullopt);
  EXPECT_EQ(config_change_sequence("other_0000000001"), std::nullopt);
  EXPECT_EQ(config_change_sequence("config_change_12x"), std::nullopt);
}

class DynamicConfigTest : public AdminFixture {
 protected:
  std::shared_ptr<DynamicConfigManager> start_manager() {
    auto manager = DynamicConfigManager::create(asio::make_strand(io_), *zk_, *kafka_zk_, *logs_, config_.log_config);
    EXPECT_TRUE(sync(manager->start()));
    return manager;
  }
  // Polls (bounded) until `pred` holds.
  template <typename Pred>
  bool eventually(Pred pred, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }
};

TEST_F(DynamicConfigTest, AlterConfigsReachesTheOpenLogsOfTheTopic) {
  make_topic("live", 2);
  make_topic("other", 1);
  lead("live", 0);
  lead("live", 1);
  lead("other", 0);
  auto manager = start_manager();
  const int64_t start_seq = manager->last_processed();

  AlterConfigsRequest request;
  request.resources.push_back(alter(kResourceTopic, "live", {{"retention.ms", "1234"}, {"max.message.bytes", "2048"}}));
  ASSERT_EQ(call<AlterConfigsResponse>(request, 1).responses.at(0).error_code, 0);
  auto log0 = logs_->get_log(TopicPartition{"live", PartitionId(0)});
  auto log1 = logs_->get_log(TopicPartition{"live", PartitionId(1)});
  ASSERT_TRUE(log0 && log1);
  EXPECT_TRUE(eventually([&] { return log0->config().retention_ms == 1234 && log1->config().retention_ms == 1234; }));
  EXPECT_EQ(log0->config().max_message_bytes, 2048);
  EXPECT_GT(manager->last_processed(), start_seq);
  const auto other = logs_->get_log(TopicPartition{"other", PartitionId(0)});
  EXPECT_EQ(other->config().retention_ms, config_.log_config.retention_ms);

  // Removing the override goes back to the broker default.
  auto cleared = call<IncrementalAlterConfigsResponse>(incremental("live", {op("retention.ms", 1)}), 0);
  ASSERT_EQ(cleared.responses.at(0).error_code, 0);
  EXPECT_TRUE(eventually([&] { return log0->config().retention_ms == config_.log_config.retention_ms; }));
  EXPECT_EQ(log0->config().max_message_bytes, 2048);
  manager->stop();
}

TEST_F(DynamicConfigTest, StartAppliesNotificationsWrittenWhileTheBrokerWasDown) {
  make_topic("offline", 1);
  lead("offline", 0);
  ASSERT_TRUE(sync(admin_zk_->change_topic_config("offline", {{"segment.ms", "60000"}})));
  // A notification for another entity type is skipped, not fatal.
  auto other = sync(kafka_zk_->create_config_change_notification("clients/some-app"));
  ASSERT_TRUE(other);
  auto manager = start_manager();
  // start() processed everything present before returning.
  EXPECT_EQ(logs_->get_log(TopicPartition{"offline", PartitionId(0)})->config().segment_ms, 60000);
  EXPECT_EQ(manager->last_processed(), config_change_sequence(other.value().substr(other.value().rfind('/') + 1)));
  manager->stop();
}

TEST_F(DynamicConfigTest, LeaderAndIsrAppliesTheTopicConfigToANewLog) {
  // The controller passes /config/topics/<t> in the LeaderAndIsr it sends for a new partition.
  lead("fresh", 0, {{"retention.bytes", "777"}});
  EXPECT_EQ(logs_->get_log(TopicPartition{"fresh", PartitionId(0)})->config().retention_bytes, 777);
}

}  // namespace
}  // namespace sluice::broker::testing
