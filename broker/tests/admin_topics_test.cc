// CreateTopics, DeleteTopics, CreatePartitions and DescribeCluster handlers against a real
// ZooKeeper: the znodes they write and the answer for each error case. No controller runs here:
// where a handler waits for the controller's effect, the test applies the MetadataUpdate the
// controller would send (publish_topic / unpublish_topic) while the handler waits.
#include <gtest/gtest.h>

#include "broker/tests/admin_fixture.h"
#include "protocol/messages/create_partitions_request.h"
#include "protocol/messages/create_partitions_response.h"
#include "protocol/messages/create_topics_request.h"
#include "protocol/messages/create_topics_response.h"
#include "protocol/messages/delete_topics_request.h"
#include "protocol/messages/delete_topics_response.h"
#include "protocol/messages/describe_cluster_request.h"
#include "protocol/messages/describe_cluster_response.h"

namespace sluice::broker::testing {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;
using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;
using protocol::ErrorCode;

int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

CreateTopicsRequest::CreatableTopic new_topic(std::string name, int32_t partitions, int16_t rf,
                                              std::vector<std::pair<std::string, std::string>> configs = {}) {
  CreateTopicsRequest::CreatableTopic t;
  t.name = std::move(name);
  t.num_partitions = partitions;
  t.replication_factor = rf;
  for (auto& [k, v] : configs) {
    CreateTopicsRequest::CreateableTopicConfig c;
    c.name = k;
    c.value = v;
    t.configs.push_back(c);
  }
  return t;
}

const CreateTopicsResponse::CreatableTopicResult* find(const CreateTopicsResponse& r, const std::string& name) {
  for (const auto& t : r.topics) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

class AdminTopicsTest : public AdminFixture {};

TEST_F(AdminTopicsTest, CreateTopicsWritesZnodesAndWaitsForLeaders) {
  CreateTopicsRequest request;
  request.topics.push_back(new_topic("orders", 3, 1, {{"retention.ms", "3600000"}}));
  request.timeout_ms = 30000;
  auto pending = start_call<CreateTopicsResponse>(request, 4);
  ASSERT_TRUE(wait_for_znode("/brokers/topics/orders"));
  // Still waiting: the controller has not brought the partitions online.
  EXPECT_EQ(pending.wait_for(200ms), std::future_status::timeout);
  EXPECT_EQ(data("/config/topics/orders"), R"({"version":1,"config":{"retention.ms":"3600000"}})");
  publish_topic("orders", 3);  // the controller's UpdateMetadata
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  auto response = pending.get();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->topics.size(), 1u);
  EXPECT_EQ(response->topics[0].name, "orders");
  EXPECT_EQ(response->topics[0].error_code, 0);
  auto assignment = sync(kafka_zk_->get_topic_assignment("orders"));
  ASSERT_TRUE(assignment);
  EXPECT_EQ(assignment.value().assignment.partitions.size(), 3u);
}

TEST_F(AdminTopicsTest, CreateTopicsTimesOutWithoutLeadersButKeepsTheTopic) {
  CreateTopicsRequest request;
  request.topics.push_back(new_topic("slow", 1, 1));
  request.timeout_ms = 300;
  auto response = call<CreateTopicsResponse>(request, 3);
  ASSERT_EQ(response.topics.size(), 1u);
  EXPECT_EQ(response.topics[0].error_code, code(ErrorCode::request_timed_out));
  EXPECT_TRUE(exists("/brokers/topics/slow"));
}

TEST_F(AdminTopicsTest, CreateTopicsWithZeroTimeoutAnswersAtOnce) {
  CreateTopicsRequest request;
  request.topics.push_back(new_topic("now", 1, 1));
  request.timeout_ms = 0;
  auto response = call<CreateTopicsResponse>(request, 2);
  ASSERT_EQ(response.topics.size(), 1u);
  EXPECT_EQ(response.topics[0].error_code, 0);
  EXPECT_TRUE(exists("/brokers/topics/now"));
}

TEST_F(AdminTopicsTest, CreateTopicsRejectsEachBadTopicAndCreatesTheGoodOne) {
  make_topic("taken", 1);
  CreateTopicsRequest request;
  request.timeout_ms = 0;
  request.topics.push_back(new_topic("bad/name", 1, 1));
  request.topics.push_back(new_topic("too-replicated", 1, 3));
  request.topics.push_back(new_topic("no-partitions", 0, 1));
  request.topics.push_back(new_topic("compacted", 1, 1, {{"cleanup.policy", "compact"}}));
  request.topics.push_back(new_topic("unknown-config", 1, 1, {{"no.such.config", "1"}}));
  request.topics.push_back(new_topic("bad-value", 1, 1, {{"retention.ms", "soon"}}));
  request.topics.push_back(new_topic("twice", 1, 1));
  request.topics.push_back(new_topic("twice", 1, 1));
  request.topics.push_back(new_topic("taken", 1, 1));
  auto both = new_topic("both", 1, 1);
  CreateTopicsRequest::CreatableReplicaAssignment a;
  a.partition_index = PartitionId(0);
  a.broker_ids = {BrokerId(1)};
  both.assignments.push_back(a);
  request.topics.push_back(both);
  auto explicit_assignment = new_topic("explicit", -1, -1);
  explicit_assignment.assignments.push_back(a);
  request.topics.push_back(explicit_assignment);
  request.topics.push_back(new_topic("good", 2, 1));
  auto response = call<CreateTopicsResponse>(request, 4);

  const std::vector<std::pair<std::string, ErrorCode>> expected = {
      {"bad/name", ErrorCode::invalid_topic_exception},
      {"too-replicated", ErrorCode::invalid_replication_factor},
      {"no-partitions", ErrorCode::invalid_partitions},
      {"compacted", ErrorCode::invalid_config},
      {"unknown-config", ErrorCode::invalid_config},
      {"bad-value", ErrorCode::invalid_config},
      {"twice", ErrorCode::invalid_request},
      {"taken", ErrorCode::topic_already_exists},
      {"both", ErrorCode::invalid_request},
      {"explicit", ErrorCode::none},
      {"good", ErrorCode::none}};
  EXPECT_EQ(response.topics.size(), expected.size());
  for (const auto& [name, error] : expected) {
    const auto* t = find(response, name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->error_code, code(error)) << name << ": " << t->error_message.value_or("");
    if (error != ErrorCode::none) {
      EXPECT_TRUE(t->error_message && !t->error_message->empty()) << name;
      if (name != "taken") {
        EXPECT_FALSE(exists("/brokers/topics/" + name)) << name;
      }
    }
  }
  EXPECT_TRUE(exists("/brokers/topics/good"));
  EXPECT_TRUE(exists("/brokers/topics/explicit"));
}

TEST_F(AdminTopicsTest, CreateTopicsDefaultsAndValidateOnly) {
  CreateTopicsRequest request;
  request.timeout_ms = 0;
  request.topics.push_back(new_topic("defaulted", -1, -1));
  auto response = call<CreateTopicsResponse>(request, 4);
  ASSERT_EQ(response.topics.size(), 1u);
  EXPECT_EQ(response.topics[0].error_code, 0);
  auto assignment = sync(kafka_zk_->get_topic_assignment("defaulted"));
  ASSERT_TRUE(assignment);
  EXPECT_EQ(assignment.value().assignment.partitions.size(), 2u) << "num.partitions";

  CreateTopicsRequest check;
  check.validate_only = true;
  check.timeout_ms = 5000;
  check.topics.push_back(new_topic("dry-run", 4, 1));
  check.topics.push_back(new_topic("dry-bad", 1, 2));
  auto checked = call<CreateTopicsResponse>(check, 1);
  ASSERT_EQ(checked.topics.size(), 2u);
  EXPECT_EQ(find(checked, "dry-run")->error_code, 0);
  EXPECT_EQ(find(checked, "dry-bad")->error_code, code(ErrorCode::invalid_replication_factor));
  EXPECT_FALSE(exists("/brokers/topics/dry-run"));
  EXPECT_FALSE(exists("/config/topics/dry-run"));
}

TEST_F(AdminTopicsTest, OnlyTheControllerCreatesDeletesOrGrowsTopics) {
  make_topic("existing", 1);
  controller_ = false;
  CreateTopicsRequest create;
  create.topics.push_back(new_topic("nope", 1, 1));
  auto created = call<CreateTopicsResponse>(create, 4);
  ASSERT_EQ(created.topics.size(), 1u);
  EXPECT_EQ(created.topics[0].error_code, code(ErrorCode::not_controller));
  EXPECT_FALSE(exists("/brokers/topics/nope"));

  DeleteTopicsRequest del;
  del.topic_names = {"existing"};
  auto deleted = call<DeleteTopicsResponse>(del, 3);
  ASSERT_EQ(deleted.responses.size(), 1u);
  EXPECT_EQ(deleted.responses[0].error_code, code(ErrorCode::not_controller));
  EXPECT_FALSE(exists("/admin/delete_topics/existing"));

  CreatePartitionsRequest grow;
  CreatePartitionsRequest::CreatePartitionsTopic t;
  t.name = "existing";
  t.count = 2;
  grow.topics.push_back(t);
  auto grown = call<CreatePartitionsResponse>(grow, 1);
  ASSERT_EQ(grown.results.size(), 1u);
  EXPECT_EQ(grown.results[0].error_code, code(ErrorCode::not_controller));
  EXPECT_EQ(sync(kafka_zk_->get_topic_assignment("existing")).value().assignment.partitions.size(), 1u);
}

TEST_F(AdminTopicsTest, DeleteTopicsMarksAndWaitsUntilTheTopicIsGone) {
  make_topic("doomed", 1);
  DeleteTopicsRequest request;
  request.topic_names = {"doomed", "ghost"};
  request.timeout_ms = 30000;
  auto pending = start_call<DeleteTopicsResponse>(request, 3);
  ASSERT_TRUE(wait_for_znode("/admin/delete_topics/doomed"));
  EXPECT_EQ(pending.wait_for(200ms), std::future_status::timeout);
  unpublish_topic("doomed");  // the controller's UpdateMetadata after the deletion
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  auto response = pending.get();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->responses.size(), 2u);
  for (const auto& r : response->responses) {
    const int16_t want = r.name == "doomed" ? int16_t{0} : code(ErrorCode::unknown_topic_or_partition);
    EXPECT_EQ(r.error_code, want) << r.name.value_or("");
  }
  EXPECT_FALSE(exists("/admin/delete_topics/ghost"));
}

TEST_F(AdminTopicsTest, DeleteTopicsTimesOutAndAlreadyMarkedIsNotAnError) {
  make_topic("stuck", 1);
  DeleteTopicsRequest request;
  request.topic_names = {"stuck"};
  request.timeout_ms = 200;
  auto first = call<DeleteTopicsResponse>(request, 1);
  ASSERT_EQ(first.responses.size(), 1u);
  EXPECT_EQ(first.responses[0].error_code, code(ErrorCode::request_timed_out));
  EXPECT_TRUE(exists("/admin/delete_topics/stuck"));
  request.timeout_ms = 0;
  auto again = call<DeleteTopicsResponse>(request, 1);
  ASSERT_EQ(again.responses.size(), 1u);
  EXPECT_EQ(again.responses[0].error_code, 0);
}

TEST_F(AdminTopicsTest, DeleteTopicsWhenDeletionIsDisabled) {
  make_topic("kept", 1);
  config_.delete_topic_enable = false;
  DeleteTopicsRequest request;
  request.topic_names = {"kept"};
  auto v3 = call<DeleteTopicsResponse>(request, 3);
  ASSERT_EQ(v3.responses.size(), 1u);
  EXPECT_EQ(v3.responses[0].error_code, code(ErrorCode::topic_deletion_disabled));
  auto v1 = call<DeleteTopicsResponse>(request, 1);
  ASSERT_EQ(v1.responses.size(), 1u);
  EXPECT_EQ(v1.responses[0].error_code, code(ErrorCode::invalid_request));
  EXPECT_FALSE(exists("/admin/delete_topics/kept"));
}

TEST_F(AdminTopicsTest, CreatePartitionsGrowsTheAssignmentAndWaits) {
  make_topic("growing", 1);
  CreatePartitionsRequest request;
  CreatePartitionsRequest::CreatePartitionsTopic t;
  t.name = "growing";
  t.count = 3;
  request.topics.push_back(t);
  request.timeout_ms = 30000;
  auto pending = start_call<CreatePartitionsResponse>(request, 1);
  for (int i = 0; i < 1000; ++i) {
    auto a = sync(kafka_zk_->get_topic_assignment("growing"));
    if (a && a.value().assignment.partitions.size() == 3) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(sync(kafka_zk_->get_topic_assignment("growing")).value().assignment.partitions.size(), 3u);
  EXPECT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  publish_topic("growing", 3);  // the controller's UpdateMetadata for the new partitions
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  auto response = pending.get();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->results.size(), 1u);
  EXPECT_EQ(response->results[0].error_code, 0);
}

TEST_F(AdminTopicsTest, CreatePartitionsErrors) {
  make_topic("fixed", 2);
  auto topic = [](std::string name, int32_t count) {
    CreatePartitionsRequest::CreatePartitionsTopic t;
    t.name = std::move(name);
    t.count = count;
    return t;
  };
  CreatePartitionsRequest request;
  request.timeout_ms = 0;
  request.topics.push_back(topic("fixed", 1));
  request.topics.push_back(topic("ghost", 3));
  request.topics.push_back(topic("dup", 3));
  request.topics.push_back(topic("dup", 4));
  auto wrong = topic("fixed-too", 4);
  request.topics.push_back(wrong);
  make_topic("fixed-too", 1);
  request.topics.back().assignments = std::vector<CreatePartitionsRequest::CreatePartitionsAssignment>(1);
  request.topics.back().assignments->at(0).broker_ids = {BrokerId(1)};
  auto response = call<CreatePartitionsResponse>(request, 0);
  std::map<std::string, int16_t> errors;
  for (const auto& r : response.results) errors[r.name] = r.error_code;
  EXPECT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors["fixed"], code(ErrorCode::invalid_partitions));
  EXPECT_EQ(errors["ghost"], code(ErrorCode::unknown_topic_or_partition));
  EXPECT_EQ(errors["dup"], code(ErrorCode::invalid_request));
  EXPECT_EQ(errors["fixed-too"], code(ErrorCode::invalid_replica_assignment));

  CreatePartitionsRequest dry;
  dry.validate_only = true;
  dry.timeout_ms = 5000;
  dry.topics.push_back(topic("fixed", 5));
  auto checked = call<CreatePartitionsResponse>(dry, 1);
  ASSERT_EQ(checked.results.size(), 1u);
  EXPECT_EQ(checked.results[0].error_code, 0);
  EXPECT_EQ(sync(kafka_zk_->get_topic_assignment("fixed")).value().assignment.partitions.size(), 2u);
}

TEST_F(AdminTopicsTest, DescribeClusterAnswersFromTheMetadataCache) {
  auto response = call<DescribeClusterResponse>(DescribeClusterRequest{}, 0);
  EXPECT_EQ(response.error_code, 0);
  EXPECT_EQ(response.cluster_id, "test-cluster-id");
  EXPECT_EQ(response.controller_id, BrokerId(1));
  ASSERT_EQ(response.brokers.size(), 1u);
  EXPECT_EQ(response.brokers[0].broker_id, BrokerId(1));
  EXPECT_EQ(response.brokers[0].host, "127.0.0.1");
  EXPECT_EQ(response.brokers[0].port, 9092);
  // A new controller shows up in the next answer.
  MetadataUpdate update;
  update.controller_id = BrokerId(7);
  metadata_.update_metadata(update);
  EXPECT_EQ(call<DescribeClusterResponse>(DescribeClusterRequest{}, 0).controller_id, BrokerId(7));
}

}  // namespace
}  // namespace sluice::broker::testing
