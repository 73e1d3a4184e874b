// The passage of time, behind an interface so that scheduling, polling and
// backoff are tested with a clock the test advances.
//
// Threading: implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace kiosk {

using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary origin; never goes back. Use for
  // deadlines and intervals.
  virtual Millis Monotonic() const = 0;
  // Wall-clock time as Unix seconds (UTC). May jump; use only for what is
  // reported to people and for timestamps in signed content.
  virtual int64_t UnixSeconds() const = 0;
  // Whether the wall clock is known to be right (synchronised by NTP or
  // another time source). A Raspberry Pi has no real-time clock and boots in
  // the past: expiry is never judged by a clock that is not synchronised.
  virtual bool WallClockSynchronized() const = 0;
};

// The real clocks: std::chrono::steady_clock and system_clock.
class SystemClock final : public Clock {
 public:
  Millis Monotonic() const override;
  int64_t UnixSeconds() const override;
  // The kernel's view (adjtimex: STA_UNSYNC clear), which systemd-timesyncd,
  // chrony and ntpd all maintain.
  bool WallClockSynchronized() const override;
};

// A clock that moves only when told to. Not thread-safe; tests only.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Millis start = Millis(0), int64_t unix_start = 1'780'000'000)
      : now_(start), unix_(unix_start) {}
  Millis Monotonic() const override { return now_; }
  int64_t UnixSeconds() const override { return unix_ + now_.count() / 1000; }
  bool WallClockSynchronized() const override { return synchronized_; }
  void Advance(Millis d) { now_ += d; }
  // Moves the wall clock only (an NTP step, or a unit that booted in 1970).
  void SetUnixSeconds(int64_t unix_now) { unix_ = unix_now - now_.count() / 1000; }
  void SetSynchronized(bool synchronized) { synchronized_ = synchronized; }

 private:
  Millis now_;
  int64_t unix_;
  bool synchronized_ = true;
};

}  // namespace kiosk
