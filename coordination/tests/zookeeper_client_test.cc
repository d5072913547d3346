// ZooKeeperClient against a real ZooKeeper: reads, writes, versions, ephemerals, sequential
// znodes, multi, watches, chroot and pipelining. Session faults are in zookeeper_session_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "coordination/tests/zk_test_util.h"

namespace sluice::coordination::testing {
namespace {

using ZooKeeperClientTest = ZkFixture;

TEST_F(ZooKeeperClientTest, CreateGetSetRemoveTrackVersions) {
  ASSERT_EQ(io_.sync(zk().create("/a", bytes("one"), CreateMode::persistent)).value(), "/a");
  auto got = io_.sync(zk().get_data("/a")).value();
  EXPECT_EQ(text(got.data), "one");
  EXPECT_EQ(got.stat.version, ZkVersion(0));
  EXPECT_EQ(got.stat.ephemeral_owner, 0);

  const ZNodeStat after = io_.sync(zk().set_data("/a", bytes("two"), ZkVersion(0))).value();
  EXPECT_EQ(after.version, ZkVersion(1));
  EXPECT_EQ(text(io_.sync(zk().get_data("/a")).value().data), "two");

  // A stale expected version loses; "any" wins.
  EXPECT_EQ(io_.sync(zk().set_data("/a", bytes("x"), ZkVersion(0))).error(), Errc::bad_version);
  EXPECT_EQ(io_.sync(zk().set_data("/a", bytes("three"), kMatchAnyVersion)).value().version, ZkVersion(2));

  EXPECT_EQ(io_.sync(zk().remove("/a", ZkVersion(1))).error(), Errc::bad_version);
  EXPECT_TRUE(io_.sync(zk().remove("/a", ZkVersion(2))));
  EXPECT_EQ(io_.sync(zk().exists("/a")).value(), std::nullopt);
}

TEST_F(ZooKeeperClientTest, ReportsZooKeeperErrorsAsErrc) {
  ASSERT_TRUE(io_.sync(zk().create("/p", {}, CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().create("/p/c", {}, CreateMode::persistent)));
  EXPECT_EQ(io_.sync(zk().create("/p", {}, CreateMode::persistent)).error(), Errc::node_exists);
  EXPECT_EQ(io_.sync(zk().create("/missing/c", {}, CreateMode::persistent)).error(), Errc::no_node);
  EXPECT_EQ(io_.sync(zk().get_data("/missing")).error(), Errc::no_node);
  EXPECT_EQ(io_.sync(zk().get_children("/missing")).error(), Errc::no_node);
  EXPECT_EQ(io_.sync(zk().remove("/p", kMatchAnyVersion)).error(), Errc::not_empty);
  EXPECT_EQ(io_.sync(zk().create("relative", {}, CreateMode::persistent)).error(), Errc::bad_arguments);
  ASSERT_TRUE(io_.sync(zk().create("/e", {}, CreateMode::ephemeral)));
  EXPECT_EQ(io_.sync(zk().create("/e/c", {}, CreateMode::persistent)).error(), Errc::no_children_for_ephemerals);
}

TEST_F(ZooKeeperClientTest, EmptyDataAndBinaryDataRoundTrip) {
  ASSERT_TRUE(io_.sync(zk().create("/empty", {}, CreateMode::persistent)));
  EXPECT_TRUE(io_.sync(zk().get_data("/empty")).value().data.empty());
  const Bytes binary = {std::byte{0}, std::byte{0xff}, std::byte{'\n'}, std::byte{0}};
  ASSERT_TRUE(io_.sync(zk().create("/bin", binary, CreateMode::persistent)));
  EXPECT_EQ(io_.sync(zk().get_data("/bin")).value().data, binary);
}

TEST_F(ZooKeeperClientTest, EphemeralDisappearsWhenItsSessionCloses) {
  auto other = connected_client(io_, config());
  ASSERT_TRUE(io_.sync(other->create("/eph", bytes("x"), CreateMode::ephemeral)));
  const auto stat = io_.sync(zk().exists("/eph")).value();
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->ephemeral_owner, other->session_id());
  EXPECT_NE(stat->ephemeral_owner, zk().session_id());

  auto events = std::make_shared<EventQueue<WatchEvent>>();
  ASSERT_TRUE(io_.sync(zk().exists("/eph", watch_into(io_, events))).value());
  io_.sync(other->close());
  EXPECT_TRUE(events->wait_for({WatchEventType::deleted, "/eph"}));
  EXPECT_EQ(io_.sync(zk().exists("/eph")).value(), std::nullopt);
}

TEST_F(ZooKeeperClientTest, SequentialNodesGetIncreasingTenDigitSuffixes) {
  ASSERT_TRUE(io_.sync(zk().create("/q", {}, CreateMode::persistent)));
  const std::string first = io_.sync(zk().create("/q/item_", bytes("1"), CreateMode::persistent_sequential)).value();
  const std::string second = io_.sync(zk().create("/q/item_", bytes("2"), CreateMode::ephemeral_sequential)).value();
  EXPECT_EQ(first, "/q/item_0000000000");
  EXPECT_EQ(second, "/q/item_0000000001");
  auto children = io_.sync(zk().get_children("/q")).value();
  std::sort(children.begin(), children.end());
  EXPECT_EQ(children, (std::vector<std::string>{"item_0000000000", "item_0000000001"}));
  EXPECT_NE(io_.sync(zk().exists(second)).value()->ephemeral_owner, 0);
}

TEST_F(ZooKeeperClientTest, MultiCommitsAllOpsAndReportsEach) {
  ASSERT_TRUE(io_.sync(zk().create("/m", bytes("0"), CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().create("/gone", {}, CreateMode::persistent)));
  const auto result = io_.sync(zk().multi({
      ZkOp::check_version("/m", ZkVersion(0)),
      ZkOp::create("/m/seq_", bytes("c"), CreateMode::persistent_sequential),
      ZkOp::set_data("/m", bytes("1"), ZkVersion(0)),
      ZkOp::remove("/gone", kMatchAnyVersion),
  })).value();
  ASSERT_TRUE(result.committed()) << result.error.message();
  ASSERT_EQ(result.ops.size(), 4u);
  EXPECT_EQ(result.ops[1].created_path, "/m/seq_0000000000");
  ASSERT_TRUE(result.ops[2].stat.has_value());
  EXPECT_EQ(result.ops[2].stat->version, ZkVersion(1));
  EXPECT_EQ(text(io_.sync(zk().get_data("/m")).value().data), "1");
  EXPECT_EQ(io_.sync(zk().exists("/gone")).value(), std::nullopt);
}

TEST_F(ZooKeeperClientTest, MultiWithOneFailingOpChangesNothing) {
  ASSERT_TRUE(io_.sync(zk().create("/m", bytes("0"), CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().create("/taken", {}, CreateMode::persistent)));
  const auto result = io_.sync(zk().multi({
      ZkOp::create("/new", bytes("n"), CreateMode::persistent),
      ZkOp::set_data("/m", bytes("1"), ZkVersion(0)),
      ZkOp::create("/taken", {}, CreateMode::persistent),
      ZkOp::remove("/m", kMatchAnyVersion),
  })).value();
  ASSERT_FALSE(result.committed());
  EXPECT_EQ(result.error, Errc::node_exists);
  EXPECT_EQ(result.failed_op(), 2u);
  ASSERT_EQ(result.ops.size(), 4u);
  EXPECT_FALSE(result.ops[0].error);  // ops before the failure say ok but were rolled back
  EXPECT_TRUE(result.ops[0].created_path.empty());
  EXPECT_FALSE(result.ops[1].stat.has_value());
  EXPECT_EQ(result.ops[2].error, Errc::node_exists);
  EXPECT_EQ(result.ops[3].error, Errc::runtime_inconsistency);
  EXPECT_EQ(io_.sync(zk().exists("/new")).value(), std::nullopt);
  const auto m = io_.sync(zk().get_data("/m")).value();
  EXPECT_EQ(text(m.data), "0");
  EXPECT_EQ(m.stat.version, ZkVersion(0));
}

TEST_F(ZooKeeperClientTest, MultiCheckVersionFencesTheWrite) {
  ASSERT_TRUE(io_.sync(zk().create("/epoch", bytes("1"), CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().set_data("/epoch", bytes("2"), kMatchAnyVersion)));
  ASSERT_TRUE(io_.sync(zk().create("/state", bytes("s0"), CreateMode::persistent)));
  const auto result = io_.sync(zk().multi({ZkOp::check_version("/epoch", ZkVersion(0)),
                                           ZkOp::set_data("/state", bytes("s1"), kMatchAnyVersion)}))
                          .value();
  ASSERT_FALSE(result.committed());
  EXPECT_EQ(result.error, Errc::bad_version);
  EXPECT_EQ(result.failed_op(), 0u);
  EXPECT_EQ(text(io_.sync(zk().get_data("/state")).value().data), "s0");
}

TEST_F(ZooKeeperClientTest, DataWatchFiresOnceAndMustBeRearmed) {
  ASSERT_TRUE(io_.sync(zk().create("/w", bytes("0"), CreateMode::persistent)));
  auto events = std::make_shared<EventQueue<WatchEvent>>();
  ASSERT_TRUE(io_.sync(zk().get_data("/w", watch_into(io_, events))));
  ASSERT_TRUE(io_.sync(zk().set_data("/w", bytes("1"), kMatchAnyVersion)));
  ASSERT_TRUE(io_.sync(zk().set_data("/w", bytes("2"), kMatchAnyVersion)));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::data_changed, "/w"}));
  // The second change found no watch: nothing more arrives (the sync round trip below orders it).
  ASSERT_TRUE(io_.sync(zk().get_data("/w")));
  EXPECT_EQ(events->pop(300ms), std::nullopt);

  ASSERT_TRUE(io_.sync(zk().get_data("/w", watch_into(io_, events))));  // re-arm
  ASSERT_TRUE(io_.sync(zk().remove("/w", kMatchAnyVersion)));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::deleted, "/w"}));
}

TEST_F(ZooKeeperClientTest, ExistsWatchSeesCreation) {
  auto events = std::make_shared<EventQueue<WatchEvent>>();
  EXPECT_EQ(io_.sync(zk().exists("/later", watch_into(io_, events))).value(), std::nullopt);
  ASSERT_TRUE(io_.sync(zk().create("/later", {}, CreateMode::persistent)));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::created, "/later"}));
}

TEST_F(ZooKeeperClientTest, ChildrenWatchFiresOnChildChangesOnly) {
  ASSERT_TRUE(io_.sync(zk().create("/ids", {}, CreateMode::persistent)));
  auto events = std::make_shared<EventQueue<WatchEvent>>();
  ASSERT_TRUE(io_.sync(zk().get_children("/ids", watch_into(io_, events))));
  ASSERT_TRUE(io_.sync(zk().set_data("/ids", bytes("data"), kMatchAnyVersion)));  // not a child change
  ASSERT_TRUE(io_.sync(zk().create("/ids/1", {}, CreateMode::ephemeral)));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::children_changed, "/ids"}));
  EXPECT_EQ(events->size(), 0u);

  const auto children = io_.sync(zk().get_children("/ids", watch_into(io_, events))).value();
  EXPECT_EQ(children, std::vector<std::string>{"1"});
  ASSERT_TRUE(io_.sync(zk().remove("/ids/1", kMatchAnyVersion)));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::children_changed, "/ids"}));
}

TEST_F(ZooKeeperClientTest, FailedReadArmsNoWatch) {
  auto events = std::make_shared<EventQueue<WatchEvent>>();
  EXPECT_EQ(io_.sync(zk().get_data("/nothing", watch_into(io_, events))).error(), Errc::no_node);
  EXPECT_EQ(io_.sync(zk().get_children("/nothing", watch_into(io_, events))).error(), Errc::no_node);
  ASSERT_TRUE(io_.sync(zk().create("/nothing", {}, CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().create("/nothing/c", {}, CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().get_data("/nothing")));
  EXPECT_EQ(events->pop(300ms), std::nullopt);
}

TEST_F(ZooKeeperClientTest, ChrootMakesPathsRelative) {
  ASSERT_TRUE(io_.sync(zk().create("/inside", bytes("v"), CreateMode::persistent)));
  auto root = connected_client(io_, config_for(server_->connect_string()));
  EXPECT_EQ(text(io_.sync(root->get_data(chroot_ + "/inside")).value().data), "v");
  EXPECT_EQ(io_.sync(root->exists("/inside")).value(), std::nullopt);

  auto events = std::make_shared<EventQueue<WatchEvent>>();
  ASSERT_TRUE(io_.sync(zk().get_data("/inside", watch_into(io_, events))));
  ASSERT_TRUE(io_.sync(root->set_data(chroot_ + "/inside", bytes("w"), kMatchAnyVersion)));
  EXPECT_EQ(events->pop(), (WatchEvent{WatchEventType::data_changed, "/inside"}));
  const auto seq = io_.sync(zk().create("/inside/s_", {}, CreateMode::persistent_sequential)).value();
  EXPECT_EQ(seq, "/inside/s_0000000000");
  io_.sync(root->close());
}

TEST_F(ZooKeeperClientTest, ThousandPipelinedCreatesAllComplete) {
  constexpr int kCount = 1000;
  ZooKeeperConfig wide = config();
  wide.max_in_flight_requests = kCount;
  auto client = connected_client(io_, wide);
  ASSERT_TRUE(io_.sync(client->create("/bulk", {}, CreateMode::persistent)));
  std::vector<std::future<std::optional<Result<std::string>>>> futures;
  futures.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    futures.push_back(io_.spawn(client->create("/bulk/n" + std::to_string(i), {}, CreateMode::persistent)));
  }
  for (auto& f : futures) ASSERT_TRUE(f.get().value());
  EXPECT_EQ(io_.sync(client->get_children("/bulk")).value().size(), static_cast<size_t>(kCount));
  io_.sync(client->close());
}

TEST_F(ZooKeeperClientTest, InFlightLimitQueuesExcessRequests) {
  ZooKeeperConfig narrow = config();
  narrow.max_in_flight_requests = 2;
  auto client = connected_client(io_, narrow);
  std::vector<std::future<std::optional<Result<std::string>>>> futures;
  for (int i = 0; i < 50; ++i) {
    futures.push_back(io_.spawn(client->create("/l" + std::to_string(i), {}, CreateMode::persistent)));
  }
  std::set<std::string> created;
  for (auto& f : futures) created.insert(f.get()->value());
  EXPECT_EQ(created.size(), 50u);
  io_.sync(client->close());
}

}  // namespace
}  // namespace sluice::coordination::testing
