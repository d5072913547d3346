// The broker's ZooKeeper side and the controller path, against a real ZooKeeper: real
// sluice-broker processes (BrokerProcess) register where a Kafka operator looks, a topic written
// to ZooKeeper becomes a partition the broker leads (producible, fetchable), deletion through
// /admin/delete_topics removes logs and znodes, restarts (SIGTERM, SIGKILL) and a session expiry
// lead to re-registration and leadership again. Every wait is bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/wire_calls.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/tests/zk_test_util.h"
#include "protocol/messages/leader_and_isr_request.h"
#include "protocol/messages/leader_and_isr_response.h"
#include "protocol/messages/metadata_request.h"
#include "protocol/messages/metadata_response.h"
#include "protocol/messages/update_metadata_request.h"
#include "protocol/messages/update_metadata_response.h"
#include "tests/support/broker_process.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using coordination::testing::IoThread;
using coordination::testing::config_for;
using coordination::testing::connected_client;
using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;
using testing::call;
using testing::TestClient;

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

// One ZooKeeper per suite; each test gets a chroot, a client inside it and a broker directory.
class ZkController : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new sluice::testing::ZooKeeperServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    chroot_ = coordination::testing::make_chroot(io_, *server_);
    zk_ = connected_client(io_, config_for(server_->connect_string(chroot_)));
    kafka_zk_ = std::make_unique<coordination::KafkaZkClient>(*zk_);
  }
  void TearDown() override {
    if (zk_) io_.sync(zk_->close());
  }

  std::unique_ptr<sluice::testing::BrokerProcess> start_broker() {
    sluice::testing::BrokerOptions options;
    options.broker_id = 0;
    options.zookeeper_connect = server_->connect_string(chroot_ + "/kafka");  // a chroot it must create
    options.dir = dir_.path() / "broker0";
    auto broker = std::make_unique<sluice::testing::BrokerProcess>(options);
    EXPECT_TRUE(broker->wait_listening()) << broker->output();
    EXPECT_TRUE(eventually([&] { return znode("/controller").has_value() && znode("/brokers/ids/0").has_value(); }))
        << broker->output();
    return broker;
  }

  // Raw znode text inside the broker's chroot; nullopt when absent.
  std::optional<std::string> znode(const std::string& path) {
    auto node = io_.sync(zk_->get_data("/kafka" + path));
    if (!node) return std::nullopt;
    return coordination::testing::text(node.value().data);
  }
  std::optional<coordination::NodeData> node(const std::string& path) {
    auto n = io_.sync(zk_->get_data("/kafka" + path));
    if (!n) return std::nullopt;
    return n.value();
  }

  // A KafkaZkClient inside the broker's chroot.
  coordination::KafkaZkClient& kafka_zk() {
    if (!broker_zk_) {
      broker_zk_ = connected_client(io_, config_for(server_->connect_string(chroot_ + "/kafka")));
      broker_kafka_zk_ = std::make_unique<coordination::KafkaZkClient>(*broker_zk_);
    }
    return *broker_kafka_zk_;
  }

  void create_topic(const std::string& name) {
    coordination::AdminZkClient admin(kafka_zk());
    coordination::NewTopic topic;
    topic.name = name;
    topic.partitions = 1;
    topic.replication_factor = 1;
    auto created = io_.sync(admin.create_topic(topic, false));
    ASSERT_TRUE(created) << created.error().message;
  }

  static inline sluice::testing::ZooKeeperServer* server_ = nullptr;
  IoThread io_;
  testing::TempDir dir_;
  std::string chroot_;
  std::unique_ptr<coordination::ZooKeeperClient> zk_;
  std::unique_ptr<coordination::KafkaZkClient> kafka_zk_;
  std::unique_ptr<coordination::ZooKeeperClient> broker_zk_;
  std::unique_ptr<coordination::KafkaZkClient> broker_kafka_zk_;
};

std::optional<MetadataResponse> metadata(uint16_t port, const std::string& topic) {
  TestClient client(port);
  if (!client.connected()) return std::nullopt;
  // Not auto-creating: these tests watch topics come and go through ZooKeeper only.
  MetadataRequest request{.topics = std::vector<MetadataRequest::MetadataRequestTopic>{},
                          .allow_auto_topic_creation = false};
  request.topics->push_back({.name = topic});
  auto reply = call<MetadataResponse>(client, 9, request);
  if (!reply) return std::nullopt;
  return *reply;
}

bool leads(uint16_t port, const std::string& topic) {
  auto m = metadata(port, topic);
  return m && m->topics.size() == 1 && m->topics[0].error_code == 0 && m->topics[0].partitions.size() == 1 &&
         m->topics[0].partitions[0].leader_id == BrokerId(0);
}

// Produces one batch of three records; the base offset, or -1 on any error.
int64_t produce(uint16_t port, const std::string& topic, const std::string& tag) {
  TestClient client(port);
  const Bytes batch = testing::producer_batch(protocol::CompressionType::none, 3, tag);
  auto reply = call<protocol::ProduceResponse>(client, 8, testing::produce_request(topic, batch, 1));
  if (!reply || testing::only(*reply).error_code != 0) return -1;
  return testing::only(*reply).base_offset.value();
}

int64_t high_watermark(uint16_t port, const std::string& topic) {
  TestClient client(port);
  auto reply = call<protocol::FetchResponse>(client, 11, testing::fetch_request(topic, Offset(0)));
  if (!reply || testing::only(*reply).error_code != 0) return -1;
  return testing::only(*reply).high_watermark.value();
}

TEST_F(ZkController, BrokerRegistersClusterIdControllerAndEpochAsKafkaDoes) {
  auto broker = start_broker();
  ASSERT_TRUE(eventually([&] { return znode("/controller").has_value(); })) << broker->output();
  const std::string registration = znode("/brokers/ids/0").value_or("");
  const std::string endpoint = "PLAINTEXT://127.0.0.1:" + std::to_string(broker->port());
  EXPECT_NE(registration.find("\"endpoints\":[\"" + endpoint + "\"]"), std::string::npos) << registration;
  EXPECT_NE(registration.find("\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"}"), std::string::npos);
  EXPECT_NE(registration.find("\"host\":\"127.0.0.1\",\"version\":5"), std::string::npos) << registration;
  EXPECT_NE(registration.find("\"port\":" + std::to_string(broker->port())), std::string::npos);
  auto info = io_.sync(kafka_zk().get_broker(BrokerId(0)));
  ASSERT_TRUE(info);
  EXPECT_GT(info.value().timestamp.value(), 0);
  const std::string controller = znode("/controller").value_or("");
  EXPECT_TRUE(controller.starts_with("{\"version\":1,\"brokerid\":0,\"timestamp\":\"")) << controller;
  EXPECT_EQ(znode("/controller_epoch"), "1");
  const std::string cluster = znode("/cluster/id").value_or("");
  EXPECT_TRUE(cluster.starts_with("{\"version\":\"1\",\"id\":\"")) << cluster;
  for (const std::string& path : coordination::KafkaZkClient::persistent_paths()) {
    EXPECT_TRUE(node(path).has_value()) << path;
  }
  EXPECT_EQ(node("/controller")->stat.ephemeral_owner, node("/brokers/ids/0")->stat.ephemeral_owner);
}

TEST_F(ZkController, TopicWrittenToZooKeeperIsLedProducibleFetchableAndInMetadata) {
  auto broker = start_broker();
  ASSERT_TRUE(eventually([&] { return znode("/controller").has_value(); })) << broker->output();
  create_topic("orders");
  ASSERT_TRUE(eventually([&] { return leads(broker->port(), "orders"); })) << broker->output();
  EXPECT_EQ(znode("/brokers/topics/orders/partitions/0/state"),
            "{\"controller_epoch\":1,\"leader\":0,\"version\":1,\"leader_epoch\":0,\"isr\":[0]}");
  EXPECT_EQ(produce(broker->port(), "orders", "a"), 0);
  EXPECT_EQ(produce(broker->port(), "orders", "b"), 3);
  EXPECT_EQ(high_watermark(broker->port(), "orders"), 6);
  auto m = metadata(broker->port(), "orders");
  ASSERT_TRUE(m);
  const std::string cluster = znode("/cluster/id").value_or("");
  ASSERT_TRUE(m->cluster_id.has_value());
  EXPECT_NE(cluster.find("\"id\":\"" + *m->cluster_id + "\""), std::string::npos);
  EXPECT_EQ(m->controller_id, BrokerId(0));
  EXPECT_TRUE(std::filesystem::exists(broker->log_dir() / "orders-0"));
}

TEST_F(ZkController, DeletionThroughAdminDeleteTopicsRemovesLogsAndZnodes) {
  auto broker = start_broker();
  create_topic("doomed");
  ASSERT_TRUE(eventually([&] { return leads(broker->port(), "doomed"); })) << broker->output();
  ASSERT_EQ(produce(broker->port(), "doomed", "x"), 0);
  ASSERT_TRUE(std::filesystem::exists(broker->log_dir() / "doomed-0"));
  ASSERT_TRUE(io_.sync(kafka_zk().create_delete_topic_path("doomed")));
  ASSERT_TRUE(eventually([&] {
    return !znode("/brokers/topics/doomed").has_value() && !znode("/admin/delete_topics/doomed").has_value();
  })) << broker->output();
  EXPECT_FALSE(znode("/config/topics/doomed").has_value());
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(broker->log_dir() / "doomed-0"); }));
  auto m = metadata(broker->port(), "doomed");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->topics.size(), 1u);
  EXPECT_EQ(m->topics[0].error_code, static_cast<int16_t>(ErrorCode::unknown_topic_or_partition));
}

TEST_F(ZkController, SigtermThenRestartKeepsDataAndLeadership) {
  auto broker = start_broker();
  create_topic("kept");
  ASSERT_TRUE(eventually([&] { return leads(broker->port(), "kept"); })) << broker->output();
  ASSERT_EQ(produce(broker->port(), "kept", "a"), 0);
  ASSERT_EQ(broker->stop(), 0) << broker->output();
  // The session was closed: the ephemerals are gone at once, not after the session timeout.
  EXPECT_FALSE(znode("/brokers/ids/0").has_value());
  EXPECT_FALSE(znode("/controller").has_value());
  broker->restart();
  ASSERT_TRUE(broker->wait_listening());
  ASSERT_TRUE(eventually([&] { return leads(broker->port(), "kept"); })) << broker->output();
  EXPECT_EQ(high_watermark(broker->port(), "kept"), 3);
  EXPECT_EQ(produce(broker->port(), "kept", "b"), 3);
  EXPECT_EQ(znode("/controller_epoch"), "2");
}

TEST_F(ZkController, SigkillThenRestartReRegistersAndLeadsAgain) {
  auto broker = start_broker();
  create_topic("survives");
  ASSERT_TRUE(eventually([&] { return leads(broker->port(), "survives"); })) << broker->output();
  ASSERT_EQ(produce(broker->port(), "survives", "a"), 0);
  const int64_t old_epoch = node("/brokers/ids/0")->stat.czxid;
  broker->kill();
  broker->restart();
  ASSERT_TRUE(broker->wait_listening());
  // The old session's ephemerals last until it times out (6 s); then the new process takes over.
  ASSERT_TRUE(eventually([&] {
    auto n = node("/brokers/ids/0");
    return n && n->stat.czxid != old_epoch;
  }, 45s)) << broker->output();
  ASSERT_TRUE(eventually([&] { return leads(broker->port(), "survives"); }, 45s)) << broker->output();
  EXPECT_EQ(high_watermark(broker->port(), "survives"), 3);
  EXPECT_EQ(produce(broker->port(), "survives", "b"), 3);
}

// In process: the broker's own session is expired by closing a second handle on it.
TEST(ZkControllerInProcess, SessionExpiryLeadsToReRegistrationAndANewElection) {
  testing::KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  IoThread io;
  const std::string connect = broker.server().config().zookeeper_connect.to_string();
  auto observer = connected_client(io, config_for(connect));
  const auto before = io.sync(observer->get_data("/brokers/ids/0"));
  ASSERT_TRUE(before);
  const auto credentials = broker.server().zookeeper_client().session_credentials();
  ASSERT_TRUE(credentials);
  auto config = config_for(connect);
  config.resume_session = credentials;
  // A second handle on the session closes it, expiring it for the broker's handle. The two take
  // the session from each other until then; if the broker's had it back when the twin closed,
  // the close never reached the server: try again (zookeeper_session_test.cc does the same).
  const auto reregistered = [&] {
    auto after = io.sync(observer->get_data("/brokers/ids/0"));
    return after && after.value().stat.czxid != before.value().stat.czxid;
  };
  for (int attempt = 0; attempt < 5 && !reregistered(); ++attempt) {
    coordination::ZooKeeperClient twin(io.executor(), config);
    const Status joined = io.sync(twin.connect());
    io.sync(twin.close());
    if (!joined) break;  // an earlier attempt expired it
    if (eventually(reregistered, 5s)) break;
  }
  ASSERT_TRUE(eventually([&] {
    auto after = io.sync(observer->get_data("/brokers/ids/0"));
    return after && after.value().stat.czxid != before.value().stat.czxid;
  }));
  ASSERT_TRUE(eventually([&] {
    auto epoch = io.sync(observer->get_data("/controller_epoch"));
    return epoch && coordination::testing::text(epoch.value().data) == "2" && broker.server().controller().is_active();
  }));
  io.sync(observer->close());
}

TEST(ZkControllerInProcess, StaleControllerEpochIsRejected) {
  testing::KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  TestClient client(broker.port());
  protocol::UpdateMetadataRequest update;
  update.controller_id = BrokerId(0);
  update.controller_epoch = 0;  // the broker has seen epoch 1
  auto updated = call<protocol::UpdateMetadataResponse>(client, 6, update);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->error_code, static_cast<int16_t>(ErrorCode::stale_controller_epoch));
  protocol::LeaderAndIsrRequest lai;
  lai.controller_id = BrokerId(0);
  lai.controller_epoch = 0;
  protocol::LeaderAndIsrRequest::LeaderAndIsrTopicState topic;
  topic.topic_name = "ghost";
  protocol::LeaderAndIsrRequest::LeaderAndIsrPartitionState p;
  p.partition_index = PartitionId(0);
  p.leader = BrokerId(0);
  p.isr = {BrokerId(0)};
  p.replicas = {BrokerId(0)};
  topic.partition_states.push_back(p);
  lai.topic_states.push_back(topic);
  auto led = call<protocol::LeaderAndIsrResponse>(client, 4, lai, 2);
  ASSERT_TRUE(led);
  EXPECT_EQ(led->error_code, static_cast<int16_t>(ErrorCode::stale_controller_epoch));
  EXPECT_EQ(broker.server().replica_manager().get_partition({"ghost", PartitionId(0)}), nullptr);
  // The current epoch is accepted.
  update.controller_epoch = 1;
  auto current = call<protocol::UpdateMetadataResponse>(client, 6, update, 3);
  ASSERT_TRUE(current);
  EXPECT_EQ(current->error_code, 0);
}

}  // namespace
}  // namespace sluice::broker
