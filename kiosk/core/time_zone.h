// The unit's time zone: local civil time from Unix seconds and back, behind a
// small interface so that schedules are tested in any IANA zone (and across
// its DST changes) whatever zone the test machine is in.
//
// The real zones come from the system's tz database (/usr/share/zoneinfo,
// Debian package tzdata) through cctz (libcctz): GCC 12's library has no
// time zones.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/status.h"

namespace kiosk {

// A date and a time of day on a local wall clock (no zone attached).
struct LocalTime {
  int year = 1970, month = 1, day = 1;  // month 1-12, day 1-31
  int hour = 0, minute = 0, second = 0;
  bool operator==(const LocalTime&) const = default;
  auto operator<=>(const LocalTime&) const = default;
  // Seconds since local midnight, 0..86399.
  int SecondOfDay() const { return (hour * 60 + minute) * 60 + second; }
};

// 0 = Monday ... 6 = Sunday (ISO 8601 order).
int WeekdayOf(int year, int month, int day);
// The date `days` days after (before, when negative) year-month-day.
LocalTime AddDays(const LocalTime& date, int days);
// "2026-12-24 22:00:00".
std::string ToString(const LocalTime& local);

class TimeZone {
 public:
  virtual ~TimeZone() = default;
  // The IANA name ("America/Toronto"), for messages.
  virtual const std::string& name() const = 0;
  // What the local wall clock reads at the instant.
  virtual LocalTime ToLocal(int64_t unix_seconds) const = 0;
  // The instants at which the local clock, going forward, reaches `local`:
  // one usually; two when a change of offset repeats the hour (the first and
  // the second time the clock reads it); when a change skips it (spring
  // forward), the one instant of the change, when the clock jumps past it.
  // Ascending, never empty.
  virtual std::vector<int64_t> InstantsReading(const LocalTime& local) const = 0;
  // The first instant after unix_seconds at which the zone's UTC offset
  // changes; nullopt if it never does again.
  virtual std::optional<int64_t> NextOffsetChange(int64_t unix_seconds) const = 0;
};

// Whether name looks like an IANA zone name ("America/St_Johns", "UTC"):
// letters, digits, '_', '-', '+' and '/' between parts; no "..", no leading
// '/'. A shape check only: LoadTimeZone says whether the zone exists.
bool IsTimeZoneNameShape(const std::string& name);

// The IANA zone `name` from the system's tz database. NotFound naming it when
// the database has no such zone.
Result<std::unique_ptr<TimeZone>> LoadTimeZone(const std::string& name);

// The system's zone (/etc/localtime, or $TZ when set); UTC when neither can
// be read. Never null.
std::unique_ptr<TimeZone> SystemTimeZone();

// The zone a unit uses: configured (the config's `time_zone`, an IANA name)
// or, when configured is empty, the system's. A configured name that does not
// load falls back to the system's zone, and *problem says so.
std::unique_ptr<TimeZone> UnitTimeZone(const std::string& configured, std::string* problem);

}  // namespace kiosk
