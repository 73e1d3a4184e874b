// When to poll next, as a pure function of the outcome so far and a random
// number, so the schedule is tested exactly.
//
//   after a successful check (applied, unchanged, up to date):
//       interval * (1 + u), u uniform in [-10%, +10%]
//   after the n-th consecutive failure (network, HTTP error, refusal):
//       base = min(30 s * 2^(n-1), cap), cap = max(interval, 1 h)
//       delay = base * (1 + u), u uniform in [-20%, +20%]
//   i.e. 30 s, 1 min, 2 min, 4 min, ... up to an hour (or the interval if
//   that is longer), so a venue whose network is down does not hammer the
//   server when it comes back, and units that failed together drift apart.
//
// Stateless and thread-safe. Durations in milliseconds.
#pragma once

#include "kiosk/core/clock.h"

namespace kiosk::update {

inline constexpr Millis kFirstRetryDelay = Millis(30'000);
inline constexpr Millis kMaxBackoff = Millis(3'600'000);
inline constexpr double kSuccessJitter = 0.10;
inline constexpr double kFailureJitter = 0.20;

// interval: the configured poll interval (> 0). consecutive_failures: 0 after
// a success. random01: a number in [0, 1) from the caller's random source.
Millis NextPollDelay(Millis interval, int consecutive_failures, double random01);

}  // namespace kiosk::update
