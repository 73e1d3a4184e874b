// FontSet on a damaged fonts directory: each damaged pinned file is named,
// replaced by a system font, and text still measures and draws.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "kiosk/app/commands.h"
#include "kiosk/platform/ttf_fonts.h"
#include "tests/common/child_process.h"
#include "tests/common/damaged_install.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = KIOSK_SOURCE_DIR;
constexpr const char* kHotline = "1-800-292-1168";

// The system font file a problem line says is used instead ("" if none).
std::string SubstituteIn(const std::string& problem) {
  const std::string using_word = "; using ", suffix = " from the system";
  auto start = problem.find(using_word);
  auto end = problem.rfind(suffix);
  if (start == std::string::npos || end == std::string::npos || end < start) return "";
  start += using_word.size();
  return problem.substr(start, end - start);
}

// Opens dir, which has exactly one damaged file, and checks the report and
// that text is measured with a different (the substitute) font.
void CheckOneSubstitution(const fs::path& fonts_dir, const std::string& file,
                          const std::string& damage) {
  auto pinned = FontSet::Open(kSource / "fonts");
  REQUIRE(pinned.ok());
  auto fonts = FontSet::Open(fonts_dir);
  REQUIRE_MESSAGE(fonts.ok(), fonts.status().message());
  REQUIRE((*fonts)->problems().size() == 1);
  const std::string& problem = (*fonts)->problems()[0];
  CAPTURE(problem);
  CHECK(problem.rfind((fonts_dir / file).string() + ": " + damage + "; using ", 0) == 0);
  std::string substitute = SubstituteIn(problem);
  CHECK(fs::is_regular_file(substitute));
  CHECK_FALSE(fs::equivalent(substitute, fonts_dir / file));
  int width = (*fonts)->Width(kHotline, FontFace::kBold, 40);
  CHECK(width > 0);
  // Noto Sans Bold is the pinned bold; any substitute has other advances.
  CHECK(width != (*pinned)->Width(kHotline, FontFace::kBold, 40));
  CHECK((*fonts)->LineHeight(FontFace::kBold, 40) > 0);
  auto line = (*fonts)->Render(kHotline, FontFace::kBold, 40, Color{0, 0, 0});
  REQUIRE(line);
  CHECK(line->w == width);
  // Regular text is untouched: still the pinned Noto Sans.
  CHECK((*fonts)->Width(kHotline, FontFace::kRegular, 40) ==
        (*pinned)->Width(kHotline, FontFace::kRegular, 40));
}

}  // namespace

TEST_CASE("the intact pinned fonts open with no problems") {
  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE_MESSAGE(fonts.ok(), fonts.status().message());
  CHECK((*fonts)->problems().empty());
}

TEST_CASE("a pinned font truncated to half is reported and replaced by a system font") {
  testing::TempDir scratch("kiosk-fonts-truncated");
  testing::CopyDataDir(scratch.path());
  testing::TruncateToHalf(scratch.path() / "fonts" / FontSet::kBoldFile);
  CheckOneSubstitution(scratch.path() / "fonts", FontSet::kBoldFile,
                       "sha256 mismatch (damaged or truncated)");
}

TEST_CASE("a pinned font altered in place (same size) is reported and replaced") {
  testing::TempDir scratch("kiosk-fonts-altered");
  testing::CopyDataDir(scratch.path());
  auto path = scratch.path() / "fonts" / FontSet::kBoldFile;
  auto size = fs::file_size(path);
  testing::AlterInPlace(path);
  REQUIRE(fs::file_size(path) == size);
  CheckOneSubstitution(scratch.path() / "fonts", FontSet::kBoldFile,
                       "sha256 mismatch (damaged or truncated)");
}

TEST_CASE("a missing pinned font is reported and replaced by a system font") {
  testing::TempDir scratch("kiosk-fonts-missing");
  testing::CopyDataDir(scratch.path());
  fs::remove(scratch.path() / "fonts" / FontSet::kBoldFile);
  CheckOneSubstitution(scratch.path() / "fonts", FontSet::kBoldFile, "missing");
}

TEST_CASE("with a damaged pinned font and no system fonts, Open fails naming the file") {
  testing::TempDir scratch("kiosk-fonts-none");
  testing::CopyDataDir(scratch.path());
  testing::TruncateToHalf(scratch.path() / "fonts" / FontSet::kRegularFile);
  auto config = testing::WriteFontlessFontconfig(scratch.path());
  setenv("FONTCONFIG_FILE", config.c_str(), 1);
  auto fonts = FontSet::Open(scratch.path() / "fonts");
  unsetenv("FONTCONFIG_FILE");
  REQUIRE_FALSE(fonts.ok());
  CHECK(fonts.status().message().find("font file " +
                                      (scratch.path() / "fonts" / FontSet::kRegularFile).string() +
                                      ": sha256 mismatch") != std::string::npos);
}

TEST_CASE("on demand, DejaVu Sans damaged with no system font is a problem, not a failure") {
  // Open checks Noto Sans only; the fallback, checked later, cannot make the
  // player stop once it shows the hotline.
  testing::TempDir scratch("kiosk-fonts-fallback-later");
  testing::CopyDataDir(scratch.path());
  testing::TruncateToHalf(scratch.path() / "fonts" / FontSet::kFallbackBoldFile);
  auto config = testing::WriteFontlessFontconfig(scratch.path());
  setenv("FONTCONFIG_FILE", config.c_str(), 1);
  auto at_once = FontSet::Open(scratch.path() / "fonts");
  auto on_demand = FontSet::Open(scratch.path() / "fonts", FontSet::Loading::kOnDemand);
  REQUIRE_MESSAGE(on_demand.ok(), on_demand.status().message());
  CHECK((*on_demand)->problems().empty());
  (*on_demand)->LoadAll();
  unsetenv("FONTCONFIG_FILE");
  REQUIRE_FALSE(at_once.ok());
  REQUIRE((*on_demand)->problems().size() == 1);
  CHECK((*on_demand)->problems()[0] ==
        "font file " + (scratch.path() / "fonts" / FontSet::kFallbackBoldFile).string() +
            ": sha256 mismatch (damaged or truncated); no usable system font matches \"DejaVu "
            "Sans:bold\" either (install fonts-dejavu-core, or reinstall kiosk); characters Noto "
            "Sans lacks are left undrawn");
  CHECK((*on_demand)->Width(kHotline, FontFace::kBold, 40) > 0);
}

TEST_CASE("kiosk validate lists damaged pinned fonts as problems and fails") {
  testing::TempDir scratch("kiosk-fonts-validate");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  testing::TruncateToHalf(dir / "fonts" / FontSet::kBoldFile);
  testing::ChildProcess validate({KIOSK_BIN, "validate", (dir / "content").string()},
                                 {"KIOSK_DATA_DIR=" + dir.string()});
  CHECK(validate.Wait(std::chrono::seconds(60)) == 1);
  CAPTURE(validate.output());
  CHECK(validate.output().find((dir / "fonts" / FontSet::kBoldFile).string() +
                               ": sha256 mismatch (damaged or truncated); using ") !=
        std::string::npos);
  CHECK(validate.output().find(": 1 problem") != std::string::npos);
}

TEST_CASE("kiosk render with damaged pinned fonts writes the frames but warns and fails") {
  testing::TempDir scratch("kiosk-fonts-render");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  fs::remove(dir / "fonts" / FontSet::kRegularFile);
  testing::ChildProcess render(
      {KIOSK_BIN, "render", "--out", (dir / "out").string(), "--size", "800x480"},
      {"KIOSK_DATA_DIR=" + dir.string(), "SDL_VIDEODRIVER=dummy"});
  CHECK(render.Wait(std::chrono::seconds(60)) == 1);
  CAPTURE(render.output());
  CHECK(render.output().find(
            "kiosk render: WARNING: " + (dir / "fonts" / FontSet::kRegularFile).string() +
            ": missing") != std::string::npos);
  // Still written: they show what a unit with this damage shows.
  CHECK(render.output().find((dir / "out").string() + "/01-") != std::string::npos);
}

TEST_CASE("the updater's check measures with the substitutes; an administrator's does not") {
  testing::TempDir scratch("kiosk-fonts-check");
  const fs::path& dir = scratch.path();
  testing::CopyDataDir(dir);
  testing::TruncateToHalf(dir / "fonts" / FontSet::kBoldFile);
  Status on_unit =
      CheckContent(dir / "content", dir, 0, 0, BuiltinContact(), SubstituteFonts::kAccept);
  CHECK_MESSAGE(on_unit.ok(), on_unit.message());
  Status by_admin = CheckContent(dir / "content", dir);
  REQUIRE_FALSE(by_admin.ok());
  CHECK(by_admin.message().find((dir / "fonts" / FontSet::kBoldFile).string() +
                                ": sha256 mismatch") != std::string::npos);
}

TEST_CASE("a line drawn just as the per-size font cache fills is drawn whole") {
  // Drawing a line measures it, and measuring may close every sized font
  // (the cache's bound): the fonts the line is drawn with must not be among
  // them. Each fill level below puts the bound at a different step.
  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE(fonts.ok());
  FontSet& set = **fonts;
  for (int filled = 88; filled <= 96; ++filled) {
    CAPTURE(filled);
    set.Trim();
    for (int px = 100; px < 100 + filled; ++px) set.LineHeight(FontFace::kRegular, px);
    SurfacePtr line = set.Render("Call 1-800-292-1168", FontFace::kRegular, 50, Color{0, 0, 0});
    REQUIRE(line);
    CHECK(line->w == set.Width("Call 1-800-292-1168", FontFace::kRegular, 50));
    long ink = 0;
    for (int y = 0; y < line->h; ++y) {
      const auto* row = reinterpret_cast<const Uint32*>(static_cast<const Uint8*>(line->pixels) +
                                                        y * line->pitch);
      for (int x = 0; x < line->w; ++x) ink += (row[x] >> 24) > 128;
    }
    CHECK(ink > line->w);
  }
}

}  // namespace kiosk
