#include <gtest/gtest.h>

#include "storage/checkpoint_file.h"
#include "storage/errc.h"
#include "storage/tests/test_util.h"

namespace sluice::storage {
namespace {

using testing::read_text;
using testing::TempDir;
using testing::write_text;

TEST(CheckpointFile, OffsetCheckpointRoundTripsInKafkasTextFormat) {
  TempDir dir;
  const auto path = dir.path() / "replication-offset-checkpoint";
  OffsetCheckpoint offsets{{{"orders", PartitionId(0)}, Offset(18342)},
                           {{"__consumer_offsets", PartitionId(7)}, Offset(5521)}};
  ASSERT_TRUE(write_offset_checkpoint(path, offsets));
  EXPECT_EQ(read_text(path), "0\n2\n__consumer_offsets 7 5521\norders 0 18342\n");
  EXPECT_EQ(read_offset_checkpoint(path).value(), offsets);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "replication-offset-checkpoint.tmp"));
}

TEST(CheckpointFile, MissingFileReadsAsEmpty) {
  TempDir dir;
  EXPECT_TRUE(read_offset_checkpoint(dir.path() / "absent").value().empty());
  EXPECT_TRUE(read_leader_epoch_checkpoint(dir.path() / "absent").value().empty());
}

TEST(CheckpointFile, LeaderEpochCheckpointRoundTrips) {
  TempDir dir;
  const auto path = dir.path() / "leader-epoch-checkpoint";
  std::vector<EpochEntry> entries{{LeaderEpoch(0), Offset(0)}, {LeaderEpoch(2), Offset(11520)}, {LeaderEpoch(5), Offset(18011)}};
  ASSERT_TRUE(write_leader_epoch_checkpoint(path, entries));
  EXPECT_EQ(read_text(path), "0\n3\n0 0\n2 11520\n5 18011\n");
  EXPECT_EQ(read_leader_epoch_checkpoint(path).value(), entries);
}

TEST(CheckpointFile, RewriteReplacesTheWholeFile) {
  TempDir dir;
  const auto path = dir.path() / "recovery-point-offset-checkpoint";
  ASSERT_TRUE(write_offset_checkpoint(path, {{{"a", PartitionId(0)}, Offset(1)}, {{"b", PartitionId(0)}, Offset(2)}}));
  ASSERT_TRUE(write_offset_checkpoint(path, {{{"a", PartitionId(0)}, Offset(9)}}));
  EXPECT_EQ(read_text(path), "0\n1\na 0 9\n");
}

class NonsenseCheckpoint : public ::testing::TestWithParam<std::string> {};

TEST_P(NonsenseCheckpoint, IsRejectedAsCorrupt) {
  TempDir dir;
  const auto path = dir.path() / "checkpoint";
  write_text(path, GetParam());
  auto read = read_offset_checkpoint(path);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), Errc::corrupt_checkpoint);
}

INSTANTIATE_TEST_SUITE_P(CheckpointFile, NonsenseCheckpoint,
                         ::testing::Values("", "garbage", "1\n0\n", "0\n", "0\n2\norders 0 5\n", "0\n1\norders 0 5\nextra 1 2\n",
                                           "0\n1\norders 0\n", "0\n1\norders  0 5\n", "0\n1\norders x 5\n",
                                           "0\n1\norders 0 -5\n", "0\n1\nor ders 0 5\n", "0\n-1\n",
                                           "0\n2\norders 0 5\norders 0 6\n", "0\n1\norders 0 5\n\n",
                                           "0\n1\norders 0 99999999999999999999\n", "\x01\x02\x03"));

TEST(CheckpointFile, NonIncreasingLeaderEpochsAreCorrupt) {
  TempDir dir;
  const auto path = dir.path() / "leader-epoch-checkpoint";
  write_text(path, "0\n2\n3 100\n2 200\n");
  EXPECT_EQ(read_leader_epoch_checkpoint(path).error(), Errc::corrupt_checkpoint);
  write_text(path, "0\n2\n1 100\n2 50\n");
  EXPECT_EQ(read_leader_epoch_checkpoint(path).error(), Errc::corrupt_checkpoint);
}

TEST(CheckpointFile, WriteIntoAMissingDirectoryIsAnIoError) {
  TempDir dir;
  auto written = write_offset_checkpoint(dir.path() / "no-such-dir" / "checkpoint", {});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), Errc::io_error);
}

}  // namespace
}  // namespace sluice::storage
