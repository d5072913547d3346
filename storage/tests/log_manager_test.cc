#include <sys/stat.h>

#include <gtest/gtest.h>

#include "storage/checkpoint_file.h"
#include "storage/errc.h"
#include "storage/log_manager.h"
#include "storage/tests/test_batches.h"
#include "storage/tests/test_util.h"

namespace sluice::storage {
namespace {

using testing::make_batch;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

class LogManagerTest : public ::testing::Test {
 protected:
  LogManagerTest() : clock_(TimestampMs(1'700'000'000'000)) {
    config_.log_dirs = {tmp_.path() / "d1"};
    config_.default_config.segment_index_bytes = 4096;
    config_.default_config.segment_bytes = 4096;
  }

  std::unique_ptr<LogManager> open() {
    auto manager = LogManager::open(config_, clock_);
    EXPECT_TRUE(manager) << manager.error().message();
    return manager ? std::move(manager).value() : nullptr;
  }

  static void append(Log& log, int batches, size_t value_size = 500) {
    for (int i = 0; i < batches; ++i) {
      Bytes batch = make_batch(Offset(0), 1, value_size, TimestampMs(1'700'000'000'000));
      ASSERT_TRUE(log.validate_and_append_as_leader(batch, LeaderEpoch(0)));
    }
  }

  static TopicPartition tp(const std::string& topic, int p) { return {topic, PartitionId(p)}; }
  std::filesystem::path d1() const { return tmp_.path() / "d1"; }

  TempDir tmp_;
  ManualClock clock_;
  LogManagerConfig config_;
};

TEST_F(LogManagerTest, CreateGetAndListLogs) {
  auto manager = open();
  auto log = manager->create_log(tp("orders", 0), config_.default_config).value();
  EXPECT_EQ(manager->get_log(tp("orders", 0)), log);
  EXPECT_EQ(manager->get_log(tp("orders", 1)), nullptr);
  EXPECT_EQ(manager->create_log(tp("orders", 0), config_.default_config).error(), Errc::log_exists);
  EXPECT_TRUE(std::filesystem::is_directory(d1() / "orders-0"));
  EXPECT_EQ(manager->partitions(), std::vector<TopicPartition>{tp("orders", 0)});
}

TEST_F(LogManagerTest, CreatePicksTheDirWithFewestLogs) {
  config_.log_dirs = {tmp_.path() / "d1", tmp_.path() / "d2"};
  auto manager = open();
  for (int p = 0; p < 4; ++p) ASSERT_TRUE(manager->create_log(tp("t", p), config_.default_config));
  int in_d1 = 0;
  for (int p = 0; p < 4; ++p) in_d1 += manager->dir_of(tp("t", p)) == tmp_.path() / "d1" ? 1 : 0;
  EXPECT_EQ(in_d1, 2);
}

TEST_F(LogManagerTest, LockFilePreventsASecondManagerOnTheSameDir) {
  auto first = open();
  auto second = LogManager::open(config_, clock_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), Errc::log_dir_locked);
  ASSERT_TRUE(first->shutdown());
  EXPECT_TRUE(LogManager::open(config_, clock_));
}

TEST_F(LogManagerTest, ShutdownWritesCheckpointsAndTheCleanShutdownMarker) {
  auto manager = open();
  auto log = manager->create_log(tp("orders", 0), config_.default_config).value();
  append(*log, 3);
  log->set_high_watermark(Offset(2));
  ASSERT_TRUE(manager->shutdown());
  EXPECT_TRUE(std::filesystem::exists(d1() / ".kafka_cleanshutdown"));
  EXPECT_EQ(read_text(d1() / "recovery-point-offset-checkpoint"), "0\n1\norders 0 3\n");
  EXPECT_EQ(read_text(d1() / "replication-offset-checkpoint"), "0\n1\norders 0 2\n");
  EXPECT_EQ(read_text(d1() / "log-start-offset-checkpoint"), "0\n0\n");
}

TEST_F(LogManagerTest, ReopenAfterCleanShutdownConsumesTheMarkerAndKeepsTheLogs) {
  {
    auto manager = open();
    auto log = manager->create_log(tp("orders", 0), config_.default_config).value();
    append(*log, 20);
    log->set_high_watermark(Offset(15));
  }
  auto manager = open();
  EXPECT_FALSE(std::filesystem::exists(d1() / ".kafka_cleanshutdown"));
  auto log = manager->get_log(tp("orders", 0));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), Offset(20));
  EXPECT_EQ(log->recovery_point(), Offset(20));
  EXPECT_EQ(log->high_watermark(), Offset(15));
  EXPECT_GT(log->segment_count(), 1);
}

TEST_F(LogManagerTest, ReopenWithoutTheMarkerRecoversTornData) {
  {
    auto manager = open();
    append(*manager->create_log(tp("orders", 0), config_.default_config).value(), 2);
  }
  std::filesystem::remove(d1() / ".kafka_cleanshutdown");
  write_text(d1() / "recovery-point-offset-checkpoint", "0\n1\norders 0 0\n");
  const auto log_file = d1() / "orders-0" / "00000000000000000000.log";
  auto bytes = testing::read_bytes(log_file);
  bytes.resize(bytes.size() - 10);
  testing::write_bytes(log_file, bytes);
  auto manager = open();
  EXPECT_EQ(manager->get_log(tp("orders", 0))->log_end_offset(), Offset(1));
}

TEST_F(LogManagerTest, NonsenseCheckpointsAreIgnoredWithLogStartAtTheFirstSegment) {
  {
    auto manager = open();
    auto log = manager->create_log(tp("orders", 0), config_.default_config).value();
    append(*log, 10);
    log->set_high_watermark(Offset(10));
    ASSERT_TRUE(log->delete_records_before(Offset(8)));  // past the first segment (0..6)
    ASSERT_EQ(log->delete_old_segments().value(), 1);
    ASSERT_EQ(log->log_start_offset(), Offset(8));
  }
  write_text(d1() / "log-start-offset-checkpoint", "0\n1\nthis is not a checkpoint\n");
  write_text(d1() / "recovery-point-offset-checkpoint", "7\nbanana\n");
  auto manager = open();
  auto log = manager->get_log(tp("orders", 0));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_start_offset(), log->segment_base_offsets().front());
  EXPECT_EQ(log->log_start_offset(), Offset(7));
  EXPECT_EQ(log->log_end_offset(), Offset(10));
}

TEST_F(LogManagerTest, LogStartCheckpointListsOnlyLogsWithDeletedRecords) {
  auto manager = open();
  auto a = manager->create_log(tp("a", 0), config_.default_config).value();
  auto b = manager->create_log(tp("b", 0), config_.default_config).value();
  append(*a, 3);
  append(*b, 3);
  a->set_high_watermark(Offset(3));
  ASSERT_TRUE(a->delete_records_before(Offset(2)));
  ASSERT_TRUE(manager->checkpoint_log_start_offsets());
  EXPECT_EQ(read_text(d1() / "log-start-offset-checkpoint"), "0\n1\na 0 2\n");
  ASSERT_TRUE(manager->shutdown());
  auto reopened = open();
  EXPECT_EQ(reopened->get_log(tp("a", 0))->log_start_offset(), Offset(2));
  EXPECT_EQ(reopened->get_log(tp("b", 0))->log_start_offset(), Offset(0));
}

TEST_F(LogManagerTest, CorruptHighWatermarkCheckpointTakesTheDirOffline) {
  config_.log_dirs = {tmp_.path() / "d1", tmp_.path() / "d2"};
  std::filesystem::create_directories(tmp_.path() / "d2");
  write_text(tmp_.path() / "d2" / "replication-offset-checkpoint", "0\n1\nbad\n");
  auto manager = open();
  EXPECT_EQ(manager->offline_dirs(), std::vector<std::filesystem::path>{tmp_.path() / "d2"});
  EXPECT_EQ(manager->create_log(tp("x", 0), config_.default_config).value()->dir().parent_path(), d1());
}

TEST_F(LogManagerTest, DirUnderARegularFileIsAnErrorNotACrash) {
  write_text(tmp_.path() / "plain-file", "x");
  config_.log_dirs = {tmp_.path() / "plain-file" / "logs"};
  auto manager = LogManager::open(config_, clock_);
  ASSERT_FALSE(manager);
  EXPECT_EQ(manager.error(), Errc::log_dir_offline);
  config_.log_dirs.push_back(d1());
  auto partial = open();
  EXPECT_EQ(partial->online_dirs(), std::vector<std::filesystem::path>{d1()});
  EXPECT_EQ(partial->offline_dirs().size(), 1u);
}

TEST_F(LogManagerTest, ReadOnlyDirNeverCrashes) {
  std::filesystem::create_directories(d1());
  ::chmod(d1().c_str(), 0500);
  // As root the mode is bypassed and this succeeds; otherwise it fails cleanly. Either way no crash.
  auto manager = LogManager::open(config_, clock_);
  if (manager) {
    EXPECT_TRUE(manager.value()->create_log(tp("t", 0), config_.default_config) || true);
  } else {
    EXPECT_EQ(manager.error(), Errc::log_dir_offline);
  }
  ::chmod(d1().c_str(), 0700);
}

TEST_F(LogManagerTest, DeleteLogRemovesTheDirAndItsCheckpointEntry) {
  auto manager = open();
  append(*manager->create_log(tp("orders", 0), config_.default_config).value(), 2);
  append(*manager->create_log(tp("orders", 1), config_.default_config).value(), 2);
  ASSERT_TRUE(manager->delete_log(tp("orders", 0)));
  EXPECT_EQ(manager->delete_log(tp("orders", 0)).error(), Errc::log_not_found);
  EXPECT_EQ(manager->get_log(tp("orders", 0)), nullptr);
  for (const auto& entry : std::filesystem::directory_iterator(d1())) {
    EXPECT_EQ(entry.path().filename().string().find("orders-0"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(read_text(d1() / "recovery-point-offset-checkpoint"), "0\n1\norders 1 0\n");
}

TEST_F(LogManagerTest, LeftoverDeleteDirsAreRemovedAtOpen) {
  std::filesystem::create_directories(d1() / "orders-3.0123456789abcdef0123456789abcdef-delete");
  std::filesystem::create_directories(d1() / "not_a_log");
  auto manager = open();
  EXPECT_FALSE(std::filesystem::exists(d1() / "orders-3.0123456789abcdef0123456789abcdef-delete"));
  EXPECT_TRUE(manager->partitions().empty());
}

TEST_F(LogManagerTest, RunDueTasksRunsEachTaskWhenItsIntervalHasElapsed) {
  config_.default_config.retention_ms = 1000;
  auto manager = open();
  auto log = manager->create_log(tp("orders", 0), config_.default_config).value();
  append(*log, 20);
  log->set_high_watermark(log->log_end_offset());
  const int segments = log->segment_count();
  ASSERT_TRUE(manager->run_due_tasks());
  EXPECT_FALSE(std::filesystem::exists(d1() / "recovery-point-offset-checkpoint"));
  clock_.advance(5000);
  ASSERT_TRUE(manager->run_due_tasks());
  EXPECT_TRUE(std::filesystem::exists(d1() / "replication-offset-checkpoint"));
  EXPECT_EQ(log->segment_count(), segments);
  clock_.advance(25000);  // the first retention run is 30 s after start
  ASSERT_TRUE(manager->run_due_tasks());
  EXPECT_EQ(log->segment_count(), 1);
  clock_.advance(30000);
  ASSERT_TRUE(manager->run_due_tasks());
  EXPECT_TRUE(std::filesystem::exists(d1() / "recovery-point-offset-checkpoint"));
  EXPECT_EQ(log->recovery_point(), log->log_end_offset());
}

TEST_F(LogManagerTest, LoadsManyLogsWithSeveralRecoveryThreads) {
  {
    auto manager = open();
    for (int p = 0; p < 12; ++p) append(*manager->create_log(tp("many", p), config_.default_config).value(), p % 4);
  }
  std::filesystem::remove(d1() / ".kafka_cleanshutdown");
  config_.num_recovery_threads_per_data_dir = 3;
  auto manager = open();
  ASSERT_EQ(manager->partitions().size(), 12u);
  for (int p = 0; p < 12; ++p) EXPECT_EQ(manager->get_log(tp("many", p))->log_end_offset(), Offset(p % 4));
}

}  // namespace
}  // namespace sluice::storage
