#include "kiosk/core/layout.h"

#include <doctest/doctest.h>

#include "fake_measurer.h"
#include "kiosk/core/validate.h"

namespace kiosk {
namespace {

Bundle OneSlide(std::vector<std::string> fr_body, std::vector<std::string> en_body) {
  Bundle b;
  b.contact = Contact{"1-800-292-1168", "HumanTrafficking@ottawapolice.ca", "Aide", "Help"};
  Slide s;
  s.id = "t";
  s.fr = SlideText{"Titre", std::move(fr_body)};
  s.en = SlideText{"Title", std::move(en_body)};
  s.duration = Millis(10'000);
  b.slides.push_back(s);
  return b;
}

void CheckInvariants(const FrameLayout& f, int w, int h) {
  Rect screen{0, 0, w, h};
  for (const auto& t : f.texts) {
    CHECK_MESSAGE(f.safe_area.Contains(t.box), "line outside the safe area: ", t.text);
  }
  CHECK(f.safe_area.Contains(f.qr.tile));
  for (const auto& b : f.boxes) CHECK(screen.Contains(b.rect));
  int shorter = std::min(w, h);
  CHECK(f.hotline_px >= static_cast<int>(shorter * kHotlineFloor));
  CHECK(f.body_px >= static_cast<int>(shorter * kBodyFloor));
}

}  // namespace

TEST_CASE("wrapping breaks at spaces and splits a word only when it alone is too wide") {
  MonospaceMeasurer m;  // 10 px per character at 20 px
  auto lines = WrapParagraph("one two three four", 100, FontFace::kRegular, 20, m);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "one two");
  CHECK(lines[1] == "three four");
  auto split = WrapParagraph("a 1234567890123", 50, FontFace::kRegular, 20, m);
  REQUIRE(split.size() == 4);
  CHECK(split[0] == "a");
  CHECK(split[1] == "12345");
  CHECK(split[3] == "123");
  // Multi-byte characters are never cut in half.
  auto accents = WrapParagraph("ééééé", 20, FontFace::kRegular, 20, m);
  REQUIRE(accents.size() == 3);
  CHECK(accents[0] == "éé");
}

TEST_CASE("short text gets large type; long text gets smaller type, never below the floor") {
  MonospaceMeasurer m;
  auto short_frame = LayoutFrame(OneSlide({"Un."}, {"One."}), SlideView{}, 1920, 1080, m);
  REQUIRE(short_frame.ok());
  std::string para;
  for (int i = 0; i < 60; ++i) para += "mot ";
  auto long_frame = LayoutFrame(OneSlide({para}, {para}), SlideView{}, 1920, 1080, m);
  REQUIRE_MESSAGE(long_frame.ok(), long_frame.status().message());
  CHECK(short_frame->body_px > long_frame->body_px);
  CheckInvariants(*short_frame, 1920, 1080);
  CheckInvariants(*long_frame, 1920, 1080);
}

TEST_CASE("both languages get the same size on a bilingual slide") {
  MonospaceMeasurer m;
  auto f =
      LayoutFrame(OneSlide({"Un texte français assez long pour plusieurs lignes."}, {"Short."}),
                  SlideView{}, 1920, 1080, m);
  REQUIRE(f.ok());
  int title_px = 0;
  for (const auto& t : f->texts) {
    if (t.text == "Titre") title_px = t.px;
    if (t.text == "Title") CHECK(t.px == title_px);
  }
  CHECK(title_px > 0);
}

TEST_CASE("text that cannot fit at the floor is an error naming the slide, not dust") {
  MonospaceMeasurer m;
  std::string para;
  for (int i = 0; i < 900; ++i) para += "mot ";
  auto f = LayoutFrame(OneSlide({para}, {para}), SlideView{}, 1280, 720, m);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message().find("slide \"t\" at 1280x720: the text does not fit") !=
        std::string::npos);
  CHECK(f.status().message().find("legibility floor (18 px)") != std::string::npos);
  // The player's last resort still lays it out, below the floor.
  LayoutOptions relaxed;
  relaxed.enforce_floors = false;
  auto forced = LayoutFrame(OneSlide({para}, {para}), SlideView{}, 1280, 720, m, relaxed);
  REQUIRE(forced.ok());
  for (const auto& t : forced->texts) CHECK(forced->safe_area.Contains(t.box));
}

TEST_CASE("every supported size and orientation keeps everything in the safe area") {
  MonospaceMeasurer m;
  Bundle b = OneSlide(
      {"Si vous êtes pris dans la traite de personnes, appelez-nous.", "Nous pouvons vous aider."},
      {"If you are caught in human trafficking, call us.", "We can help."});
  b.slides[0].shared = {"A New Day", "CORATH", "Minwaashin Lodge", "Windrose"};
  for (const auto& size : kSupportedSizes) {
    CAPTURE(size.width);
    CAPTURE(size.height);
    for (bool bilingual : {true, false}) {
      auto f =
          LayoutFrame(b, SlideView{0, bilingual, Language::kEnglish}, size.width, size.height, m);
      REQUIRE_MESSAGE(f.ok(), f.status().message());
      CheckInvariants(*f, size.width, size.height);
      // The band carries the hotline and the e-mail on every frame.
      bool hotline = false, email = false;
      for (const auto& t : f->texts) {
        hotline |= t.text == "1-800-292-1168";
        email |= t.text == "HumanTrafficking@ottawapolice.ca";
      }
      CHECK(hotline);
      CHECK(email);
      // The QR code sits on whole pixels, at least 2 per module.
      CHECK(f->qr.module_px >= 2);
      CHECK(f->qr.tile.w == (f->qr.matrix.size + 2 * f->qr.quiet_modules) * f->qr.module_px);
    }
  }
}

TEST_CASE("alternate views show one language only") {
  MonospaceMeasurer m;
  auto f = LayoutFrame(OneSlide({"Bonjour."}, {"Hello."}), SlideView{0, false, Language::kEnglish},
                       1920, 1080, m);
  REQUIRE(f.ok());
  bool french = false, english = false;
  for (const auto& t : f->texts) {
    french |= t.text == "Titre" || t.text == "Bonjour.";
    english |= t.text == "Title" || t.text == "Hello.";
  }
  CHECK(english);
  CHECK_FALSE(french);
}

TEST_CASE("contrast follows WCAG and low contrast is reported") {
  CHECK(ContrastRatio(Color{0, 0, 0}, Color{255, 255, 255}) == doctest::Approx(21.0));
  CHECK(ContrastRatio(Color{119, 119, 119}, Color{255, 255, 255}) ==
        doctest::Approx(4.48).epsilon(0.01));
  CHECK(ContrastRatio(Theme{}.text, Theme{}.background) >= kMinimumContrast);
  CHECK(ContrastRatio(Theme{}.accent, Theme{}.background) >= kMinimumContrast);
  CHECK(ContrastRatio(Theme{}.band_text, Theme{}.band_background) >= kMinimumContrast);
  MonospaceMeasurer m;
  Bundle b = OneSlide({"Un."}, {"One."});
  b.theme.text = Color{0x60, 0x60, 0x60};
  b.theme.background = Color{0x30, 0x30, 0x30};
  auto problems = ValidateBundle(b, m, {{1920, 1080}});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("theme: text on background (#606060 on #303030) has contrast") == 0);
}

TEST_CASE("a valid bundle validates clean; a too-long one names each slide and size once") {
  MonospaceMeasurer m;
  CHECK(ValidateBundle(OneSlide({"Un."}, {"One."}), m).empty());
  std::string para;
  for (int i = 0; i < 400; ++i) para += "mot ";
  auto problems = ValidateBundle(OneSlide({para}, {para}), m);
  REQUIRE_FALSE(problems.empty());
  for (const auto& p : problems) CHECK(p.find("slide \"t\"") == 0);
}

}  // namespace kiosk
