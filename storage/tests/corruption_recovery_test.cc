// Corruption tests: a cleanly written multi-segment log is damaged at many random byte
// positions (cut short, one byte flipped, or the tail overwritten with zeros as a preallocated
// file would hold) and reopened without a clean-shutdown marker. Recovery must keep every batch
// before the damage, serve nothing after it, and leave a log that takes new appends.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "storage/tests/seq_batches.h"
#include "storage/tests/test_util.h"

namespace sluice::storage::testing {
namespace {

namespace fs = std::filesystem;

LogConfig small_segments() {
  LogConfig c;
  c.segment_bytes = 32 * 1024;
  c.index_interval_bytes = 512;
  return c;
}

// Where a batch of the pristine log sits on disk.
struct Placement {
  fs::path segment;    // file name of its .log
  int64_t start = 0;   // byte position in that file
  int64_t size = 0;
};

enum class Damage { truncate, flip_byte, zero_tail };

class CorruptionRecovery : public ::testing::Test {
 protected:
  static constexpr int kBatches = 120;

  void SetUp() override {
    pristine_ = tmp_.path() / "pristine-0";
    auto log = Log::open(pristine_, small_segments(), {}, SystemClock::instance());
    ASSERT_TRUE(log) << log.error().message();
    for (int64_t seq = 0; seq < kBatches; ++seq) {
      Bytes batch = make_seq_batch(seq);
      ASSERT_TRUE(log.value()->validate_and_append_as_leader(batch, LeaderEpoch(0)));
    }
    ASSERT_GT(log.value()->segment_count(), 3);
    ASSERT_TRUE(log.value()->close());
    placements_ = place_batches();
  }

  // Walks the pristine .log files in name (= offset) order and records where each batch sits.
  std::vector<Placement> place_batches() const {
    std::vector<fs::path> logs;
    for (const auto& e : fs::directory_iterator(pristine_)) {
      if (e.path().extension() == ".log") logs.push_back(e.path().filename());
    }
    std::sort(logs.begin(), logs.end());
    std::vector<Placement> out;
    for (const auto& name : logs) {
      const Bytes content = read_bytes(pristine_ / name);
      protocol::for_each_batch(content, content.size(), [&](const protocol::BatchView& b) {
        out.push_back({name, static_cast<int64_t>(b.position), static_cast<int64_t>(b.bytes.size())});
        return ok();
      });
    }
    EXPECT_EQ(out.size(), static_cast<size_t>(kBatches));
    return out;
  }

  static void damage(const fs::path& file, int64_t pos, Damage how, std::mt19937& rng) {
    Bytes content = read_bytes(file);
    const auto at = static_cast<size_t>(pos);
    switch (how) {
      case Damage::truncate:
        content.resize(at);
        break;
      case Damage::flip_byte:
        content[at] ^= static_cast<std::byte>(std::uniform_int_distribution<int>(1, 255)(rng));
        break;
      case Damage::zero_tail:  // zeros from pos on, past the old end as preallocation leaves
        content.resize(content.size() + 4096);
        std::fill(content.begin() + static_cast<std::ptrdiff_t>(at), content.end(), std::byte{0});
        break;
    }
    write_bytes(file, content);
  }

  TempDir tmp_;
  fs::path pristine_;
  std::vector<Placement> placements_;
};

TEST_F(CorruptionRecovery, EveryBatchBeforeTheDamageSurvivesAndNothingAfterItIsServed) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 150; ++trial) {
    const auto victim = std::uniform_int_distribution<size_t>(0, placements_.size() - 1)(rng);
    const Placement& p = placements_[victim];
    const int64_t within = std::uniform_int_distribution<int64_t>(0, p.size - 1)(rng);
    const auto how = static_cast<Damage>(trial % 3);
    const fs::path copy = tmp_.path() / ("trial-" + std::to_string(trial));
    fs::copy(pristine_, copy, fs::copy_options::recursive);
    damage(copy / p.segment, p.start + within, how, rng);

    auto log = Log::open(copy, small_segments(), {}, SystemClock::instance());
    ASSERT_TRUE(log) << "trial " << trial << ": " << log.error().message();
    std::vector<int64_t> seqs = read_seqs(*log.value());
    for (size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<int64_t>(i)) << "trial " << trial;

    // Bytes 0-7 (baseOffset) and 12-15 (partitionLeaderEpoch) are outside the CRC: a flip
    // there can leave a batch that still validates, so only the prefix property holds.
    const bool undetectable = how == Damage::flip_byte && (within < 8 || (within >= 12 && within < 16));
    const auto kept = static_cast<int64_t>(seqs.size());
    if (!undetectable) {
      EXPECT_EQ(kept, static_cast<int64_t>(victim)) << "trial " << trial << " damage " << static_cast<int>(how)
                                                   << " at byte " << within << " of batch " << victim;
    }
    // The recovered log takes new appends at its end and keeps them across a clean reopen.
    Bytes next = make_seq_batch(kept);
    ASSERT_TRUE(log.value()->validate_and_append_as_leader(next, LeaderEpoch(0)));
    ASSERT_TRUE(log.value()->close());
    auto reopened = Log::open(copy, small_segments(), {}, SystemClock::instance());
    ASSERT_TRUE(reopened);
    EXPECT_EQ(read_seqs(*reopened.value()).size(), static_cast<size_t>(kept + 1)) << "trial " << trial;
    fs::remove_all(copy);
  }
}

}  // namespace
}  // namespace sluice::storage::testing
