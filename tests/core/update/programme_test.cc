// The programme's decisions without a display: which content is chosen, when
// it is verified, when it takes over, the rotation and crossfade timing, and
// that the status file's "shown" part always names what is on screen.
#include "kiosk/core/update/programme.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"
#include "tests/core/fake_measurer.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using testing::TestSigner;

const std::filesystem::path kStatusFile = "/run/kiosk/status.json";
const std::filesystem::path kBuiltinDir = std::filesystem::path(KIOSK_SOURCE_DIR) / "content";

// A bundle whose slides last the given seconds; every slide's title names
// the bundle, so a layout tells which bundle it belongs to.
std::string SlidesJson(const std::string& name, const std::vector<int>& durations_s,
                       const std::string& hotline = "1-800-292-1168") {
  std::string slides;
  for (size_t i = 0; i < durations_s.size(); ++i) {
    if (!slides.empty()) slides += ",";
    slides += R"({"id": "s)" + std::to_string(i) + R"(", "duration_s": )" +
              std::to_string(durations_s[i]) + R"(, "fr": {"title": ")" + name + R"( fr"}, )" +
              R"("en": {"title": ")" + name + R"( en"}})";
  }
  return R"({"format": 1, "name": ")" + name + R"(", "contact": {"hotline": ")" + hotline +
         R"(", "email": "HumanTrafficking@ottawapolice.ca", "label": {"fr": "Aide", "en": "Help"}},
         "slides": [)" +
         slides + "]}";
}

Trust TrustOf(const TestSigner& signer, PinnedContact contact = {}) {
  Trust trust;
  auto key = ParseMinisignPublicKey(signer.PublicKeyFile());
  REQUIRE_MESSAGE(key.ok(), key.status().message());
  trust.content = KeyThreshold{{*key}, 1};
  trust.contact = std::move(contact);
  return trust;
}

std::string TextsOf(const FrameLayout& layout) {
  std::string all;
  for (const auto& t : layout.texts) all += t.text + "\n";
  return all;
}

struct Unit {
  MemoryFileStore store;
  FakeClock clock{Millis(1'000)};
  MonospaceMeasurer measurer;
  TestSigner signer;
  std::shared_ptr<const Trust> trust = std::make_shared<const Trust>(TrustOf(signer));
  StatusBoard board{store, kStatusFile};
  Programme programme{store, clock, measurer, [this] { return trust; }};

  explicit Unit(int crossfade_ms = 500) {
    // Every file is read through the store: the built-in content too.
    REQUIRE(store.MakeDirs(kBuiltinDir).ok());
    REQUIRE(store
                .WriteFileAtomic(kBuiltinDir / "slides.json",
                                 testing::ReadText(kBuiltinDir / "slides.json"))
                .ok());
    DisplayConfig display;
    display.crossfade_ms = crossfade_ms;
    programme.SetPanel(display, 1920, 1080);
    programme.SetStatusBoard(&board);
  }

  // A signed bundle in the cache directory of version.
  // Other files (images) come in `more`, by bundle path.
  Candidate Cache(int64_t version, const std::string& slides_json, const TestSigner* by = nullptr,
                  const testing::BundleFiles& more = {}) {
    std::filesystem::path dir = "/var/lib/kiosk/bundles/v" + std::to_string(version);
    testing::BundleFiles files{{"slides.json", slides_json}};
    files.insert(more.begin(), more.end());
    const std::string manifest = ManifestToJson(testing::ManifestFor(version, files));
    REQUIRE(store.MakeDirs(dir).ok());
    REQUIRE(store.WriteFileAtomic(dir / kManifestName, manifest).ok());
    REQUIRE(store.WriteFileAtomic(dir / kSignatureName, (by ? *by : signer).Sign(manifest)).ok());
    for (const auto& [path, bytes] : files) {
      REQUIRE(store.MakeDirs((dir / path).parent_path()).ok());
      REQUIRE(store.WriteFileAtomic(dir / path, bytes).ok());
    }
    return Candidate{ContentSource::kCache, dir, version, 1'780'000'000 + version};
  }

  void Sources(std::vector<Candidate> cached) {
    programme.SetSources(ContentSources{std::nullopt, std::move(cached), kBuiltinDir});
  }

  void Start() {
    REQUIRE(programme.Begin().ok());
    programme.Started(clock.Monotonic());
  }

  // Runs the loop until the next slide boundary has been handled and any
  // crossfade has ended, waking `late` after each wake-up time.
  void RunToNextSlide(Millis late = Millis(0)) {
    clock.Advance(programme.NextWake(clock.Monotonic()) - clock.Monotonic() + late);
    REQUIRE(programme.Due(clock.Monotonic()));
    programme.OnDeadline(clock.Monotonic());
    programme.StartTransition(clock.Monotonic());
    while (programme.fading()) {
      clock.Advance(programme.NextWake(clock.Monotonic()) - clock.Monotonic());
      programme.FrameAt(clock.Monotonic());
    }
  }
};

// The status file's "shown" part and what the programme has on screen
// never disagree: checked after every step of every test.
void CheckShownAgrees(const Unit& u) {
  const UnitStatus s = u.board.Snapshot();
  const Prepared& on_screen = u.programme.showing();
  CHECK(s.source == on_screen.from.source);
  CHECK(s.version == on_screen.from.version);
  CHECK(s.applied_at == on_screen.from.applied_at);
  CHECK(s.name == on_screen.bundle.name);
  REQUIRE(s.contact.has_value());
  CHECK(s.contact->hotline == on_screen.bundle.contact.hotline);
  CHECK(s.contact->email == on_screen.bundle.contact.email);
  // The layout on screen is the shown bundle's.
  if (on_screen.from.source != ContentSource::kBuiltin) {
    CHECK(TextsOf(u.programme.current_layout()).find(on_screen.bundle.name) != std::string::npos);
  }
}

TEST_CASE("programme: the rotation follows its deadlines without drift over many cycles") {
  Unit u(/*crossfade_ms=*/500);
  u.Sources({u.Cache(1, SlidesJson("one", {5, 7}))});
  u.Start();
  CheckShownAgrees(u);
  const Millis start = u.clock.Monotonic();
  REQUIRE(u.programme.rotation().size() == 2);
  CHECK(u.programme.rotation().next_deadline() == start + Millis(5'000));

  const int kCycles = 500;
  for (int i = 0; i < 2 * kCycles; ++i) {
    // Late by a varying few milliseconds, as a loaded machine wakes.
    u.RunToNextSlide(Millis(i % 13));
    CheckShownAgrees(u);
  }
  // Every boundary is where the cycle says, not where the loop woke.
  CHECK(u.programme.rotation().index() == 0);
  CHECK(u.programme.rotation().started_at() == start + kCycles * Millis(12'000));
  CHECK(u.programme.rotation().next_deadline() == start + kCycles * Millis(12'000) + Millis(5'000));
}

TEST_CASE("programme: a crossfade runs for crossfade_ms, one frame interval apart, then settles") {
  Unit u(/*crossfade_ms=*/500);
  u.Sources({u.Cache(1, SlidesJson("one", {5, 7}))});
  u.Start();
  CHECK(u.programme.FrameAt(u.clock.Monotonic()).kind == Programme::FrameKind::kSettled);
  const std::string next = TextsOf(u.programme.next_layout());
  u.clock.Advance(Millis(5'000));
  REQUIRE(u.programme.Due(u.clock.Monotonic()));
  CHECK_FALSE(u.programme.OnDeadline(u.clock.Monotonic()));
  CHECK(TextsOf(u.programme.current_layout()) == next);
  REQUIRE(u.programme.StartTransition(u.clock.Monotonic()));
  CHECK(u.programme.NextWake(u.clock.Monotonic()) ==
        u.clock.Monotonic() + Programme::kFrameInterval);
  u.clock.Advance(Millis(250));
  auto frame = u.programme.FrameAt(u.clock.Monotonic());
  CHECK(frame.kind == Programme::FrameKind::kFading);
  CHECK(frame.t == doctest::Approx(0.5));
  CHECK_FALSE(u.programme.Due(u.clock.Monotonic()));
  u.clock.Advance(Millis(250));
  CHECK(u.programme.FrameAt(u.clock.Monotonic()).kind == Programme::FrameKind::kFadeDone);
  CHECK(u.programme.FrameAt(u.clock.Monotonic()).kind == Programme::FrameKind::kSettled);
  CHECK(u.programme.NextWake(u.clock.Monotonic()) == u.programme.rotation().next_deadline());
  CheckShownAgrees(u);

  SUBCASE("crossfade_ms 0 cuts") {
    Unit cut(/*crossfade_ms=*/0);
    cut.Sources({cut.Cache(1, SlidesJson("one", {5, 7}))});
    cut.Start();
    cut.clock.Advance(Millis(5'000));
    cut.programme.OnDeadline(cut.clock.Monotonic());
    CHECK_FALSE(cut.programme.StartTransition(cut.clock.Monotonic()));
    CHECK_FALSE(cut.programme.fading());
  }
}

TEST_CASE("programme: a wake-up more than a slide late asks for the due slide to be rendered") {
  Unit u;
  u.Sources({u.Cache(1, SlidesJson("one", {5, 7, 9}))});
  u.Start();
  const Millis start = u.clock.Monotonic();
  // On time: the pre-rendered next slide is the one due.
  u.clock.Advance(Millis(5'000));
  CHECK_FALSE(u.programme.OnDeadline(u.clock.Monotonic()));
  CHECK(u.programme.rotation().index() == 1);
  // Past two deadlines (12 s and 21 s): slide 0 is due, not slide 2.
  u.clock.Advance(Millis(17'000));
  CHECK(u.programme.OnDeadline(u.clock.Monotonic()));
  CHECK(u.programme.rotation().index() == 0);
  CHECK(u.programme.rotation().started_at() == start + Millis(21'000));
  CheckShownAgrees(u);
}

TEST_CASE("programme: a new verified bundle takes over at the next boundary, and is named then") {
  Unit u;
  u.Sources({u.Cache(1, SlidesJson("one", {5, 7}))});
  u.Start();
  CheckShownAgrees(u);
  CHECK(u.board.Snapshot().version == 1);
  u.RunToNextSlide();
  const Millis boundary = u.programme.rotation().next_deadline();

  Candidate v2 = u.Cache(2, SlidesJson("two", {6}));
  v2.source = ContentSource::kNetwork;
  u.clock.Advance(Millis(1'000));
  CHECK(u.programme.BundleApplied(v2) == Programme::Change::kPending);
  // Not on screen yet: the status still names v1; v2 comes next.
  CheckShownAgrees(u);
  CHECK(u.board.Snapshot().version == 1);
  CHECK(u.board.Snapshot().name == "one");
  CHECK(TextsOf(u.programme.next_layout()).find("two") != std::string::npos);

  // The loop wakes a little late; the new content's timing does not.
  u.clock.Advance(boundary - u.clock.Monotonic() + Millis(40));
  REQUIRE(u.programme.Due(u.clock.Monotonic()));
  u.programme.OnDeadline(u.clock.Monotonic());
  CheckShownAgrees(u);
  CHECK(u.board.Snapshot().source == ContentSource::kNetwork);
  CHECK(u.board.Snapshot().version == 2);
  CHECK(u.board.Snapshot().name == "two");
  // Its timing starts at the boundary it took over at.
  CHECK(u.programme.rotation().started_at() == boundary);
  CHECK(u.programme.rotation().next_deadline() == boundary + Millis(6'000));
}

TEST_CASE("programme: --content is shown until published content supersedes it") {
  const std::filesystem::path override_dir = "/home/admin/override";
  Unit u;
  REQUIRE(u.store.MakeDirs(override_dir).ok());
  REQUIRE(u.store.WriteFileAtomic(override_dir / "slides.json", SlidesJson("local", {5})).ok());
  Candidate v1 = u.Cache(1, SlidesJson("one", {5}));
  u.programme.SetSources(ContentSources{override_dir, {v1}, kBuiltinDir});
  u.Start();
  CheckShownAgrees(u);
  CHECK(u.board.Snapshot().source == ContentSource::kOverride);
  CHECK(u.programme.Candidates().size() == 3);

  Candidate v2 = u.Cache(2, SlidesJson("two", {5}));
  v2.source = ContentSource::kNetwork;
  REQUIRE(u.programme.BundleApplied(v2) == Programme::Change::kPending);
  u.RunToNextSlide();
  CheckShownAgrees(u);
  CHECK(u.board.Snapshot().name == "two");
  // From now on --content is not a candidate, even after a re-choice.
  std::vector<Candidate> order = u.programme.Candidates();
  REQUIRE(order.size() == 3);
  CHECK(order[0].version == 2);
  CHECK(order[1].version == 1);
  CHECK(order[2].source == ContentSource::kBuiltin);
  CHECK(u.programme.Rechoose("SIGHUP") == Programme::Change::kPending);
  u.RunToNextSlide();
  CheckShownAgrees(u);
  CHECK(u.board.Snapshot().name == "two");
}

TEST_CASE("programme: when what is on screen no longer verifies, the switch is at once") {
  Unit u;
  TestSigner other;
  Candidate v1 = u.Cache(1, SlidesJson("one", {5, 7}));
  u.Sources({v1});
  u.Start();
  u.RunToNextSlide();
  CheckShownAgrees(u);
  const Millis boundary = u.programme.rotation().next_deadline();

  SUBCASE("its key is no longer trusted") {
    u.trust = std::make_shared<const Trust>(TrustOf(other));
    CHECK(u.programme.Rechoose("SIGHUP") == Programme::Change::kCut);
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().source == ContentSource::kBuiltin);
    // The built-in content's rotation starts now, not at the old boundary.
    CHECK(u.programme.rotation().started_at() == u.clock.Monotonic());
    CHECK(u.programme.rotation().next_deadline() != boundary);
  }
  SUBCASE("its files were altered") {
    REQUIRE(u.store.WriteFileAtomic(v1.dir / "slides.json", SlidesJson("eno", {5, 7})).ok());
    CHECK(u.programme.Rechoose("SIGHUP") == Programme::Change::kCut);
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().source == ContentSource::kBuiltin);
  }
  SUBCASE("the pinned contact changed") {
    PinnedContact moved{"1-800-555-0199", "help@example.org"};
    u.trust = std::make_shared<const Trust>(TrustOf(u.signer, moved));
    CHECK(u.programme.Rechoose("new root document") == Programme::Change::kCut);
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().source == ContentSource::kBuiltin);
    CHECK(u.board.Snapshot().contact == moved);
  }
  SUBCASE("it still verifies: a newer bundle waits for the boundary") {
    Candidate v2 = u.Cache(2, SlidesJson("two", {5}));
    u.Sources({v2, v1});
    CHECK(u.programme.Rechoose("SIGHUP") == Programme::Change::kPending);
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().version == 1);
    u.clock.Advance(boundary - u.clock.Monotonic());
    u.programme.OnDeadline(u.clock.Monotonic());
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().version == 2);
  }
}

TEST_CASE("programme: a bundle with another contact is never chosen") {
  Unit u;
  Candidate v1 = u.Cache(1, SlidesJson("one", {5}));
  Candidate v3 = u.Cache(3, SlidesJson("other number", {5}, "1-800-555-0199"));
  SUBCASE("from the cache") {
    u.Sources({v3, v1});
    u.Start();
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().version == 1);
  }
  SUBCASE("from the updater") {
    u.Sources({v1});
    u.Start();
    v3.source = ContentSource::kNetwork;
    CHECK(u.programme.BundleApplied(v3) == Programme::Change::kNone);
    CHECK_FALSE(u.programme.has_pending());
    for (int i = 0; i < 3; ++i) {
      u.RunToNextSlide();
      CheckShownAgrees(u);
      CHECK(u.board.Snapshot().version == 1);
    }
    // Nor when everything is chosen again.
    CHECK(u.programme.Rechoose("SIGHUP") == Programme::Change::kPending);
    u.RunToNextSlide();
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().version == 1);
  }
}

TEST_CASE("programme: the built-in content is shown when nothing else verifies") {
  Unit u;
  TestSigner stranger;
  Candidate unsigned_by_us = u.Cache(1, SlidesJson("stranger's", {5}), &stranger);
  Candidate tampered = u.Cache(2, SlidesJson("two", {5}));
  REQUIRE(u.store.WriteFileAtomic(tampered.dir / "slides.json", SlidesJson("owt", {5})).ok());
  u.Sources({tampered, unsigned_by_us});
  u.Start();
  CheckShownAgrees(u);
  const UnitStatus s = u.board.Snapshot();
  CHECK(s.source == ContentSource::kBuiltin);
  CHECK(s.version == std::nullopt);
  CHECK(s.name.find("built-in") != std::string::npos);
  CHECK(s.contact == PinnedContact{});
}

TEST_CASE("programme: a new status board is told at once what is on screen") {
  Unit u;
  u.Sources({u.Cache(1, SlidesJson("one", {5}))});
  u.Start();
  // SIGHUP makes a new board; the updater's first publish must not name
  // anything but the screen's content.
  StatusBoard fresh(u.store, kStatusFile);
  u.programme.SetStatusBoard(&fresh);
  CHECK(fresh.Snapshot().version == 1);
  CHECK(fresh.Snapshot().name == "one");
}

// One slide with an image, images/poster.png, described in both languages.
std::string ImageSlidesJson(const std::string& name) {
  return R"({"format": 1, "name": ")" + name + R"(", "contact": {"hotline": "1-800-292-1168",
    "email": "HumanTrafficking@ottawapolice.ca", "label": {"fr": "Aide", "en": "Help"}},
    "slides": [{"id": "poster", "duration_s": 10, "fr": {"title": ")" +
         name + R"( fr"}, "en": {"title": ")" + name + R"( en"},
      "image": {"file": "images/poster.png",
                "description": {"fr": "Un carré rouge", "en": "A red square"}}}]})";
}

std::string ImageFixture(const std::string& name) {
  return testing::ReadText(std::filesystem::path(KIOSK_SOURCE_DIR) / "tests/fixtures/images" /
                           name);
}

TEST_CASE(
    "programme: a slide's image is drawn from the verified bytes and described in the status") {
  Unit u;
  const std::string png = ImageFixture("red-40x20.png");
  Candidate v1 = u.Cache(1, ImageSlidesJson("pictured"), nullptr, {{"images/poster.png", png}});
  u.Sources({v1});
  u.Start();
  CheckShownAgrees(u);
  const FrameLayout& frame = u.programme.current_layout();
  REQUIRE(frame.image.has_value());
  REQUIRE(frame.image->bytes != nullptr);
  CHECK(*frame.image->bytes == png);
  CHECK(std::abs(frame.image->rect.w - 2 * frame.image->rect.h) <= 1);  // 40x20
  const UnitStatus s = u.board.Snapshot();
  REQUIRE(s.images.size() == 1);
  CHECK(s.images[0].slide == "poster");
  CHECK(s.images[0].file == "images/poster.png");
  CHECK(s.images[0].description == std::vector<std::pair<std::string, std::string>>{
                                       {"fr", "Un carré rouge"}, {"en", "A red square"}});
  const auto json = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(json["shown"]["images"][0]["description"]["en"] == "A red square");
  CHECK(json["shown"]["images"][0]["slide"] == "poster");
}

TEST_CASE("programme: a bundle whose image a unit refuses is not shown; the last good one stays") {
  for (const char* refused : {"not-a-png.png", "bomb-60000x60000.png"}) {
    CAPTURE(refused);
    Unit u;
    Candidate v1 = u.Cache(1, SlidesJson("one", {5}));
    Candidate v2 =
        u.Cache(2, ImageSlidesJson("two"), nullptr, {{"images/poster.png", ImageFixture(refused)}});
    v2.source = ContentSource::kNetwork;
    u.Sources({v1});
    u.Start();
    CHECK(u.programme.BundleApplied(v2) == Programme::Change::kNone);
    u.RunToNextSlide();
    CheckShownAgrees(u);
    CHECK(u.board.Snapshot().version == 1);
    CHECK(u.board.Snapshot().images.empty());
  }
}

// Two 600 s slides; the second only from 17:00 to 18:00, Toronto time. The
// fake clock starts on Thursday 2026-05-28 at 16:26:41 there.
std::string ScheduledSlidesJson() {
  return R"({"format": 1, "name": "sched", "contact": {"hotline": "1-800-292-1168",
    "email": "HumanTrafficking@ottawapolice.ca", "label": {"fr": "Aide", "en": "Help"}},
    "slides": [
      {"id": "always", "duration_s": 600, "fr": {"title": "sched always fr"}, "en": {"title": "sched always en"}},
      {"id": "evening", "duration_s": 600, "fr": {"title": "sched evening fr"}, "en": {"title": "sched evening en"},
       "schedule": {"hours": [{"from": "17:00", "until": "18:00"}]}}]})";
}

TEST_CASE("programme: a slide's window opens; the new set takes over at the next boundary") {
  Unit u;
  auto zone = LoadTimeZone("America/Toronto");
  REQUIRE(zone.ok());
  u.programme.SetTimeZone(std::shared_ptr<const TimeZone>(std::move(*zone)));
  u.Sources({u.Cache(1, ScheduledSlidesJson())});
  u.Start();
  CHECK(u.programme.showing().cycle.size() == 1);  // 16:26: only "always"
  CheckShownAgrees(u);
  // 17:00 is 1999 s away; the programme wakes for it between two slides.
  const Millis window = u.clock.Monotonic() + Millis(1'999'000);
  for (int i = 0; i < 3; ++i) u.RunToNextSlide();
  CHECK(u.programme.NextWake(u.clock.Monotonic()) == window);
  u.clock.Advance(window - u.clock.Monotonic());
  CHECK_FALSE(u.programme.Due(u.clock.Monotonic()));
  REQUIRE(u.programme.ScheduleChangeDue(u.clock.Monotonic()));
  CHECK(u.programme.Rechoose("schedule") == Programme::Change::kPending);
  CHECK_FALSE(u.programme.ScheduleChangeDue(u.clock.Monotonic()));
  CHECK(u.programme.showing().cycle.size() == 1);  // not mid-slide
  u.RunToNextSlide();
  CHECK(u.programme.showing().cycle.size() == 2);
  CheckShownAgrees(u);
  // At 18:00 it closes again.
  const Millis closes = window + Millis(3'600'000);
  while (u.programme.NextWake(u.clock.Monotonic()) < closes) u.RunToNextSlide();
  u.clock.Advance(closes - u.clock.Monotonic());
  REQUIRE(u.programme.ScheduleChangeDue(u.clock.Monotonic()));
  CHECK(u.programme.Rechoose("schedule") == Programme::Change::kPending);
  u.RunToNextSlide();
  CHECK(u.programme.showing().cycle.size() == 1);
}

TEST_CASE("programme: scheduled slides wait for a synchronised clock; never a blank screen") {
  Unit u;
  auto zone = LoadTimeZone("America/Toronto");
  REQUIRE(zone.ok());
  u.programme.SetTimeZone(std::shared_ptr<const TimeZone>(std::move(*zone)));
  u.clock.SetSynchronized(false);
  u.clock.SetUnixSeconds(1'780'002'000);  // 17:00 in Toronto, but who knows
  u.Sources({u.Cache(1, ScheduledSlidesJson())});
  u.Start();
  REQUIRE(u.programme.showing().cycle.size() == 1);
  CHECK(TextsOf(u.programme.current_layout()).find("always") != std::string::npos);
  u.clock.SetSynchronized(true);
  REQUIRE(u.programme.ScheduleChangeDue(u.clock.Monotonic()));
  CHECK(u.programme.Rechoose("schedule") == Programme::Change::kPending);
  u.RunToNextSlide();
  CHECK(u.programme.showing().cycle.size() == 2);

  // A bundle whose every slide is out of its window: the built-in help slide.
  Unit night;
  auto zone2 = LoadTimeZone("America/Toronto");
  night.programme.SetTimeZone(std::shared_ptr<const TimeZone>(std::move(*zone2)));
  std::string only_evening = ScheduledSlidesJson();
  only_evening.replace(
      only_evening.find(R"({"id": "always")"),
      only_evening.find(R"({"id": "evening")") - only_evening.find(R"({"id": "always")"), "");
  night.Sources({night.Cache(1, only_evening)});
  night.Start();
  REQUIRE(night.programme.showing().cycle.size() == 1);
  CHECK(night.programme.showing().bundle.slides[0].id == "builtin-help");
  CHECK(night.board.Snapshot().source == ContentSource::kCache);
}

}  // namespace
}  // namespace kiosk::update

namespace kiosk::update {

TEST_CASE("the unit's languages and layout decide the views the programme lays out") {
  Unit u;
  DisplayConfig display;
  display.languages = {"iu", "en"};
  display.layout = LanguageLayout::kAlternate;
  u.programme.SetPanel(display, 1920, 1080);
  const std::string slides = R"({"format": 1, "name": "iu", "contact": {"hotline": "1-800-292-1168",
      "email": "HumanTrafficking@ottawapolice.ca", "label": {"fr": "Aide", "iu": "ᐃᑲᔪᕐᓂᖅ"},
      "call": {"fr": "Appelez", "iu": "ᐃᑲᔪᕐᓂᖅ"}},
      "slides": [{"id": "a", "duration_s": 10, "text": {"fr": {"title": "a fr"},
                  "iu": {"title": "a iu"}, "en": {"title": "a en"}}},
                 {"id": "b", "duration_s": 10, "text": {"fr": {"title": "b fr"}}}]})";
  u.Sources({u.Cache(7, slides)});
  u.Start();
  const Prepared& p = u.programme.showing();
  REQUIRE(p.cycle.size() == 3);
  CHECK(p.cycle[0].view.languages == std::vector<std::string>{"iu"});
  CHECK(p.cycle[1].view.languages == std::vector<std::string>{"en"});
  // Slide b has neither: shown in its own language rather than not at all.
  CHECK(p.cycle[2].view.languages == std::vector<std::string>{"fr"});
  CHECK(TextsOf(u.programme.current_layout()).find("\nᐃᑲᔪᕐᓂᖅ\n1-800-292-1168\n") !=
        std::string::npos);
  // The status names every language the rotation shows, in order.
  CHECK(u.programme.ShownStatus().languages == std::vector<std::string>{"iu", "en", "fr"});
  // No English call label: the bundle's first two.
  CHECK(TextsOf(p.layouts[1]).find("\nAppelez  \xC2\xB7  ᐃᑲᔪᕐᓂᖅ\n1-800-292-1168\n") !=
        std::string::npos);
}

TEST_CASE("the programme chooses one type scale per bundle and panel, and every view uses it") {
  Unit u;
  u.Sources({});
  u.Start();
  auto check_scale = [&](int width, int height) {
    const Prepared& p = u.programme.showing();
    REQUIRE(p.rest.empty());
    std::vector<SlideView> views;
    for (const auto& timed : p.cycle) views.push_back(timed.view);
    auto expected = ChooseTypeScale(p.bundle, views, width, height, u.measurer);
    REQUIRE(expected.ok());
    CHECK(p.scale == *expected);
    REQUIRE(p.layouts.size() == p.cycle.size());
    for (const auto& layout : p.layouts) {
      CHECK(layout.width == width);
      CHECK(layout.body_px == p.scale.body_px);
      CHECK(layout.hotline_px == p.scale.hotline_px);
    }
    return p.scale;
  };
  TypeScale landscape = check_scale(1920, 1080);
  CHECK(landscape.side_by_side);
  // A new panel size: a new scale, for that size.
  u.programme.SetPanel(DisplayConfig{}, 1080, 1920);
  u.programme.Reshow("the panel turned");
  TypeScale portrait = check_scale(1080, 1920);
  CHECK_FALSE(portrait.side_by_side);
  CHECK_FALSE(portrait == landscape);
}

}  // namespace kiosk::update
