// Clock: where storage reads the time (segment.ms, retention.ms, flush.ms). Injectable so tests
// move time by hand instead of sleeping.
#pragma once

#include <atomic>

#include "protocol/types.h"

namespace sluice::storage {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimestampMs now() const = 0;
};

// Wall-clock milliseconds since the epoch (record timestamps are wall-clock).
class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimestampMs now() const override;
  static SystemClock& instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampMs start) : now_(start.value()) {}
  [[nodiscard]] TimestampMs now() const override { return TimestampMs(now_.load()); }
  void advance(int64_t ms) { now_ += ms; }
  void set(TimestampMs t) { now_ = t.value(); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sluice::storage
