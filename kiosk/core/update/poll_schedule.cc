#include "kiosk/core/update/poll_schedule.h"

#include <algorithm>
#include <cmath>

namespace kiosk::update {

Millis NextPollDelay(Millis interval, int consecutive_failures, double random01) {
  random01 = std::clamp(random01, 0.0, 1.0);
  interval = std::max(interval, Millis(1000));
  double base_ms;
  double jitter;
  if (consecutive_failures <= 0) {
    base_ms = static_cast<double>(interval.count());
    jitter = kSuccessJitter;
  } else {
    const double cap = static_cast<double>(std::max(interval, kMaxBackoff).count());
    // 2^(n-1) overflows nothing: the exponent is clamped before it grows large.
    const int doublings = std::min(consecutive_failures - 1, 30);
    base_ms =
        std::min(static_cast<double>(kFirstRetryDelay.count()) * std::ldexp(1.0, doublings), cap);
    jitter = kFailureJitter;
  }
  const double factor = 1.0 + jitter * (2.0 * random01 - 1.0);
  return Millis(static_cast<int64_t>(std::llround(base_ms * factor)));
}

}  // namespace kiosk::update
