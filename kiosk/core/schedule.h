// Which slides a unit shows at a given time: the bundle's and each slide's
// schedule (date range, weekdays, daily windows; content.h) read on the
// unit's local clock (time_zone.h).
//
// Rules:
//   - A slide is shown when the bundle's schedule (if any) and its own (if
//     any) both include the local time.
//   - Clock safety: until the wall clock is known to be synchronised (a Pi
//     boots in the past), every scheduled slide (its own schedule or the
//     bundle's) is held back and only unscheduled slides are shown: a
//     Christmas slide must not appear in July because the clock says 1970.
//   - Never blank: when no slide is shown, the answer is the built-in help
//     slide (kBuiltinHelpSlide; BuiltinHelpSlide()), never nothing.
// Everything here is a pure function of its arguments: the caller passes the
// time and whether the clock is synchronised (Clock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/time_zone.h"

namespace kiosk {

// The one element of SlidesShownAt's answer when no slide of the bundle is
// to be shown: show the built-in help slide (BuiltinHelpSlide()).
inline constexpr size_t kBuiltinHelpSlide = std::numeric_limits<size_t>::max();

// Whether the local wall-clock time is inside the schedule: its date range
// (inclusive), its weekdays and one of its daily windows. A window crossing
// midnight belongs to the day it starts: {"fri"}, 22:00-06:00 includes
// Saturday 02:00 and not Friday 02:00.
bool InWindow(const Schedule& schedule, const LocalTime& local);

// Whether slide `index` has a schedule of its own or through the bundle's.
bool IsScheduled(const Bundle& bundle, size_t index);

// The indexes of the bundle's slides shown at the instant, ascending; or
// exactly {kBuiltinHelpSlide} when none is.
std::vector<size_t> SlidesShownAt(const Bundle& bundle, int64_t unix_seconds, const TimeZone& zone,
                                  bool clock_synchronized);

// How far ahead NextChangeAfter looks.
inline constexpr int kScheduleLookaheadDays = 400;

// The first instant after unix_seconds at which SlidesShownAt (same bundle,
// zone and clock_synchronized) gives another answer; nullopt when it does not
// change within kScheduleLookaheadDays (no schedule at all, an unsynchronised
// clock, a schedule that has ended). Exact to the second across changes of
// UTC offset. The caller asks again after a change of clock_synchronized or a
// jump of the wall clock: the answer assumes the clock runs on.
std::optional<int64_t> NextChangeAfter(const Bundle& bundle, int64_t unix_seconds,
                                       const TimeZone& zone, bool clock_synchronized);

// The slide shown when no slide of the bundle is: bilingual words pointing to
// the help band (which always shows the hotline), in the bundle's theme. It
// names no number itself: the band does.
Slide BuiltinHelpSlide(const Theme& theme);

// `kiosk validate`'s view of a bundle's week (date ranges left out): each
// stretch of a weekday with the slides shown then,
//   "mon 06:00-22:00  help, night-line"
// or "(nothing: the built-in help slide)". One line "every slide, all week"
// when nothing is scheduled.
std::vector<std::string> WeekTimeline(const Bundle& bundle);

// Times when no slide would show, each a sentence: stretches of the week,
// days before every slide's first date or after every slide's last, and
// a bundle whose every slide is scheduled (held back until the clock is
// synchronised). Empty = some slide shows at every time.
std::vector<std::string> ScheduleWarnings(const Bundle& bundle);

}  // namespace kiosk
