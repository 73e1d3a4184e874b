// Schedules through the real binary: `kiosk render --at` writes what the unit
// shows at a local time in its configured zone, and `kiosk validate` warns of
// times with nothing scheduled and prints the week's timeline.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/schedule.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"
#include "tests/common/child_process.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kSource = KIOSK_SOURCE_DIR;

// The built-in slides.json with schedules added: slide index -> schedule;
// "bundle" for the bundle's own.
void WriteScheduled(const fs::path& dir, const std::vector<std::pair<int, std::string>>& slides,
                    const std::string& bundle_schedule = "") {
  std::ifstream in(kSource / "content" / "slides.json", std::ios::binary);
  nlohmann::json doc = nlohmann::json::parse(in);
  for (const auto& [index, schedule] : slides) {
    doc["slides"][static_cast<size_t>(index)]["schedule"] = nlohmann::json::parse(schedule);
  }
  if (!bundle_schedule.empty()) doc["schedule"] = nlohmann::json::parse(bundle_schedule);
  fs::create_directories(dir);
  std::ofstream(dir / "slides.json", std::ios::binary) << doc.dump(1);
}

std::string SlideId(int index) {
  std::ifstream in(kSource / "content" / "slides.json", std::ios::binary);
  return nlohmann::json::parse(in)["slides"][static_cast<size_t>(index)]["id"];
}

size_t SlideCount() {
  std::ifstream in(kSource / "content" / "slides.json", std::ios::binary);
  return nlohmann::json::parse(in)["slides"].size();
}

// The slide ids of the PNG files render printed ("out/03-forms.png" -> "forms").
std::vector<std::string> RenderedIds(const std::string& output) {
  std::vector<std::string> ids;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() < 8 || line.substr(line.size() - 4) != ".png") continue;
    std::string name = fs::path(line).stem().string();
    ids.push_back(name.substr(name.find('-') + 1));
  }
  return ids;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct Render {
  int status;
  std::string output;
  std::vector<std::string> ids;
};

Render RenderAt(const fs::path& content, const std::string& at, const std::string& zone) {
  testing::TempDir out("kiosk-render-at");
  std::ofstream(out.path() / "kiosk.json") << R"({"time_zone": ")" + zone + R"("})";
  testing::ChildProcess render(
      {KIOSK_BIN, "render", "--config", (out.path() / "kiosk.json").string(), "--content",
       content.string(), "--out", (out.path() / "png").string(), "--size", "640x360", "--at", at});
  Render r{render.Wait(seconds(120)), render.output(), {}};
  r.ids = RenderedIds(r.output);
  for (const auto& id : r.ids) {
    bool found = false;
    for (const auto& entry : fs::directory_iterator(out.path() / "png")) {
      const std::string name = entry.path().filename().string();
      found |=
          name.size() > id.size() + 4 && name.substr(name.size() - id.size() - 4) == id + ".png";
    }
    CHECK_MESSAGE(found, id);
  }
  return r;
}

}  // namespace

TEST_CASE("kiosk render --at writes the slides scheduled at that local time, and only those") {
  testing::TempDir scratch("kiosk-sched");
  const fs::path content = scratch.path() / "b";
  WriteScheduled(content, {{1, R"({"hours": [{"from": "22:00", "until": "06:00"}]})"},
                           {2, R"({"from": "2026-12-24", "until": "2026-12-26"})"},
                           {3, R"({"hours": [{"from": "03:00", "until": "04:00"}]})"}});
  const std::string night = SlideId(1), xmas = SlideId(2), three = SlideId(3);

  Render eve = RenderAt(content, "2026-12-24T22:00", "America/Toronto");
  REQUIRE_MESSAGE(eve.status == 0, eve.output);
  CHECK(eve.output.find("what the unit shows at 2026-12-24 22:00:00, America/Toronto") !=
        std::string::npos);
  CHECK(Contains(eve.ids, night));
  CHECK(Contains(eve.ids, xmas));
  CHECK_FALSE(Contains(eve.ids, three));
  CHECK(eve.ids.size() == SlideCount() - 1);

  Render noon = RenderAt(content, "2026-12-23T12:00", "America/Toronto");
  REQUIRE_MESSAGE(noon.status == 0, noon.output);
  CHECK_FALSE(Contains(noon.ids, night));
  CHECK_FALSE(Contains(noon.ids, xmas));
  CHECK_FALSE(Contains(noon.ids, three));
  CHECK(noon.ids.size() == SlideCount() - 3);

  // 02:30 on 8 March 2026 does not exist in St. John's: the clock jumps from
  // 02:00 to 03:00, inside 03:00-04:00. In UTC it is just 02:30.
  Render jump = RenderAt(content, "2026-03-08T02:30", "America/St_Johns");
  REQUIRE_MESSAGE(jump.status == 0, jump.output);
  CHECK(Contains(jump.ids, three));
  Render utc = RenderAt(content, "2026-03-08T02:30", "UTC");
  REQUIRE_MESSAGE(utc.status == 0, utc.output);
  CHECK_FALSE(Contains(utc.ids, three));
  CHECK(Contains(utc.ids, night));
}

TEST_CASE("kiosk render --at outside the bundle's schedule writes the built-in help slide") {
  testing::TempDir scratch("kiosk-sched");
  const fs::path content = scratch.path() / "b";
  WriteScheduled(content, {}, R"({"weekdays": ["mon", "tue", "wed", "thu", "fri"]})");
  Render saturday = RenderAt(content, "2026-12-26T12:00", "America/Iqaluit");
  REQUIRE_MESSAGE(saturday.status == 0, saturday.output);
  CHECK(saturday.ids == std::vector<std::string>{"builtin-help"});
  Render friday = RenderAt(content, "2026-12-25T12:00", "America/Iqaluit");
  REQUIRE_MESSAGE(friday.status == 0, friday.output);
  CHECK(friday.ids.size() == SlideCount());
}

TEST_CASE("the built-in help slide passes every check a bundle's slides must pass") {
  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE(fonts.ok());
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, kSource / "content");
  REQUIRE(bundle.ok());
  bundle->slides = {BuiltinHelpSlide(bundle->theme)};
  // Fit at every supported size in both layouts, contrast, no stray number.
  auto problems = ValidateBundle(*bundle, **fonts);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  CHECK_MESSAGE(problems.empty(), all);
}

TEST_CASE("kiosk render --at refuses a time that is not one, naming the flag") {
  for (const char* at : {"2026-12-24 22:00", "2026-02-30T10:00", "2026-12-24T24:00", "tonight"}) {
    CAPTURE(std::string(at));
    testing::TempDir out("kiosk-render-at");
    testing::ChildProcess render({KIOSK_BIN, "render", "--out", out.path().string(), "--at", at});
    CHECK(render.Wait(seconds(60)) == 2);
    CHECK(render.output().find("--at expects a local date and time as YYYY-MM-DDTHH:MM, got " +
                               std::string(at)) != std::string::npos);
  }
}

TEST_CASE("kiosk validate warns of times with nothing scheduled and prints the week") {
  testing::TempDir scratch("kiosk-sched");
  // Every slide only on weekday evenings, through the bundle's schedule.
  WriteScheduled(scratch.path(), {},
                 R"({"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                     "hours": [{"from": "17:00", "until": "23:30"}]})");
  testing::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(120)) == 0);  // warnings, not problems
  const std::string& out = validate.output();
  CHECK(out.find("warning: no slide is scheduled on mon 00:00-17:00 (every week): the unit shows "
                 "only the built-in help slide then") != std::string::npos);
  CHECK(out.find("warning: no slide is scheduled on sat 00:00-24:00") != std::string::npos);
  CHECK(out.find("warning: every slide has a schedule") != std::string::npos);
  CHECK(out.find("week timeline (the unit's local time; date ranges aside):\n") !=
        std::string::npos);
  CHECK(out.find("  fri 17:00-23:30  " + SlideId(0) + ", " + SlideId(1)) != std::string::npos);
  CHECK(out.find("  fri 23:30-24:00  (nothing: the built-in help slide)") != std::string::npos);
  CHECK(out.find(": valid") != std::string::npos);

  // The built-in content has no schedule: one line, no warning.
  testing::ChildProcess builtin({KIOSK_BIN, "validate", (kSource / "content").string()});
  CHECK(builtin.Wait(seconds(120)) == 0);
  CHECK(builtin.output().find("  every slide, all week\n") != std::string::npos);
  CHECK(builtin.output().find("warning:") == std::string::npos);
}

}  // namespace kiosk
