// FetchSessionCache against Kafka 2.8's FetchSession.scala rules (KIP-227): what each
// (session id, epoch) means, what an incremental response carries, and who may evict whom.
#include <gtest/gtest.h>

#include "broker/fetch_session_cache.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;

FetchRequestPartition part(int32_t p, int64_t offset) {
  return {.input = {.tp = {"t", PartitionId(p)}, .fetch_offset = Offset(offset), .max_bytes = 1 << 20},
          .log_start_offset = Offset(-1)};
}

std::vector<FetchRequestPartition> parts(int n) {
  std::vector<FetchRequestPartition> out;
  for (int i = 0; i < n; ++i) out.push_back(part(i, 0));
  return out;
}

// What the reads returned: every partition at high watermark `hw`, `bytes` of records.
std::vector<FetchPartitionOutput> outputs_of(const FetchContext& c, int64_t hw, int64_t bytes = 0) {
  std::vector<FetchPartitionOutput> out;
  for (const auto& input : c.inputs) {
    PartitionReadResult r;
    r.high_watermark = Offset(hw);
    r.log_start_offset = Offset(0);
    r.records.length = bytes;
    out.push_back({.tp = input.tp, .result = r});
  }
  return out;
}

// A session of `n` partitions, created at `now`.
int32_t open(FetchSessionCache& cache, int n, bool follower, int64_t now) {
  FetchContext c = cache.new_context(0, kInitialEpoch, parts(n), {}, follower, now);
  EXPECT_EQ(c.kind, FetchContext::Kind::full);
  return cache.create_session(c, outputs_of(c, 10), follower, now);
}

TEST(FetchSessionCache, EpochMinusOneIsSessionlessAndCreatesNothing) {
  FetchSessionCache cache(10);
  FetchContext c = cache.new_context(0, kFinalEpoch, parts(3), {}, false, 0);
  EXPECT_EQ(c.kind, FetchContext::Kind::sessionless);
  EXPECT_EQ(c.inputs.size(), 3u);
  EXPECT_EQ(cache.create_session(c, outputs_of(c, 10), false, 0), kInvalidSessionId);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(FetchSessionCache, AFullFetchCreatesASessionExpectingEpochOne) {
  FetchSessionCache cache(10);
  const int32_t id = open(cache, 3, false, 0);
  ASSERT_NE(id, kInvalidSessionId);
  EXPECT_EQ(cache.total_partitions(), 3u);
  FetchContext wrong = cache.new_context(id, 2, {}, {}, false, 1);
  EXPECT_EQ(wrong.kind, FetchContext::Kind::error);
  EXPECT_EQ(wrong.error, ErrorCode::invalid_fetch_session_epoch);
  FetchContext c = cache.new_context(id, 1, {}, {}, false, 1);
  ASSERT_EQ(c.kind, FetchContext::Kind::incremental);
  EXPECT_EQ(c.inputs.size(), 3u);  // every partition of the session is read
  FetchContext unknown = cache.new_context(id + 1, 1, {}, {}, false, 1);
  EXPECT_EQ(unknown.error, ErrorCode::fetch_session_id_not_found);
}

TEST(FetchSessionCache, AnIncrementalResponseCarriesOnlyWhatChanged) {
  FetchSessionCache cache(10);
  const int32_t id = open(cache, 3, false, 0);
  FetchContext c = cache.new_context(id, 1, {}, {}, false, 1);
  auto outputs = outputs_of(c, 10);
  outputs[1].result.records.length = 100;         // new records
  outputs[2].result.high_watermark = Offset(11);  // a moved high watermark
  ASSERT_EQ(cache.select_incremental(c, outputs), ErrorCode::none);
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].tp.partition, PartitionId(1));
  EXPECT_EQ(outputs[1].tp.partition, PartitionId(2));
  // Sent partitions go to the back of the session's order.
  FetchContext next = cache.new_context(id, 2, {}, {}, false, 2);
  ASSERT_EQ(next.inputs.size(), 3u);
  EXPECT_EQ(next.inputs[0].tp.partition, PartitionId(0));
  EXPECT_EQ(next.inputs[2].tp.partition, PartitionId(2));
  auto quiet = outputs_of(next, 10);
  quiet[2].result.high_watermark = Offset(11);
  ASSERT_EQ(cache.select_incremental(next, quiet), ErrorCode::none);
  EXPECT_TRUE(quiet.empty());
}

TEST(FetchSessionCache, AnErrorIsAlwaysSentAndItsEndSentAgain) {
  FetchSessionCache cache(10);
  const int32_t id = open(cache, 1, false, 0);
  FetchContext c = cache.new_context(id, 1, {}, {}, false, 1);
  auto outputs = outputs_of(c, 10);
  outputs[0].result.error = ErrorCode::not_leader_or_follower;
  ASSERT_EQ(cache.select_incremental(c, outputs), ErrorCode::none);
  EXPECT_EQ(outputs.size(), 1u);
  FetchContext again = cache.new_context(id, 2, {}, {}, false, 2);
  auto healed = outputs_of(again, 10);
  ASSERT_EQ(cache.select_incremental(again, healed), ErrorCode::none);
  EXPECT_EQ(healed.size(), 1u);
}

TEST(FetchSessionCache, PartitionsAreAddedUpdatedAndForgotten) {
  FetchSessionCache cache(10);
  const int32_t id = open(cache, 2, false, 0);
  std::vector<FetchRequestPartition> changed{part(1, 50), part(5, 0)};
  FetchContext c = cache.new_context(id, 1, changed, {TopicPartition{"t", PartitionId(0)}}, false, 1);
  ASSERT_EQ(c.kind, FetchContext::Kind::incremental);
  ASSERT_EQ(c.inputs.size(), 2u);
  EXPECT_EQ(c.inputs[0].tp.partition, PartitionId(1));
  EXPECT_EQ(c.inputs[0].fetch_offset, Offset(50));
  EXPECT_EQ(c.inputs[1].tp.partition, PartitionId(5));
  // Forgetting every partition closes the session; that fetch is sessionless.
  FetchContext last = cache.new_context(id, 2, {}, {TopicPartition{"t", PartitionId(1)}, {"t", PartitionId(5)}}, false, 2);
  EXPECT_EQ(last.kind, FetchContext::Kind::sessionless);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(FetchSessionCache, AFullFetchNamingASessionClosesIt) {
  FetchSessionCache cache(10);
  const int32_t id = open(cache, 2, false, 0);
  FetchContext c = cache.new_context(id, kInitialEpoch, parts(2), {}, false, 1);
  EXPECT_EQ(c.kind, FetchContext::Kind::full);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(FetchSessionCache, AFollowerEvictsAConsumerButNotTheOtherWayRound) {
  FetchSessionCache cache(1);
  const int32_t consumer = open(cache, 5, false, 0);
  ASSERT_NE(consumer, kInvalidSessionId);
  const int32_t follower = open(cache, 1, true, 1);
  ASSERT_NE(follower, kInvalidSessionId);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.new_context(consumer, 1, {}, {}, false, 2).error, ErrorCode::fetch_session_id_not_found);
  EXPECT_EQ(open(cache, 100, false, 3), kInvalidSessionId);  // the follower's stays
}

TEST(FetchSessionCache, ABiggerSessionEvictsOnlyOneOlderThanTheEvictionTime) {
  FetchSessionCache cache(1, 1000);
  const int32_t small = open(cache, 2, false, 0);
  ASSERT_NE(small, kInvalidSessionId);
  EXPECT_EQ(open(cache, 5, false, 10), kInvalidSessionId);  // too young to evict
  // Used again at 900, so not stale at 1500; but created more than 1000 ms ago.
  ASSERT_EQ(cache.new_context(small, 1, {}, {}, false, 900).kind, FetchContext::Kind::incremental);
  ASSERT_EQ(cache.new_context(small, 2, {}, {}, false, 1100).kind, FetchContext::Kind::incremental);
  EXPECT_EQ(open(cache, 1, false, 1500), kInvalidSessionId);  // not bigger
  EXPECT_NE(open(cache, 5, false, 1500), kInvalidSessionId);
}

TEST(FetchSessionCache, AStaleSessionIsEvictedByAnyone) {
  FetchSessionCache cache(1, 1000);
  ASSERT_NE(open(cache, 50, true, 0), kInvalidSessionId);
  EXPECT_NE(open(cache, 1, false, 1001), kInvalidSessionId);
}

TEST(FetchSessionCache, ZeroSlotsMeansNoSessions) {
  FetchSessionCache cache(0);
  EXPECT_EQ(open(cache, 2, true, 0), kInvalidSessionId);
}

TEST(FetchSessionCache, NextEpochWrapsToOne) {
  EXPECT_EQ(next_fetch_epoch(0), 1);
  EXPECT_EQ(next_fetch_epoch(INT32_MAX), 1);
  EXPECT_EQ(next_fetch_epoch(-1), -1);
}

}  // namespace
}  // namespace sluice::broker
