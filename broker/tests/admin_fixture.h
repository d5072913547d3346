// The fixture of the topic-admin tests: a real ZooKeeper (one per suite, a chroot per test), the
// broker's ZooKeeper clients, a MetadataCache, a LogManager over a temp dir and a ReplicaManager,
// and a HandlerRegistry holding the admin handlers, called in process with encoded requests.
// Broker 1 is registered in /brokers/ids. There is no controller here: where a test needs the
// controller's effect (a topic appearing in, or leaving, the MetadataCache), it applies the
// MetadataUpdate the controller would send, and says so.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "broker/handlers/admin_common.h"
#include "broker/handlers/admin_configs.h"
#include "broker/handlers/admin_handlers.h"
#include "broker/kafka_config.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "coordination/admin_zk_client.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/zookeeper_client.h"
#include "protocol/wire/writer.h"
#include "storage/clock.h"
#include "storage/log_manager.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_server.h"

namespace sluice::broker::testing {

using namespace std::chrono_literals;

inline std::string text_of(const Bytes& b) { return std::string(as_chars(b)); }

class AdminFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new sluice::testing::ZooKeeperServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
    const std::string chroot = make_chroot();
    coordination::ZooKeeperConfig zk_config;
    zk_config.connect = server_->connect_string(chroot);
    zk_config.session_timeout = 6s;
    zk_config.connection_timeout = 10s;
    zk_ = std::make_unique<coordination::ZooKeeperClient>(io_.get_executor(), zk_config);
    ASSERT_TRUE(sync(zk_->connect()));
    kafka_zk_ = std::make_unique<coordination::KafkaZkClient>(*zk_);
    ASSERT_TRUE(sync(kafka_zk_->create_top_level_paths()));
    coordination::BrokerInfo self;
    self.id = BrokerId(1);
    self.endpoints = {{"PLAINTEXT", "127.0.0.1", 9092, "PLAINTEXT"}};
    self.timestamp = TimestampMs(1700000000000);
    ASSERT_TRUE(sync(kafka_zk_->register_broker(self)));

    config_.broker_id = BrokerId(1);
    config_.num_partitions = 2;
    config_.log_config.retention_bytes = 1 << 30;  // set in "server.properties": STATIC_BROKER_CONFIG
    coordination::AdminZkClient::Options options;
    options.validate_config = log_config_validator(config_.log_config);
    admin_zk_ = std::make_unique<coordination::AdminZkClient>(*kafka_zk_, std::move(options));

    storage::LogManagerConfig log_config;
    log_config.log_dirs = {dir_.path() / "logs"};
    log_config.default_config = config_.log_config;
    auto logs = storage::LogManager::open(log_config, storage::SystemClock::instance());
    ASSERT_TRUE(logs) << logs.error().message();
    logs_ = std::move(logs).value();
    ReplicaManagerConfig rm_config;
    rm_config.broker_id = BrokerId(1);
    rm_config.default_log_config = config_.log_config;
    replica_manager_ = std::make_unique<ReplicaManager>(io_, pool_, maintenance_pool_, *logs_, rm_config);

    MetadataUpdate update;
    update.brokers = std::vector<BrokerEndpoint>{BrokerEndpoint{BrokerId(1), "127.0.0.1", 9092, std::nullopt}};
    update.controller_id = BrokerId(1);
    update.cluster_id = "test-cluster-id";
    metadata_.update_metadata(update);

    services_.zk = kafka_zk_.get();
    services_.admin_zk = admin_zk_.get();
    services_.metadata_cache = &metadata_;
    services_.replica_manager = replica_manager_.get();
    services_.log_manager = logs_.get();
    services_.config = &config_;
    services_.is_controller = [this] { return controller_.load(); };
    services_.metadata_poll_interval = 10ms;
    add_admin_handlers(registry_, services_);
  }

  void TearDown() override {
    if (zk_) sync(zk_->close());
    work_.reset();
    io_.stop();
    thread_.join();
    pool_.join();
    maintenance_pool_.join();
    if (logs_) (void)logs_->shutdown();
  }

  // Runs `task` on the io thread and waits (bounded) for it.
  template <typename T>
  T sync(asio::awaitable<T> task) {
    auto future = spawn(std::move(task));
    if (future.wait_for(60s) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within 60 s";
      std::abort();
    }
    return std::move(*future.get());
  }
  void sync(asio::awaitable<void> task) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    if (future.wait_for(60s) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within 60 s";
      std::abort();
    }
    future.get();
  }
  template <typename T>
  std::future<std::optional<T>> spawn(asio::awaitable<T> task) {
    return asio::co_spawn(io_, as_optional(std::move(task)), asio::use_future);
  }

  // Encodes `request` at `version`, runs its handler and decodes the answer.
  template <typename Resp, typename Req>
  std::future<std::optional<Resp>> start_call(const Req& request, int16_t version) {
    RequestContext ctx;
    Bytes body;
    protocol::Writer w(body);
    request.encode(w, version);
    ctx.frame.assign(body.begin(), body.end());
    ctx.api_key = Req::kApiKey;
    ctx.header.request_api_key = static_cast<int16_t>(Req::kApiKey);
    ctx.header.request_api_version = version;
    ctx.header.correlation_id = 42;
    ctx.registry = &registry_;
    const Handler* handler = registry_.find(Req::kApiKey);
    EXPECT_NE(handler, nullptr);
    EXPECT_TRUE(handler != nullptr && handler->supports(version)) << "version " << version;
    return spawn(run_and_decode<Resp>(handler->fn, std::move(ctx), version));
  }
  template <typename Resp, typename Req>
  Resp call(const Req& request, int16_t version) {
    auto future = start_call<Resp>(request, version);
    EXPECT_EQ(future.wait_for(60s), std::future_status::ready);
    auto out = future.get();
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : Resp{};
  }

  // What the controller would send once it has brought `topic` online: every partition led by
  // broker 1.
  void publish_topic(const std::string& topic, int partitions) {
    MetadataUpdate update;
    for (int p = 0; p < partitions; ++p) {
      PartitionMetadata pm;
      pm.partition = PartitionId(p);
      pm.leader = BrokerId(1);
      pm.replicas = {BrokerId(1)};
      pm.isr = {BrokerId(1)};
      update.partition_states.emplace_back(topic, pm);
    }
    metadata_.update_metadata(update);
  }
  // What the controller would send once a deletion is complete.
  void unpublish_topic(const std::string& topic) {
    MetadataUpdate update;
    update.deleted_topics = {topic};
    metadata_.update_metadata(update);
  }

  bool exists(const std::string& path) {
    auto r = sync(zk_->exists(path));
    return r && r.value().has_value();
  }
  std::string data(const std::string& path) {
    auto r = sync(zk_->get_data(path));
    return r ? text_of(r.value().data) : std::string("<absent>");
  }
  // Polls (bounded) until `path` exists.
  bool wait_for_znode(const std::string& path, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exists(path)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  // Creates a topic straight through AdminZkClient (not under test here) and publishes it.
  void make_topic(const std::string& name, int partitions, coordination::TopicConfig config = {}) {
    coordination::NewTopic t;
    t.name = name;
    t.partitions = partitions;
    t.replication_factor = 1;
    t.config = std::move(config);
    auto created = sync(admin_zk_->create_topic(t, false));
    ASSERT_TRUE(created.has_value()) << created.error().message;
    publish_topic(name, partitions);
  }
  // LeaderAndIsr for `topic`-`p` naming broker 1, as the controller would send it.
  void lead(const std::string& topic, int p, coordination::TopicConfig config = {}) {
    PartitionState state;
    state.tp = TopicPartition{topic, PartitionId(p)};
    state.leader = BrokerId(1);
    state.leader_epoch = LeaderEpoch(0);
    state.replicas = {BrokerId(1)};
    state.isr = {BrokerId(1)};
    state.topic_config = std::move(config);
    ASSERT_EQ(sync(replica_manager_->become_leader_or_follower(state)), protocol::ErrorCode::none);
  }

  static inline sluice::testing::ZooKeeperServer* server_ = nullptr;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  asio::thread_pool pool_{2};
  asio::thread_pool maintenance_pool_{1};
  sluice::testing::TempDir dir_{"sluice-admin"};
  std::unique_ptr<coordination::ZooKeeperClient> zk_;
  std::unique_ptr<coordination::KafkaZkClient> kafka_zk_;
  std::unique_ptr<coordination::AdminZkClient> admin_zk_;
  KafkaConfig config_;
  MetadataCache metadata_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replica_manager_;
  std::atomic<bool> controller_{true};
  AdminServices services_;
  HandlerRegistry registry_;

 private:
  template <typename T>
  static asio::awaitable<std::optional<T>> as_optional(asio::awaitable<T> task) {
    co_return co_await std::move(task);
  }
  template <typename Resp>
  static asio::awaitable<Resp> run_and_decode(HandlerFn fn, RequestContext ctx, int16_t version) {
    Response response = co_await fn(std::move(ctx));
    EXPECT_EQ(response.kind(), Response::Kind::send) << response.reason();
    Bytes frame;
    for (const auto& part : response.buffer().parts()) {
      if (const Bytes* b = std::get_if<Bytes>(&part)) frame.insert(frame.end(), b->begin(), b->end());
    }
    if (frame.size() < 8) co_return Resp{};
    protocol::Reader reader(ByteView(frame).subspan(8));  // size, correlation id
    if (Resp::kFlexibleFrom >= 0 && version >= Resp::kFlexibleFrom) {
      EXPECT_TRUE(reader.skip_tagged_fields());
    }
    auto decoded = Resp::decode(reader, version);
    EXPECT_TRUE(decoded) << decoded.error().message();
    co_return decoded ? std::move(decoded).value() : Resp{};
  }

  std::string make_chroot() {
    static std::atomic<int> counter{0};
    const std::string chroot = "/admin" + std::to_string(counter.fetch_add(1)) + "-" + std::to_string(::getpid());
    coordination::ZooKeeperConfig c;
    c.connect = server_->connect_string();
    c.connection_timeout = 10s;
    coordination::ZooKeeperClient root(io_.get_executor(), c);
    EXPECT_TRUE(sync(root.connect()));
    EXPECT_TRUE(sync(root.create(chroot, {}, coordination::CreateMode::persistent)));
    sync(root.close());
    return chroot;
  }
};

}  // namespace sluice::broker::testing
