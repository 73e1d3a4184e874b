// A monospace text measurer for layout tests: every code point is half an em
// wide, lines are 1.25 em apart. Counts calls so tests can see the work done.
#pragma once

#include <cmath>
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

}  // namespace kiosk
