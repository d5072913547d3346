#include "client/partitioner.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sluice::client {
namespace {

int32_t hash(std::string_view s) { return murmur2(as_bytes(s)); }
Bytes bytes(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

// The Java client's own vectors (UtilsTest.testMurmur2), which cover every tail length.
TEST(Murmur2, MatchesJavaClientVectors) {
  EXPECT_EQ(hash("21"), -973932308);
  EXPECT_EQ(hash("foobar"), -790332482);
  EXPECT_EQ(hash("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(hash("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(hash("abc"), 479470107);
}

TEST(Murmur2, EmptyInputHashesTheSeedAndLength) { EXPECT_EQ(hash(""), 275646681); }

TEST(Murmur2, ToPositiveClearsOnlyTheSignBit) {
  EXPECT_EQ(to_positive(-973932308), -973932308 & 0x7fffffff);
  EXPECT_EQ(to_positive(INT32_MIN), 0);
  EXPECT_EQ(to_positive(5), 5);
}

TEST(Partitioner, KeyedRecordsUseToPositiveMurmur2ModPartitions) {
  // toPositive(-973932308) = 1173551340; 1173551340 % 3 = 0, % 10 = 0, % 7 = 1.
  EXPECT_EQ(partition_for_key(as_bytes("21"), 3), PartitionId(0));
  EXPECT_EQ(partition_for_key(as_bytes("21"), 7), PartitionId(1173551340 % 7));
  Partitioner p(1);
  for (std::string key : {"a", "foobar", "abc", "21", "x-y-z"}) {
    EXPECT_EQ(p.partition("t", bytes(key), 6), PartitionId(to_positive(hash(key)) % 6)) << key;
  }
}

TEST(Partitioner, EmptyKeyIsHashedNotSticky) {
  Partitioner p(1);
  EXPECT_EQ(p.partition("t", Bytes{}, 100), PartitionId(275646681 % 100));
}

TEST(Partitioner, KeylessRecordsStickUntilTheirBatchCloses) {
  Partitioner p(42);
  const PartitionId first = p.partition("t", std::nullopt, 8);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(p.partition("t", std::nullopt, 8), first);
  p.on_new_batch("t", first, 8);
  const PartitionId second = p.partition("t", std::nullopt, 8);
  EXPECT_NE(second, first);
  p.on_new_batch("t", first, 8);  // a stale partition's batch does not move the sticky one
  EXPECT_EQ(p.partition("t", std::nullopt, 8), second);
}

TEST(Partitioner, StickyPartitionsSpreadOverTime) {
  Partitioner p(7);
  std::set<int32_t> seen;
  for (int i = 0; i < 200; ++i) {
    const PartitionId cur = p.partition("t", std::nullopt, 4);
    seen.insert(cur.value());
    p.on_new_batch("t", cur, 4);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(Partitioner, SinglePartitionTopicAlwaysZero) {
  Partitioner p(3);
  p.on_new_batch("t", p.partition("t", std::nullopt, 1), 1);
  EXPECT_EQ(p.partition("t", std::nullopt, 1), PartitionId(0));
}

}  // namespace
}  // namespace sluice::client
