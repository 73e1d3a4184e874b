// How big text is, behind an interface: the layout is pure arithmetic on these
// answers, tested with a real font (platform/ttf_fonts.h) and with fakes.
//
// Units: pixels. Threading: one thread at a time.
#pragma once

#include <string>
#include <string_view>

namespace kiosk {

enum class FontFace { kRegular, kBold };

class TextMeasurer {
 public:
  virtual ~TextMeasurer() = default;
  // Advance width of one line of UTF-8 text at px pixels per em.
  virtual int Width(std::string_view utf8, FontFace face, int px) = 0;
  // Distance from one baseline to the next (the font's line skip) at px.
  virtual int LineHeight(FontFace face, int px) = 0;
  // The characters of utf8 that no font of this measurer can draw, each once,
  // in order of first appearance: a sign must never show an empty box, so
  // `kiosk validate` refuses text that has any. The default (fakes) knows of
  // no missing character. Spaces and line-breaking controls never count.
  virtual std::u32string Undrawable(std::string_view /*utf8*/, FontFace /*face*/) { return {}; }
};

}  // namespace kiosk
