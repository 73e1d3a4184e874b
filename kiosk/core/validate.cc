#include "kiosk/core/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kiosk/core/contact_mentions.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/line_break.h"

namespace kiosk {
namespace {

double Linear(uint8_t channel) {
  double c = channel / 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double Luminance(Color c) {
  return 0.2126 * Linear(c.r) + 0.7152 * Linear(c.g) + 0.0722 * Linear(c.b);
}

std::string Hex(Color c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02X%02X%02X", c.r, c.g, c.b);
  return buf;
}

void CheckContrast(const std::string& where, const Theme& theme,
                   std::vector<std::string>& problems) {
  struct Pair {
    const char* what;
    Color fg, bg;
  } pairs[] = {{"text on background", theme.text, theme.background},
               {"accent (titles) on background", theme.accent, theme.background},
               {"band_text on band_background", theme.band_text, theme.band_background}};
  for (const auto& p : pairs) {
    double ratio = ContrastRatio(p.fg, p.bg);
    if (ratio < kMinimumContrast) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f:1", ratio);
      problems.push_back(where + ": " + p.what + " (" + Hex(p.fg) + " on " + Hex(p.bg) +
                         ") has contrast " + buf + ", below the 7:1 minimum (WCAG AAA)");
    }
  }
}

// "U+1403, U+140A".
std::string CodePoints(const std::u32string& characters) {
  std::string out;
  for (char32_t c : characters) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    if (!out.empty()) out += ", ";
    out += buf;
  }
  return out;
}

// Every text a frame can show, drawn with the face it is drawn in: a
// character no font has would show as an empty box.
void CheckDrawable(const Bundle& bundle, TextMeasurer& measurer,
                   std::vector<std::string>& problems) {
  auto check = [&](const std::string& where, const std::string& text, FontFace face) {
    std::u32string missing = measurer.Undrawable(text, face);
    if (missing.empty()) return;
    problems.push_back(where + ": no font of the player can draw " + CodePoints(missing) +
                       " (it would show as an empty box); use other characters or ask for "
                       "a font that has them");
  };
  for (const auto& [tag, label] : bundle.contact.labels) {
    check("contact.label." + tag, label, FontFace::kRegular);
  }
  for (const auto& [tag, label] : bundle.contact.call_labels) {
    check("contact.call." + tag, label, FontFace::kRegular);
  }
  for (const auto& [tag, caption] : bundle.contact.qr_captions) {
    check("contact.qr_caption." + tag, caption, FontFace::kRegular);
  }
  for (const auto& slide : bundle.slides) {
    const std::string name = "slide \"" + slide.id + "\" (";
    for (const auto& [tag, text] : slide.texts) {
      check(name + tag + ", title)", text.title, FontFace::kBold);
      for (size_t i = 0; i < text.body.size(); ++i) {
        check(name + tag + ", body[" + std::to_string(i) + "])", text.body[i], FontFace::kRegular);
      }
    }
    for (size_t i = 0; i < slide.shared.size(); ++i) {
      check(name + "shared[" + std::to_string(i) + "])", slide.shared[i], FontFace::kRegular);
    }
  }
}

// The views a unit may show of a slide, whatever its languages setting:
// each language alone (alternate) and each two together (a pair; which one
// leads changes the order, not the space they need).
std::vector<SlideView> EveryView(const Bundle& bundle) {
  std::vector<SlideView> views;
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    const SlideTexts& texts = bundle.slides[i].texts;
    for (size_t a = 0; a < texts.size(); ++a) {
      for (size_t b = a + 1; b < texts.size(); ++b) {
        views.push_back(SlideView{i, {texts[a].first, texts[b].first}});
      }
    }
    for (const auto& [tag, text] : texts) views.push_back(SlideView{i, {tag}});
  }
  return views;
}

// The lines a frame shows a title on: consecutive bold lines that, joined
// by spaces, are the title. Empty when the frame does not show it.
std::vector<std::string> TitleLines(const FrameLayout& frame, const std::string& title) {
  for (size_t start = 0; start < frame.texts.size(); ++start) {
    std::vector<std::string> lines;
    std::string joined;
    for (size_t i = start; i < frame.texts.size(); ++i) {
      const PlacedText& t = frame.texts[i];
      if (t.face != FontFace::kBold) break;
      joined += (lines.empty() ? "" : " ") + t.text;
      lines.push_back(t.text);
      if (joined == title) return lines;
      if (title.compare(0, joined.size(), joined) != 0) break;
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> TitleWarnings(const Bundle& bundle, TextMeasurer& measurer,
                                       const std::vector<ScreenSize>& sizes,
                                       const LayoutOptions& options) {
  std::vector<std::string> warnings;
  std::vector<std::string> said;  // slide, language and size, once each
  for (const auto& view : EveryView(bundle)) {
    const Slide& slide = bundle.slides[view.slide_index];
    for (const auto& size : sizes) {
      auto frame = LayoutFrame(bundle, view, size.width, size.height, measurer, options);
      if (!frame.ok()) continue;
      for (const auto& tag : view.languages) {
        const SlideText* text = slide.text(tag);
        if (text == nullptr) continue;
        auto lines = TitleLines(*frame, text->title);
        if (lines.size() < 2 || UnbreakableRuns(lines.back()).size() != 1) continue;
        const std::string where = "slide \"" + slide.id + "\" (" + tag + ", title) at " +
                                  std::to_string(size.width) + "x" + std::to_string(size.height);
        if (std::find(said.begin(), said.end(), where) != said.end()) continue;
        said.push_back(where);
        warnings.push_back(where + ": the last line is the single word \"" + lines.back() +
                           "\"; reword or shorten the title");
      }
    }
  }
  return warnings;
}

std::vector<std::string> LanguageWarnings(const Bundle& bundle,
                                          const std::vector<std::string>& unit_languages) {
  std::vector<std::string> warnings;
  for (const auto& slide : bundle.slides) {
    std::vector<std::string> missing;
    for (const auto& tag : unit_languages) {
      if (slide.text(tag) == nullptr) missing.push_back(tag);
    }
    if (missing.empty()) continue;
    std::string list, shown_list;
    for (const auto& tag : missing) list += (list.empty() ? "\"" : ", \"") + tag + "\"";
    for (const auto& tag : LanguagesShown(slide, unit_languages)) {
      shown_list += (shown_list.empty() ? "" : ", ") + tag;
    }
    const bool none = missing.size() == unit_languages.size();
    warnings.push_back(
        "slide \"" + slide.id + "\" has no " + list + " text; " +
        (none
             ? "it has none of the languages, so units show it in its own (" + shown_list + ")"
             : "units set to show it leave it out of that language (shown in " + shown_list + ")"));
  }
  return warnings;
}

std::vector<std::string> CopyWarnings(const Bundle& bundle) {
  std::vector<std::string> warnings;
  Millis cycle{0};
  for (const auto& slide : bundle.slides) {
    cycle += slide.duration;
    for (const auto& [tag, text] : slide.texts) {
      const size_t words = CountWords(text);
      if (words <= kPosterWordLimit) continue;
      warnings.push_back("slide \"" + slide.id + "\" (" + tag + ") has " + std::to_string(words) +
                         " words; a passer-by reads a sign in a few seconds: keep each language "
                         "to " +
                         std::to_string(kPosterWordLimit) +
                         " words or fewer (title and body), or split the slide");
    }
  }
  if (cycle > kCycleTarget) {
    warnings.push_back("the rotation takes " + std::to_string(cycle.count() / 1000) +
                       " s to show every slide once; keep it within " +
                       std::to_string(kCycleTarget.count() / 1000) +
                       " s (fewer or shorter slides) so a person waiting sees all of it");
  }
  return warnings;
}

double ContrastRatio(Color a, Color b) {
  double la = Luminance(a), lb = Luminance(b);
  if (la < lb) std::swap(la, lb);
  return (la + 0.05) / (lb + 0.05);
}

std::vector<std::string> ValidateBundle(const Bundle& bundle, TextMeasurer& measurer,
                                        const std::vector<ScreenSize>& sizes,
                                        const LayoutOptions& options, const PinnedContact& pinned) {
  std::vector<std::string> problems = CheckPinnedContact(bundle, pinned);
  for (auto& p : CheckContactMentions(bundle)) problems.push_back(std::move(p));
  CheckContrast("theme", bundle.theme, problems);
  for (const auto& slide : bundle.slides) {
    if (!(slide.theme == bundle.theme))
      CheckContrast("slide \"" + slide.id + "\" theme", slide.theme, problems);
  }
  CheckDrawable(bundle, measurer, problems);
  const std::vector<SlideView> views = EveryView(bundle);
  for (const auto& size : sizes) {
    // One scale for the size: a view that does not fit at it does not fit
    // even at the floors (ChooseTypeScale), and its layout says so.
    auto scale = ChooseTypeScale(bundle, views, size.width, size.height, measurer, options);
    if (!scale.ok()) {
      if (std::find(problems.begin(), problems.end(), scale.status().message()) == problems.end())
        problems.push_back(scale.status().message());
      continue;
    }
    for (const auto& view : views) {
      auto frame = LayoutFrame(bundle, view, size.width, size.height, measurer, *scale, options);
      // The band's problems are the same on many slides: report each once.
      if (!frame.ok() &&
          std::find(problems.begin(), problems.end(), frame.status().message()) == problems.end()) {
        problems.push_back(frame.status().message());
      }
    }
  }
  return problems;
}

}  // namespace kiosk
