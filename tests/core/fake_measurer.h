// A monospace text measurer for layout tests: every code point is half an em
// wide, lines are 1.25 em apart. Counts calls so tests can see the work done.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "kiosk/core/text_measurer.h"

namespace kiosk {

class MonospaceMeasurer final : public TextMeasurer {
 public:
  int Width(std::string_view utf8, FontFace face, int px) override {
    ++calls;
    int code_points = 0;
    for (unsigned char c : utf8) code_points += (c & 0xC0) != 0x80;
    double em = face == FontFace::kBold ? 0.55 : 0.5;
    return static_cast<int>(std::lround(code_points * px * em));
  }
  int LineHeight(FontFace, int px) override { return static_cast<int>(std::lround(px * 1.25)); }
  int calls = 0;
};

// A monospace measurer whose fonts lack some characters: Undrawable reports
// each character of `missing` found in the text, once, in order.
class MissingGlyphMeasurer final : public TextMeasurer {
 public:
  explicit MissingGlyphMeasurer(std::u32string missing) : missing_(std::move(missing)) {}
  int Width(std::string_view utf8, FontFace face, int px) override {
    return mono_.Width(utf8, face, px);
  }
  int LineHeight(FontFace face, int px) override { return mono_.LineHeight(face, px); }
  std::u32string Undrawable(std::string_view utf8, FontFace) override {
    std::u32string found;
    for (size_t i = 0; i < utf8.size();) {
      unsigned char lead = static_cast<unsigned char>(utf8[i]);
      size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : 4;
      char32_t c = n == 1 ? lead : lead & (0xFF >> (n + 1));
      for (size_t k = 1; k < n && i + k < utf8.size(); ++k) {
        c = (c << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
      }
      i += n;
      if (missing_.find(c) != std::u32string::npos && found.find(c) == std::u32string::npos) {
        found += c;
      }
    }
    return found;
  }

 private:
  MonospaceMeasurer mono_;
  std::u32string missing_;
};

}  // namespace kiosk
