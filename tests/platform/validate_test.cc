// `kiosk validate` as an administrator runs it: the real binary on a bundle
// directory, its exit status and what it prints.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "child_process.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kSource = KIOSK_SOURCE_DIR;

std::string BuiltinSlidesJson() {
  std::ifstream in(kSource / "content" / "slides.json", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The built-in slides.json with the first `from` replaced by `to`.
void WriteEdited(const fs::path& dir, const std::string& from, const std::string& to) {
  std::string text = BuiltinSlidesJson();
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  fs::create_directories(dir);
  std::ofstream(dir / "slides.json", std::ios::binary) << text;
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("kiosk validate refuses a one-digit typo in the band's hotline, naming it") {
  testing::TempDir scratch("kiosk-validate");
  WriteEdited(scratch.path(), R"("hotline": "1-800-292-1168")", R"("hotline": "1-800-292-1169")");
  test::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(60)) == 1);
  CHECK(Contains(validate.output(),
                 "slides.json: contact.hotline \"1-800-292-1169\" differs from the unit's pinned "
                 "hotline 1-800-292-1168; units refuse this bundle"));
  // The slides still show the real number, now not the band's: named too.
  CHECK(Contains(validate.output(),
                 "slide \"help\" (fr, body[1]): \"1-800-292-1168\" is neither the hotline "
                 "(1-800-292-1169) nor listed in contact.other_contacts"));
}

TEST_CASE("kiosk validate refuses a one-digit typo in a slide's text, naming slide and language") {
  testing::TempDir scratch("kiosk-validate");
  WriteEdited(scratch.path(), "Dial 1-800-292-1168", "Dial 1-800-292-1169");
  test::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(60)) == 1);
  CHECK(Contains(validate.output(),
                 "slide \"help\" (en, body[1]): \"1-800-292-1169\" is neither the hotline "
                 "(1-800-292-1168) nor listed in contact.other_contacts"));
  CHECK(Contains(validate.output(), ": 1 problem\n"));
}

TEST_CASE("kiosk validate refuses a local number the bundle does not declare") {
  testing::TempDir scratch("kiosk-validate");
  WriteEdited(scratch.path(), R"("other_contacts": ["613-236-1222"],)", "");
  test::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(60)) == 1);
  CHECK(Contains(validate.output(), "slide \"contact\" (fr, body[2]): \"613-236-1222\""));
  CHECK(Contains(validate.output(), "slide \"contact\" (en, body[2]): \"613-236-1222\""));
  CHECK(Contains(validate.output(), ": 2 problems\n"));
}

}  // namespace kiosk
