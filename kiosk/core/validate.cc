#include "kiosk/core/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kiosk/core/contact_mentions.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/rotation.h"

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

}  // namespace

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
  for (LanguageLayout mode : {LanguageLayout::kBilingual, LanguageLayout::kAlternate}) {
    for (const auto& timed : BuildCycle(bundle, mode)) {
      for (const auto& size : sizes) {
        auto frame = LayoutFrame(bundle, timed.view, size.width, size.height, measurer, options);
        // The band's problems are the same on every slide: report each once.
        if (!frame.ok() && std::find(problems.begin(), problems.end(), frame.status().message()) ==
                               problems.end()) {
          problems.push_back(frame.status().message());
        }
      }
    }
  }
  return problems;
}

}  // namespace kiosk
