// Schedules on the unit's local clock: parsing, windows, the clock-safety
// rule, the help slide, and when the answer changes next, in real IANA zones
// (the system's tz database) across their changes of UTC offset.
#include "kiosk/core/schedule.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/config.h"
#include "kiosk/core/content.h"
#include "kiosk/core/time_zone.h"

namespace kiosk {
namespace {

// Unix seconds of a UTC civil time, computed without the code under test.
int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  const std::chrono::sys_days date = std::chrono::year{y} /
                                     std::chrono::month{static_cast<unsigned>(mo)} /
                                     std::chrono::day{static_cast<unsigned>(d)};
  return std::chrono::duration_cast<std::chrono::seconds>(date.time_since_epoch()).count() +
         h * 3600 + mi * 60 + s;
}

std::unique_ptr<TimeZone> Zone(const std::string& name) {
  auto zone = LoadTimeZone(name);
  REQUIRE_MESSAGE(zone.ok(), zone.status().message());
  return std::move(*zone);
}

// A bundle whose slides have the given ids and schedules (JSON, "" = none);
// bundle_schedule likewise for the bundle.
std::string BundleJson(const std::vector<std::pair<std::string, std::string>>& slides,
                       const std::string& bundle_schedule = "") {
  std::string text = R"({"format": 1, "name": "t",
    "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                "label": {"fr": "Aide", "en": "Help"}},)";
  if (!bundle_schedule.empty()) text += R"("schedule": )" + bundle_schedule + ",";
  text += R"("slides": [)";
  for (size_t i = 0; i < slides.size(); ++i) {
    if (i > 0) text += ",";
    text += R"({"id": ")" + slides[i].first +
            R"(", "fr": {"title": "Bonjour"}, "en": {"title": "Hello"})";
    if (!slides[i].second.empty()) text += R"(, "schedule": )" + slides[i].second;
    text += "}";
  }
  return text + "]}";
}

Bundle Parse(const std::vector<std::pair<std::string, std::string>>& slides,
             const std::string& bundle_schedule = "") {
  auto bundle = ParseBundle(BundleJson(slides, bundle_schedule), "slides.json");
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().message());
  return std::move(*bundle);
}

Status ParseError(const std::vector<std::pair<std::string, std::string>>& slides,
                  const std::string& bundle_schedule = "") {
  auto bundle = ParseBundle(BundleJson(slides, bundle_schedule), "slides.json");
  REQUIRE_FALSE(bundle.ok());
  return bundle.status();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::vector<size_t> kHelpOnly = {kBuiltinHelpSlide};

const char* kNight = R"({"hours": [{"from": "22:00", "until": "06:00"}]})";

// Every change of SlidesShownAt from `from` to `to`, by NextChangeAfter.
std::vector<int64_t> Changes(const Bundle& bundle, const TimeZone& zone, int64_t from, int64_t to) {
  std::vector<int64_t> changes;
  for (int64_t t = from;;) {
    auto next = NextChangeAfter(bundle, t, zone, true);
    if (!next || *next >= to) break;
    REQUIRE(*next > t);
    changes.push_back(*next);
    t = *next;
  }
  return changes;
}

}  // namespace

TEST_CASE("zones convert both ways across their changes of offset") {
  auto toronto = Zone("America/Toronto");
  // Spring forward: 02:00 EST is 03:00 EDT, at 07:00 UTC.
  CHECK(toronto->ToLocal(Utc(2026, 3, 8, 6, 59, 59)) == LocalTime{2026, 3, 8, 1, 59, 59});
  CHECK(toronto->ToLocal(Utc(2026, 3, 8, 7)) == LocalTime{2026, 3, 8, 3, 0, 0});
  CHECK(toronto->InstantsReading({2026, 3, 8, 2, 30}) == std::vector<int64_t>{Utc(2026, 3, 8, 7)});
  // Fall back: 01:30 happens twice, an hour apart.
  CHECK(toronto->InstantsReading({2026, 11, 1, 1, 30}) ==
        std::vector<int64_t>{Utc(2026, 11, 1, 5, 30), Utc(2026, 11, 1, 6, 30)});
  CHECK(toronto->NextOffsetChange(Utc(2026, 1, 1)) == Utc(2026, 3, 8, 7));
  CHECK(toronto->NextOffsetChange(Utc(2026, 3, 8, 7)) == Utc(2026, 11, 1, 6));

  auto st_johns = Zone("America/St_Johns");  // UTC-3:30, UTC-2:30 in summer
  CHECK(st_johns->ToLocal(Utc(2026, 12, 24, 1, 30)) == LocalTime{2026, 12, 23, 22, 0, 0});
  CHECK(st_johns->ToLocal(Utc(2026, 3, 8, 5, 30)) == LocalTime{2026, 3, 8, 3, 0, 0});
  CHECK(st_johns->NextOffsetChange(Utc(2026, 6, 1)) == Utc(2026, 11, 1, 4, 30));

  // Iqaluit, 31 October 1999: from EDT to CST, the clock goes back two hours.
  auto iqaluit = Zone("America/Iqaluit");
  CHECK(iqaluit->ToLocal(Utc(1999, 10, 31, 6)) == LocalTime{1999, 10, 31, 0, 0, 0});
  CHECK(iqaluit->InstantsReading({1999, 10, 31, 0, 30}) ==
        std::vector<int64_t>{Utc(1999, 10, 31, 4, 30), Utc(1999, 10, 31, 6, 30)});

  CHECK(WeekdayOf(2026, 12, 24) == 3);  // a Thursday
  CHECK(AddDays({2026, 12, 31}, 1) == LocalTime{2027, 1, 1});
  CHECK(AddDays({2024, 3, 1}, -1) == LocalTime{2024, 2, 29});
}

TEST_CASE("an unknown or hostile zone name is refused, naming it") {
  for (std::string name : {"America/Torronto", "../../etc/passwd", "/etc/localtime", ""}) {
    CAPTURE(name);
    auto zone = LoadTimeZone(name);
    REQUIRE_FALSE(zone.ok());
    CHECK(Contains(zone.status().message(), "\"" + name + "\""));
  }
  std::string problem;
  auto fallback = UnitTimeZone("Mars/Olympus_Mons", &problem);
  CHECK(fallback != nullptr);
  CHECK(Contains(problem, "\"Mars/Olympus_Mons\": not in the system's tz database"));
  CHECK(Contains(problem, "using the system's zone"));
  problem.clear();
  CHECK(UnitTimeZone("America/Iqaluit", &problem)->name() == "America/Iqaluit");
  CHECK(problem.empty());
}

TEST_CASE("schedules parse at bundle and slide level; today's bundles stay valid") {
  Bundle plain = Parse({{"a", ""}});
  CHECK_FALSE(plain.schedule);
  CHECK_FALSE(plain.slides[0].schedule);

  Bundle b = Parse({{"a", R"({"from": "2026-12-01", "until": "2027-01-06",
                               "weekdays": ["mon", "sun"],
                               "hours": [{"from": "22:00", "until": "06:00"},
                                         {"from": "12:00", "until": "24:00"}]})"}},
                   R"({"weekdays": ["fri"]})");
  REQUIRE(b.slides[0].schedule);
  const Schedule& s = *b.slides[0].schedule;
  CHECK(s.from == LocalTime{2026, 12, 1});
  CHECK(s.until == LocalTime{2027, 1, 6});
  CHECK(s.weekdays == ((1u << 0) | (1u << 6)));
  CHECK(s.hours == std::vector<DailyWindow>{{22 * 3600, 6 * 3600}, {12 * 3600, 86400}});
  REQUIRE(b.schedule);
  CHECK(b.schedule->weekdays == (1u << 4));
  CHECK(b.schedule->hours.empty());
}

TEST_CASE("a bad schedule is refused naming the file, the JSON path and what was expected") {
  struct Case {
    const char* schedule;
    const char* message;
  } cases[] = {
      {R"({"from": "2026-02-30"})",
       R"(slides.json: $.slides[0].schedule.from: expected a date as "YYYY-MM-DD", got "2026-02-30")"},
      {R"({"until": "26-12-01"})",
       R"($.slides[0].schedule.until: expected a date as "YYYY-MM-DD", got "26-12-01")"},
      {R"({"from": "2027-01-06", "until": "2026-12-01"})",
       R"($.slides[0].schedule.until: expected a date on or after from (2027-01-06), got "2026-12-01")"},
      {R"({"weekdays": ["mon", "Tuesday"]})",
       R"($.slides[0].schedule.weekdays[1]: expected one of "mon", "tue", "wed", "thu", "fri", "sat", "sun", got "Tuesday")"},
      {R"({"weekdays": ["mon", "mon"]})",
       R"($.slides[0].schedule.weekdays[1]: expected each weekday once, got "mon" again)"},
      {R"({"weekdays": []})", R"($.slides[0].schedule.weekdays: expected at least one of)"},
      {R"({"weekdays": "mon"})",
       R"($.slides[0].schedule.weekdays: expected an array, got a string)"},
      {R"({"hours": [{"from": "25:00", "until": "06:00"}]})",
       R"($.slides[0].schedule.hours[0].from: expected a time of day as "HH:MM" from "00:00" to "23:59", got "25:00")"},
      {R"({"hours": [{"from": "24:00", "until": "06:00"}]})",
       R"($.slides[0].schedule.hours[0].from: expected a time of day as "HH:MM" from "00:00" to "23:59", got "24:00")"},
      {R"({"hours": [{"from": "8:00", "until": "06:00"}]})",
       R"($.slides[0].schedule.hours[0].from: expected a time of day as "HH:MM")"},
      {R"({"hours": [{"from": "08:00", "until": "08:00"}]})",
       R"($.slides[0].schedule.hours[0].until: expected a time other than from)"},
      {R"({"hours": [{"from": "08:00"}]})", R"($.slides[0].schedule.hours[0].until: )"},
      {R"({"hours": [{"from": "08:00", "until": "09:00", "till": "10:00"}]})",
       R"($.slides[0].schedule.hours[0].till: unknown field)"},
      {R"({"hours": []})", R"($.slides[0].schedule.hours: expected at least one)"},
      {R"({"form": "2026-12-01"})", R"($.slides[0].schedule.form: unknown field)"},
      {R"({})", R"($.slides[0].schedule: expected at least one of from, until, weekdays, hours)"},
      {R"("22:00-06:00")", R"($.slides[0].schedule: expected an object, got a string)"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.schedule));
    Status error = ParseError({{"a", c.schedule}});
    CHECK_MESSAGE(Contains(error.message(), c.message), error.message());
  }
  Status bundle_level = ParseError({{"a", ""}}, R"({"hours": [{"from": "09:00", "until": "9h"}]})");
  CHECK_MESSAGE(
      Contains(
          bundle_level.message(),
          R"(slides.json: $.schedule.hours[0].until: expected a time of day as "HH:MM" from "00:00" to "24:00", got "9h")"),
      bundle_level.message());
}

TEST_CASE("a window crossing midnight belongs to the day it starts") {
  Bundle b = Parse({{"a", R"({"weekdays": ["fri"], "from": "2026-12-04", "until": "2026-12-11",
                             "hours": [{"from": "22:00", "until": "06:00"}]})"}});
  const Schedule& s = *b.slides[0].schedule;
  // 2026-12-04 and 2026-12-11 are Fridays.
  CHECK(InWindow(s, {2026, 12, 4, 22, 0, 0}));
  CHECK(InWindow(s, {2026, 12, 4, 23, 59, 59}));
  CHECK(InWindow(s, {2026, 12, 5, 0, 0, 0}));  // Saturday morning, Friday's night
  CHECK(InWindow(s, {2026, 12, 5, 5, 59, 59}));
  CHECK_FALSE(InWindow(s, {2026, 12, 5, 6, 0, 0}));
  CHECK_FALSE(InWindow(s, {2026, 12, 4, 2, 0, 0}));  // Friday morning: Thursday's night
  CHECK_FALSE(InWindow(s, {2026, 12, 4, 21, 59, 59}));
  CHECK_FALSE(InWindow(s, {2026, 12, 5, 22, 0, 0}));  // Saturday evening
  CHECK(InWindow(s, {2026, 12, 12, 3, 0, 0}));        // the last day's night runs on
  CHECK_FALSE(InWindow(s, {2026, 11, 28, 1, 0, 0}));  // a Saturday before the first day

  Bundle evening = Parse({{"a", R"({"hours": [{"from": "18:00", "until": "24:00"}]})"}});
  CHECK(InWindow(*evening.slides[0].schedule, {2026, 1, 1, 23, 59, 59}));
  CHECK_FALSE(InWindow(*evening.slides[0].schedule, {2026, 1, 2, 0, 0, 0}));
}

TEST_CASE("slides shown: both schedules apply, and the help slide when none is in its window") {
  auto zone = Zone("America/Toronto");
  Bundle b = Parse({{"always", ""}, {"night", kNight}, {"xmas", R"({"from": "2026-12-24",
                                                                   "until": "2026-12-25"})"}});
  // 2026-12-24 22:00 EST = 2026-12-25 03:00 UTC.
  CHECK(SlidesShownAt(b, Utc(2026, 12, 25, 3), *zone, true) == std::vector<size_t>{0, 1, 2});
  CHECK(SlidesShownAt(b, Utc(2026, 12, 24, 17), *zone, true) == std::vector<size_t>{0, 2});
  CHECK(SlidesShownAt(b, Utc(2026, 12, 27, 3), *zone, true) == std::vector<size_t>{0, 1});
  CHECK(SlidesShownAt(b, Utc(2026, 12, 27, 17), *zone, true) == std::vector<size_t>{0});

  // A bundle schedule limits every slide; outside it, the help slide.
  Bundle limited = Parse({{"always", ""}, {"night", kNight}}, R"({"weekdays": ["thu"]})");
  CHECK(SlidesShownAt(limited, Utc(2026, 12, 25, 3), *zone, true) == std::vector<size_t>{0, 1});
  CHECK(SlidesShownAt(limited, Utc(2026, 12, 24, 17), *zone, true) == std::vector<size_t>{0});
  CHECK(SlidesShownAt(limited, Utc(2026, 12, 26, 17), *zone, true) == kHelpOnly);

  Bundle night_only = Parse({{"night", kNight}});
  CHECK(SlidesShownAt(night_only, Utc(2026, 12, 24, 17), *zone, true) == kHelpOnly);
  CHECK(SlidesShownAt(night_only, Utc(2026, 12, 24, 4), *zone, true) == std::vector<size_t>{0});

  Slide help = BuiltinHelpSlide(b.theme);
  CHECK(help.id == "builtin-help");
  REQUIRE(help.text("fr") != nullptr);
  REQUIRE(help.text("en") != nullptr);
  CHECK_FALSE(help.text("fr")->title.empty());
  CHECK_FALSE(help.text("en")->body.empty());
  CHECK(help.duration >= kMinimumSlideDuration);
}

TEST_CASE("until the clock is synchronised, scheduled slides are held back, never the screen") {
  auto zone = Zone("America/Toronto");
  Bundle b = Parse({{"always", ""}, {"night", kNight}, {"xmas", R"({"from": "2026-12-24"})"}});
  // A Pi boots in 1970; its clock must not decide what a schedule allows.
  FakeClock clock(Millis(0), 0);
  clock.SetSynchronized(false);
  CHECK(SlidesShownAt(b, clock.UnixSeconds(), *zone, clock.WallClockSynchronized()) ==
        std::vector<size_t>{0});
  // Even at a time inside every window: only the unscheduled slide.
  clock.SetUnixSeconds(Utc(2026, 12, 25, 3));
  CHECK(SlidesShownAt(b, clock.UnixSeconds(), *zone, false) == std::vector<size_t>{0});
  CHECK_FALSE(NextChangeAfter(b, clock.UnixSeconds(), *zone, false));
  clock.SetSynchronized(true);
  CHECK(SlidesShownAt(b, clock.UnixSeconds(), *zone, clock.WallClockSynchronized()) ==
        std::vector<size_t>{0, 1, 2});

  // Every slide scheduled (here through the bundle): the help slide, not blank.
  Bundle all_scheduled = Parse({{"a", ""}, {"b", ""}}, R"({"from": "2020-01-01"})");
  CHECK(SlidesShownAt(all_scheduled, Utc(2026, 12, 25, 3), *zone, false) == kHelpOnly);
  CHECK(SlidesShownAt(all_scheduled, Utc(2026, 12, 25, 3), *zone, true) ==
        std::vector<size_t>{0, 1});
}

TEST_CASE("a clock jumping forward and back gives the slides of the time it now reads") {
  auto zone = Zone("America/Toronto");
  Bundle b = Parse({{"day", ""}, {"night", kNight}});
  FakeClock clock(Millis(0), Utc(2026, 12, 24, 17));  // 12:00 EST
  CHECK(SlidesShownAt(b, clock.UnixSeconds(), *zone, true) == std::vector<size_t>{0});
  auto next = NextChangeAfter(b, clock.UnixSeconds(), *zone, true);
  CHECK(next == Utc(2026, 12, 25, 3));  // 22:00 EST
  // NTP steps the clock forward past the change: the night slide at once.
  clock.SetUnixSeconds(Utc(2026, 12, 25, 4));
  CHECK(SlidesShownAt(b, clock.UnixSeconds(), *zone, true) == std::vector<size_t>{0, 1});
  CHECK(NextChangeAfter(b, clock.UnixSeconds(), *zone, true) == Utc(2026, 12, 25, 11));
  // And back by three days, to an afternoon: no night slide, and the next
  // change is that day's 22:00, before the one computed earlier.
  clock.SetUnixSeconds(Utc(2026, 12, 21, 20));
  CHECK(SlidesShownAt(b, clock.UnixSeconds(), *zone, true) == std::vector<size_t>{0});
  CHECK(NextChangeAfter(b, clock.UnixSeconds(), *zone, true) == Utc(2026, 12, 22, 3));
  // Monotonic time did not move at all: the answer follows the wall clock.
  CHECK(clock.Monotonic() == Millis(0));
}

TEST_CASE("windows on the days the clocks change: skipped and repeated hours") {
  auto toronto = Zone("America/Toronto");
  // 02:00-03:00 does not exist on 8 March 2026 in Toronto: never shown then.
  Bundle skipped = Parse({{"day", ""}, {"two", R"({"hours": [{"from": "02:00", "until": "03:00"}],
                                                 "from": "2026-03-08", "until": "2026-03-08"})"}});
  CHECK(Changes(skipped, *toronto, Utc(2026, 3, 7), Utc(2026, 3, 10)).empty());

  // 02:30-03:30 starts when the clock jumps from 02:00 to 03:00.
  Bundle straddle = Parse({{"day", ""}, {"w", R"({"hours": [{"from": "02:30", "until": "03:30"}],
                                                "from": "2026-03-08", "until": "2026-03-08"})"}});
  CHECK(Changes(straddle, *toronto, Utc(2026, 3, 7), Utc(2026, 3, 10)) ==
        std::vector<int64_t>{Utc(2026, 3, 8, 7), Utc(2026, 3, 8, 7, 30)});

  // Fall back: 01:00-02:00 lasts two real hours.
  Bundle repeated = Parse({{"day", ""}, {"one", R"({"hours": [{"from": "01:00", "until": "02:00"}],
                                                  "from": "2026-11-01", "until": "2026-11-01"})"}});
  CHECK(Changes(repeated, *toronto, Utc(2026, 10, 31), Utc(2026, 11, 3)) ==
        std::vector<int64_t>{Utc(2026, 11, 1, 5), Utc(2026, 11, 1, 7)});
  // 01:30-05:00 starts, stops when the clock goes back to 01:00, starts again.
  Bundle twice = Parse({{"day", ""}, {"w", R"({"hours": [{"from": "01:30", "until": "05:00"}],
                                             "from": "2026-11-01", "until": "2026-11-01"})"}});
  CHECK(Changes(twice, *toronto, Utc(2026, 10, 31), Utc(2026, 11, 3)) ==
        std::vector<int64_t>{Utc(2026, 11, 1, 5, 30), Utc(2026, 11, 1, 6), Utc(2026, 11, 1, 6, 30),
                             Utc(2026, 11, 1, 10)});

  // St. John's springs forward at 02:00 NST (05:30 UTC) to 03:00 NDT.
  auto st_johns = Zone("America/St_Johns");
  CHECK(Changes(straddle, *st_johns, Utc(2026, 3, 7), Utc(2026, 3, 10)) ==
        std::vector<int64_t>{Utc(2026, 3, 8, 5, 30), Utc(2026, 3, 8, 6)});

  // Iqaluit, 31 October 1999: EDT to CST, back two hours at 06:00 UTC
  // (02:00 EDT becomes 00:00 CST): 00:30-01:30 comes twice.
  auto iqaluit = Zone("America/Iqaluit");
  Bundle iq = Parse({{"day", ""}, {"w", R"({"hours": [{"from": "00:30", "until": "01:30"}],
                                          "from": "1999-10-31", "until": "1999-10-31"})"}});
  CHECK(Changes(iq, *iqaluit, Utc(1999, 10, 30), Utc(1999, 11, 2)) ==
        std::vector<int64_t>{Utc(1999, 10, 31, 4, 30), Utc(1999, 10, 31, 5, 30),
                             Utc(1999, 10, 31, 6, 30), Utc(1999, 10, 31, 7, 30)});
}

TEST_CASE("60 simulated days across DST: every change on the minute the schedule says, no drift") {
  for (std::string name : {"America/Toronto", "America/St_Johns", "America/Iqaluit"}) {
    CAPTURE(name);
    auto zone = Zone(name);
    Bundle b = Parse({{"day", ""}, {"night", kNight}, {"weekend", R"({"weekdays": ["sat", "sun"],
                                     "hours": [{"from": "09:30", "until": "17:45"}]})"}});
    // 15 October to 14 December 2026: fall back on 1 November.
    const int64_t start = zone->InstantsReading({2026, 10, 15}).front();
    const int64_t end = zone->InstantsReading({2026, 12, 14}).front();
    auto changes = Changes(b, *zone, start, end);
    // 60 nights start and end; 17 weekend days (Oct 17, 18 ... Dec 12, 13)
    // do too.
    CHECK(changes.size() == 60 * 2 + 18 * 2);
    for (int64_t change : changes) {
      LocalTime local = zone->ToLocal(change);
      const int at = local.SecondOfDay();
      CAPTURE(ToString(local));
      CHECK((at == 22 * 3600 || at == 6 * 3600 || at == 9 * 3600 + 1800 || at == 17 * 3600 + 2700));
    }
    // Sampled every five minutes, the answer changes only at those instants.
    size_t k = 0;
    auto previous = SlidesShownAt(b, start, *zone, true);
    for (int64_t t = start; t < end; t += 300) {
      while (k < changes.size() && changes[k] <= t) ++k;
      auto now = SlidesShownAt(b, t, *zone, true);
      if (now != previous) {
        // Some change happened in (t - 300, t].
        REQUIRE(k > 0);
        CHECK(changes[k - 1] > t - 300);
      }
      previous = now;
    }
  }
}

TEST_CASE("nothing scheduled: no change, whatever the time") {
  auto zone = Zone("America/Toronto");
  Bundle b = Parse({{"a", ""}, {"b", ""}});
  CHECK_FALSE(NextChangeAfter(b, Utc(2026, 12, 24), *zone, true));
  CHECK(SlidesShownAt(b, Utc(2026, 12, 24), *zone, true) == std::vector<size_t>{0, 1});
  // A schedule that has ended: no change ever again either.
  Bundle ended = Parse({{"a", ""}, {"b", R"({"until": "2026-01-06"})"}});
  CHECK_FALSE(NextChangeAfter(ended, Utc(2026, 12, 24), *zone, true));
  // One that starts in eleven months is found.
  Bundle later = Parse({{"a", ""}, {"b", R"({"from": "2027-11-01"})"}});
  CHECK(NextChangeAfter(later, Utc(2026, 12, 24), *zone, true) == Utc(2027, 11, 1, 4));
}

TEST_CASE("the week's timeline and the warnings kiosk validate prints") {
  Bundle b = Parse({{"office", R"({"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                 "hours": [{"from": "09:00", "until": "17:00"}]})"},
                    {"night", kNight}});
  auto timeline = WeekTimeline(b);
  REQUIRE(timeline.size() >= 7);
  CHECK(std::vector<std::string>(timeline.begin(), timeline.begin() + 5) ==
        std::vector<std::string>{
            "mon 00:00-06:00  night", "mon 06:00-09:00  (nothing: the built-in help slide)",
            "mon 09:00-17:00  office", "mon 17:00-22:00  (nothing: the built-in help slide)",
            "mon 22:00-24:00  night"});
  CHECK(timeline.back() == "sun 22:00-24:00  night");
  CHECK(std::find(timeline.begin(), timeline.end(),
                  std::string("sat 06:00-22:00  (nothing: the built-in help slide)")) !=
        timeline.end());
  auto warnings = ScheduleWarnings(b);
  // Mon-Fri two gaps each, Sat and Sun one each; and every slide scheduled.
  CHECK(warnings.size() == 5 * 2 + 2 + 1);
  CHECK(warnings.front() ==
        "no slide is scheduled on mon 06:00-09:00 (every week): the unit shows only the built-in "
        "help slide then");
  CHECK(Contains(warnings.back(),
                 "every slide has a schedule: until the unit's clock is "
                 "synchronised"));

  // Dates: a gap between two ranges and the end of the last.
  Bundle dated = Parse({{"advent", R"({"from": "2026-12-01", "until": "2026-12-20"})"},
                        {"holidays", R"({"from": "2026-12-24", "until": "2027-01-06"})"}});
  auto dated_warnings = ScheduleWarnings(dated);
  CHECK(dated_warnings == std::vector<std::string>{
                              "before 2026-12-01 no slide is scheduled: the unit shows only the "
                              "built-in help slide",
                              "from 2026-12-21 to 2026-12-23 no slide is scheduled: the unit "
                              "shows only the built-in help slide",
                              "from 2027-01-07 on no slide is scheduled: the unit shows only the "
                              "built-in help slide",
                              "every slide has a schedule: until the unit's clock is synchronised "
                              "(after a boot without network) it shows only the built-in help "
                              "slide; leave at least one slide unscheduled"});
  CHECK(WeekTimeline(dated) ==
        std::vector<std::string>{
            "mon 00:00-24:00  advent, holidays", "tue 00:00-24:00  advent, holidays",
            "wed 00:00-24:00  advent, holidays", "thu 00:00-24:00  advent, holidays",
            "fri 00:00-24:00  advent, holidays", "sat 00:00-24:00  advent, holidays",
            "sun 00:00-24:00  advent, holidays"});

  // One unscheduled slide covers every time: no warning.
  Bundle covered = Parse({{"always", ""}, {"night", kNight}});
  CHECK(ScheduleWarnings(covered).empty());
  CHECK(WeekTimeline(Parse({{"a", ""}})) == std::vector<std::string>{"every slide, all week"});
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE("config time_zone: an IANA name from the tz database; a typo keeps the last good zone") {
  auto good = ParseConfig(R"({"time_zone": "America/St_Johns"})", "kiosk.json");
  CHECK(good.problems.empty());
  CHECK(good.config.time_zone == "America/St_Johns");
  CHECK(ParseConfig("{}", "kiosk.json").config.time_zone.empty());  // the system's zone

  auto typo = ParseConfig(R"({"time_zone": "America/Torronto"})", "kiosk.json");
  REQUIRE(typo.problems.size() == 1);
  CHECK(typo.problems[0] ==
        "kiosk.json: $.time_zone: expected an IANA time zone name from the tz database such as "
        "\"America/Toronto\", got \"America/Torronto\"; keeping the system's time zone "
        "(/etc/localtime)");
  CHECK(typo.config.time_zone.empty());

  Config last_good;
  last_good.time_zone = "America/Iqaluit";
  auto reload = ParseConfig(R"({"time_zone": 5})", "kiosk.json", last_good);
  REQUIRE(reload.problems.size() == 1);
  CHECK(reload.problems[0] ==
        "kiosk.json: $.time_zone: expected an IANA time zone name from the tz database such as "
        "\"America/Toronto\", got an integer; keeping \"America/Iqaluit\"");
  CHECK(reload.config.time_zone == "America/Iqaluit");
}

}  // namespace kiosk
