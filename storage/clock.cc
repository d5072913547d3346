#include "storage/clock.h"

#include <chrono>

namespace sluice::storage {

TimestampMs SystemClock::now() const {
  using namespace std::chrono;
  return TimestampMs(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace sluice::storage
