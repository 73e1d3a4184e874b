// Languages and schedules, the whole way through the real binary: a bundle
// in Arabic, Inuktitut (syllabics), French and English, with scheduled
// slides, is built and checked by `kiosk bundle build`, signed with minisign,
// served on 127.0.0.1, verified and shown by the player. Every frame the
// player shows is `kiosk render` of that bundle for the unit's languages; a
// slide scheduled for a later day never appears; a slide scheduled for now
// appears only when the clock is known to be right (clock safety).
//
// Sample text: Article 1 of the Universal Declaration of Human Rights in
// published translations (tests/fixtures/udhr/), never machine-made.
#include <doctest/doctest.h>
#include <sys/timex.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/common/child_process.h"
#include "tests/common/fixtures.h"
#include "tests/common/images.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kSource = KIOSK_SOURCE_DIR;

using testing::KeyLine;
using testing::Sh;
using testing::Slurp;

std::string Article1(const std::string& language) {
  std::string text = Slurp(kSource / "tests/fixtures/udhr" / ("article1-" + language + ".txt"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  REQUIRE_MESSAGE(!text.empty(), "missing fixture article1-" << language << ".txt");
  return text;
}

// "YYYY-MM-DD" and "HH:MM" of a UTC time.
std::string Utc(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}

// What SystemClock::WallClockSynchronized reads: the player holds scheduled
// slides back until the kernel says the clock is right.
bool ClockSynchronized() {
  timex tx{};
  int state = adjtimex(&tx);
  return state != -1 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

nlohmann::ordered_json Texts() {
  nlohmann::ordered_json text;
  text["ar"] = {{"title", "المادة 1"}, {"body", {Article1("arb")}}};
  text["iu"] = {{"title", "ᐃᓚᖓ 1."}, {"body", {Article1("ike")}}};
  text["fr"] = {{"title", "Article premier"}, {"body", {Article1("fra")}}};
  text["en"] = {{"title", "Article 1"}, {"body", {Article1("eng")}}};
  return text;
}

// The bundle's source: one unscheduled slide, one scheduled around now (UTC,
// the unit's zone here) and one that starts tomorrow.
void WriteSource(const fs::path& dir) {
  const std::time_t now = std::time(nullptr);
  nlohmann::ordered_json doc;
  doc["format"] = 1;
  doc["name"] = "UDHR article 1";
  doc["contact"] = {{"hotline", "1-800-292-1168"},
                    {"email", "HumanTrafficking@ottawapolice.ca"},
                    {"label", {{"fr", "Besoin d’aide ?"}, {"en", "Need help?"}}}};
  nlohmann::ordered_json always = {{"id", "always"}, {"duration_s", 5}, {"text", Texts()}};
  nlohmann::ordered_json now_slide = always;
  now_slide["id"] = "now";
  now_slide["text"]["ar"]["title"] = "المادة 1 ·";
  now_slide["text"]["iu"]["title"] = "ᐃᓚᖓ 1. ·";
  // Four hours around now; a window past midnight is fine (it crosses it).
  now_slide["schedule"] = {
      {"hours",
       {{{"from", Utc(now - 2 * 3600, "%H:%M")}, {"until", Utc(now + 2 * 3600, "%H:%M")}}}}};
  nlohmann::ordered_json later = always;
  later["id"] = "tomorrow";
  later["text"]["ar"]["title"] = "المادة 1 ··";
  later["text"]["iu"]["title"] = "ᐃᓚᖓ 1. ··";
  later["schedule"] = {{"from", Utc(now + 2 * 86400, "%Y-%m-%d")}};
  doc["slides"] = {always, now_slide, later};
  fs::create_directories(dir);
  std::ofstream(dir / "slides.json", std::ios::binary) << doc.dump(1);
}

// `kiosk render` of dir for the unit's configuration: slide id -> PNG.
std::map<std::string, fs::path> RenderAll(const fs::path& dir, const fs::path& config,
                                          const fs::path& out) {
  testing::ChildProcess render({KIOSK_BIN, "render", "--config", config.string(), "--content",
                                dir.string(), "--out", out.string(), "--size", "800x480"});
  REQUIRE_MESSAGE(render.Wait(seconds(120)) == 0, render.output());
  std::map<std::string, fs::path> by_id;
  for (const auto& e : fs::directory_iterator(out)) {
    std::string stem = e.path().stem().string();  // "02-now"
    by_id[stem.substr(stem.find('-') + 1)] = e.path();
  }
  return by_id;
}

}  // namespace

TEST_CASE("Arabic and Inuktitut with schedules: built, signed, served, shown as rendered") {
  testing::TempDir scratch("kiosk-languages");
  const fs::path& work = scratch.path();
  fs::create_directories(work / "www");
  fs::create_directories(work / "capture");
  REQUIRE(Sh("cd " + work.string() + " && minisign -G -W -p admin.pub -s admin.key >/dev/null") ==
          0);
  WriteSource(work / "src");
  REQUIRE(Sh(std::string(KIOSK_BIN) + " bundle build " + (work / "src").string() + " " +
             (work / "www").string() + " --version 1 >/dev/null") == 0);
  REQUIRE(Sh("minisign -S -s " + (work / "admin.key").string() + " -m " +
             (work / "www" / "manifest.json").string() + " >/dev/null") == 0);

  testing::ChildProcess server({"/usr/bin/python3",
                                (kSource / "tests/servers/fault_server.py").string(), "--root",
                                (work / "www").string(), "--max-seconds", "120"});
  REQUIRE(server.WaitForOutput("https=", seconds(10)));
  const int port = std::stoi(server.output().substr(server.output().find("http=") + 5));

  // Arabic leads (right-hand column), Inuktitut beside it.
  nlohmann::json config = {
      {"display", {{"languages", {"ar", "iu"}}, {"layout", "pair"}, {"crossfade_ms", 0}}},
      {"time_zone", "UTC"},
      {"updates",
       {{"url", "http://127.0.0.1:" + std::to_string(port)},
        {"poll_interval_s", 10},
        {"trusted_keys", {KeyLine(work / "admin.pub")}}}},
      {"state_dir", (work / "state").string()},
      {"status_file", (work / "status.json").string()}};
  std::ofstream(work / "kiosk.json") << config.dump();

  testing::WriteOneSlideBundle(work / "start", "Start");
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--size", "800x480", "--config", (work / "kiosk.json").string(),
       "--content", (work / "start").string(), "--capture-dir", (work / "capture").string()},
      {"SDL_VIDEODRIVER=dummy"});
  REQUIRE_MESSAGE(player.WaitForOutput("now showing network bundle v1", seconds(60)),
                  player.output());
  const size_t mark = fs::exists(work / "capture")
                          ? static_cast<size_t>(std::distance(
                                fs::directory_iterator(work / "capture"), fs::directory_iterator{}))
                          : 0;
  // Two rotations of up to two 5 s slides.
  usleep(22 * 1000 * 1000);
  auto status = nlohmann::json::parse(Slurp(work / "status.json"));
  CHECK(status["shown"]["source"] == "network");
  CHECK(status["shown"]["version"] == 1);
  CHECK(status["shown"]["hotline"] == "1-800-292-1168");
  CHECK(status["shown"]["languages"] == nlohmann::json::array({"ar", "iu"}));
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);

  auto rendered = RenderAll(work / "www", work / "kiosk.json", work / "expected");
  REQUIRE(rendered.count("always") == 1);
  REQUIRE(rendered.count("now") == 1);
  REQUIRE(rendered.count("tomorrow") == 1);
  std::map<std::string, SurfacePtr> expected;
  for (const auto& [id, png] : rendered) expected.emplace(id, testing::LoadRgb(png.string()));

  // Every frame since v1 went up is one of the bundle's slides as rendered.
  std::vector<fs::path> frames;
  for (const auto& e : fs::directory_iterator(work / "capture")) frames.push_back(e.path());
  std::sort(frames.begin(), frames.end());
  std::set<std::string> seen;
  for (size_t i = mark; i < frames.size(); ++i) {
    auto frame = testing::LoadRgb(frames[i].string());
    std::string which;
    for (const auto& [id, image] : expected) {
      if (testing::DifferingPixels(frame.get(), image.get()) == 0) which = id;
    }
    CHECK_MESSAGE(!which.empty(), frames[i].string() << " is none of the bundle's slides");
    seen.insert(which);
  }
  CHECK(seen.count("always") == 1);
  CHECK(seen.count("tomorrow") == 0);
  // Clock safety: a scheduled slide only on a clock known to be right.
  CHECK(seen.count("now") == (ClockSynchronized() ? 1u : 0u));
}

}  // namespace kiosk
