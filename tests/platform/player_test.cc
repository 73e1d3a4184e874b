// The player as a person (or systemd) runs it: the real binary, headless.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "child_process.h"
#include "fixtures.h"
#include "images.h"
#include "kiosk/app/commands.h"
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

}  // namespace

TEST_CASE("SIGTERM ends the player cleanly and promptly") {
  test::ChildProcess player(PlayerArgs({}), kHeadless);
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
  test::ChildProcess player(PlayerArgs({"--content", (dir / "bad").string(), "--capture-dir",
                                        (dir / "capture").string(), "--exit-after", "1"}),
                            kHeadless);
  REQUIRE(player.Wait(seconds(20)) == 0);
  CHECK(player.output().find("refusing --content " + (dir / "bad").string()) != std::string::npos);
  CHECK(player.output().find("$.slides: expected an array, got a string") != std::string::npos);
  auto shown = test::LoadRgb((dir / "capture" / "frame-000.png").string());
  auto builtin =
      test::LoadRgb(test::RenderFirstSlide(kSource / "content", dir / "builtin").string());
  CHECK(test::DifferingPixels(shown.get(), builtin.get()) == 0);
}

TEST_CASE("a missing font file is a clear start-up error naming the path") {
  testing::TempDir scratch("kiosk-nofont");
  const fs::path& dir = scratch.path();
  fs::copy(kSource / "content", dir / "content", fs::copy_options::recursive);
  fs::create_directories(dir / "fonts");
  test::ChildProcess player(PlayerArgs({}),
                            {"SDL_VIDEODRIVER=dummy", "KIOSK_DATA_DIR=" + dir.string()});
  // It waits before exiting (no tight restart loop under systemd); SIGTERM
  // ends the wait.
  REQUIRE(player.WaitForOutput("retrying in 30 s", seconds(20)));
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(5)) == 1);
  CHECK(player.output().find("font file " + (dir / "fonts" / "NotoSans-Regular.ttf").string() +
                             " is missing") != std::string::npos);
}

TEST_CASE("an invalid config file is reported and the player still shows its slides") {
  testing::TempDir scratch("kiosk-badconfig");
  const fs::path& dir = scratch.path();
  std::ofstream(dir / "kiosk.json") << R"({"display": {"rotation": 33}})";
  test::ChildProcess player(
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
  test::ChildProcess player({KIOSK_BIN, "--allow-root", "--config", (dir / "kiosk.json").string(),
                             "--capture-dir", (dir / "capture").string(), "--exit-after", "1"},
                            kHeadless);
  REQUIRE(player.Wait(seconds(20)) == 0);
  CHECK(player.output().find((dir / "kiosk.json").string() +
                             ": $.display.rotation: expected 0, 90, 180 or 270, got 45") !=
        std::string::npos);
  auto shown = test::LoadRgb((dir / "capture" / "frame-000.png").string());
  REQUIRE(shown);
  CHECK(shown->w == 640);
  CHECK(shown->h == 360);
}

TEST_CASE("SIGHUP reloads the content, which takes over at the next slide boundary") {
  testing::TempDir scratch("kiosk-hup");
  const fs::path& dir = scratch.path();
  test::WriteOneSlideBundle(dir / "content", "Alpha");
  fs::create_directories(dir / "capture");
  test::ChildProcess player(PlayerArgs({"--content", (dir / "content").string(), "--capture-dir",
                                        (dir / "capture").string()}),
                            kHeadless);
  REQUIRE(player.WaitForOutput("first frame on screen", seconds(20)));
  test::WriteOneSlideBundle(dir / "content", "Beta");
  player.Signal(SIGHUP);
  REQUIRE(player.WaitForOutput("now showing --content", seconds(15)));
  // Let the crossfade (800 ms) finish and the settled frame be captured.
  usleep(2000 * 1000);
  player.Signal(SIGTERM);
  REQUIRE(player.Wait(seconds(5)) == 0);
  auto before = test::LoadRgb((dir / "capture" / "frame-000.png").string());
  auto after = test::LoadRgb((dir / "capture" / "frame-001.png").string());
  auto beta = test::LoadRgb(test::RenderFirstSlide(dir / "content", dir / "beta").string());
  REQUIRE(before);
  REQUIRE(after);
  CHECK(test::DifferingPixels(after.get(), beta.get()) == 0);   // now Beta
  CHECK(test::DifferingPixels(before.get(), after.get()) > 0);  // and it changed
}

TEST_CASE("the player refuses to run as root unless told to") {
  if (geteuid() != 0) return;  // the refusal only applies to root
  test::ChildProcess player({KIOSK_BIN, "--size", "800x480", "--exit-after", "1"}, kHeadless);
  CHECK(player.Wait(seconds(10)) == 1);
  CHECK(player.output().find("refusing to run as root") != std::string::npos);
}

}  // namespace kiosk
