// A Log in a fresh temp dir ("orders-0") on a ManualClock, plus helpers to append test batches.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "storage/log.h"
#include "storage/tests/test_batches.h"
#include "storage/tests/test_util.h"

namespace sluice::storage::testing {

inline constexpr int64_t kStartMs = 1'700'000'000'000;

class LogTest : public ::testing::Test {
 protected:
  LogTest() : clock_(TimestampMs(kStartMs)) {
    config_.segment_index_bytes = 4096;
    config_.index_interval_bytes = 256;
  }

  std::filesystem::path log_dir() const { return tmp_.path() / "orders-0"; }

  std::unique_ptr<Log> open(LogOpenOptions options = {}) {
    auto log = Log::open(log_dir(), config_, options, clock_);
    EXPECT_TRUE(log) << log.error().message();
    return log ? std::move(log).value() : nullptr;
  }

  // Appends one leader batch of `records` records (value_size bytes each, timestamps from ts).
  LogAppendInfo append(Log& log, int records = 1, size_t value_size = 100, TimestampMs ts = TimestampMs(kStartMs),
                       LeaderEpoch epoch = LeaderEpoch(0)) {
    Bytes batch = make_batch(Offset(0), records, value_size, ts);
    auto info = log.validate_and_append_as_leader(batch, epoch);
    EXPECT_TRUE(info) << info.error().message();
    return info ? info.value() : LogAppendInfo{};
  }

  // The bytes a read returns.
  static Bytes read_bytes_at(const Log& log, Offset start, int64_t max_bytes = 1 << 20,
                             std::optional<Offset> max_offset = std::nullopt) {
    auto slice = log.read(start, max_bytes, max_offset, false);
    EXPECT_TRUE(slice);
    return slice ? slice.value().read_all().value() : Bytes{};
  }

  TempDir tmp_;
  ManualClock clock_;
  LogConfig config_;
};

// Walks the batches in `bytes` and returns their (base offset, last offset) pairs.
inline std::vector<std::pair<int64_t, int64_t>> batch_offsets(ByteView bytes) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t pos = 0; pos + protocol::kRecordBatchHeaderSize <= bytes.size();) {
    auto h = protocol::RecordBatchHeader::parse(bytes.subspan(pos), bytes.size() - pos);
    if (!h) break;
    out.emplace_back(h.value().base_offset.value(), h.value().last_offset().value());
    pos += h.value().size_in_bytes();
  }
  return out;
}

}  // namespace sluice::storage::testing
