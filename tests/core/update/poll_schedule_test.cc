// The poll schedule as a pure function of the outcome and a random number.
#include "kiosk/core/update/poll_schedule.h"

#include <doctest/doctest.h>

namespace kiosk::update {
namespace {

constexpr Millis kFiveMinutes(300'000);

TEST_CASE("poll schedule: after a success, the interval with +/-10% jitter") {
  CHECK(NextPollDelay(kFiveMinutes, 0, 0.5) == kFiveMinutes);
  CHECK(NextPollDelay(kFiveMinutes, 0, 0.0) == Millis(270'000));
  CHECK(NextPollDelay(kFiveMinutes, 0, 0.999999) >= Millis(329'999));
  CHECK(NextPollDelay(kFiveMinutes, 0, 0.999999) <= Millis(330'000));
  CHECK(NextPollDelay(kFiveMinutes, 0, 0.25) == Millis(285'000));
}

TEST_CASE("poll schedule: failures back off exponentially from 30 s, capped at an hour") {
  const Millis expected[] = {Millis(30'000),    Millis(60'000),    Millis(120'000),
                             Millis(240'000),   Millis(480'000),   Millis(960'000),
                             Millis(1'920'000), Millis(3'600'000), Millis(3'600'000)};
  for (int n = 1; n <= 9; ++n) {
    CAPTURE(n);
    CHECK(NextPollDelay(kFiveMinutes, n, 0.5) == expected[n - 1]);
  }
  CHECK(NextPollDelay(kFiveMinutes, 1'000'000, 0.5) == Millis(3'600'000));
  // +/-20% jitter around the backoff.
  CHECK(NextPollDelay(kFiveMinutes, 1, 0.0) == Millis(24'000));
  CHECK(NextPollDelay(kFiveMinutes, 2, 0.75) == Millis(66'000));
  CHECK(NextPollDelay(kFiveMinutes, 50, 0.0) == Millis(2'880'000));
}

TEST_CASE("poll schedule: an interval longer than an hour is the cap") {
  const Millis day(86'400'000);
  CHECK(NextPollDelay(day, 0, 0.5) == day);
  CHECK(NextPollDelay(day, 30, 0.5) == day);
  CHECK(NextPollDelay(day, 1, 0.5) == Millis(30'000));
}

TEST_CASE("poll schedule: the jitter spreads units across the whole band") {
  // Many units with different random draws must not poll in lockstep.
  Millis lo = Millis::max(), hi = Millis::min();
  for (int i = 0; i < 100; ++i) {
    Millis d = NextPollDelay(kFiveMinutes, 0, i / 100.0);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  CHECK(lo == Millis(270'000));
  CHECK(hi >= Millis(329'000));
}

}  // namespace
}  // namespace kiosk::update
