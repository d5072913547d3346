// ConsumerOffsetsZk against a real ZooKeeper: the 0.8 value layout read back raw, the meta tree,
// one atomic multi per commit, group id escaping, listing and deletion.
#include <gtest/gtest.h>

#include "coordination/consumer_offsets_zk.h"
#include "coordination/kafka_zk_client.h"
#include "coordination/tests/zk_test_util.h"

namespace sluice::coordination::testing {
namespace {

class ConsumerOffsetsZkTest : public ZkFixture {
 protected:
  void SetUp() override {
    ZkFixture::SetUp();
    KafkaZkClient kafka(zk());
    ASSERT_TRUE(io_.sync(kafka.create_top_level_paths()));
    offsets_ = std::make_unique<ConsumerOffsetsZk>(zk());
  }
  ConsumerOffsetsZk& offsets() { return *offsets_; }
  std::string raw(const std::string& path) {
    auto node = io_.sync(zk().get_data(path));
    if (!node) return std::string("(absent or unreadable)");
    return text(node.value().data);
  }
  std::unique_ptr<ConsumerOffsetsZk> offsets_;
};

CommittedOffset at(int64_t offset, int32_t epoch = -1, std::string metadata = "", int64_t ts = 1700000000000) {
  CommittedOffset c;
  c.offset = Offset(offset);
  c.leader_epoch = LeaderEpoch(epoch);
  c.metadata = std::move(metadata);
  c.commit_timestamp = TimestampMs(ts);
  return c;
}

TopicPartition tp(const std::string& topic, int32_t p) { return {topic, PartitionId(p)}; }

TEST_F(ConsumerOffsetsZkTest, ValueIsPlainDecimalAndMetaIsAlongside) {
  GroupOffsetMap commit{{tp("orders", 0), at(42, 7, "m\"x")}, {tp("orders", 3), at(9)}};
  ASSERT_TRUE(io_.sync(offsets().commit("g1", commit)));
  EXPECT_EQ(raw("/consumers/g1/offsets/orders/0"), "42");
  EXPECT_EQ(raw("/consumers/g1/offsets/orders/3"), "9");
  const auto meta = ConsumerOffsetsZk::decode_meta(raw("/consumers/g1/offsets_meta/orders/0"));
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->leader_epoch, LeaderEpoch(7));
  EXPECT_EQ(meta->metadata, "m\"x");
  EXPECT_EQ(meta->commit_timestamp, TimestampMs(1700000000000));
  EXPECT_NE(raw("/consumers/g1/offsets_meta/orders/0").find("\"version\":1"), std::string::npos);
  EXPECT_EQ(io_.sync(offsets().read_group("g1")).value(), commit);

  // An overwrite uses set_data: same znodes, new values.
  GroupOffsetMap again{{tp("orders", 0), at(100, 8, "")}};
  ASSERT_TRUE(io_.sync(offsets().commit("g1", again)));
  EXPECT_EQ(raw("/consumers/g1/offsets/orders/0"), "100");
  EXPECT_EQ(io_.sync(offsets().read_group("g1")).value().at(tp("orders", 0)), at(100, 8, ""));
}

TEST_F(ConsumerOffsetsZkTest, OffsetsWrittenByOldToolsReadWithoutMeta) {
  KafkaZkClient kafka(zk());
  for (const std::string path : {"/consumers/old", "/consumers/old/offsets", "/consumers/old/offsets/t"}) {
    ASSERT_TRUE(io_.sync(zk().create(path, {}, CreateMode::persistent)));
  }
  ASSERT_TRUE(io_.sync(zk().create("/consumers/old/offsets/t/2", bytes("1742"), CreateMode::persistent)));
  ASSERT_TRUE(io_.sync(zk().create("/consumers/old/offsets/t/x", bytes("1"), CreateMode::persistent)));
  const GroupOffsetMap read = io_.sync(offsets().read_group("old")).value();
  ASSERT_EQ(read.size(), 1u);
  CommittedOffset expected;
  expected.offset = Offset(1742);
  EXPECT_EQ(read.at(tp("t", 2)), expected);  // epoch -1, metadata "", timestamp -1
  EXPECT_EQ(io_.sync(offsets().list_groups()).value(), std::vector<std::string>{"old"});
}

// The meta parent of t2 is an ephemeral znode, which cannot have children: the multi's create
// under it fails, so the whole commit (including the set_data of t1/0) must not apply.
TEST_F(ConsumerOffsetsZkTest, ACommitIsOneMultiAllOrNothing) {
  ASSERT_TRUE(io_.sync(offsets().commit("g", {{tp("t1", 0), at(5)}})));
  for (const std::string path : {"/consumers/g/offsets/t2"}) {
    ASSERT_TRUE(io_.sync(zk().create(path, {}, CreateMode::persistent)));
  }
  ASSERT_TRUE(io_.sync(zk().create("/consumers/g/offsets_meta/t2", {}, CreateMode::ephemeral)));
  const Status st = io_.sync(offsets().commit("g", {{tp("t1", 0), at(6)}, {tp("t2", 0), at(7)}}));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), Errc::no_children_for_ephemerals);
  EXPECT_EQ(raw("/consumers/g/offsets/t1/0"), "5");
  EXPECT_FALSE(io_.sync(zk().exists("/consumers/g/offsets/t2/0")).value().has_value());
  const GroupOffsetMap read = io_.sync(offsets().read_group("g")).value();
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read.at(tp("t1", 0)).offset, Offset(5));
}

TEST(ConsumerOffsetsZkEscaping, OrdinaryIdsAreThemselvesOthersRoundTrip) {
  for (const std::string id : {"g", "consumer-group_1.x", "ça", "a.b", "...", "a%b"}) {
    EXPECT_EQ(ConsumerOffsetsZk::escape_group_id(id), id) << id;
    EXPECT_EQ(ConsumerOffsetsZk::unescape_group_id(id), id) << id;
  }
  const std::vector<std::pair<std::string, std::string>> escaped = {
      {"", "%"},
      {".", "%."},
      {"..", "%.."},
      {"a/b", "%a%2Fb"},
      {"%x", "%%25x"},
      {"%", "%%25"},
      {std::string("tab\tid"), "%tab%09id"},
      {std::string("nul\0x", 5), "%nul%00x"},
      {"\xC2\x85", "%%C2%85"},            // U+0085
      {"\xEE\x80\x80", "%%EE%80%80"},     // U+E000 (private use)
      {"\xF0\x9F\x98\x80", "%%F0%9F%98%80"},  // U+1F600: a surrogate pair in Java
      {"\xFF", "%%FF"},                   // not UTF-8
  };
  for (const auto& [id, name] : escaped) {
    EXPECT_EQ(ConsumerOffsetsZk::escape_group_id(id), name);
    EXPECT_EQ(ConsumerOffsetsZk::unescape_group_id(name), id) << name;
  }
  EXPECT_EQ(ConsumerOffsetsZk::unescape_group_id("%a/b"), std::nullopt);
  EXPECT_EQ(ConsumerOffsetsZk::unescape_group_id("%%2"), std::nullopt);
  EXPECT_EQ(ConsumerOffsetsZk::unescape_group_id("%%41"), std::nullopt);  // not canonical ("A" is plain)
  EXPECT_TRUE(ConsumerOffsetsZk::group_id_fits(std::string(255, 'g')));
  EXPECT_FALSE(ConsumerOffsetsZk::group_id_fits(std::string(256, 'g')));
  EXPECT_FALSE(ConsumerOffsetsZk::group_id_fits(std::string(100, '/')));  // 301 bytes escaped
}

TEST_F(ConsumerOffsetsZkTest, EscapedGroupsAreStoredListedAndDeleted) {
  const std::vector<std::string> ids = {"", ".", "..", "a/b", "%x", "bell\x07"};
  for (const std::string& id : ids) {
    ASSERT_TRUE(io_.sync(offsets().commit(id, {{tp("t", 0), at(11)}}))) << id;
    EXPECT_EQ(raw("/consumers/" + ConsumerOffsetsZk::escape_group_id(id) + "/offsets/t/0"), "11");
    EXPECT_EQ(io_.sync(offsets().read_group(id)).value().at(tp("t", 0)).offset, Offset(11));
  }
  auto listed = io_.sync(offsets().list_groups()).value();
  std::sort(listed.begin(), listed.end());
  auto expected = ids;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  ASSERT_TRUE(io_.sync(offsets().delete_group("a/b")));
  EXPECT_FALSE(io_.sync(zk().exists("/consumers/%a%2Fb")).value().has_value());
  EXPECT_TRUE(io_.sync(offsets().read_group("a/b")).value().empty());
  EXPECT_TRUE(io_.sync(offsets().delete_group("a/b")));  // absent: fine
}

TEST_F(ConsumerOffsetsZkTest, DeleteTopicFromEveryGroupAndDeletePartitions) {
  ASSERT_TRUE(io_.sync(offsets().commit("g1", {{tp("gone", 0), at(1)}, {tp("kept", 0), at(2)}})));
  ASSERT_TRUE(io_.sync(offsets().commit("g2", {{tp("gone", 1), at(3)}})));
  ASSERT_TRUE(io_.sync(offsets().delete_topic("gone")));
  EXPECT_FALSE(io_.sync(zk().exists("/consumers/g1/offsets/gone")).value().has_value());
  EXPECT_FALSE(io_.sync(zk().exists("/consumers/g1/offsets_meta/gone")).value().has_value());
  EXPECT_FALSE(io_.sync(zk().exists("/consumers/g2/offsets/gone")).value().has_value());
  EXPECT_EQ(io_.sync(offsets().read_group("g1")).value().size(), 1u);
  EXPECT_EQ(io_.sync(offsets().list_groups()).value(), std::vector<std::string>{"g1"});

  ASSERT_TRUE(io_.sync(offsets().commit("g1", {{tp("kept", 1), at(4)}})));
  ASSERT_TRUE(io_.sync(offsets().delete_partitions("g1", {tp("kept", 0), tp("kept", 7)})));
  const GroupOffsetMap read = io_.sync(offsets().read_group("g1")).value();
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read.at(tp("kept", 1)).offset, Offset(4));
  EXPECT_FALSE(io_.sync(zk().exists("/consumers/g1/offsets_meta/kept/0")).value().has_value());
}

}  // namespace
}  // namespace sluice::coordination::testing
