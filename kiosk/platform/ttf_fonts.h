// The pinned fonts (fonts/), measured and drawn with SDL2_ttf (HarfBuzz
// shaping). SDL_ttf has no font fallback, so each line is split into runs: a
// run of characters the primary font (Noto Sans) has, or a run the fallback
// (DejaVu Sans) has; each run is shaped with its own font and the runs are
// joined on a common baseline. Measuring and drawing use the same runs, so the
// layout's widths are the drawn widths.
//
// A damaged install still shows the hotline: each pinned file is checked
// against the SHA-256 the build embedded (fonts/SHA256SUMS), and a file that
// is missing, unreadable, truncated or altered is replaced by the best system
// font fontconfig offers for the same family and weight (DejaVu Sans from
// fonts-dejavu-core, a dependency of the package). Every substitution is
// reported in problems(); the frames then differ from the pinned renders.
//
// Ownership: a FontSet owns its TTF_Font handles. Threading: a FontSet is
// used by one thread; different threads may each use their own FontSet.
// Requires TTF_Init() (done by Open when needed); SDL video is not needed for
// measuring, only for turning surfaces into textures.
#pragma once

#include <SDL.h>
#include <SDL_ttf.h>

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/status.h"
#include "kiosk/core/text_measurer.h"

namespace kiosk {

struct SurfaceDeleter {
  void operator()(SDL_Surface* s) const { SDL_FreeSurface(s); }
};
using SurfacePtr = std::unique_ptr<SDL_Surface, SurfaceDeleter>;

class FontSet final : public TextMeasurer {
 public:
  // The files FontSet loads from a fonts directory.
  static constexpr const char* kRegularFile = "NotoSans-Regular.ttf";
  static constexpr const char* kBoldFile = "NotoSans-Bold.ttf";
  static constexpr const char* kFallbackRegularFile = "DejaVuSans.ttf";
  static constexpr const char* kFallbackBoldFile = "DejaVuSans-Bold.ttf";

  // Loads the four pinned files from dir, replacing each damaged or missing
  // one by a system font (see above). Fails, naming the file, only when a
  // pinned file is unusable and no usable system font exists either.
  static Result<std::unique_ptr<FontSet>> Open(const std::filesystem::path& dir);

  // One line per pinned file that was replaced, naming it, what was wrong
  // and the system font used instead. Empty when every pinned font is intact.
  const std::vector<std::string>& problems() const { return problems_; }

  ~FontSet() override;
  FontSet(const FontSet&) = delete;
  FontSet& operator=(const FontSet&) = delete;

  int Width(std::string_view utf8, FontFace face, int px) override;
  int LineHeight(FontFace face, int px) override;

  // Closes every per-size font and forgets cached widths. Laying out a
  // bundle tries dozens of sizes; the slides then use a handful. Call after
  // layout to give the rest back (they reopen on demand).
  void Trim();

  // One line of text as an ARGB8888 surface, LineHeight(face, px) tall, with
  // the text's colour and alpha coverage. Null with an SDL error on failure.
  SurfacePtr Render(std::string_view utf8, FontFace face, int px, Color color);

 private:
  struct Run {
    TTF_Font* font;
    std::string text;
  };
  FontSet() = default;
  // Makes bytes the font of slot if they load (and, when check_glyphs, draw
  // every character a slide needs); otherwise leaves the slot empty.
  bool Use(int slot, std::vector<uint8_t> bytes, bool check_glyphs);
  // The font file `slot` (0/1 primary regular/bold, 2/3 fallback) at px,
  // opened once per size: resizing one TTF_Font instead flushes its glyph
  // cache on every call and made layout 20x slower.
  TTF_Font* Font(int slot, int px);
  std::vector<Run> Runs(std::string_view utf8, FontFace face, int px);
  void EvictIfFull();

  std::vector<std::string> problems_;
  std::vector<uint8_t> files_[4];             // font file bytes, shared by all sizes
  std::unordered_map<int, TTF_Font*> sized_;  // key: slot << 16 | px
  std::unordered_map<std::string, int> width_cache_;
};

}  // namespace kiosk
