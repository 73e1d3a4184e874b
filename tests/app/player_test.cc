// The player as a person (or systemd) runs it: the real binary, headless.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/app/commands.h"
#include "kiosk/core/layout.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"
#include "tests/common/child_process.h"
#include "tests/common/damaged_install.h"
#include "tests/common/fixtures.h"
#include "tests/common/images.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kSource = KIOSK_SOURCE_DIR;

std::vector<std::string> PlayerArgs(std::vector<std::string> extra) {
  std::vector<std::string> args = {KIOSK_BIN, "--allow-root", "--size", "800x480"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

const std::vector<std::string> kHeadless = {"SDL_VIDEODRIVER=dummy"};

// The system font file the player logged as used instead of the pinned file
// `problem` describes ("" if it logged no such line).
std::string SubstituteLogged(const std::string& output, const std::string& problem) {
  std::string head = "font: " + problem + "; using ";
  auto start = output.find(head);
  if (start == std::string::npos) return "";
  start += head.size();
  auto end = output.find(" from the system\n", start);
  return end == std::string::npos ? "" : output.substr(start, end - start);
}

// Runs the player on the data directory dir (content/ and damaged fonts/)
// until its first frame is captured; checks that frame shows the hotline
// and returns what the player logged.
std::string ShowFirstFrameOfDamagedInstall(const fs::path& dir) {
  fs::create_directories(dir / "capture");
  testing::ChildProcess player(
      PlayerArgs({"--capture-dir", (dir / "capture").string(), "--exit-after", "1"}),
      {"SDL_VIDEODRIVER=dummy", "KIOSK_DATA_DIR=" + dir.string()});
  int status = player.Wait(seconds(20));
  std::string output = player.output();
  CAPTURE(output);
  REQUIRE(status == 0);
  CHECK(output.find("first frame on screen") != std::string::npos);
  auto png = (dir / "capture" / "frame-000.png").string();
  auto frame = testing::LoadRgb(png);
  REQUIRE(frame);
  REQUIRE(frame->w == 800);
  REQUIRE(frame->h == 480);
  // Not blank: a good part of the frame differs from its corner's colour.
  long other = 0;
  for (int y = 0; y < frame->h; ++y) {
    for (int x = 0; x < frame->w; ++x)
      other += testing::PixelAt(frame.get(), x, y) != testing::PixelAt(frame.get(), 0, 0);
  }
  CHECK(other > 800L * 480 / 10);
  // Where the band and the hotline are, laid out with the same (substitute)
  // fonts the player found.
  auto fonts = FontSet::Open(dir / "fonts");
  REQUIRE(fonts.ok());
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, dir / "content");
  REQUIRE(bundle.ok());
  auto layout = LayoutFrame(*bundle, SlideView{}, 800, 480, **fonts);
  REQUIRE(layout.ok());
  Rect band = layout->boxes[0].rect;  // the band's background, drawn first
  CHECK(band.y > 480 / 2);            // the bottom part
  const PlacedText* hotline = nullptr;
  for (const auto& t : layout->texts) {
    if (t.text == "1-800-292-1168") hotline = &t;
  }
  REQUIRE(hotline != nullptr);
  CHECK(band.Contains(hotline->box));
  // Dark text on the light band, where the hotline is.
  long ink = 0;
  for (int y = hotline->box.y; y < hotline->box.bottom(); ++y) {
    for (int x = hotline->box.x; x < hotline->box.right(); ++x) {
      ink += testing::PixelAt(frame.get(), x, y) == 0x000000;
    }
  }
  CHECK(ink > static_cast<long>(hotline->box.w) * hotline->box.h / 20);
  CHECK(testing::DecodeQr(png) == "tel:+18002921168");
  return output;
}

}  // namespace

TEST_CASE("SIGTERM ends the player cleanly and promptly") {
  testing::ChildProcess player(PlayerArgs({}), kHeadless);
  REQUIRE(player.WaitForOutput("first frame on screen", seconds(20)));
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(5)) == 0);
  CHECK(player.output().find("received SIGTERM, exiting") != std::string::npos);
}

TEST_CASE("an invalid --content bundle is refused and the built-in slides are shown") {
  testing::TempDir scratch("kiosk-invalid");
  const fs::path& dir = scratch.path();
  fs::create_directories(dir / "bad");
  std::ofstream(dir / "bad" / "slides.json") << R"({"format": 1, "slides": "none"})";
  fs::create_directories(dir / "capture");
  testing::ChildProcess player(PlayerArgs({"--content", (dir / "bad").string(), "--capture-dir",
                                           (dir / "capture").string(), "--exit-after", "1"}),
                               kHeadless);
  REQUIRE(player.Wait(seconds(20)) == 0);
  CHECK(player.output().find("not showing --content " + (dir / "bad").string()) !=
        std::string::npos);
  CHECK(player.output().find("$.slides: expected an array, got a string") != std::string::npos);
  auto shown = testing::LoadRgb((dir / "capture" / "frame-000.png").string());
  auto builtin =
      testing::LoadRgb(testing::RenderFirstSlide(kSource / "content", dir / "builtin").string());
  CHECK(testing::DifferingPixels(shown.get(), builtin.get()) == 0);
}

TEST_CASE("a deleted fonts folder: the player shows the hotline in system fonts and says so") {
  testing::TempDir scratch("kiosk-nofonts");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  fs::remove_all(dir / "fonts");
  std::string output = ShowFirstFrameOfDamagedInstall(dir);
  for (const char* file : {FontSet::kRegularFile, FontSet::kBoldFile, FontSet::kFallbackRegularFile,
                           FontSet::kFallbackBoldFile}) {
    CHECK_MESSAGE(fs::is_regular_file(
                      SubstituteLogged(output, (dir / "fonts" / file).string() + ": missing")),
                  output);
  }
}

TEST_CASE("a font truncated to half: the player shows the hotline in a system font and says so") {
  testing::TempDir scratch("kiosk-halffont");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  testing::TruncateToHalf(dir / "fonts" / FontSet::kBoldFile);
  std::string output = ShowFirstFrameOfDamagedInstall(dir);
  std::string problem =
      (dir / "fonts" / FontSet::kBoldFile).string() + ": sha256 mismatch (damaged or truncated)";
  CHECK_MESSAGE(fs::is_regular_file(SubstituteLogged(output, problem)), output);
  // Only the damaged file is replaced.
  CHECK(output.find("font: " + (dir / "fonts" / FontSet::kRegularFile).string()) ==
        std::string::npos);
}

TEST_CASE("a damaged script font the slides do not use is still reported, after the first frame") {
  // The player checks Noto Sans before its first frame and the other fonts
  // right after it (FontSet::Loading::kOnDemand): damage is still said.
  testing::TempDir scratch("kiosk-scriptfont");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  testing::TruncateToHalf(dir / "fonts" / FontSet::kSyllabicsRegularFile);
  std::string output = ShowFirstFrameOfDamagedInstall(dir);
  CHECK_MESSAGE(output.find("font: " + (dir / "fonts" / FontSet::kSyllabicsRegularFile).string() +
                            ": sha256 mismatch (damaged or truncated); its script is drawn with "
                            "DejaVu Sans instead\n") != std::string::npos,
                output);
  CHECK(output.find("first frame on screen") < output.find("font: "));
}

TEST_CASE("with no usable pinned or system font, start-up is a clear error naming the path") {
  testing::TempDir scratch("kiosk-nofont");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  fs::remove(dir / "fonts" / FontSet::kRegularFile);
  auto fontless = testing::WriteFontlessFontconfig(dir);
  testing::ChildProcess player(PlayerArgs({}),
                               {"SDL_VIDEODRIVER=dummy", "KIOSK_DATA_DIR=" + dir.string(),
                                "FONTCONFIG_FILE=" + fontless.string()});
  // It waits before exiting (no tight restart loop under systemd); SIGTERM
  // ends the wait.
  REQUIRE(player.WaitForOutput("retrying in 30 s", seconds(20)));
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(5)) == 1);
  CHECK_MESSAGE(
      player.output().find("font file " + (dir / "fonts" / FontSet::kRegularFile).string() +
                           ": missing; no usable system font") != std::string::npos,
      player.output());
}

TEST_CASE("an invalid config file is reported and the player still shows its slides") {
  testing::TempDir scratch("kiosk-badconfig");
  const fs::path& dir = scratch.path();
  std::ofstream(dir / "kiosk.json") << R"({"display": {"rotation": 33}})";
  testing::ChildProcess player(
      PlayerArgs({"--config", (dir / "kiosk.json").string(), "--exit-after", "1"}), kHeadless);
  CHECK(player.Wait(seconds(20)) == 0);
  CHECK(player.output().find("$.display.rotation: expected 0, 90, 180 or 270, got 33; keeping 0") !=
        std::string::npos);
  CHECK(player.output().find("first frame on screen") != std::string::npos);
}

TEST_CASE("a bad rotation in the config file costs only the rotation: its size still applies") {
  testing::TempDir scratch("kiosk-badfield");
  const fs::path& dir = scratch.path();
  std::ofstream(dir / "kiosk.json") << R"({"display": {"rotation": 45, "size": "640x360"}})";
  fs::create_directories(dir / "capture");
  // No --size: the size comes from the file.
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--config", (dir / "kiosk.json").string(), "--capture-dir",
       (dir / "capture").string(), "--exit-after", "1"},
      kHeadless);
  REQUIRE(player.Wait(seconds(20)) == 0);
  CHECK(player.output().find((dir / "kiosk.json").string() +
                             ": $.display.rotation: expected 0, 90, 180 or 270, got 45") !=
        std::string::npos);
  auto shown = testing::LoadRgb((dir / "capture" / "frame-000.png").string());
  REQUIRE(shown);
  CHECK(shown->w == 640);
  CHECK(shown->h == 360);
}

TEST_CASE("the status file names the video driver, the output size and the rotation") {
  testing::TempDir scratch("kiosk-display-status");
  const fs::path& dir = scratch.path();
  fs::create_directories(dir / "state");
  std::ofstream(dir / "kiosk.json")
      << R"({"display": {"rotation": 180}, "state_dir": ")" << (dir / "state").string()
      << R"(", "status_file": ")" << (dir / "status.json").string() << R"("})";
  testing::ChildProcess player(
      PlayerArgs({"--config", (dir / "kiosk.json").string(), "--exit-after", "1"}), kHeadless);
  REQUIRE(player.Wait(seconds(20)) == 0);
  const std::string text = testing::Slurp(dir / "status.json");
  CAPTURE(text);
  auto status = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  REQUIRE(status.is_object());
  // SDL_VIDEODRIVER=dummy was asked for: a headless run that means it.
  CHECK(status["display"] == nlohmann::json::parse(R"({"state": "showing", "video_driver": "dummy",
                                                      "width": 800, "height": 480,
                                                      "rotation": 180, "power_control": null,
                                                      "tv_power": null})"));
  CHECK(status["problems"].empty());
}

TEST_CASE("SIGHUP reloads the content, which takes over at the next slide boundary") {
  testing::TempDir scratch("kiosk-hup");
  const fs::path& dir = scratch.path();
  testing::WriteOneSlideBundle(dir / "content", "Alpha");
  fs::create_directories(dir / "capture");
  testing::ChildProcess player(PlayerArgs({"--content", (dir / "content").string(), "--capture-dir",
                                           (dir / "capture").string()}),
                               kHeadless);
  REQUIRE(player.WaitForOutput("first frame on screen", seconds(20)));
  testing::WriteOneSlideBundle(dir / "content", "Beta");
  player.Signal(SIGHUP);
  REQUIRE(player.WaitForOutput("now showing --content", seconds(15)));
  // Let the crossfade (800 ms) finish and the settled frame be captured.
  usleep(2000 * 1000);
  player.Signal(SIGTERM);
  REQUIRE(player.Wait(seconds(5)) == 0);
  auto before = testing::LoadRgb((dir / "capture" / "frame-000.png").string());
  auto after = testing::LoadRgb((dir / "capture" / "frame-001.png").string());
  auto beta = testing::LoadRgb(testing::RenderFirstSlide(dir / "content", dir / "beta").string());
  REQUIRE(before);
  REQUIRE(after);
  CHECK(testing::DifferingPixels(after.get(), beta.get()) == 0);   // now Beta
  CHECK(testing::DifferingPixels(before.get(), after.get()) > 0);  // and it changed
}

TEST_CASE("the player refuses to run as root unless told to") {
  if (geteuid() != 0) return;  // the refusal only applies to root
  testing::ChildProcess player({KIOSK_BIN, "--size", "800x480", "--exit-after", "1"}, kHeadless);
  CHECK(player.Wait(seconds(10)) == 1);
  CHECK(player.output().find("refusing to run as root") != std::string::npos);
}

}  // namespace kiosk

namespace kiosk {
namespace {

// A display number no X server uses here.
int FreeXDisplay() {
  for (int n = 91; n < 200; ++n) {
    if (!fs::exists("/tmp/.X11-unix/X" + std::to_string(n)) &&
        !fs::exists("/tmp/.X" + std::to_string(n) + "-lock")) {
      return n;
    }
  }
  return -1;
}

nlohmann::json ReadStatus(const fs::path& file) {
  return nlohmann::json::parse(testing::Slurp(file), nullptr, /*allow_exceptions=*/false);
}

}  // namespace

TEST_CASE("with no screen the player says so, waits, and shows the slides when one appears") {
  testing::TempDir scratch("kiosk-no-display");
  const fs::path& dir = scratch.path();
  fs::create_directories(dir / "state");
  std::ofstream(dir / "kiosk.json")
      << R"({"state_dir": ")" << (dir / "state").string() << R"(", "status_file": ")"
      << (dir / "status.json").string() << R"("})";
  if (fs::exists("/dev/dri")) {
    // SDL's KMSDRM driver would find this machine's own screen first.
    MESSAGE("skipped: this machine has a DRM device");
    return;
  }
  const int n = FreeXDisplay();
  REQUIRE(n > 0);
  // No SDL_VIDEODRIVER (unset: a bare name removes it), no Wayland, an X
  // display nobody serves yet, no DRM device here: SDL falls back to its
  // offscreen driver, which must not count as a screen.
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--config", (dir / "kiosk.json").string()},
      {"SDL_VIDEODRIVER", "WAYLAND_DISPLAY", "DISPLAY=:" + std::to_string(n)});
  REQUIRE_MESSAGE(player.WaitForOutput("no display", seconds(20)), player.output());
  usleep(500 * 1000);
  auto waiting = ReadStatus(dir / "status.json");
  CAPTURE(waiting.dump());
  CHECK(waiting["display"]["state"] == "no display");
  CHECK(waiting["shown"].is_null());  // nothing is on a screen: the report says so
  CHECK_FALSE(waiting["problems"].empty());
  CHECK(player.output().find("first frame on screen") == std::string::npos);

  // A screen appears (an X server on that display): the same process shows
  // the slides on it within a few seconds.
  testing::ChildProcess xvfb(
      {"/usr/bin/Xvfb", ":" + std::to_string(n), "-screen", "0", "800x480x24", "-nolisten", "tcp"});
  CHECK_MESSAGE(player.WaitForOutput("first frame on screen", seconds(15)), player.output());
  usleep(500 * 1000);
  auto showing = ReadStatus(dir / "status.json");
  CAPTURE(showing.dump());
  CHECK(showing["display"]["state"] == "showing");
  CHECK(showing["display"]["video_driver"] == "x11");
  CHECK(showing["shown"]["source"] == "builtin");
  CHECK(showing["problems"].empty());
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);
  xvfb.Signal(SIGTERM);
  xvfb.Wait(seconds(10));
}

TEST_CASE("--windowed with no desktop session is a clear error, not a window for nobody") {
  if (fs::exists("/dev/dri")) {
    MESSAGE("skipped: this machine has a DRM device");
    return;
  }
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--windowed"},
      {"SDL_VIDEODRIVER", "WAYLAND_DISPLAY", "DISPLAY=:" + std::to_string(FreeXDisplay())});
  CHECK(player.Wait(seconds(20)) == 1);
  CHECK_MESSAGE(player.output().find("no desktop session to open a window on") != std::string::npos,
                player.output());
  CHECK(player.output().find("first frame on screen") == std::string::npos);
}

TEST_CASE("SIGTERM while waiting for a screen ends the player cleanly") {
  // A video driver asked for that cannot start (as kmsdrm with no screen).
  testing::ChildProcess player({KIOSK_BIN, "--allow-root"}, {"SDL_VIDEODRIVER=nosuchdriver"});
  REQUIRE_MESSAGE(player.WaitForOutput("no display", seconds(20)), player.output());
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);
  CHECK(player.output().find("stopped while waiting for a display") != std::string::npos);
}

}  // namespace kiosk

namespace kiosk {
namespace {

// CPU seconds (user + system) the process has used, from /proc/PID/stat.
double CpuSeconds(pid_t pid) {
  std::string stat = testing::Slurp("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A config whose screen schedule is on every day but (or only) today, UTC.
void WriteScheduleConfig(const fs::path& dir, bool on_today) {
  const auto today =
      std::chrono::weekday{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string days;
  for (unsigned d = 0; d < 7; ++d) {
    if ((d == today.c_encoding()) != on_today) continue;
    days += std::string(days.empty() ? "" : ", ") + "\"" + names[d] + "\"";
  }
  std::ofstream(dir / "kiosk.json")
      << R"({"time_zone": "UTC", "state_dir": ")" << (dir / "state").string()
      << R"(", "status_file": ")" << (dir / "status.json").string()
      << R"(", "display": {"power": {"on": [{"weekdays": [)" << days << R"(]}]}}})";
}

}  // namespace

TEST_CASE(
    "in the screen schedule's off time the player draws nothing, uses no CPU, and says so; never "
    "on a clock not known to be right") {
  for (bool on_today : {false, true}) {
    CAPTURE(on_today);
    testing::TempDir scratch("kiosk-power");
    const fs::path& dir = scratch.path();
    fs::create_directories(dir / "state");
    WriteScheduleConfig(dir, on_today);
    testing::ChildProcess player(PlayerArgs({"--config", (dir / "kiosk.json").string()}),
                                 kHeadless);
    REQUIRE_MESSAGE(player.WaitForOutput("first frame on screen", seconds(20)), player.output());
    usleep(1000 * 1000);
    auto status = ReadStatus(dir / "status.json");
    CAPTURE(status.dump());
    if (status["clock_synchronized"] != true) {
      // Clock safety: a clock not known to be right never darkens the
      // sign, whatever the schedule says (the off case needs a synchronised
      // clock, as on a unit; image/test-qemu.sh has one).
      CHECK(status["display"]["state"] == "showing");
      CHECK(player.output().find("screen schedule: off") == std::string::npos);
      player.Signal(SIGTERM);
      CHECK(player.Wait(seconds(10)) == 0);
      continue;
    }
    if (!on_today) {
      CHECK(status["display"]["state"] == "screen off");
      CHECK(status["shown"].is_null());
      CHECK(player.output().find("screen schedule: off") != std::string::npos);
      // Drawing nothing: over 4 s, well under the CPU of one crossfade.
      const double before = CpuSeconds(player.pid());
      usleep(4000 * 1000);
      CHECK(CpuSeconds(player.pid()) - before < 0.2);
    } else {
      CHECK(status["display"]["state"] == "showing");
      CHECK(status["shown"]["source"] == "builtin");
    }
    player.Signal(SIGTERM);
    CHECK(player.Wait(seconds(10)) == 0);
  }
}

}  // namespace kiosk
