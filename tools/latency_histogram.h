// LatencyHistogram: record latencies in microseconds in fixed memory, whatever the record
// count, and read percentiles back within 1/64 (1.6%) of the true value; the max is exact.
// Buckets: values below 128 us are exact; above, each power of two is split into 64 buckets
// and a value is reported as its bucket's upper bound (never under-reporting).
// Owner: one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sluice::tools {

class LatencyHistogram {
 public:
  void record(uint64_t micros);
  // The smallest recorded value v such that at least `p` percent of values are <= v
  // (within the bucket precision). 0 when empty. REQUIRES: 0 < p <= 100.
  [[nodiscard]] uint64_t percentile(double p) const;
  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] uint64_t max() const { return max_; }
  [[nodiscard]] double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }

 private:
  static constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
  static constexpr int kExact = 2 << kSubBits;  // 128: below this, one bucket per value
  static constexpr int kBuckets = kExact + (64 - kSubBits - 1) * (1 << kSubBits);
  static size_t index(uint64_t v);
  static uint64_t upper_bound(size_t index);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace sluice::tools
