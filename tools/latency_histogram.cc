#include "tools/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sluice::tools {

size_t LatencyHistogram::index(uint64_t v) {
  if (v < static_cast<uint64_t>(kExact)) return static_cast<size_t>(v);
  const int e = std::bit_width(v) - 1;  // >= 7
  const uint64_t sub = (v >> (e - kSubBits)) & ((1u << kSubBits) - 1);
  return static_cast<size_t>(kExact + (e - kSubBits - 1) * (1 << kSubBits)) + static_cast<size_t>(sub);
}

uint64_t LatencyHistogram::upper_bound(size_t i) {
  if (i < static_cast<size_t>(kExact)) return i;
  const size_t k = i - static_cast<size_t>(kExact);
  const int shift = static_cast<int>(k >> kSubBits) + 1;  // e - kSubBits
  const uint64_t sub = k & ((1u << kSubBits) - 1);
  const uint64_t lower = ((uint64_t{1} << kSubBits) + sub) << shift;
  return lower + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(uint64_t micros) {
  ++counts_[index(micros)];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
}

uint64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  const uint64_t wanted = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(upper_bound(i), max_);
  }
  return max_;
}

}  // namespace sluice::tools
