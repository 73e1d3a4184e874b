// FontSet with scripts other than Latin: Arabic (right to left, joined) and
// Inuktitut syllabics, on published text (Article 1 of the Universal
// Declaration of Human Rights, tests/fixtures/udhr/). The reference shaping
// is HarfBuzz's own command-line tool, hb-shape, given the same font file,
// script and direction.
#include <SDL_image.h>
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kiosk/platform/ttf_fonts.h"
#include "tests/common/child_process.h"
#include "tests/common/damaged_install.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = KIOSK_SOURCE_DIR;
const fs::path kFonts = kSource / "fonts";
constexpr const char* kHotline = "1-800-292-1168";
constexpr const char* kEmail = "HumanTrafficking@ottawapolice.ca";
constexpr int kPx = 40;

// The first paragraph of a fixture file (one line).
std::string Article1(const std::string& language) {
  std::ifstream in(kSource / "tests/fixtures/udhr" / ("article1-" + language + ".txt"));
  std::string line;
  std::getline(in, line);
  REQUIRE_MESSAGE(!line.empty(), "missing fixture article1-", language);
  return line;
}

// The text up to and including the first ". " (the first sentence).
std::string FirstSentence(const std::string& paragraph) {
  auto end = paragraph.find(". ");
  REQUIRE(end != std::string::npos);
  return paragraph.substr(0, end + 1);
}

// The first n space-separated words.
std::string Words(const std::string& text, int n) {
  size_t end = 0;
  for (int i = 0; i < n; ++i) {
    end = text.find(' ', end + 1);
    if (end == std::string::npos) return text;
  }
  return text.substr(0, end);
}

struct Glyph {
  int id;
  int advance;
  bool operator==(const Glyph& o) const { return id == o.id && advance == o.advance; }
};

std::ostream& operator<<(std::ostream& out, const std::vector<Glyph>& glyphs) {
  for (const auto& g : glyphs) out << g.id << "+" << g.advance << " ";
  return out;
}

// hb-shape's glyphs for text in font_file, advances in font units.
std::vector<Glyph> HbShape(const std::string& font_file, const std::string& script,
                           bool right_to_left, const std::string& text) {
  testing::ChildProcess hb({"/usr/bin/hb-shape", "--font-file=" + font_file, "--script=" + script,
                            std::string("--direction=") + (right_to_left ? "rtl" : "ltr"),
                            "--no-glyph-names", "--output-format=json", text});
  REQUIRE(hb.Wait(std::chrono::seconds(60)) == 0);
  auto json = nlohmann::json::parse(hb.output(), nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(json.is_array(), hb.output());
  std::vector<Glyph> glyphs;
  for (const auto& g : json) glyphs.push_back(Glyph{g.at("g").get<int>(), g.at("ax").get<int>()});
  return glyphs;
}

// The font's units per em (the 'head' table of a TrueType/OpenType file).
int UnitsPerEm(const std::string& font_file) {
  auto bytes = testing::ReadBytes(font_file);
  auto u16 = [&](size_t at) {
    return static_cast<int>(static_cast<unsigned char>(bytes.at(at)) << 8 |
                            static_cast<unsigned char>(bytes.at(at + 1)));
  };
  auto u32 = [&](size_t at) { return static_cast<size_t>(u16(at)) << 16 | u16(at + 2); };
  int tables = u16(4);
  for (int i = 0; i < tables; ++i) {
    size_t record = 12 + 16 * static_cast<size_t>(i);
    if (std::string(bytes.data() + record, 4) == "head") return u16(u32(record + 8) + 18);
  }
  FAIL("no head table in ", font_file);
  return 0;
}

// The advance of glyphs in pixels at px pixels per em.
double AdvancePx(const std::vector<Glyph>& glyphs, const std::string& font_file, int px) {
  long units = 0;
  for (const auto& g : glyphs) units += g.advance;
  return static_cast<double>(units) * px / UnitsPerEm(font_file);
}

std::string FileName(const std::string& path) { return fs::path(path).filename().string(); }

std::string Joined(const std::vector<FontSet::ShapedRun>& runs) {
  std::string text;
  for (const auto& run : runs) text += run.text;
  return text;
}

// Checks every run against hb-shape: the width SDL_ttf measured for it is
// HarfBuzz's advance for the same font, script, direction and text (plus
// at most the ink that overhangs its ends, which SDL_ttf counts in).
// Returns all glyphs, left to right.
std::vector<Glyph> CheckRunsAgainstHbShape(FontSet& fonts, const std::string& line, FontFace face) {
  auto runs = fonts.ShapedRuns(line, face, kPx);
  std::vector<Glyph> all;
  int total = 0;
  for (const auto& run : runs) {
    CAPTURE(run.text);
    CAPTURE(run.script);
    CAPTURE(run.font_file);
    auto glyphs = HbShape(run.font_file, run.script, run.right_to_left, run.text);
    for (const auto& g : glyphs) CHECK(g.id != 0);  // no missing glyph
    double advance = AdvancePx(glyphs, run.font_file, kPx);
    CHECK(run.width >= std::floor(advance) - 1);
    CHECK(run.width <= std::ceil(advance) + kPx / 8);
    total += run.width;
    all.insert(all.end(), glyphs.begin(), glyphs.end());
  }
  CHECK(total == fonts.Width(line, face, kPx));
  return all;
}

// The line drawn black on white, as a person sees it; saved for review.
SurfacePtr RenderOnWhite(FontSet& fonts, const std::string& line, const std::string& png) {
  SurfacePtr text = fonts.Render(line, FontFace::kRegular, kPx, Color{0, 0, 0});
  REQUIRE(text);
  SurfacePtr page(SDL_CreateRGBSurfaceWithFormat(0, text->w + 2 * kPx, text->h + kPx, 32,
                                                 SDL_PIXELFORMAT_ARGB8888));
  SDL_FillRect(page.get(), nullptr, SDL_MapRGB(page->format, 255, 255, 255));
  SDL_SetSurfaceBlendMode(text.get(), SDL_BLENDMODE_BLEND);
  SDL_Rect at{kPx, kPx / 2, text->w, text->h};
  SDL_BlitSurface(text.get(), nullptr, page.get(), &at);
  fs::path out = fs::path(KIOSK_BINARY_DIR) / "scripts-samples";
  fs::create_directories(out);
  CHECK(IMG_SavePNG(page.get(), (out / png).c_str()) == 0);
  return text;
}

Uint8 AlphaAt(SDL_Surface* s, int x, int y) {
  const auto* row = static_cast<const Uint8*>(s->pixels) + static_cast<size_t>(y) * s->pitch;
  return static_cast<Uint8>(reinterpret_cast<const Uint32*>(row)[x] >> 24);
}

// How many pixels of word differ in coverage from line's, with word's left
// edge at column x of line (give or take 2 columns: a word drawn inside a
// line may sit a fraction of a pixel elsewhere, so it is never exact).
long Mismatch(SDL_Surface* line, int x, SDL_Surface* word) {
  REQUIRE(line->h == word->h);
  long best = -1;
  for (int dx = -2; dx <= 2; ++dx) {
    long differ = 0;
    for (int y = 0; y < word->h; ++y) {
      for (int wx = 0; wx < word->w; ++wx) {
        int lx = x + dx + wx;
        int in_line = lx >= 0 && lx < line->w ? AlphaAt(line, lx, y) : 0;
        differ += std::abs(in_line - AlphaAt(word, wx, y)) > 64;
      }
    }
    if (best < 0 || differ < best) best = differ;
  }
  return best;
}

long InkPixels(SDL_Surface* s) {
  long ink = 0;
  for (int y = 0; y < s->h; ++y) {
    for (int x = 0; x < s->w; ++x) ink += AlphaAt(s, x, y) > 8;
  }
  return ink;
}

}  // namespace

TEST_CASE("the UDHR samples are what the fixture README says") {
  CHECK(Article1("arb").rfind("يولد جميع الناس", 0) == 0);
  CHECK(Article1("ike").rfind("ᐃᓅᔪᓕᒫᑦ ᐊᓂᖅᑎᕆᔪᓕᒫᑦ", 0) == 0);
  CHECK(Article1("fra").rfind("Tous les êtres humains", 0) == 0);
}

TEST_CASE("an Arabic line is one right-to-left run in Noto Naskh Arabic, shaped as hb-shape does") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  for (FontFace face : {FontFace::kRegular, FontFace::kBold}) {
    std::string line = Article1("arb");
    auto runs = (*fonts)->ShapedRuns(line, face, kPx);
    REQUIRE(runs.size() == 1);
    CHECK(FileName(runs[0].font_file) ==
          (face == FontFace::kBold ? FontSet::kArabicBoldFile : FontSet::kArabicRegularFile));
    CHECK(runs[0].script == "Arab");
    CHECK(runs[0].right_to_left);
    CHECK(runs[0].text == line);
    auto ours = CheckRunsAgainstHbShape(**fonts, line, face);
    // The whole line shaped in one go by hb-shape: the same glyphs.
    auto reference = HbShape(runs[0].font_file, "Arab", true, line);
    CHECK(ours == reference);
  }
}

TEST_CASE("an Inuktitut line is drawn in Noto Sans Canadian Aboriginal, left to right") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  std::string line = Article1("ike");
  auto runs = (*fonts)->ShapedRuns(line, FontFace::kRegular, kPx);
  REQUIRE(!runs.empty());
  // Visual order is logical order; every run is left to right, in script Cans.
  CHECK(Joined(runs) == line);
  for (const auto& run : runs) {
    CAPTURE(run.text);
    CHECK_FALSE(run.right_to_left);
    CHECK(run.script == "Cans");
    // Syllabics come from the syllabics font; its lacking full stop from Noto Sans.
    bool syllabics = static_cast<unsigned char>(run.text[0]) == 0xE1;
    CHECK(FileName(run.font_file) ==
          (syllabics ? FontSet::kSyllabicsRegularFile : FontSet::kRegularFile));
  }
  CheckRunsAgainstHbShape(**fonts, line, FontFace::kRegular);
  CheckRunsAgainstHbShape(**fonts, line, FontFace::kBold);
}

TEST_CASE("the hotline and the e-mail inside Arabic stay left to right, in order") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  std::string before = Words(Article1("arb"), 2), after = FirstSentence(Article1("arb"));
  std::string line = before + " " + kHotline + " " + after;
  auto runs = (*fonts)->ShapedRuns(line, FontFace::kRegular, kPx);
  CAPTURE(line);
  REQUIRE(runs.size() == 3);
  // Right to left paragraph: what comes after the number is left of it.
  CHECK(runs[0].right_to_left);
  CHECK(runs[0].text == " " + after);
  CHECK_FALSE(runs[1].right_to_left);
  CHECK(runs[1].text == kHotline);
  CHECK(FileName(runs[1].font_file) == FontSet::kRegularFile);
  CHECK(runs[2].right_to_left);
  CHECK(runs[2].text == before + " ");
  // The digits' glyphs left to right are 1, -, 8, 0, 0, ...: hb-shape in
  // Noto Sans with the run's own direction equals the digits shaped LTR.
  CHECK(HbShape(runs[1].font_file, runs[1].script, runs[1].right_to_left, runs[1].text) ==
        HbShape(runs[1].font_file, "Latn", false, kHotline));
  CheckRunsAgainstHbShape(**fonts, line, FontFace::kRegular);

  // The e-mail at the end of an Arabic line: the left-most run, whole.
  std::string with_email = after + " " + kEmail;
  auto email_runs = (*fonts)->ShapedRuns(with_email, FontFace::kBold, kPx);
  REQUIRE(email_runs.size() >= 2);
  CHECK(email_runs[0].text == kEmail);
  CHECK_FALSE(email_runs[0].right_to_left);
  CHECK(email_runs.back().right_to_left);
  CheckRunsAgainstHbShape(**fonts, with_email, FontFace::kBold);
}

TEST_CASE("a mixed line: Latin left to right, Arabic reversed as a whole, syllabics kept") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  std::string arabic = Words(Article1("arb"), 2), syllabics = Words(Article1("ike"), 1);
  std::string line = std::string("Hotline ") + arabic + " " + syllabics + " " + kHotline;
  auto runs = (*fonts)->ShapedRuns(line, FontFace::kRegular, kPx);
  CAPTURE(line);
  std::vector<std::string> texts;
  for (const auto& run : runs) texts.push_back(run.text);
  // Left-to-right paragraph (it starts with Latin); the Arabic words are one
  // right-to-left run between Latin and syllabics.
  REQUIRE(runs.size() >= 4);
  CHECK(runs[0].text == "Hotline ");
  CHECK(runs[0].script == "Latn");
  CHECK(runs[1].text == arabic);
  CHECK(runs[1].right_to_left);
  CHECK(runs[1].script == "Arab");
  CHECK(Joined(runs) == line);
  CHECK(runs.back().text.find(kHotline) != std::string::npos);
  CheckRunsAgainstHbShape(**fonts, line, FontFace::kRegular);
}

TEST_CASE("Latin lines measure as one left-to-right Latin run in Noto Sans") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  std::string line = Article1("fra");
  auto runs = (*fonts)->ShapedRuns(line, FontFace::kRegular, kPx);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].script == "Latn");
  CHECK_FALSE(runs[0].right_to_left);
  CHECK(FileName(runs[0].font_file) == FontSet::kRegularFile);
  CheckRunsAgainstHbShape(**fonts, line, FontFace::kRegular);
}

TEST_CASE("rendered Arabic is joined and runs right to left; syllabics left to right") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  FontSet& f = **fonts;
  std::string arabic = FirstSentence(Article1("arb"));
  std::string syllabics = FirstSentence(Article1("ike"));
  auto arabic_line = RenderOnWhite(f, arabic, "arabic.png");
  auto syllabics_line = RenderOnWhite(f, syllabics, "inuktitut.png");
  auto mixed_line = RenderOnWhite(
      f, std::string("Hotline ") + kHotline + " " + Words(arabic, 3) + " " + Words(syllabics, 2),
      "mixed.png");
  CHECK(arabic_line->w == f.Width(arabic, FontFace::kRegular, kPx));
  // Nothing cut off: Naskh descends below Noto Sans's descent, and the line
  // has all the ink SDL_ttf draws for the same text on its own.
  TTF_Font* naskh = TTF_OpenFont((kFonts / FontSet::kArabicRegularFile).c_str(), kPx);
  REQUIRE(naskh != nullptr);
  TTF_SetFontHinting(naskh, TTF_HINTING_LIGHT);
  TTF_SetFontScriptName(naskh, "Arab");
  TTF_SetFontDirection(naskh, TTF_DIRECTION_RTL);
  SurfacePtr alone(TTF_RenderUTF8_Blended(naskh, arabic.c_str(), SDL_Color{0, 0, 0, 255}));
  TTF_CloseFont(naskh);
  REQUIRE(alone);
  CHECK(arabic_line->h > f.LineHeight(FontFace::kRegular, kPx));
  CHECK(InkPixels(arabic_line.get()) == InkPixels(alone.get()));
  CHECK(mixed_line->w > 0);
  CHECK(InkPixels(arabic_line.get()) > 0);
  CHECK(InkPixels(syllabics_line.get()) > 0);

  // Joined: each word is narrower than its letters side by side, isolated.
  std::string word = Words(arabic, 3).substr(Words(arabic, 2).size() + 1);  // "الناس"
  int isolated = 0;
  for (size_t i = 0; i < word.size(); i += 2)
    isolated += f.Width(word.substr(i, 2), FontFace::kRegular, kPx);
  CAPTURE(word);
  CHECK(f.Width(word, FontFace::kRegular, kPx) < isolated * 9 / 10);

  // Right to left: the first word drawn alone looks like the right end of
  // the line, the last word drawn alone like its left end; the first word
  // is nothing like the left end.
  std::string two = Words(arabic, 2);
  std::string first = Words(arabic, 1), second = two.substr(first.size() + 1);
  auto two_line = f.Render(two, FontFace::kRegular, kPx, Color{0, 0, 0});
  auto first_alone = f.Render(first, FontFace::kRegular, kPx, Color{0, 0, 0});
  auto second_alone = f.Render(second, FontFace::kRegular, kPx, Color{0, 0, 0});
  REQUIRE(two_line);
  REQUIRE(first_alone);
  REQUIRE(second_alone);
  long first_ink = InkPixels(first_alone.get()), second_ink = InkPixels(second_alone.get());
  long first_at_right = Mismatch(two_line.get(), two_line->w - first_alone->w, first_alone.get());
  long second_at_left = Mismatch(two_line.get(), 0, second_alone.get());
  long first_at_left = Mismatch(two_line.get(), 0, first_alone.get());
  CAPTURE(first_ink);
  CAPTURE(first_at_right);
  CAPTURE(second_at_left);
  CAPTURE(first_at_left);
  CHECK(first_at_right * 5 < first_ink);
  CHECK(second_at_left * 5 < second_ink);
  CHECK(first_at_left * 2 > first_ink);

  // Syllabics: the first word is the left end.
  std::string ike_first = Words(syllabics, 1);
  auto ike_two = f.Render(Words(syllabics, 2), FontFace::kRegular, kPx, Color{0, 0, 0});
  auto ike_first_alone = f.Render(ike_first, FontFace::kRegular, kPx, Color{0, 0, 0});
  REQUIRE(ike_two);
  REQUIRE(ike_first_alone);
  CHECK(Mismatch(ike_two.get(), 0, ike_first_alone.get()) * 5 < InkPixels(ike_first_alone.get()));
  CHECK(Mismatch(ike_two.get(), ike_two->w - ike_first_alone->w, ike_first_alone.get()) * 2 >
        InkPixels(ike_first_alone.get()));
}

TEST_CASE("Undrawable names the characters no font has, each once, in order") {
  auto fonts = FontSet::Open(kFonts);
  REQUIRE(fonts.ok());
  for (FontFace face : {FontFace::kRegular, FontFace::kBold}) {
    for (const char* language : {"fra", "arb", "ike"}) {
      CAPTURE(language);
      CHECK((*fonts)->Undrawable(Article1(language), face).empty());
    }
    CHECK((*fonts)->Undrawable(std::string(kHotline) + " " + kEmail, face).empty());
    // Devanagari and CJK: no pinned font has them.
    CHECK((*fonts)->Undrawable("Appel: नमस्ते 人 नम 人", face) == U"नमस्ते人");
    // Spaces and controls never count, even those no font has.
    CHECK((*fonts)->Undrawable("a\u2066b\u2069\u200F\t\u3000", face).empty());
  }
}

TEST_CASE("a damaged script font leaves Latin alone; its script falls back to DejaVu Sans") {
  testing::TempDir scratch("kiosk-fonts-script");
  testing::CopyDataDir(scratch.path());
  fs::path fonts_dir = scratch.path() / "fonts";
  fs::remove(fonts_dir / FontSet::kArabicRegularFile);
  testing::TruncateToHalf(fonts_dir / FontSet::kSyllabicsBoldFile);
  auto pinned = FontSet::Open(kFonts);
  REQUIRE(pinned.ok());
  auto fonts = FontSet::Open(fonts_dir);
  REQUIRE_MESSAGE(fonts.ok(), fonts.status().message());
  const auto& problems = (*fonts)->problems();
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == (fonts_dir / FontSet::kArabicRegularFile).string() +
                           ": missing; its script is drawn with DejaVu Sans instead");
  CHECK(problems[1] == (fonts_dir / FontSet::kSyllabicsBoldFile).string() +
                           ": sha256 mismatch (damaged or truncated); its script is drawn with "
                           "DejaVu Sans instead");
  std::string french = Article1("fra");
  for (FontFace face : {FontFace::kRegular, FontFace::kBold}) {
    CHECK((*fonts)->Width(french, face, kPx) == (*pinned)->Width(french, face, kPx));
    CHECK((*fonts)->Width(kHotline, face, kPx) == (*pinned)->Width(kHotline, face, kPx));
  }
  // Arabic still right to left and joined, in DejaVu Sans; bold Arabic untouched.
  std::string arabic = Article1("arb");
  auto runs = (*fonts)->ShapedRuns(arabic, FontFace::kRegular, kPx);
  REQUIRE(runs.size() == 1);
  CHECK(FileName(runs[0].font_file) == FontSet::kFallbackRegularFile);
  CHECK(runs[0].right_to_left);
  CHECK((*fonts)->Width(arabic, FontFace::kBold, kPx) ==
        (*pinned)->Width(arabic, FontFace::kBold, kPx));
  CHECK((*fonts)->Undrawable(arabic, FontFace::kRegular).empty());
  CHECK((*fonts)->Undrawable(Article1("ike"), FontFace::kBold).empty());
  CheckRunsAgainstHbShape(**fonts, arabic, FontFace::kRegular);
  CheckRunsAgainstHbShape(**fonts, Article1("ike"), FontFace::kBold);
}

TEST_CASE("fonts loaded on demand measure and draw as fonts loaded at once") {
  auto at_once = FontSet::Open(kFonts);
  REQUIRE(at_once.ok());
  auto on_demand = FontSet::Open(kFonts, FontSet::Loading::kOnDemand);
  REQUIRE_MESSAGE(on_demand.ok(), on_demand.status().message());
  const std::string mixed = Article1("arb") + " " + kHotline + " " + Article1("ike");
  for (const std::string& text :
       {Article1("fra"), Article1("arb"), Article1("ike"), mixed, std::string("→ ") + kEmail}) {
    for (FontFace face : {FontFace::kRegular, FontFace::kBold}) {
      CAPTURE(text);
      CHECK((*on_demand)->Width(text, face, kPx) == (*at_once)->Width(text, face, kPx));
      CHECK((*on_demand)->Undrawable(text, face) == (*at_once)->Undrawable(text, face));
      SurfacePtr a = (*on_demand)->Render(text, face, kPx, Color{0, 0, 0});
      SurfacePtr b = (*at_once)->Render(text, face, kPx, Color{0, 0, 0});
      REQUIRE(a);
      REQUIRE(b);
      REQUIRE(a->w == b->w);
      REQUIRE(a->h == b->h);
      bool same = true;
      for (int y = 0; y < a->h && same; ++y) {
        same = std::memcmp(static_cast<const Uint8*>(a->pixels) + y * a->pitch,
                           static_cast<const Uint8*>(b->pixels) + y * b->pitch,
                           static_cast<size_t>(a->w) * 4) == 0;
      }
      CHECK(same);
    }
  }
  CHECK((*on_demand)->problems().empty());
}

TEST_CASE("on demand, a damaged script font is reported when a character needs it, or at LoadAll") {
  testing::TempDir scratch("kiosk-fonts-on-demand");
  testing::CopyDataDir(scratch.path());
  fs::path fonts_dir = scratch.path() / "fonts";
  testing::TruncateToHalf(fonts_dir / FontSet::kArabicRegularFile);
  testing::TruncateToHalf(fonts_dir / FontSet::kSyllabicsBoldFile);
  const std::string arabic_problem = (fonts_dir / FontSet::kArabicRegularFile).string() +
                                     ": sha256 mismatch (damaged or truncated); its script is "
                                     "drawn with DejaVu Sans instead";
  const std::string syllabics_problem = (fonts_dir / FontSet::kSyllabicsBoldFile).string() +
                                        ": sha256 mismatch (damaged or truncated); its script is "
                                        "drawn with DejaVu Sans instead";
  auto fonts = FontSet::Open(fonts_dir, FontSet::Loading::kOnDemand);
  REQUIRE_MESSAGE(fonts.ok(), fonts.status().message());
  // Only Noto Sans is checked at Open, and Latin text needs nothing else.
  CHECK((*fonts)->problems().empty());
  CHECK((*fonts)->Width(Article1("fra"), FontFace::kBold, kPx) > 0);
  CHECK((*fonts)->problems().empty());
  // Arabic needs Noto Naskh Arabic: checked now, found damaged, replaced.
  auto runs = (*fonts)->ShapedRuns(Article1("arb"), FontFace::kRegular, kPx);
  REQUIRE(runs.size() == 1);
  CHECK(FileName(runs[0].font_file) == FontSet::kFallbackRegularFile);
  REQUIRE((*fonts)->problems().size() == 1);
  CHECK((*fonts)->problems()[0] == arabic_problem);
  // LoadAll checks the rest; each problem is reported once.
  (*fonts)->LoadAll();
  REQUIRE((*fonts)->problems().size() == 2);
  CHECK((*fonts)->problems()[1] == syllabics_problem);
  (*fonts)->LoadAll();
  CHECK((*fonts)->problems().size() == 2);
}

}  // namespace kiosk
