#include <gtest/gtest.h>

#include "storage/leader_epoch_cache.h"
#include "storage/tests/test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;
using Entries = std::vector<EpochEntry>;

std::unique_ptr<LeaderEpochFileCache> load(const TempDir& dir) {
  return LeaderEpochFileCache::load(dir.path() / "leader-epoch-checkpoint").value();
}

TEST(LeaderEpochFileCache, AssignAddsNewEpochsAndIgnoresRepeats) {
  TempDir dir;
  auto cache = load(dir);
  EXPECT_FALSE(cache->latest_epoch());
  cache->assign(LeaderEpoch(1), Offset(0));
  cache->assign(LeaderEpoch(1), Offset(5));
  cache->assign(LeaderEpoch(3), Offset(10));
  EXPECT_EQ(cache->entries(), (Entries{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(3), Offset(10)}}));
  EXPECT_EQ(cache->latest_epoch(), LeaderEpoch(3));
}

TEST(LeaderEpochFileCache, AssignDropsEntriesThatWouldBreakMonotonicity) {
  TempDir dir;
  auto cache = load(dir);
  cache->assign(LeaderEpoch(1), Offset(0));
  cache->assign(LeaderEpoch(2), Offset(10));
  cache->assign(LeaderEpoch(3), Offset(20));
  cache->assign(LeaderEpoch(4), Offset(15));
  EXPECT_EQ(cache->entries(), (Entries{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(2), Offset(10)}, {LeaderEpoch(4), Offset(15)}}));
}

TEST(LeaderEpochFileCache, EndOffsetForFollowsOffsetsForLeaderEpochRules) {
  TempDir dir;
  auto cache = load(dir);
  cache->assign(LeaderEpoch(2), Offset(5));
  cache->assign(LeaderEpoch(4), Offset(10));
  cache->assign(LeaderEpoch(6), Offset(20));
  const Offset leo(30);
  EXPECT_EQ(cache->end_offset_for(LeaderEpoch(6), leo), std::pair(LeaderEpoch(6), Offset(30)));
  EXPECT_EQ(cache->end_offset_for(LeaderEpoch(4), leo), std::pair(LeaderEpoch(4), Offset(20)));
  EXPECT_EQ(cache->end_offset_for(LeaderEpoch(5), leo), std::pair(LeaderEpoch(4), Offset(20)));
  EXPECT_EQ(cache->end_offset_for(LeaderEpoch(1), leo), std::pair(LeaderEpoch(1), Offset(5)));
  EXPECT_EQ(cache->end_offset_for(LeaderEpoch(7), leo), std::pair(kNoLeaderEpoch, Offset(-1)));
  EXPECT_EQ(cache->end_offset_for(kNoLeaderEpoch, leo), std::pair(kNoLeaderEpoch, Offset(-1)));
}

TEST(LeaderEpochFileCache, TruncateFromEndDropsEpochsStartingAtOrAfterTheOffset) {
  TempDir dir;
  auto cache = load(dir);
  cache->assign(LeaderEpoch(1), Offset(0));
  cache->assign(LeaderEpoch(2), Offset(10));
  cache->assign(LeaderEpoch(3), Offset(20));
  cache->truncate_from_end(Offset(10));
  EXPECT_EQ(cache->entries(), (Entries{{LeaderEpoch(1), Offset(0)}}));
}

TEST(LeaderEpochFileCache, TruncateFromStartRebasesTheEpochHoldingTheNewStart) {
  TempDir dir;
  auto cache = load(dir);
  cache->assign(LeaderEpoch(1), Offset(0));
  cache->assign(LeaderEpoch(2), Offset(10));
  cache->assign(LeaderEpoch(3), Offset(20));
  cache->truncate_from_start(Offset(15));
  EXPECT_EQ(cache->entries(), (Entries{{LeaderEpoch(2), Offset(15)}, {LeaderEpoch(3), Offset(20)}}));
  EXPECT_EQ(cache->epoch_for_offset(Offset(17)), LeaderEpoch(2));
  EXPECT_FALSE(cache->epoch_for_offset(Offset(3)));
}

TEST(LeaderEpochFileCache, EveryChangeIsPersistedAndReloaded) {
  TempDir dir;
  {
    auto cache = load(dir);
    cache->assign(LeaderEpoch(0), Offset(0));
    cache->assign(LeaderEpoch(2), Offset(11520));
    cache->assign(LeaderEpoch(5), Offset(18011));
    cache->truncate_from_end(Offset(18011));
  }
  EXPECT_EQ(testing::read_text(dir.path() / "leader-epoch-checkpoint"), "0\n2\n0 0\n2 11520\n");
  auto reloaded = load(dir);
  EXPECT_EQ(reloaded->entries(), (Entries{{LeaderEpoch(0), Offset(0)}, {LeaderEpoch(2), Offset(11520)}}));
  reloaded->clear();
  EXPECT_TRUE(load(dir)->entries().empty());
}

}  // namespace
}  // namespace sluice::storage
