// The range and roundrobin assignors against the examples in Kafka's RangeAssignor and
// RoundRobinAssignor documentation, and the "consumer" protocol codec (docs/formats/wire-protocol.md
// §6.6): round trips, the bytes librdkafka and kafka-python write, and garbage.
#include <gtest/gtest.h>

#include <random>

#include "client/assignors.h"

namespace sluice::client {
namespace {

std::vector<PartitionId> ps(std::initializer_list<int32_t> ids) {
  std::vector<PartitionId> out;
  for (int32_t i : ids) out.emplace_back(i);
  return out;
}

// Kafka's RangeAssignor javadoc: C0 and C1 both subscribe to t0 and t1, 3 partitions each.
TEST(RangeAssignor, KafkaDocumentedExample) {
  auto a = range_assign({{"t0", 3}, {"t1", 3}}, {{"C0", {"t0", "t1"}}, {"C1", {"t0", "t1"}}});
  EXPECT_EQ(a["C0"], (TopicPartitions{{"t0", ps({0, 1})}, {"t1", ps({0, 1})}}));
  EXPECT_EQ(a["C1"], (TopicPartitions{{"t0", ps({2})}, {"t1", ps({2})}}));
}

TEST(RangeAssignor, MoreMembersThanPartitionsAndUnknownTopics) {
  auto a = range_assign({{"t", 2}}, {{"b", {"t", "missing"}}, {"a", {"t"}}, {"c", {"t"}}});
  EXPECT_EQ(a["a"], (TopicPartitions{{"t", ps({0})}}));
  EXPECT_EQ(a["b"], (TopicPartitions{{"t", ps({1})}}));
  EXPECT_TRUE(a["c"].empty());
  EXPECT_EQ(a.size(), 3u);  // every member is listed, even with nothing
}

TEST(RangeAssignor, FourPartitionsTwoMembersAreDisjointAndCovering) {
  auto a = range_assign({{"t", 4}}, {{"m2", {"t"}}, {"m1", {"t"}}});
  EXPECT_EQ(a["m1"], (TopicPartitions{{"t", ps({0, 1})}}));
  EXPECT_EQ(a["m2"], (TopicPartitions{{"t", ps({2, 3})}}));
}

// Kafka's RoundRobinAssignor javadoc, first example: same subscriptions as above.
TEST(RoundRobinAssignor, KafkaDocumentedExample) {
  auto a = round_robin_assign({{"t0", 3}, {"t1", 3}}, {{"C0", {"t0", "t1"}}, {"C1", {"t0", "t1"}}});
  EXPECT_EQ(a["C0"], (TopicPartitions{{"t0", ps({0, 2})}, {"t1", ps({1})}}));
  EXPECT_EQ(a["C1"], (TopicPartitions{{"t0", ps({1})}, {"t1", ps({0, 2})}}));
}

// Second javadoc example: C0 subscribes t0; C1 t0, t1; C2 t0, t1, t2 (1, 2, 3 partitions).
TEST(RoundRobinAssignor, KafkaDocumentedUnequalSubscriptions) {
  auto a = round_robin_assign({{"t0", 1}, {"t1", 2}, {"t2", 3}},
                              {{"C0", {"t0"}}, {"C1", {"t0", "t1"}}, {"C2", {"t0", "t1", "t2"}}});
  EXPECT_EQ(a["C0"], (TopicPartitions{{"t0", ps({0})}}));
  EXPECT_EQ(a["C1"], (TopicPartitions{{"t1", ps({0})}}));
  EXPECT_EQ(a["C2"], (TopicPartitions{{"t1", ps({1})}, {"t2", ps({0, 1, 2})}}));
}

TEST(Assignors, ByNameAndNoMembers) {
  EXPECT_TRUE(assign_by_name("range", {{"t", 1}}, {}).has_value());
  EXPECT_TRUE(assign_by_name("roundrobin", {{"t", 1}}, {})->empty());
  EXPECT_FALSE(assign_by_name("sticky", {{"t", 1}}, {{"a", {"t"}}}).has_value());
}

TEST(ConsumerProtocol, SubscriptionRoundTripsV0AndV1) {
  Subscription s;
  s.topics = {"orders", "payments"};
  s.owned_partitions = {{"orders", ps({0, 3})}};
  auto v1 = decode_subscription(encode_subscription(s, 1));
  ASSERT_TRUE(v1) << v1.error().message();
  EXPECT_EQ(v1.value().topics, s.topics);
  EXPECT_EQ(v1.value().owned_partitions, s.owned_partitions);
  EXPECT_FALSE(v1.value().user_data.has_value());
  auto v0 = decode_subscription(encode_subscription(s, 0));
  ASSERT_TRUE(v0);
  EXPECT_EQ(v0.value().topics, s.topics);
  EXPECT_TRUE(v0.value().owned_partitions.empty());
}

// The bytes kafka-python writes (v0: version, one topic "t", null user data), by hand.
TEST(ConsumerProtocol, DecodesHandWrittenSubscriptionAndNewerVersions) {
  const Bytes v0{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1},
                 std::byte{0}, std::byte{1}, std::byte{'t'}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff},
                 std::byte{0xff}};
  auto s = decode_subscription(v0);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s.value().topics, std::vector<std::string>{"t"});
  // A v3 subscription with fields we don't know after the v1 prefix: read the prefix.
  Subscription known;
  known.topics = {"x"};
  Bytes v3 = encode_subscription(known, 1);
  v3[1] = std::byte{3};
  v3.insert(v3.end(), {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{7}});
  auto newer = decode_subscription(v3);
  ASSERT_TRUE(newer);
  EXPECT_EQ(newer.value().topics, known.topics);
}

TEST(ConsumerProtocol, AssignmentRoundTripAndEmptyBytes) {
  MemberAssignment a;
  a.partitions = {{"t", ps({1, 2})}, {"u", ps({0})}};
  a.user_data = Bytes{std::byte{9}};
  auto back = decode_assignment(encode_assignment(a));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value().partitions, a.partitions);
  EXPECT_EQ(back.value().user_data, a.user_data);
  EXPECT_EQ(back.value().list().size(), 3u);
  auto empty = decode_assignment({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty.value().partitions.empty());
}

TEST(ConsumerProtocol, GarbageNeverCrashesOrAllocatesHuge) {
  // A count of 2^31-1 topics in a few bytes.
  const Bytes huge{std::byte{0}, std::byte{0}, std::byte{0x7f}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}};
  EXPECT_FALSE(decode_assignment(huge));
  EXPECT_FALSE(decode_subscription(huge));
  const Bytes negative{std::byte{0}, std::byte{0}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xfe}};
  EXPECT_FALSE(decode_assignment(negative));
  EXPECT_FALSE(decode_subscription(Bytes{std::byte{1}}));
  // Every truncation of a valid encoding, and random bytes: an error or a value, never a crash.
  MemberAssignment a;
  a.partitions = {{"topic", ps({0, 1, 2})}};
  const Bytes good = encode_assignment(a);
  // (Cut right after the partitions it is still whole: writers may omit the user data.)
  const size_t without_user_data = good.size() - 4;
  for (size_t n = 1; n < good.size(); ++n) {
    if (n == without_user_data) continue;
    EXPECT_FALSE(decode_assignment(ByteView(good.data(), n))) << n;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 20'000; ++i) {
    Bytes junk(rng() % 64);
    for (auto& b : junk) b = static_cast<std::byte>(rng());
    (void)decode_assignment(junk);
    (void)decode_subscription(junk);
  }
}

}  // namespace
}  // namespace sluice::client
