#include "protocol/batch_iterator.h"

#include <gtest/gtest.h>

#include "protocol/errc.h"
#include "protocol/record_batch_header.h"
#include "protocol/tests/test_util.h"

namespace sluice::protocol {
namespace {

constexpr size_t kMaxBatch = 1 << 20;

Bytes three_batches(std::vector<size_t>* ends) {
  Bytes all;
  for (CompressionType codec : {CompressionType::none, CompressionType::snappy, CompressionType::zstd}) {
    const Bytes b = test::five_record_batch(codec);
    all.insert(all.end(), b.begin(), b.end());
    ends->push_back(all.size());
  }
  return all;
}

TEST(BatchIterator, VisitsEveryBatchOfACleanConcatenationInOrder) {
  std::vector<size_t> ends;
  const Bytes all = three_batches(&ends);
  std::vector<size_t> positions;
  const BatchScan scan = for_each_batch(all, kMaxBatch, [&](const BatchView& b) {
    positions.push_back(b.position);
    EXPECT_EQ(b.bytes.size(), b.header.size_in_bytes());
    return ok();
  });
  EXPECT_TRUE(scan.ok()) << scan.error.message();
  EXPECT_EQ(scan.batch_count, 3U);
  EXPECT_EQ(scan.valid_bytes, all.size());
  EXPECT_EQ(positions, (std::vector<size_t>{0, ends[0], ends[1]}));
}

TEST(BatchIterator, EmptyInputIsACleanEnd) {
  BatchIterator it({}, kMaxBatch);
  const auto next = it.next();
  ASSERT_TRUE(next);
  EXPECT_FALSE(next.value().has_value());
}

TEST(BatchIterator, TornTailStopsAtTheLastWholeBatchAtEveryCut) {
  std::vector<size_t> ends;
  const Bytes all = three_batches(&ends);
  for (size_t n = ends[1] + 1; n < all.size(); ++n) {
    const BatchScan scan = for_each_batch(ByteView(all).first(n), kMaxBatch,
                                          [](const BatchView&) { return ok(); });
    EXPECT_EQ(scan.error, Errc::truncated) << n;
    EXPECT_EQ(scan.valid_bytes, ends[1]) << n;
    EXPECT_EQ(scan.batch_count, 2U);
  }
}

TEST(BatchIterator, CorruptBatchStopsTheScanWithItsError) {
  std::vector<size_t> ends;
  Bytes all = three_batches(&ends);
  all[ends[0] + 30] ^= std::byte{1};  // inside the second batch's CRC-covered header
  BatchIterator it(all, kMaxBatch);
  ASSERT_TRUE(it.next().value().has_value());
  EXPECT_EQ(it.next().error(), Errc::crc_mismatch);
  EXPECT_EQ(it.valid_bytes(), ends[0]);
  EXPECT_EQ(it.next().error(), Errc::crc_mismatch);  // stays at the bad batch
}

TEST(BatchIterator, OversizedBatchIsReportedAsTooLarge) {
  std::vector<size_t> ends;
  const Bytes all = three_batches(&ends);
  const BatchScan scan = for_each_batch(all, ends[0] - 1, [](const BatchView&) { return ok(); });
  EXPECT_EQ(scan.error, Errc::too_large);
  EXPECT_EQ(scan.valid_bytes, 0U);
}

TEST(BatchIterator, CallbackErrorStopsBeforeThatBatch) {
  std::vector<size_t> ends;
  const Bytes all = three_batches(&ends);
  const BatchScan scan = for_each_batch(all, kMaxBatch, [](const BatchView& b) -> Status {
    if (b.header.compression() == CompressionType::zstd) return Errc::invalid_record;
    return ok();
  });
  EXPECT_EQ(scan.error, Errc::invalid_record);
  EXPECT_EQ(scan.valid_bytes, ends[1]);
  EXPECT_EQ(scan.batch_count, 2U);
}

}  // namespace
}  // namespace sluice::protocol
