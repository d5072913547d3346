// Crash tests with real processes: a child process appends to a Log in a loop and is killed with
// SIGKILL at a random moment; the reopened log must hold exactly a prefix of what was appended,
// every batch intact, and at least every batch whose append had returned. A process kill keeps
// the page cache, so nothing whose write() completed may be lost. Batches are large (up to
// ~1.2 MiB): Linux stops a file write between pages when a fatal signal arrives, so a kill
// mid-append leaves a torn batch on disk that recovery must cut off.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "storage/tests/seq_batches.h"
#include "storage/tests/test_util.h"

namespace sluice::storage::testing {
namespace {

namespace fs = std::filesystem;

constexpr size_t kValueScale = 100;  // record values up to ~250 KB

LogConfig crash_config() {
  LogConfig c;
  c.segment_bytes = 6 << 20;  // rolls every dozen batches or so
  c.max_message_bytes = 2 << 20;
  c.index_interval_bytes = 64 * 1024;
  c.segment_index_bytes = 64;  // 8 entries: full indexes roll segments too
  return c;
}

// Child body: append seq batches from `first_seq` on forever, reporting each appended seq on
// `ack_fd` after append returned. Never returns.
[[noreturn]] void append_forever(const fs::path& dir, int64_t first_seq, int ack_fd) {
  auto log = Log::open(dir, crash_config(), {}, SystemClock::instance());
  if (!log) _exit(3);
  for (int64_t seq = first_seq;; ++seq) {
    Bytes batch = make_seq_batch(seq, kValueScale);
    if (!log.value()->validate_and_append_as_leader(batch, LeaderEpoch(0))) _exit(4);
    if (::write(ack_fd, &seq, sizeof(seq)) != sizeof(seq)) _exit(5);
  }
}

struct ChildRun {
  int64_t last_acked = -1;  // highest seq whose append returned before the kill
  int exit_status = 0;
};

// Forks a child appending from `first_seq`, lets it ack `acks_before_kill` batches, waits a
// random few hundred microseconds more, then SIGKILLs it.
ChildRun run_child_and_kill(const fs::path& dir, int64_t first_seq, int acks_before_kill, std::mt19937& rng) {
  int fds[2];
  SLUICE_ASSERT(::pipe(fds) == 0, "pipe failed");
  pid_t pid = ::fork();
  SLUICE_ASSERT(pid >= 0, "fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    append_forever(dir, first_seq, fds[1]);
  }
  ::close(fds[1]);
  ChildRun run;
  int64_t seq = 0;
  for (int seen = 0; seen < acks_before_kill && ::read(fds[0], &seq, sizeof(seq)) == sizeof(seq); ++seen) {
    run.last_acked = seq;
  }
  ::usleep(std::uniform_int_distribution<unsigned>(0, 3000)(rng));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_status = status;
  while (::read(fds[0], &seq, sizeof(seq)) == sizeof(seq)) run.last_acked = seq;  // acks sent before death
  ::close(fds[0]);
  return run;
}

TEST(CrashRecovery, KilledAppenderLeavesAnIntactPrefixHoldingEveryAcknowledgedBatch) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "crash-0";
  std::mt19937 rng(20261125);
  int64_t next_seq = 0;
  for (int kill = 0; kill < 25; ++kill) {
    int acks = std::uniform_int_distribution<int>(1, 30)(rng);
    ChildRun run = run_child_and_kill(dir, next_seq, acks, rng);
    ASSERT_TRUE(WIFSIGNALED(run.exit_status) && WTERMSIG(run.exit_status) == SIGKILL)
        << "child did not die by SIGKILL (exit status " << run.exit_status << ")";

    auto log = Log::open(dir, crash_config(), {}, SystemClock::instance());  // unclean: recovers
    ASSERT_TRUE(log) << log.error().message();
    std::vector<int64_t> seqs = read_seqs(*log.value(), kValueScale);
    for (size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<int64_t>(i)) << "after kill " << kill;
    const auto recovered = static_cast<int64_t>(seqs.size());
    EXPECT_GE(recovered, run.last_acked + 1) << "an acknowledged batch was lost after kill " << kill;
    EXPECT_LE(recovered, run.last_acked + 2) << "more batches than were ever appended";
    // The recovered log continues right after the last intact batch.
    Bytes next = make_seq_batch(recovered, kValueScale);
    ASSERT_TRUE(log.value()->validate_and_append_as_leader(next, LeaderEpoch(0)));
    ASSERT_EQ(read_seqs(*log.value(), kValueScale).size(), seqs.size() + 1) << "after kill " << kill;
    ASSERT_TRUE(log.value()->close());
    next_seq = recovered + 1;
  }
  EXPECT_GT(next_seq, 25);
}

}  // namespace
}  // namespace sluice::storage::testing
