// Poster length (issue #9): the words a passer-by is asked to read, per
// slide and per cycle.
#include <doctest/doctest.h>

#include <string>

#include "kiosk/core/content.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {
namespace {

std::string Words(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " mot" : "mot");
  return out;
}

Slide SlideOf(const std::string& id, int fr_words, int en_words) {
  Slide s;
  s.id = id;
  s.SetText("fr", SlideText{"Titre", {Words(fr_words - 1)}});
  s.SetText("en", SlideText{"Title", {Words(en_words - 1)}});
  s.duration = ReadingTime(s);
  return s;
}

bool AnyMentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a language's words are its title's and its paragraphs'; a no-break space joins") {
  SlideText t{"Vous voulez en sortir\u202F?", {"Un deux.", "Trois quatre cinq"}};
  CHECK(CountWords(t) == 4 + 2 + 3);
}

TEST_CASE("validate warns about a slide over the poster word limit, naming slide and language") {
  Bundle b;
  b.slides.push_back(SlideOf("short", 12, 10));
  b.slides.push_back(SlideOf("long", 20, static_cast<int>(kPosterWordLimit) + 1));
  auto warnings = CopyWarnings(b);
  REQUIRE(warnings.size() == 1);
  CHECK(AnyMentions(warnings, "slide \"long\" (en) has 31 words"));
  CHECK_FALSE(AnyMentions(warnings, "\"short\""));
}

TEST_CASE("validate warns when the rotation takes longer than the cycle target") {
  Bundle b;
  // 10 slides of 25 words: 18 s each, 180 s in all.
  for (int i = 0; i < 10; ++i) b.slides.push_back(SlideOf("s" + std::to_string(i), 25, 25));
  auto warnings = CopyWarnings(b);
  REQUIRE(warnings.size() == 1);
  CHECK(AnyMentions(warnings, "takes 180 s"));
  b.slides.resize(8);  // 144 s
  CHECK(CopyWarnings(b).empty());
}

TEST_CASE("the built-in bundle reads as a poster: short slides, a cycle of about two minutes") {
  PosixFileStore disk;
  auto b = LoadBundleDir(disk, std::string(KIOSK_SOURCE_DIR) + "/content");
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  auto warnings = CopyWarnings(*b);
  for (const auto& w : warnings) MESSAGE(w);
  CHECK(warnings.empty());
  Millis cycle{0};
  for (const auto& s : b->slides) cycle += s.duration;
  MESSAGE("built-in cycle: " << cycle.count() / 1000 << " s over " << b->slides.size()
                             << " slides");
  CHECK(cycle <= Millis(130'000));
}

}  // namespace kiosk
