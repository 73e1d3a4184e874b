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
    s.SetText("fr", SlideText{"titre", {}});
    s.SetText("en", SlideText{"title", {}});
    b.slides.push_back(s);
  }
  return b;
}

}  // namespace

TEST_CASE("bilingual cycles show each slide once; alternate shows French then English") {
  Bundle b = ThreeSlides();
  auto bilingual = BuildCycle(b, kDefaultLanguages, LanguageLayout::kBilingual);
  REQUIRE(bilingual.size() == 3);
  CHECK(bilingual[1].view.languages == std::vector<std::string>{"fr", "en"});
  auto alternate = BuildCycle(b, kDefaultLanguages, LanguageLayout::kAlternate);
  REQUIRE(alternate.size() == 6);
  CHECK(alternate[2].view.slide_index == 1);
  CHECK(alternate[2].view.languages == std::vector<std::string>{"fr"});
  CHECK(alternate[3].view.languages == std::vector<std::string>{"en"});
  CHECK(alternate[3].duration == Millis(15'000));
  auto skipped = BuildCycle(b, kDefaultLanguages, LanguageLayout::kBilingual, {1});
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[1].view.slide_index == 2);
}

TEST_CASE("slides change exactly at their deadlines") {
  FakeClock clock;
  Rotation r(BuildCycle(ThreeSlides(), kDefaultLanguages, LanguageLayout::kBilingual),
             clock.Monotonic());
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
  Rotation r(BuildCycle(ThreeSlides(), kDefaultLanguages, LanguageLayout::kBilingual),
             clock.Monotonic());
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
  Rotation r(BuildCycle(ThreeSlides(), kDefaultLanguages, LanguageLayout::kBilingual),
             clock.Monotonic());
  clock.Advance(Millis(26'000));  // past the deadlines at 10 s and 25 s
  CHECK(r.Advance(clock.Monotonic()));
  CHECK(r.index() == 2);
  CHECK(r.started_at() == Millis(25'000));
}

TEST_CASE("after a sleep longer than a cycle the rotation moves on from now") {
  FakeClock clock;
  Rotation r(BuildCycle(ThreeSlides(), kDefaultLanguages, LanguageLayout::kBilingual),
             clock.Monotonic());
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
  Rotation r(BuildCycle(b, kDefaultLanguages, LanguageLayout::kBilingual), clock.Monotonic());
  clock.Advance(Millis(10'000));
  CHECK(r.Advance(clock.Monotonic()));
  CHECK(r.index() == 0);
  CHECK(r.next_deadline() == Millis(20'000));
}

TEST_CASE(
    "alternate with three languages cycles through each slide's languages in the unit's order") {
  Bundle b = ThreeSlides();
  b.slides[0].SetText("iu", SlideText{"ᐅᖃᐅᓯᖅ", {}});
  b.slides[1].texts = {{"iu", SlideText{"ᐅᖃᐅᓯᖅ", {}}}, {"en", SlideText{"title", {}}}};
  const std::vector<std::string> unit = {"iu", "fr", "en"};
  auto cycle = BuildCycle(b, unit, LanguageLayout::kAlternate);
  std::vector<std::pair<size_t, std::string>> seen;
  for (const auto& timed : cycle) {
    REQUIRE(timed.view.languages.size() == 1);
    seen.emplace_back(timed.view.slide_index, timed.view.languages[0]);
    CHECK(timed.duration == b.slides[timed.view.slide_index].duration);
  }
  // Slide 1 has no French: it is shown in the two languages it has; slide 2
  // has no Inuktitut.
  const std::vector<std::pair<size_t, std::string>> expected = {
      {0, "iu"}, {0, "fr"}, {0, "en"}, {1, "iu"}, {1, "en"}, {2, "fr"}, {2, "en"}};
  CHECK(seen == expected);
  // A pair is the first two of the languages shown.
  auto pairs = BuildCycle(b, unit, LanguageLayout::kBilingual);
  REQUIRE(pairs.size() == 3);
  CHECK(pairs[0].view.languages == std::vector<std::string>{"iu", "fr"});
  CHECK(pairs[1].view.languages == std::vector<std::string>{"iu", "en"});
  CHECK(pairs[2].view.languages == std::vector<std::string>{"fr", "en"});
}

TEST_CASE("a slide shows the unit's languages it has, else its own, never none") {
  Slide s;
  s.texts = {{"en", SlideText{"title", {}}},
             {"ar", SlideText{"عنوان", {}}},
             {"fr", SlideText{"titre", {}}}};
  // The unit's order, not the bundle's.
  CHECK(LanguagesShown(s, {"fr", "en"}) == std::vector<std::string>{"fr", "en"});
  CHECK(LanguagesShown(s, {"ar", "iu", "en"}) == std::vector<std::string>{"ar", "en"});
  // None of the unit's: the slide's own, in the bundle's order.
  CHECK(LanguagesShown(s, {"iu"}) == std::vector<std::string>{"en", "ar", "fr"});
  CHECK(LanguagesShown(s, {}) == std::vector<std::string>{"en", "ar", "fr"});
  // A unit that shows only Inuktitut still shows this slide: alternating
  // through all its languages, or its first two as a pair.
  Bundle b;
  b.slides = {s};
  auto cycle = BuildCycle(b, {"iu"}, LanguageLayout::kAlternate);
  CHECK(cycle.size() == 3);
  auto pair = BuildCycle(b, {"iu"}, LanguageLayout::kBilingual);
  REQUIRE(pair.size() == 1);
  CHECK(pair[0].view.languages == std::vector<std::string>{"en", "ar"});
}

}  // namespace kiosk
