#include "kiosk/core/rotation.h"

#include <doctest/doctest.h>

namespace kiosk {
namespace {

Bundle ThreeSlides() {
  Bundle b;
  for (int i = 0; i < 3; ++i) {
    Slide s;
    s.id = "s" + std::to_string(i);
    s.duration = Millis(10'000 + 5'000 * i);  // 10 s, 15 s, 20 s: a 45 s cycle
    b.slides.push_back(s);
  }
  return b;
}

}  // namespace

TEST_CASE("bilingual cycles show each slide once; alternate shows French then English") {
  Bundle b = ThreeSlides();
  auto bilingual = BuildCycle(b, LanguageLayout::kBilingual);
  REQUIRE(bilingual.size() == 3);
  CHECK(bilingual[1].view.bilingual);
  auto alternate = BuildCycle(b, LanguageLayout::kAlternate);
  REQUIRE(alternate.size() == 6);
  CHECK(alternate[2].view.slide_index == 1);
  CHECK(alternate[2].view.language == Language::kFrench);
  CHECK(alternate[3].view.language == Language::kEnglish);
  CHECK(alternate[3].duration == Millis(15'000));
  auto skipped = BuildCycle(b, LanguageLayout::kBilingual, {1});
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[1].view.slide_index == 2);
}

TEST_CASE("slides change exactly at their deadlines") {
  FakeClock clock;
  Rotation r(BuildCycle(ThreeSlides(), LanguageLayout::kBilingual), clock.Monotonic());
  CHECK(r.index() == 0);
  CHECK(r.next_deadline() == Millis(10'000));
  clock.Advance(Millis(9'999));
  CHECK_FALSE(r.Advance(clock.Monotonic()));
  clock.Advance(Millis(1));
  CHECK(r.Advance(clock.Monotonic()));
  CHECK(r.index() == 1);
  CHECK(r.next_deadline() == Millis(25'000));
}

TEST_CASE("late wake-ups do not make the cycle drift, across days") {
  FakeClock clock;
  Rotation r(BuildCycle(ThreeSlides(), LanguageLayout::kBilingual), clock.Monotonic());
  // Wake up 7 ms late at every deadline for three days.
  const Millis three_days{3LL * 24 * 3600 * 1000};
  size_t changes = 0;
  while (clock.Monotonic() < three_days) {
    Millis wake = r.next_deadline() + Millis(7);
    clock.Advance(wake - clock.Monotonic());
    if (r.Advance(clock.Monotonic())) ++changes;
  }
  // 45 s cycles: after 3 days the schedule is exactly where arithmetic says.
  int64_t cycles = three_days.count() / 45'000;
  CHECK(changes >= static_cast<size_t>(cycles * 3));
  CHECK(r.started_at().count() % 45'000 == (r.index() == 0 ? 0 : r.index() == 1 ? 10'000 : 25'000));
}

TEST_CASE("a wake-up a few slides late skips to the slide due now, on the original grid") {
  FakeClock clock;
  Rotation r(BuildCycle(ThreeSlides(), LanguageLayout::kBilingual), clock.Monotonic());
  clock.Advance(Millis(26'000));  // past the deadlines at 10 s and 25 s
  CHECK(r.Advance(clock.Monotonic()));
  CHECK(r.index() == 2);
  CHECK(r.started_at() == Millis(25'000));
}

TEST_CASE("after a sleep longer than a cycle the rotation moves on from now") {
  FakeClock clock;
  Rotation r(BuildCycle(ThreeSlides(), LanguageLayout::kBilingual), clock.Monotonic());
  clock.Advance(Millis(10LL * 3600 * 1000));  // ten hours asleep
  CHECK(r.Advance(clock.Monotonic()));
  CHECK(r.index() == 1);
  CHECK(r.started_at() == clock.Monotonic());
  CHECK(r.next_deadline() == clock.Monotonic() + Millis(15'000));
}

TEST_CASE("a single slide still reports each new period") {
  Bundle b = ThreeSlides();
  b.slides.resize(1);
  FakeClock clock;
  Rotation r(BuildCycle(b, LanguageLayout::kBilingual), clock.Monotonic());
  clock.Advance(Millis(10'000));
  CHECK(r.Advance(clock.Monotonic()));
  CHECK(r.index() == 0);
  CHECK(r.next_deadline() == Millis(20'000));
}

}  // namespace kiosk
