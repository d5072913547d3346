#include "client/record_accumulator.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

using namespace std::chrono_literals;

const TopicPartition kTp{"t", PartitionId(0)};
const TopicPartition kOther{"t", PartitionId(1)};

PendingRecord record(size_t value_size, std::vector<int64_t>* delivered = nullptr) {
  PendingRecord r;
  r.timestamp = TimestampMs(1000);
  r.value = Bytes(value_size, std::byte{'v'});
  if (delivered != nullptr) {
    r.on_delivery = [delivered](const DeliveryReport& report) { delivered->push_back(report.offset.value()); };
  }
  return r;
}

RecordAccumulator make(size_t batch_size = 1000, Clock::duration linger = 10ms) {
  return RecordAccumulator(RecordAccumulator::Config{.batch_size = batch_size, .linger = linger, .delivery_timeout = 1s});
}

TEST(RecordAccumulator, BatchWaitsForLinger) {
  auto acc = make();
  const auto t0 = Clock::time_point{} + 1h;
  acc.append(kTp, record(10), t0);
  EXPECT_TRUE(acc.ready(t0 + 9ms, false).empty());
  EXPECT_EQ(acc.next_ready_time(), t0 + 10ms);
  EXPECT_EQ(acc.ready(t0 + 10ms, false), std::vector<TopicPartition>{kTp});
}

TEST(RecordAccumulator, FlushMakesEveryBatchReady) {
  auto acc = make();
  const auto t0 = Clock::time_point{} + 1h;
  acc.append(kTp, record(10), t0);
  acc.append(kOther, record(10), t0);
  EXPECT_EQ(acc.ready(t0, true).size(), 2u);
}

TEST(RecordAccumulator, FullBatchIsReadyAtOnceAndNextRecordOpensANewOne) {
  auto acc = make(200);
  const auto t0 = Clock::time_point{} + 1h;
  acc.append(kTp, record(100), t0);
  EXPECT_FALSE(acc.would_start_new_batch(kTp, 10));
  EXPECT_TRUE(acc.would_start_new_batch(kTp, 150));
  acc.append(kTp, record(150), t0);  // second batch: the first is now followed, so ready
  EXPECT_EQ(acc.ready(t0, false), std::vector<TopicPartition>{kTp});
  ProducerBatch first = acc.take(kTp);
  EXPECT_EQ(first.records.size(), 1u);
}

TEST(RecordAccumulator, InFlightBatchMutesItsPartitionUntilReleased) {
  auto acc = make(200);
  const auto t0 = Clock::time_point{} + 1h;
  acc.append(kTp, record(150), t0);
  acc.append(kTp, record(150), t0);
  ProducerBatch first = acc.take(kTp);
  EXPECT_TRUE(acc.ready(t0 + 1s, true).empty());
  EXPECT_EQ(acc.in_flight(), 1u);
  acc.release(kTp);
  EXPECT_EQ(acc.ready(t0 + 1s, true), std::vector<TopicPartition>{kTp});
}

TEST(RecordAccumulator, RetriedBatchGoesBackFirstAfterBackoff) {
  auto acc = make(200);
  const auto t0 = Clock::time_point{} + 1h;
  std::vector<int64_t> delivered;
  acc.append(kTp, record(150, &delivered), t0);
  acc.append(kTp, record(150, &delivered), t0);
  ProducerBatch first = acc.take(kTp);
  first.attempts = 1;
  first.encoded = Bytes{};
  first.retry_at = t0 + 100ms;
  acc.reenqueue(std::move(first));
  EXPECT_TRUE(acc.ready(t0 + 50ms, true).empty());
  ProducerBatch again = acc.take(kTp);
  EXPECT_EQ(again.attempts, 1);
  again.complete(Offset(7), kNoTimestamp, {});
  EXPECT_EQ(delivered, std::vector<int64_t>{7});
}

TEST(RecordAccumulator, ExpireRemovesOldQueuedBatches) {
  auto acc = make();
  const auto t0 = Clock::time_point{} + 1h;
  acc.append(kTp, record(10), t0);
  acc.append(kOther, record(10), t0 + 600ms);
  EXPECT_TRUE(acc.expire(t0 + 999ms).empty());
  auto expired = acc.expire(t0 + 1s);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].tp, kTp);
  EXPECT_FALSE(acc.empty());
}

TEST(ProducerBatch, CompleteReportsConsecutiveOffsetsAndLogAppendTime) {
  ProducerBatch batch;
  batch.tp = kTp;
  std::vector<DeliveryReport> reports;
  for (int i = 0; i < 3; ++i) {
    PendingRecord r = record(1);
    r.on_delivery = [&reports](const DeliveryReport& rep) { reports.push_back(rep); };
    batch.records.push_back(std::move(r));
  }
  batch.complete(Offset(40), TimestampMs(99), {});
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].offset, Offset(42));
  EXPECT_EQ(reports[0].timestamp, TimestampMs(99));
  EXPECT_TRUE(batch.records.empty());
}

}  // namespace
}  // namespace sluice::client
