#include "kiosk/core/layout.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "fake_measurer.h"
#include "kiosk/core/language.h"
#include "kiosk/core/validate.h"

namespace kiosk {
namespace {

Bundle OneSlide(std::vector<std::string> fr_body, std::vector<std::string> en_body) {
  Bundle b;
  b.contact = Contact{
      "1-800-292-1168", "HumanTrafficking@ottawapolice.ca", {{"fr", "Aide"}, {"en", "Help"}}};
  Slide s;
  s.id = "t";
  s.SetText("fr", SlideText{"Titre", std::move(fr_body)});
  s.SetText("en", SlideText{"Title", std::move(en_body)});
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

// Arabic script starts with a byte from 0xD8 to 0xDB in UTF-8.
bool IsArabic(const std::string& text) {
  return !text.empty() && static_cast<unsigned char>(text[0]) >= 0xD8 &&
         static_cast<unsigned char>(text[0]) <= 0xDB;
}

// An English and Arabic slide whose band label is English only, so every
// Arabic line on a frame is the slide's.
Bundle EnglishArabic() {
  Bundle b;
  b.contact = Contact{"1-800-292-1168", "HumanTrafficking@ottawapolice.ca", {{"en", "Help"}}};
  Slide s;
  s.id = "rtl";
  s.SetText("en", SlideText{"Want to get out?",
                            {"If you are caught in human trafficking, call us. We can help.",
                             "Anywhere in Canada."}});
  s.SetText("ar", SlideText{"هل تريد الخروج؟",
                            {"إذا كنت عالقا في الاتجار بالبشر، اتصل بنا. يمكننا المساعدة.",
                             "في أي مكان في كندا."}});
  s.shared = {"CORATH", "Windrose"};
  s.duration = Millis(10'000);
  b.slides.push_back(s);
  return b;
}

struct Sides {
  std::vector<Rect> arabic, english;
};

Sides SlideLines(const FrameLayout& f, const Bundle& b) {
  Sides sides;
  const SlideText& en = *b.slides[0].text("en");
  for (const auto& t : f.texts) {
    if (IsArabic(t.text)) sides.arabic.push_back(t.box);
    // English lines of the slide: words of its title or body.
    bool english = en.title.find(t.text) != std::string::npos;
    for (const auto& p : en.body) english |= p.find(t.text) != std::string::npos;
    if (english && !t.text.empty()) sides.english.push_back(t.box);
  }
  return sides;
}

bool SideBySide(const Sides& s) {
  for (const auto& a : s.arabic) {
    for (const auto& e : s.english) {
      if (a.y < e.bottom() && e.y < a.bottom()) return true;  // on the same band of height
    }
  }
  return false;
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
  CHECK(f.status().message().find("slide \"t\" (fr+en) at 1280x720: the text does not fit") !=
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
    for (const std::vector<std::string>& languages :
         {std::vector<std::string>{"fr", "en"}, std::vector<std::string>{"en"}}) {
      auto f = LayoutFrame(b, SlideView{0, languages}, size.width, size.height, m);
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
  auto f = LayoutFrame(OneSlide({"Bonjour."}, {"Hello."}), SlideView{0, {"en"}}, 1920, 1080, m);
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

TEST_CASE("a right-to-left language alone: every line ends at the text area's right edge") {
  MonospaceMeasurer m;
  Bundle b = EnglishArabic();
  for (const auto& size : kSupportedSizes) {
    CAPTURE(size.width);
    CAPTURE(size.height);
    auto f = LayoutFrame(b, SlideView{0, {"ar"}}, size.width, size.height, m);
    REQUIRE_MESSAGE(f.ok(), f.status().message());
    CheckInvariants(*f, size.width, size.height);
    Sides s = SlideLines(*f, b);
    CHECK(s.english.empty());
    REQUIRE(s.arabic.size() >= 3);
    for (const auto& box : s.arabic) CHECK(box.right() == f->safe_area.right());
    // Lines of different lengths: right-aligned, not merely full.
    CHECK(std::any_of(s.arabic.begin(), s.arabic.end(),
                      [&](const Rect& r) { return r.x > f->safe_area.x; }));
    // The band stays as it is: left to right, after the QR tile (landscape)
    // or from the left edge above it (portrait).
    for (const auto& t : f->texts) {
      if (t.text != "1-800-292-1168") continue;
      if (size.width > size.height) {
        CHECK(t.box.x > f->qr.tile.right());
      } else {
        CHECK(t.box.x == f->safe_area.x);
        CHECK(t.box.bottom() <= f->qr.tile.y);
      }
    }
  }
}

TEST_CASE(
    "a pair led by a right-to-left language mirrors its columns; each side keeps its alignment") {
  MonospaceMeasurer m;
  Bundle b = EnglishArabic();
  bool saw_columns = false, saw_stack = false;
  for (const auto& size : kSupportedSizes) {
    for (bool arabic_leads : {true, false}) {
      CAPTURE(size.width);
      CAPTURE(size.height);
      CAPTURE(arabic_leads);
      std::vector<std::string> languages = arabic_leads ? std::vector<std::string>{"ar", "en"}
                                                        : std::vector<std::string>{"en", "ar"};
      auto f = LayoutFrame(b, SlideView{0, languages}, size.width, size.height, m);
      REQUIRE_MESSAGE(f.ok(), f.status().message());
      CheckInvariants(*f, size.width, size.height);
      Sides s = SlideLines(*f, b);
      REQUIRE(s.arabic.size() >= 3);
      REQUIRE(s.english.size() >= 3);
      // Right-to-left lines share one right edge, their column's: the text
      // area's own (give or take the pixel an odd width leaves).
      const int arabic_right = s.arabic.front().right();
      for (const auto& box : s.arabic) CHECK(box.right() == arabic_right);
      CHECK(arabic_right <= f->safe_area.right());
      CHECK(arabic_right >= f->safe_area.right() - 1);
      for (const auto& box : s.english) CHECK(box.x == f->safe_area.x);
      if (SideBySide(s)) {
        saw_columns = true;
        // Nothing crosses into the other column: whichever leads, Arabic is
        // on the right, English on the left, apart.
        int english_right = 0, arabic_left = f->safe_area.right();
        for (const auto& box : s.english) english_right = std::max(english_right, box.right());
        for (const auto& box : s.arabic) arabic_left = std::min(arabic_left, box.x);
        CHECK(english_right < arabic_left);
      } else {
        saw_stack = true;
        // Stacked: the lead on top.
        int arabic_top = s.arabic.front().y, english_top = s.english.front().y;
        for (const auto& box : s.arabic) arabic_top = std::min(arabic_top, box.y);
        for (const auto& box : s.english) english_top = std::min(english_top, box.y);
        CHECK((arabic_top < english_top) == arabic_leads);
      }
    }
  }
  CHECK(saw_columns);
  CHECK(saw_stack);
}

TEST_CASE("right-to-left column mirroring: the lead column's side follows the lead language") {
  MonospaceMeasurer m;
  Bundle b = EnglishArabic();
  std::string en, ar, fr;
  for (int i = 0; i < 40; ++i) en += "word ", ar += "كلمة ", fr += "mot ";
  b.slides[0].texts = {{"en", SlideText{"Out?", {en}}},
                       {"ar", SlideText{"هل تريد الخروج؟", {ar}}},
                       {"fr", SlideText{"Sortir ?", {fr}}}};
  // At 1920x1080 a pair of paragraphs goes side by side.
  for (const std::vector<std::string>& pair :
       {std::vector<std::string>{"ar", "fr"}, std::vector<std::string>{"en", "fr"}}) {
    auto f = LayoutFrame(b, SlideView{0, pair}, 1920, 1080, m);
    REQUIRE(f.ok());
    int top = f->texts[0].box.y;
    CHECK(std::count_if(f->texts.begin(), f->texts.end(),
                        [&](const PlacedText& t) { return t.box.y == top; }) == 2);
  }
  auto ar_fr = LayoutFrame(b, SlideView{0, {"ar", "fr"}}, 1920, 1080, m);
  auto fr_ar = LayoutFrame(b, SlideView{0, {"fr", "ar"}}, 1920, 1080, m);
  REQUIRE(ar_fr.ok());
  REQUIRE(fr_ar.ok());
  auto x_of = [](const FrameLayout& f, const std::string& text) {
    for (const auto& t : f.texts) {
      if (t.text == text) return t.box.x;
    }
    return -1;
  };
  // The French title starts the left column either way (Arabic always takes
  // the right one), and the columns are the same size: same place.
  CHECK(x_of(*ar_fr, "Sortir ?") == ar_fr->safe_area.x);
  CHECK(x_of(*fr_ar, "Sortir ?") == fr_ar->safe_area.x);
  CHECK(x_of(*ar_fr, "هل تريد الخروج؟") > x_of(*ar_fr, "Sortir ?"));
  CHECK(x_of(*fr_ar, "هل تريد الخروج؟") > x_of(*fr_ar, "Sortir ?"));
  // Two left-to-right languages: the lead on the left.
  auto fr_en = LayoutFrame(b, SlideView{0, {"fr", "en"}}, 1920, 1080, m);
  auto en_fr = LayoutFrame(b, SlideView{0, {"en", "fr"}}, 1920, 1080, m);
  REQUIRE(fr_en.ok());
  REQUIRE(en_fr.ok());
  CHECK(x_of(*fr_en, "Sortir ?") == fr_en->safe_area.x);
  CHECK(x_of(*en_fr, "Sortir ?") > en_fr->safe_area.x);
  CHECK(x_of(*en_fr, "Out?") == en_fr->safe_area.x);
}

TEST_CASE("the band's call label and QR caption follow the languages on screen") {
  MonospaceMeasurer m;
  Bundle b = OneSlide({"Bonjour."}, {"Hello."});
  b.slides[0].SetText("iu", SlideText{"ᐊᐃ", {"ᐅᖃᐅᓯᖅ."}});
  // The band's lines beside the QR code (label, number, e-mail), then the
  // caption under it.
  auto band_lines = [&](const std::vector<std::string>& languages) {
    auto f = LayoutFrame(b, SlideView{0, languages}, 1920, 1080, m);
    REQUIRE_MESSAGE(f.ok(), f.status().message());
    std::vector<std::string> lines, captions;
    for (const auto& t : f->texts) {
      if (t.box.y < f->boxes.front().rect.y) continue;  // the slide's
      (t.box.x < f->qr.tile.right() ? captions : lines).push_back(t.text);
    }
    lines.insert(lines.end(), captions.begin(), captions.end());
    return lines;
  };
  const std::string dot = "  \xC2\xB7  ";
  CHECK(band_lines({"fr", "en"}) ==
        std::vector<std::string>{"Appelez" + dot + "Call", "1-800-292-1168",
                                 "HumanTrafficking@ottawapolice.ca", "Scannez pour appeler",
                                 "Scan to call"});
  CHECK(band_lines({"en", "fr"})[0] == "Call" + dot + "Appelez");
  CHECK(band_lines({"en", "fr"})[3] == "Scan to call");
  CHECK(band_lines({"en"}) == std::vector<std::string>{"Call", "1-800-292-1168",
                                                       "HumanTrafficking@ottawapolice.ca",
                                                       "Scan to call"});
  CHECK(band_lines({"fr"})[0] == "Appelez");
  // No Inuktitut lines: the bundle's first ones fill in, up to two, each once.
  CHECK(band_lines({"iu"})[0] == "Appelez" + dot + "Call");
  CHECK(band_lines({"iu", "en"})[0] == "Call" + dot + "Appelez");
  CHECK(band_lines({"iu", "fr"})[0] == "Appelez" + dot + "Call");
  b.contact.call_labels.emplace_back("iu", "ᐃᑲᔪᕐᓂᖅ");
  b.contact.qr_captions.emplace_back("iu", "ᐊᐃ");
  CHECK(band_lines({"iu"}) == std::vector<std::string>{"ᐃᑲᔪᕐᓂᖅ", "1-800-292-1168",
                                                       "HumanTrafficking@ottawapolice.ca", "ᐊᐃ"});
}

TEST_CASE("one type scale: every slide and both languages at the size the longest needs") {
  MonospaceMeasurer m;
  std::string long_fr;
  for (int i = 0; i < 200; ++i) long_fr += "mot ";
  Bundle b = OneSlide({long_fr}, {"Short."});
  Slide second = b.slides[0];
  second.id = "second";
  second.SetText("fr", SlideText{"Deux", {"Court."}});
  second.SetText("en", SlideText{"Two", {"Short."}});
  b.slides.push_back(second);
  for (bool alternate : {false, true}) {
    std::vector<SlideView> views;
    for (size_t i = 0; i < b.slides.size(); ++i) {
      if (alternate) {
        views.push_back(SlideView{i, {"fr"}});
        views.push_back(SlideView{i, {"en"}});
      } else {
        views.push_back(SlideView{i, {"fr", "en"}});
      }
    }
    // A portrait screen has height to spare: the French is longer there.
    for (auto [w, h, words] :
         {std::tuple{1920, 1080, 200}, std::tuple{1080, 1920, 400}, std::tuple{800, 480, 200}}) {
      CAPTURE(w);
      CAPTURE(alternate);
      std::string long_text;
      for (int i = 0; i < words; ++i) long_text += "mot ";
      b.slides[0].text("fr")->body = {long_text};
      auto scale = ChooseTypeScale(b, views, w, h, m);
      REQUIRE_MESSAGE(scale.ok(), scale.status().message());
      CHECK(scale->headline_px >= kHeadlineToBody * scale->body_px);
      CHECK(scale->hotline_px > scale->headline_px);
      CHECK(scale->band_line_px >= scale->body_px);
      CHECK(scale->side_by_side == (w > h));
      // Short slides and the short language do not get larger type: the
      // French alone decides, and the others follow it.
      auto only_long = ChooseTypeScale(b, {views.front()}, w, h, m);
      REQUIRE(only_long.ok());
      CHECK(only_long->body_px == scale->body_px);
      auto only_short = ChooseTypeScale(b, {views.back()}, w, h, m);
      REQUIRE(only_short.ok());
      CHECK(only_short->body_px > scale->body_px);
      for (const auto& view : views) {
        auto f = LayoutFrame(b, view, w, h, m, *scale);
        REQUIRE_MESSAGE(f.ok(), f.status().message());
        CHECK(f->body_px == scale->body_px);
        CHECK(f->hotline_px == scale->hotline_px);
        for (const auto& t : f->texts) {
          if (t.text == "1-800-292-1168") CHECK(t.px == scale->hotline_px);
          if (t.text == "Titre" || t.text == "Title" || t.text == "Deux" || t.text == "Two") {
            CHECK(t.px == scale->headline_px);
          }
        }
        CheckInvariants(*f, w, h);
      }
    }
  }
}

// A monospace measurer that notes each size it is asked about: with the real
// fonts every new size loads the glyphs of each line measured at it, which
// made choosing the type scale most of the player's start-up.
class SizeNotingMeasurer final : public TextMeasurer {
 public:
  int Width(std::string_view utf8, FontFace face, int px) override {
    sizes.insert({face, px});
    return inner.Width(utf8, face, px);
  }
  int LineHeight(FontFace face, int px) override {
    sizes.insert({face, px});
    return inner.LineHeight(face, px);
  }
  MonospaceMeasurer inner;
  std::set<std::pair<FontFace, int>> sizes;
};

TEST_CASE("the type scale is chosen measuring text at a handful of sizes, with the same answer") {
  // Slides of different lengths, as in a real bundle: the longest decides.
  Bundle b = OneSlide({"Un paragraphe court."}, {"A short paragraph."});
  for (int words : {20, 40, 60, 80}) {
    Slide s = b.slides[0];
    s.id = "s" + std::to_string(words);
    std::string fr, en;
    for (int i = 0; i < words; ++i) {
      fr += "parole ";
      en += "word ";
    }
    s.SetText("fr", SlideText{"Titre d'une diapositive", {fr, "Encore un paragraphe."}});
    s.SetText("en", SlideText{"A slide's title", {en, "One more paragraph."}});
    b.slides.push_back(s);
  }
  std::vector<SlideView> views;
  for (size_t i = 0; i < b.slides.size(); ++i) views.push_back(SlideView{i, {"fr", "en"}});
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{1280, 720}, std::pair{1080, 1920}}) {
    CAPTURE(w);
    SizeNotingMeasurer noting;
    auto scale = ChooseTypeScale(b, views, w, h, noting);
    REQUIRE_MESSAGE(scale.ok(), scale.status().message());
    // A bisection over body sizes, each with its own search for the
    // number, measured at about forty sizes.
    CHECK(noting.sizes.size() <= 16);
    INFO("sizes measured: ", noting.sizes.size());
    // Every slide fits at the answer.
    MonospaceMeasurer m;
    for (const auto& view : views) {
      auto f = LayoutFrame(b, view, w, h, m, *scale);
      CHECK_MESSAGE(f.ok(), f.status().message());
    }
  }
}

TEST_CASE(
    "the type scale search reports progress as it lays out slides (a slow board's watchdog)") {
  Bundle b = OneSlide({"Un paragraphe court."}, {"A short paragraph."});
  for (int i = 0; i < 5; ++i) {
    Slide s = b.slides[0];
    s.id = "s" + std::to_string(i);
    b.slides.push_back(s);
  }
  std::vector<SlideView> views;
  for (size_t i = 0; i < b.slides.size(); ++i) views.push_back(SlideView{i, {"fr", "en"}});
  MonospaceMeasurer m;
  LayoutOptions options;
  int calls = 0;
  options.progress = [&calls] { ++calls; };
  auto scale = ChooseTypeScale(b, views, 1920, 1080, m, options);
  REQUIRE_MESSAGE(scale.ok(), scale.status().message());
  // At least one call per slide: every slide is laid out at the answer.
  CHECK(calls >= static_cast<int>(views.size()));
  // Without a callback the search runs the same.
  auto quiet = ChooseTypeScale(b, views, 1920, 1080, m);
  REQUIRE(quiet.ok());
  CHECK(quiet->body_px == scale->body_px);
}

// Widths far from proportional to the size (a guess scaled from one
// reference size is wrong by a factor of ten at small sizes): the exact
// search alone then decides.
class QuadraticMeasurer final : public TextMeasurer {
 public:
  int Width(std::string_view utf8, FontFace face, int px) override {
    return static_cast<int>(std::lround(inner.Width(utf8, face, px) * px / divisor));
  }
  int LineHeight(FontFace face, int px) override { return inner.LineHeight(face, px); }
  MonospaceMeasurer inner;
  double divisor = 10;
};

TEST_CASE("a wrong guess of the type scale does not change it: every slide fits at the answer") {
  Bundle b = OneSlide({"Un paragraphe court."}, {"A short paragraph."});
  std::vector<SlideView> views = {SlideView{0, {"fr", "en"}}};
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{1280, 720}}) {
    CAPTURE(w);
    QuadraticMeasurer m;
    // At a tenth, the guess is far too small: the exact check walks up.
    // These widths cannot meet the floors.
    LayoutOptions relaxed;
    relaxed.enforce_floors = false;
    auto far = ChooseTypeScale(b, views, w, h, m, relaxed);
    REQUIRE_MESSAGE(far.ok(), far.status().message());
    auto f = LayoutFrame(b, views[0], w, h, m, *far, relaxed);
    CHECK_MESSAGE(f.ok(), f.status().message());
    // At a fortieth, the guess sees no band at the floors although there
    // is one: the exact search alone decides.
    m.divisor = 40;
    auto none = ChooseTypeScale(b, views, w, h, m);
    REQUIRE_MESSAGE(none.ok(), none.status().message());
    CHECK(none->body_px > static_cast<int>(h * kBodyFloor));
    f = LayoutFrame(b, views[0], w, h, m, *none);
    CHECK_MESSAGE(f.ok(), f.status().message());
  }
}

TEST_CASE("a slide that cannot fit does not shrink the others, and fails naming slide and size") {
  MonospaceMeasurer m;
  std::string para;
  for (int i = 0; i < 900; ++i) para += "mot ";
  Bundle b = OneSlide({"Un."}, {"One."});
  Slide huge = b.slides[0];
  huge.id = "huge";
  huge.SetText("fr", SlideText{"Titre", {para}});
  b.slides.push_back(huge);
  std::vector<SlideView> views = {SlideView{0, {"fr", "en"}}, SlideView{1, {"fr", "en"}}};
  auto scale = ChooseTypeScale(b, views, 1280, 720, m);
  REQUIRE(scale.ok());
  CHECK(scale->body_px > static_cast<int>(720 * kBodyFloor));
  CHECK(LayoutFrame(b, views[0], 1280, 720, m, *scale).ok());
  auto f = LayoutFrame(b, views[1], 1280, 720, m, *scale);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message().rfind("slide \"huge\" (fr+en) at 1280x720: the text does not fit",
                                   0) == 0);
  // kiosk validate says the same.
  auto problems = ValidateBundle(b, m, {{1280, 720}});
  CHECK(std::any_of(problems.begin(), problems.end(), [](const std::string& p) {
    return p.rfind("slide \"huge\" (fr+en) at 1280x720: the text does not fit", 0) == 0;
  }));
}

TEST_CASE("a bundle's logo gets a slot at the band's end, clear of text and QR code") {
  MonospaceMeasurer m;
  Bundle b = OneSlide({"Bonjour."}, {"Hello."});
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{1080, 1920}, std::pair{800, 480}}) {
    CAPTURE(w);
    auto none = LayoutFrame(b, SlideView{}, w, h, m);
    REQUIRE(none.ok());
    CHECK(none->logo_slot == Rect{});  // the built-in bundle has none
    b.contact.logo = "logo.png";
    auto f = LayoutFrame(b, SlideView{}, w, h, m);
    b.contact.logo.clear();
    REQUIRE_MESSAGE(f.ok(), f.status().message());
    const Rect& slot = f->logo_slot;
    CHECK(slot.w > 0);
    CHECK(slot.w == slot.h);
    CHECK(f->safe_area.Contains(slot));
    CHECK(slot.y >= f->boxes.front().rect.y);  // in the band
    auto overlap = [](const Rect& a, const Rect& o) {
      return a.x < o.right() && o.x < a.right() && a.y < o.bottom() && o.y < a.bottom();
    };
    CHECK_FALSE(overlap(slot, f->qr.tile));
    for (const auto& t : f->texts) CHECK_FALSE_MESSAGE(overlap(slot, t.box), t.text);
  }
}

TEST_CASE("a view of a language the slide lacks is an error naming slide and language") {
  MonospaceMeasurer m;
  auto f = LayoutFrame(OneSlide({"Un."}, {"One."}), SlideView{0, {"fr", "iu"}}, 1920, 1080, m);
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message() == "slide \"t\" (fr+iu) at 1920x1080: the slide has no \"iu\" text");
}

TEST_CASE("validate names each character no font can draw, with slide, language and field") {
  MissingGlyphMeasurer m(U"\u1403\u0629");  // ᐃ and ة
  Bundle b = OneSlide({"Un."}, {"One."});
  b.slides[0].SetText("iu", SlideText{"ᐊᐃ", {"ᐅᖃᐅᓯᖅ ᐃᐃ ᐃ."}});
  b.slides[0].shared = {"Windrose", "ᐃᓄᐃᑦ"};
  b.contact.labels.emplace_back("ar", "مساعدة");
  auto problems = ValidateBundle(b, m, {{1920, 1080}});
  const std::vector<std::string> expected = {
      "contact.label.ar: no font of the player can draw U+0629 (it would show as an empty box); "
      "use other characters or ask for a font that has them",
      "slide \"t\" (iu, title): no font of the player can draw U+1403 (it would show as an empty "
      "box); use other characters or ask for a font that has them",
      "slide \"t\" (iu, body[0]): no font of the player can draw U+1403 (it would show as an "
      "empty box); use other characters or ask for a font that has them",
      "slide \"t\" (shared[1]): no font of the player can draw U+1403 (it would show as an empty "
      "box); use other characters or ask for a font that has them"};
  CHECK(problems == expected);
  // Several characters in one text: each named, in order.
  b.slides[0].text("fr")->title = "ة et ᐃ";
  problems = ValidateBundle(b, m, {{1920, 1080}});
  CHECK(std::find(problems.begin(), problems.end(),
                  "slide \"t\" (fr, title): no font of the player can draw U+0629, U+1403 (it "
                  "would show as an empty box); use other characters or ask for a font that has "
                  "them") != problems.end());
  // A measurer that can draw everything finds nothing.
  MonospaceMeasurer all;
  CHECK(ValidateBundle(b, all, {{1920, 1080}}).empty());
}

TEST_CASE("validate warns of a slide missing the unit's languages, and checks every pair") {
  Bundle b = OneSlide({"Un."}, {"One."});
  Slide only_iu;
  only_iu.id = "iu-only";
  only_iu.SetText("iu", SlideText{"ᐊᐃ", {}});
  b.slides.push_back(only_iu);
  b.slides[0].SetText("ar", SlideText{"مرحبا", {}});
  CHECK(LanguageWarnings(b, {"fr", "en"}) ==
        std::vector<std::string>{"slide \"iu-only\" has no \"fr\", \"en\" text; it has none of "
                                 "the languages, so units show it in its own (iu)"});
  CHECK(LanguageWarnings(b, {"fr", "ar"}) ==
        std::vector<std::string>{"slide \"iu-only\" has no \"fr\", \"ar\" text; it has none of "
                                 "the languages, so units show it in its own (iu)"});
  CHECK(LanguageWarnings(b, {"en", "iu"}) ==
        std::vector<std::string>{
            "slide \"t\" has no \"iu\" text; units set to show it leave it out of that "
            "language (shown in en)",
            "slide \"iu-only\" has no \"en\" text; units set to show it leave it out of that "
            "language (shown in iu)"});
  // Validation lays out each language alone and each pair: a too-long Arabic
  // text is found even though a fr/en unit would never show it.
  MonospaceMeasurer m;
  std::string para;
  for (int i = 0; i < 900; ++i) para += "كلمة ";
  b.slides[0].text("ar")->body = {para};
  auto problems = ValidateBundle(b, m, {{1920, 1080}});
  auto has = [&](const std::string& start) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.rfind(start, 0) == 0; });
  };
  CHECK(has("slide \"t\" (ar) at 1920x1080: the text does not fit"));
  CHECK(has("slide \"t\" (fr+ar) at 1920x1080: the text does not fit"));
  CHECK(has("slide \"t\" (en+ar) at 1920x1080: the text does not fit"));
  CHECK_FALSE(has("slide \"t\" (fr+en)"));
  CHECK_FALSE(has("slide \"iu-only\""));
}

}  // namespace kiosk
