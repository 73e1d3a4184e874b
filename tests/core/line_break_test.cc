#include "kiosk/core/line_break.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fake_measurer.h"
#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& lines) {
    std::string out = "{";
    for (const auto& line : lines) out += (out.size() > 1 ? " | " : "") + line;
    return (out + "}").c_str();
  }
};
}  // namespace doctest

namespace kiosk {
namespace {

using Lines = std::vector<std::string>;

// MonospaceMeasurer at 20 px regular: every character is 10 px wide.
Lines Break(std::string_view text, int characters, LineBreakStyle style = LineBreakStyle::kGreedy) {
  MonospaceMeasurer m;
  return BreakLines(text, characters * 10, FontFace::kRegular, 20, m, style).lines;
}

// The lines one paragraph got, in a frame: consecutive lines that joined by
// spaces are the paragraph (empty when it is not on the frame in one piece).
Lines ParagraphLines(const FrameLayout& frame, const std::string& paragraph) {
  for (size_t start = 0; start < frame.texts.size(); ++start) {
    Lines lines;
    std::string joined;
    for (size_t i = start; i < frame.texts.size(); ++i) {
      joined += (lines.empty() ? "" : " ") + frame.texts[i].text;
      lines.push_back(frame.texts[i].text);
      if (joined == paragraph) return lines;
      if (paragraph.compare(0, joined.size(), joined) != 0) break;
    }
  }
  return {};
}

Bundle BuiltIn() {
  PosixFileStore disk;
  auto b = LoadBundleDir(disk, std::string(KIOSK_SOURCE_DIR) + "/content");
  REQUIRE(b.ok());
  return *b;
}

}  // namespace

TEST_CASE("French marks stay with their word, and no-break spaces are glue kept as written") {
  // An ordinary space before ? ! : ; » and after «: a line never starts with
  // the mark, nor ends with «.
  // (Each last line keeps two words: see the body-text rule below.)
  CHECK(Break("Vous voulez en sortir ?", 21) == Lines{"Vous voulez", "en sortir ?"});
  CHECK(Break("Ligne locale : 613", 13) == Lines{"Ligne", "locale : 613"});
  CHECK(Break("dites « non merci » !", 16) == Lines{"dites", "« non merci » !"});
  CHECK(Break("Il dit « oui » et « non »", 13) == Lines{"Il dit", "« oui »", "et « non »"});
  // No-break spaces (U+00A0, U+202F, U+2060) never break and stay in the line.
  const std::string nbsp =
      "Besoin\xC2\xA0"
      "d\xE2\x80\x99"
      "aide\xE2\x80\xAF?";
  CHECK(Break("Vraiment " + nbsp, 15) == Lines{"Vraiment", nbsp});
  const std::string joiner =
      "ab\xE2\x81\xA0"
      "cd";
  CHECK(Break("xx " + joiner, 5) == Lines{"xx", joiner});
}

TEST_CASE("no break inside a phone number, its extension, an e-mail address or a URL") {
  CHECK(Break("Ligne locale : 613-236-1222, poste 5005", 30) ==
        Lines{"Ligne locale :", "613-236-1222, poste 5005"});
  CHECK(Break("Local line: 613-236-1222 ext. 5005", 27) ==
        Lines{"Local line:", "613-236-1222 ext. 5005"});
  CHECK(Break("demandez le poste 5005", 18) == Lines{"demandez", "le poste 5005"});
  // Spaces inside a number are part of it.
  CHECK(Break("Call 613 236 1222 now", 14) == Lines{"Call", "613 236 1222", "now"});
  CHECK(Break("Appelez le +1 800 292 1168", 20) == Lines{"Appelez", "le +1 800 292 1168"});
  // An address or URL too wide for a line is split only as a last resort,
  // never after its own hyphens, and the result says so.
  MonospaceMeasurer m;
  auto email = BreakLines("write to long-name@example-site.ca", 150, FontFace::kRegular, 20, m);
  CHECK(email.broke_word);
  CHECK(email.lines == Lines{"write to", "long-name@examp", "le-site.ca"});
  auto url = BreakLines("https://example.org/a-b", 120, FontFace::kRegular, 20, m);
  CHECK(url.broke_word);
  CHECK(url.lines[0] == "https://exam");
  CHECK(UnbreakableRuns("Courriel : a@b.ca, poste 12 ou 613 236 1222 poste 5005") ==
        Lines{"Courriel :", "a@b.ca,", "poste 12", "ou", "613 236 1222 poste 5005"});
}

TEST_CASE("a word wider than the line breaks after its dash before it is split anywhere else") {
  MonospaceMeasurer m;
  auto dash = BreakLines(
      "le corridor Montr\xC3\xA9"
      "al\xE2\x80\x93Toronto",
      100, FontFace::kRegular, 20, m);
  CHECK(dash.lines == Lines{"le", "corridor",
                            "Montr\xC3\xA9"
                            "al\xE2\x80\x93",
                            "Toronto"});
  CHECK_FALSE(dash.broke_word);
  // The non-breaking hyphen U+2011 is not a break.
  auto nb = BreakLines(
      "abcde\xE2\x80\x91"
      "fghij",
      60, FontFace::kRegular, 20, m);
  CHECK(nb.broke_word);
  CHECK(nb.lines[0] == "abcde\xE2\x80\x91");
}

TEST_CASE("titles are balanced: even lines, no lone last word where another break exists") {
  // Greedy fills the first line and leaves one word; balanced spreads them.
  CHECK(Break("Human trafficking can happen in your own town", 20, LineBreakStyle::kGreedy) ==
        Lines{"Human trafficking", "can happen in your", "own town"});
  CHECK(Break("Human trafficking can happen in your own town", 20, LineBreakStyle::kBalanced) ==
        Lines{"Human trafficking", "can happen in", "your own town"});
  CHECK(Break("Want to get out?", 12, LineBreakStyle::kBalanced) == Lines{"Want to", "get out?"});
  CHECK(Break("La traite de personnes, c\xE2\x80\x99"
              "est quoi ?",
              30, LineBreakStyle::kBalanced) == Lines{"La traite de personnes,",
                                                      "c\xE2\x80\x99"
                                                      "est quoi ?"});
  // Never more lines than greedy needs, and never over the width.
  for (int width = 8; width <= 40; ++width) {
    const std::string title = "Human trafficking can happen in your own town";
    Lines greedy = Break(title, width, LineBreakStyle::kGreedy);
    Lines balanced = Break(title, width, LineBreakStyle::kBalanced);
    CAPTURE(width);
    CHECK(balanced.size() == greedy.size());
    for (const auto& line : balanced) CHECK(line.size() <= static_cast<size_t>(width));
    if (balanced.size() > 1) CHECK(UnbreakableRuns(balanced.back()).size() > 1);
  }
  // Two words on two lines: nothing else exists.
  CHECK(Break("Pas seulement", 9, LineBreakStyle::kBalanced) == Lines{"Pas", "seulement"});
}

TEST_CASE("body text: a last line of one word takes the word before it along") {
  CHECK(Break("Ottawa Therapy Dogs Inc.", 20) == Lines{"Ottawa Therapy", "Dogs Inc."});
  CHECK(Break("Programme Deborah\xE2\x80\x99s Gate", 20) ==
        Lines{"Programme", "Deborah\xE2\x80\x99s Gate"});
  // ... only when the two fit together.
  CHECK(Break("aaaa bbbbbbbbb c", 10) == Lines{"aaaa", "bbbbbbbbb", "c"});
}

TEST_CASE("built-in slides at every supported size: no protected run broken, titles balanced") {
  const Bundle bundle = BuiltIn();
  MonospaceMeasurer m;
  int frames = 0;
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    const Slide& slide = bundle.slides[i];
    std::vector<SlideView> views;
    for (const auto& [tag, text] : slide.texts) views.push_back(SlideView{i, {tag}});
    views.push_back(SlideView{i, {}});
    for (const auto& view : views) {
      for (const auto& size : kSupportedSizes) {
        auto frame = LayoutFrame(bundle, view, size.width, size.height, m);
        REQUIRE(frame.ok());
        ++frames;
        for (const auto& [tag, text] : slide.texts) {
          std::vector<std::string> paragraphs = text.body;
          paragraphs.push_back(text.title);
          for (const auto& paragraph : paragraphs) {
            Lines lines = ParagraphLines(*frame, paragraph);
            if (lines.empty()) continue;  // not shown in this view
            CAPTURE(slide.id);
            CAPTURE(size.width);
            CAPTURE(size.height);
            // Every run is whole on one line: joining each line's runs gives
            // the paragraph's runs.
            Lines runs;
            for (const auto& line : lines) {
              for (auto& run : UnbreakableRuns(line)) runs.push_back(std::move(run));
            }
            CHECK(runs == UnbreakableRuns(paragraph));
            // A title's lone last word is left only where the word before it
            // cannot join it: the two together are wider than the widest
            // line of the language's text (no wider than its column), or
            // the line above has nothing else.
            if (paragraph == text.title && lines.size() > 1 &&
                UnbreakableRuns(lines.back()).size() == 1) {
              Lines above = UnbreakableRuns(lines[lines.size() - 2]);
              const int title_px = frame->texts[0].px;
              int widest = 0;
              for (const auto& p : paragraphs) {
                for (const auto& t : frame->texts) {
                  if (p.find(t.text) != std::string::npos) widest = std::max(widest, t.box.w);
                }
              }
              int together = m.Width(above.back() + " " + lines.back(), FontFace::kBold, title_px);
              CHECK_MESSAGE((above.size() < 2 || together > widest),
                            "lone last word: ", lines.back());
            }
          }
        }
      }
    }
  }
  CHECK(frames > 100);
}

TEST_CASE("validate warns of a title ending in one word, naming slide, language and size") {
  Bundle b;
  b.contact = Contact{
      "1-800-292-1168", "HumanTrafficking@ottawapolice.ca", {{"fr", "Aide"}, {"en", "Help"}}};
  Slide s;
  s.id = "long";
  // Two words too long to share a line at 800x480: a lone last word nothing
  // can avoid.
  s.SetText("fr", SlideText{"Inconstitutionnellement anticonstitutionnellement", {"Texte."}});
  s.SetText("en", SlideText{"Short title", {"Text."}});
  s.duration = Millis(10'000);
  b.slides.push_back(s);
  MonospaceMeasurer m;
  auto warnings = TitleWarnings(b, m, {{800, 480}});
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "slide \"long\" (fr, title) at 800x480: the last line is the single word "
        "\"anticonstitutionnellement\"; reword or shorten the title");
  // The English title fits one line: nothing to say about it.
  for (const auto& w : TitleWarnings(b, m)) CHECK(w.find("(en, title)") == std::string::npos);
  // A warning, not a problem: the bundle stays valid.
  CHECK(ValidateBundle(b, m, {{800, 480}}).empty());
}

}  // namespace kiosk
