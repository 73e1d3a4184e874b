// `kiosk validate` as an administrator runs it: the real binary on a bundle
// directory, its exit status and what it prints.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/app/commands.h"
#include "kiosk/core/image_check.h"
#include "tests/common/child_process.h"
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
  testing::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(60)) == 1);
  CHECK(Contains(validate.output(),
                 "slides.json: contact.hotline \"1-800-292-1169\" differs from the unit's pinned "
                 "hotline 1-800-292-1168; units refuse this bundle"));
  CHECK(Contains(validate.output(), ": 1 problem\n"));
}

TEST_CASE("kiosk validate refuses a one-digit typo in a slide's text, naming slide and language") {
  testing::TempDir scratch("kiosk-validate");
  WriteEdited(scratch.path(), "Local line: 613-236-1222", "Local line: 613-236-1223");
  testing::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(60)) == 1);
  CHECK(Contains(validate.output(),
                 "slide \"contact\" (en, body[0]): \"613-236-1223\" is neither the hotline "
                 "(1-800-292-1168) nor listed in contact.other_contacts"));
  CHECK(Contains(validate.output(), ": 1 problem\n"));
}

TEST_CASE("kiosk validate refuses a local number the bundle does not declare") {
  testing::TempDir scratch("kiosk-validate");
  WriteEdited(scratch.path(), R"("other_contacts": ["613-236-1222"],)", "");
  testing::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
  CHECK(validate.Wait(seconds(60)) == 1);
  CHECK(Contains(validate.output(), "slide \"contact\" (fr, body[0]): \"613-236-1222\""));
  CHECK(Contains(validate.output(), "slide \"contact\" (en, body[0]): \"613-236-1222\""));
  CHECK(Contains(validate.output(), ": 2 problems\n"));
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE("kiosk validate --root checks the contact against the one the root document pins") {
  testing::TempDir scratch("kiosk-validate-root");
  const fs::path& dir = scratch.path();
  // A bundle whose every mention of the hotline is another (example) number.
  std::string text = BuiltinSlidesJson();
  for (size_t at = 0; (at = text.find("1-800-292-1168", at)) != std::string::npos;) {
    text.replace(at, 14, "1-800-555-0100");
  }
  fs::create_directories(dir / "content");
  std::ofstream(dir / "content" / "slides.json", std::ios::binary) << text;
  REQUIRE(std::system(
              ("cd " + dir.string() + " && minisign -G -W -p c.pub -s c.key >/dev/null").c_str()) ==
          0);
  std::ifstream pub(dir / "c.pub");
  std::string line;
  std::getline(pub, line);
  std::getline(pub, line);
  std::ofstream(dir / "root.json") << R"({"format": 1, "type": "kiosk-root", "version": 2,
    "published": "2026-11-30T00:00:00Z", "expires": "2027-11-30T00:00:00Z",
    "content_keys": [")" << line << R"("], "content_threshold": 1,
    "contact": {"hotline": "1-800-555-0100", "email": "HumanTrafficking@ottawapolice.ca"}})";

  testing::ChildProcess plain({KIOSK_BIN, "validate", (dir / "content").string()});
  CHECK(plain.Wait(seconds(60)) == 1);
  CHECK(Contains(plain.output(), "differs from the unit's pinned hotline 1-800-292-1168"));
  testing::ChildProcess pinned(
      {KIOSK_BIN, "validate", (dir / "content").string(), "--root", (dir / "root.json").string()});
  CHECK(pinned.Wait(seconds(60)) == 0);
  CHECK_MESSAGE(Contains(pinned.output(), ": valid"), pinned.output());
  // A root document that does not parse is a usage error naming it.
  std::ofstream(dir / "bad-root.json") << "{}";
  testing::ChildProcess bad({KIOSK_BIN, "validate", (dir / "content").string(), "--root",
                             (dir / "bad-root.json").string()});
  CHECK(bad.Wait(seconds(60)) == 2);
  CHECK(Contains(bad.output(), "bad-root.json: $.format"));
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE(
    "kiosk validate --languages warns of slides lacking a unit language; a bad tag is refused") {
  testing::TempDir scratch("kiosk-validate");
  std::ofstream(scratch.path() / "slides.json", std::ios::binary) << R"({
    "format": 1, "name": "languages",
    "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                "label": {"fr": "Besoin d’aide ?", "en": "Need help?", "es": "¿Necesita ayuda?"}},
    "slides": [
      {"id": "pair", "fr": {"title": "Vous voulez en sortir ?"}, "en": {"title": "Want to get out?"}},
      {"id": "spanish", "text": {"es": {"title": "¿Quiere salir?", "body": ["Llámenos."]}}}]})";
  testing::ChildProcess validate(
      {KIOSK_BIN, "validate", scratch.path().string(), "--languages", "en,es"});
  CHECK(validate.Wait(seconds(60)) == 0);
  CHECK(Contains(validate.output(),
                 "warning: slide \"pair\" has no \"es\" text; units set to show it leave it out "
                 "of that language (shown in en)\n"));
  CHECK(Contains(validate.output(),
                 "warning: slide \"spanish\" has no \"en\" text; units set to show it leave it "
                 "out of that language (shown in es)\n"));
  CHECK(Contains(validate.output(), ": valid\n"));

  testing::ChildProcess bad(
      {KIOSK_BIN, "validate", scratch.path().string(), "--languages", "en,Spanish"});
  CHECK(bad.Wait(seconds(60)) == 2);
  CHECK(Contains(bad.output(), "--languages: $.display.languages[1]: expected a language tag"));
}

TEST_CASE("before the first frame a cached bundle is checked at this panel only, else at all") {
  // The built-in "what" slide with four times its text: it fits portrait
  // panels, not landscape ones (the band takes more of a landscape panel's
  // height).
  auto doc = nlohmann::json::parse(BuiltinSlidesJson());
  nlohmann::json slide;
  for (const auto& s : doc["slides"]) {
    if (s["id"] == "what") slide = s;
  }
  REQUIRE(slide.is_object());
  for (const char* language : {"fr", "en"}) {
    nlohmann::json body = nlohmann::json::array();
    for (int i = 0; i < 4; ++i) {
      for (const auto& paragraph : slide[language]["body"]) body.push_back(paragraph);
    }
    slide[language]["body"] = body;
  }
  doc["slides"] = nlohmann::json::array({slide});
  testing::TempDir scratch("kiosk-panel-check");
  std::ofstream(scratch.path() / "slides.json", std::ios::binary) << doc.dump();

  Status everywhere = CheckContent(scratch.path(), kSource, 1080, 1920);
  REQUIRE_FALSE(everywhere.ok());
  CHECK(Contains(everywhere.message(), "1920x1080"));
  Status portrait = CheckContentForPanel(scratch.path(), kSource, 1080, 1920, BuiltinContact());
  CHECK_MESSAGE(portrait.ok(), portrait.message());
  Status landscape = CheckContentForPanel(scratch.path(), kSource, 1920, 1080, BuiltinContact());
  REQUIRE_FALSE(landscape.ok());
  CHECK(Contains(landscape.message(), "1920x1080"));
}

}  // namespace kiosk

namespace kiosk {
namespace {

// The built-in bundle with an image on its first slide: images/poster.png
// holding the fixture `fixture` (tests/fixtures/images), or `bytes`.
void WriteWithImage(const fs::path& dir, const std::string& fixture,
                    const std::string& bytes = "") {
  WriteEdited(dir, R"("id": "help",)",
              R"("id": "help", "image": {"file": "images/poster.png", "description":
                  {"fr": "Un carré rouge", "en": "A red square"}},)");
  fs::create_directories(dir / "images");
  if (fixture.empty()) {
    std::ofstream(dir / "images" / "poster.png", std::ios::binary) << bytes;
  } else {
    fs::copy_file(kSource / "tests" / "fixtures" / "images" / fixture,
                  dir / "images" / "poster.png");
  }
}

}  // namespace

TEST_CASE(
    "kiosk validate accepts a PNG and refuses a bomb, a GIF named .png and an oversize file") {
  {
    testing::TempDir scratch("kiosk-validate");
    WriteWithImage(scratch.path(), "red-40x20.png");
    testing::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
    CHECK(validate.Wait(seconds(60)) == 0);
    CHECK_MESSAGE(Contains(validate.output(), ": valid\n"), validate.output());
  }
  struct Case {
    std::string fixture, bytes, says;
  };
  std::string oversize(kMaxImageFileBytes, '\0');
  const Case cases[] = {
      {"bomb-60000x60000.png", "", "60000x60000 pixels (3600.0 Mpx); expected at least 1"},
      {"not-a-png.png", "", "a GIF image; expected a PNG or JPEG image"},
      {"", "\x89PNG" + oversize, "4194308 bytes; expected an image file of at most 4 MiB"}};
  for (const auto& c : cases) {
    CAPTURE(c.says);
    testing::TempDir scratch("kiosk-validate");
    WriteWithImage(scratch.path(), c.fixture, c.bytes);
    testing::ChildProcess validate({KIOSK_BIN, "validate", scratch.path().string()});
    CHECK(validate.Wait(seconds(60)) == 1);
    CHECK_MESSAGE(Contains(validate.output(), "slide \"help\": $.slides[0].image.file: " +
                                                  (scratch.path() / "images/poster.png").string() +
                                                  ": " + c.says),
                  validate.output());
  }
}

}  // namespace kiosk
