#include "kiosk/core/clock.h"

#include <sys/timex.h>

namespace kiosk {

Millis SystemClock::Monotonic() const {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch());
}

int64_t SystemClock::UnixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool SystemClock::WallClockSynchronized() const {
  struct timex tx {};
  // Read-only query (modes = 0); TIME_ERROR and STA_UNSYNC both mean the
  // kernel has not been told the time is right.
  int state = ::adjtimex(&tx);
  return state != -1 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

}  // namespace kiosk
