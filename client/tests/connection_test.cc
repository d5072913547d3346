#include "client/admin.h"
#include "client/tests/client_fixture.h"

namespace sluice::client::testing {
namespace {

asio::awaitable<Result<int>> pipelined_metadata(std::shared_ptr<BrokerConnection> conn, int count) {
  auto ex = co_await asio::this_coro::executor;
  auto results = std::make_shared<std::vector<bool>>();
  auto outstanding = std::make_shared<int>(count);
  auto done = std::make_shared<Signal>(ex);
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(ex, detail::wrap_optional(conn->send(protocol::MetadataRequest{})), [results, outstanding, done](std::exception_ptr, auto r) {
      results->push_back(r && *r && !r->value().body.brokers.empty());
      --*outstanding;
      done->notify();
    });
  }
  while (*outstanding > 0) co_await done->wait_until(Clock::now() + std::chrono::seconds(5));
  co_return static_cast<int>(std::count(results->begin(), results->end(), true));
}

asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> open(std::string host, uint16_t port, ConnectionConfig cc) {
  auto conn = std::make_shared<BrokerConnection>(co_await asio::this_coro::executor, host, port, cc);
  SLUICE_CO_TRY(co_await conn->connect());
  co_return conn;
}

TEST_F(ClientTest, ConnectionNegotiatesVersionsAndPipelinesRequests) {
  auto conn = run(client_->any_connection());
  ASSERT_TRUE(conn);
  EXPECT_TRUE(conn.value()->negotiate(protocol::ApiKey::fetch, 4, protocol::FetchRequest::kMaxVersion));
  EXPECT_EQ(conn.value()->negotiate(protocol::ApiKey::fetch, 99, 99).error(), Errc::no_common_version);
  auto ok_count = run(pipelined_metadata(conn.value(), 25));
  ASSERT_TRUE(ok_count);
  EXPECT_EQ(ok_count.value(), 25);
}

TEST_F(ClientTest, OversizedResponseFailsCleanlyAndClosesTheConnection) {
  const auto servers = parse_bootstrap(cluster_.bootstraps()).value();
  ConnectionConfig small;
  small.max_response_bytes = 8;  // smaller than any ApiVersions response
  auto conn = run(open(servers[0].first, servers[0].second, small));
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error(), Errc::frame_too_large);
}

TEST_F(ClientTest, RefusedConnectionIsACleanError) {
  auto conn = run(open("127.0.0.1", 1, ConnectionConfig{}));
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error(), Errc::connection_failed);
}

TEST(ParseBootstrap, SplitsHostPortPairs) {
  auto servers = parse_bootstrap("a:1, b.example:9092");
  ASSERT_TRUE(servers);
  ASSERT_EQ(servers.value().size(), 2u);
  EXPECT_EQ(servers.value()[1].first, "b.example");
  EXPECT_EQ(servers.value()[1].second, 9092);
  EXPECT_FALSE(parse_bootstrap(""));
  EXPECT_FALSE(parse_bootstrap("nohost"));
  EXPECT_FALSE(parse_bootstrap("h:notaport"));
}

TEST_F(ClientTest, AdminDescribesAndListsTopics) {
  cluster_.create_topic("described", 3);
  Admin admin(*client_);
  auto listed = run(admin.list_topics());
  ASSERT_TRUE(listed);
  EXPECT_NE(std::find(listed.value().begin(), listed.value().end(), "described"), listed.value().end());
  auto described = run(admin.describe_topics({"described"}));
  ASSERT_TRUE(described);
  ASSERT_EQ(described.value().size(), 1u);
  const TopicInfo& t = described.value()[0];
  EXPECT_EQ(t.error, protocol::ErrorCode::none);
  ASSERT_EQ(t.partitions.size(), 3u);
  EXPECT_EQ(t.partitions[0].replicas.size(), 3u);
  EXPECT_GE(t.partitions[0].leader.value(), 1);
}

TEST_F(ClientTest, AdminCreatesTopicsWhereTheBrokerSupportsIt) {
  Admin admin(*client_);
  NewTopic t{.name = "created", .num_partitions = 2, .replication_factor = 1, .configs = {}};
  auto created = run(admin.create_topics({t}));
  if (!created && created.error() == Errc::no_common_version) GTEST_SKIP() << "mock broker lacks CreateTopics";
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_FALSE(created.value().at("created"));
  auto again = run(admin.create_topics({t}));
  ASSERT_TRUE(again);
  EXPECT_EQ(as_broker_error(again.value().at("created")), protocol::ErrorCode::topic_already_exists);
}

}  // namespace
}  // namespace sluice::client::testing
