#include "kiosk/core/schedule.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace kiosk {
namespace {

constexpr const char* kWeekdayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr int kDay = 86400;

LocalTime DateOf(const LocalTime& t) { return LocalTime{t.year, t.month, t.day}; }

LocalTime At(const LocalTime& date, int second_of_day) {
  return LocalTime{
      date.year,         date.month, date.day, second_of_day / 3600, second_of_day / 60 % 60,
      second_of_day % 60};
}

std::string DateText(const LocalTime& date) { return ToString(date).substr(0, 10); }

bool InDateRange(const Schedule& s, const LocalTime& date) {
  const LocalTime day = DateOf(date);
  if (s.from && day < *s.from) return false;
  if (s.until && *s.until < day) return false;
  return true;
}

// Whether the day's date and weekday are in the schedule.
bool DayMatches(const Schedule& s, const LocalTime& date) {
  return InDateRange(s, date) &&
         (s.weekdays & (1u << WeekdayOf(date.year, date.month, date.day))) != 0;
}

// The slides shown at a local time; local == nullptr: the clock is not
// synchronised, so only unscheduled slides. Empty when none.
std::vector<size_t> ShownAtLocal(const Bundle& bundle, const LocalTime* local) {
  std::vector<size_t> shown;
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    const auto& own = bundle.slides[i].schedule;
    bool on;
    if (local == nullptr) {
      on = !IsScheduled(bundle, i);
    } else {
      on = (!bundle.schedule || InWindow(*bundle.schedule, *local)) &&
           (!own || InWindow(*own, *local));
    }
    if (on) shown.push_back(i);
  }
  return shown;
}

std::vector<const Schedule*> AllSchedules(const Bundle& bundle) {
  std::vector<const Schedule*> all;
  if (bundle.schedule) all.push_back(&*bundle.schedule);
  for (const auto& slide : bundle.slides) {
    if (slide.schedule) all.push_back(&*slide.schedule);
  }
  return all;
}

std::string ClockText(int second_of_day) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", second_of_day / 3600, second_of_day / 60 % 60);
  return text;
}

// One stretch of the week with the same slides: [from, until) in minutes
// since Monday 00:00, never across midnight.
struct WeekStretch {
  int from = 0, until = 0;
  std::vector<size_t> shown;
};

std::vector<WeekStretch> WeekStretches(const Bundle& bundle) {
  // The week without dates: every schedule's date range left out.
  Bundle week = bundle;
  auto drop_dates = [](std::optional<Schedule>& s) {
    if (s) s->from.reset(), s->until.reset();
  };
  drop_dates(week.schedule);
  for (auto& slide : week.slides) drop_dates(slide.schedule);
  // 2024-01-01 was a Monday; windows start on whole minutes ("HH:MM").
  const LocalTime monday{2024, 1, 1};
  std::vector<WeekStretch> stretches;
  for (int minute = 0; minute < 7 * 24 * 60; ++minute) {
    LocalTime local = At(AddDays(monday, minute / 1440), minute % 1440 * 60);
    auto shown = ShownAtLocal(week, &local);
    if (stretches.empty() || minute % 1440 == 0 || stretches.back().shown != shown) {
      stretches.push_back({minute, minute, shown});
    }
    stretches.back().until = minute + 1;
  }
  return stretches;
}

std::string StretchText(const WeekStretch& s) {
  const int day = s.from / 1440;
  const int end = s.until - day * 1440;  // 1440 = "24:00"
  return std::string(kWeekdayNames[day]) + " " + ClockText(s.from % 1440 * 60) + "-" +
         (end == 1440 ? std::string("24:00") : ClockText(end * 60));
}

}  // namespace

bool InWindow(const Schedule& s, const LocalTime& local) {
  if (s.hours.empty()) return DayMatches(s, local);
  const int t = local.SecondOfDay();
  for (const DailyWindow& w : s.hours) {
    if (w.from < w.until) {
      if (t >= w.from && t < w.until && DayMatches(s, local)) return true;
    } else {
      // Crosses midnight: the evening belongs to today, the morning to the
      // day the window started.
      if (t >= w.from && DayMatches(s, local)) return true;
      if (t < w.until && DayMatches(s, AddDays(local, -1))) return true;
    }
  }
  return false;
}

bool IsScheduled(const Bundle& bundle, size_t index) {
  return bundle.schedule.has_value() || bundle.slides[index].schedule.has_value();
}

std::vector<size_t> SlidesShownAt(const Bundle& bundle, int64_t unix_seconds, const TimeZone& zone,
                                  bool clock_synchronized) {
  std::vector<size_t> shown;
  if (clock_synchronized) {
    const LocalTime local = zone.ToLocal(unix_seconds);
    shown = ShownAtLocal(bundle, &local);
  } else {
    shown = ShownAtLocal(bundle, nullptr);
  }
  if (shown.empty()) shown.push_back(kBuiltinHelpSlide);
  return shown;
}

std::optional<int64_t> NextChangeAfter(const Bundle& bundle, int64_t unix_seconds,
                                       const TimeZone& zone, bool clock_synchronized) {
  const auto schedules = AllSchedules(bundle);
  // Without a synchronised clock the answer does not depend on the time.
  if (!clock_synchronized || schedules.empty()) return std::nullopt;
  // The answer can only change when the local clock reaches midnight (the
  // date and weekday change) or a window's edge, or jumps (a change of UTC
  // offset): between two such instants it is constant. So the first of them
  // with another answer is the change.
  std::set<int> edges = {0};
  for (const Schedule* s : schedules) {
    for (const DailyWindow& w : s->hours) {
      edges.insert(w.from % kDay);
      edges.insert(w.until % kDay);
    }
  }
  const LocalTime first_day = AddDays(DateOf(zone.ToLocal(unix_seconds)), -1);
  const int days = kScheduleLookaheadDays + 2;
  std::vector<int64_t> candidates;
  for (int d = 0; d < days; ++d) {
    const LocalTime day = AddDays(first_day, d);
    for (int edge : edges) {
      for (int64_t instant : zone.InstantsReading(At(day, edge))) {
        if (instant > unix_seconds) candidates.push_back(instant);
      }
    }
  }
  const int64_t horizon = zone.InstantsReading(AddDays(first_day, days)).front();
  for (int64_t at = unix_seconds;;) {
    auto change = zone.NextOffsetChange(at);
    if (!change || *change <= at || *change > horizon) break;
    candidates.push_back(*change);
    at = *change;
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  const auto now = SlidesShownAt(bundle, unix_seconds, zone, true);
  for (int64_t candidate : candidates) {
    if (SlidesShownAt(bundle, candidate, zone, true) != now) return candidate;
  }
  return std::nullopt;
}

Slide BuiltinHelpSlide(const Theme& theme) {
  Slide slide;
  slide.id = "builtin-help";
  // Only what the police service's page says (content/slides.json's help
  // slide says the same): no promise the page does not make.
  slide.SetText("fr", SlideText{"Besoin d’aide ?",
                                {"Si vous, ou une personne que vous connaissez, êtes pris dans la "
                                 "traite de personnes et voulez en sortir, appelez la ligne "
                                 "ci-dessous, où que vous soyez au Canada. Nous pouvons vous "
                                 "aider."}});
  slide.SetText("en", SlideText{"Need help?",
                                {"If you, or someone you know, are caught in human trafficking "
                                 "and want to get out, call the line below from anywhere in "
                                 "Canada. We can help."}});
  slide.theme = theme;
  slide.duration = ReadingTime(slide);
  return slide;
}

std::vector<std::string> WeekTimeline(const Bundle& bundle) {
  if (AllSchedules(bundle).empty()) return {"every slide, all week"};
  std::vector<std::string> lines;
  for (const WeekStretch& s : WeekStretches(bundle)) {
    std::string names;
    for (size_t i : s.shown) names += (names.empty() ? "" : ", ") + bundle.slides[i].id;
    if (names.empty()) names = "(nothing: the built-in help slide)";
    lines.push_back(StretchText(s) + "  " + names);
  }
  return lines;
}

std::vector<std::string> ScheduleWarnings(const Bundle& bundle) {
  std::vector<std::string> warnings;
  if (AllSchedules(bundle).empty()) return warnings;
  for (const WeekStretch& s : WeekStretches(bundle)) {
    if (s.shown.empty()) {
      warnings.push_back("no slide is scheduled on " + StretchText(s) +
                         " (every week): the unit shows only the built-in help slide then");
    }
  }
  // Dates: the answer by date only changes at a first day or the day after
  // a last day.
  std::set<LocalTime> points;
  for (const Schedule* s : AllSchedules(bundle)) {
    if (s->from) points.insert(*s->from);
    if (s->until) points.insert(AddDays(*s->until, 1));
  }
  auto any_slide_on = [&](const LocalTime& date) {
    for (const auto& slide : bundle.slides) {
      if ((!bundle.schedule || InDateRange(*bundle.schedule, date)) &&
          (!slide.schedule || InDateRange(*slide.schedule, date))) {
        return true;
      }
    }
    return false;
  };
  if (!points.empty()) {
    std::vector<LocalTime> p(points.begin(), points.end());
    if (!any_slide_on(AddDays(p.front(), -1))) {
      warnings.push_back("before " + DateText(p.front()) +
                         " no slide is scheduled: the unit shows only the built-in help slide");
    }
    for (size_t i = 0; i < p.size(); ++i) {
      if (any_slide_on(p[i])) continue;
      if (i + 1 == p.size()) {
        warnings.push_back("from " + DateText(p[i]) +
                           " on no slide is scheduled: the unit shows only the built-in help "
                           "slide");
      } else {
        warnings.push_back("from " + DateText(p[i]) + " to " + DateText(AddDays(p[i + 1], -1)) +
                           " no slide is scheduled: the unit shows only the built-in help slide");
      }
    }
  }
  bool all_scheduled = true;
  for (size_t i = 0; i < bundle.slides.size(); ++i) all_scheduled &= IsScheduled(bundle, i);
  if (all_scheduled) {
    warnings.push_back(
        "every slide has a schedule: until the unit's clock is synchronised (after a boot "
        "without network) it shows only the built-in help slide; leave at least one slide "
        "unscheduled");
  }
  return warnings;
}

}  // namespace kiosk
