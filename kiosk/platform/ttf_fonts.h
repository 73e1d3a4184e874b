// The pinned fonts (fonts/), measured and drawn with SDL2_ttf (HarfBuzz
// shaping). SDL_ttf has no font fallback and no bidi, so FontSet does both:
// a line (UTF-8, logical order) gets its embedding levels from FriBidi
// (paragraph direction from the first strong character, LTR if none), each
// character a font (Noto Sans for Latin, Noto Naskh Arabic for Arabic, Noto
// Sans Canadian Aboriginal for syllabics, DejaVu Sans for what they lack) and
// a script (common characters such as digits, spaces and punctuation take
// their neighbour's). Runs of one level, font and script are put in visual
// order (UAX #9 rule L2 over runs), shaped one by one with their script and
// direction (odd level: right to left) and joined on a common baseline.
// Measuring and drawing use the same runs, so the layout's widths are the
// drawn widths. Lines without right-to-left characters skip FriBidi (every
// level is 0 then) and draw exactly as before it.
//
// A damaged install still shows the hotline: each pinned file is checked
// against the SHA-256 the build embedded (fonts/SHA256SUMS). A Latin file
// (Noto Sans, DejaVu Sans) that is missing, unreadable, truncated or altered
// is replaced by the best system font fontconfig offers for the same family
// and weight (DejaVu Sans from fonts-dejavu-core, a dependency of the
// package). A damaged script font (Arabic, syllabics) is left out: its
// script then falls back to DejaVu Sans, which has those glyphs, and what no
// font has is Undrawable. Every substitution is reported in problems(); the
// frames then differ from the pinned renders.
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
  static constexpr const char* kArabicRegularFile = "NotoNaskhArabic-Regular.ttf";
  static constexpr const char* kArabicBoldFile = "NotoNaskhArabic-Bold.ttf";
  static constexpr const char* kSyllabicsRegularFile = "NotoSansCanadianAboriginal-Regular.ttf";
  static constexpr const char* kSyllabicsBoldFile = "NotoSansCanadianAboriginal-Bold.ttf";

  // When Open reads, checks (SHA-256) and loads the pinned files.
  enum class Loading {
    // All eight now (validate, render, the updater's checks).
    kAll,
    // Noto Sans regular and bold now: every slide draws its band and the
    // hotline with them. Each other file the first time a character needs
    // it (Undrawable, Width, Render), or at LoadAll. The player's first
    // frame then waits for two checksums instead of eight (3 MB hashed was
    // a third of the work before it) and keeps unused script fonts out of
    // memory.
    kOnDemand,
  };

  // Loads the pinned files from dir, replacing each damaged or missing
  // Latin one by a system font and leaving out a damaged script font (see
  // above). Fails, naming the file, only when a Latin file Open loads is
  // unusable and no usable system font exists either; a DejaVu Sans file
  // loaded later (kOnDemand) in that state is left out and reported in
  // problems() instead, since Noto Sans still draws the hotline.
  static Result<std::unique_ptr<FontSet>> Open(const std::filesystem::path& dir,
                                               Loading loading = Loading::kAll);

  // Checks and loads every file Open left for later (kOnDemand); their
  // problems join problems(). Does nothing after Open(dir, kAll).
  void LoadAll();

  // One line per pinned file that was replaced or left out, naming it, what
  // was wrong and what is used instead. Empty when every pinned font loaded
  // so far is intact.
  const std::vector<std::string>& problems() const { return problems_; }

  ~FontSet() override;
  FontSet(const FontSet&) = delete;
  FontSet& operator=(const FontSet&) = delete;

  int Width(std::string_view utf8, FontFace face, int px) override;
  int LineHeight(FontFace face, int px) override;
  // The characters of utf8 none of face's loaded fonts has a glyph for
  // (TTF_GlyphIsProvided32), each once, in order; spaces and controls
  // (including bidi and joiner controls) never count.
  std::u32string Undrawable(std::string_view utf8, FontFace face) override;

  // One run of a line as Width and Render shape it. For tests: comparing
  // with `hb-shape --font-file F --script S --direction D`.
  struct ShapedRun {
    std::string font_file;  // path of the file the run's font was loaded from
    std::string script;     // ISO 15924 tag given to HarfBuzz: "Latn", "Arab", "Cans", ...
    bool right_to_left;     // the run's bidi level is odd
    std::string text;       // its characters in logical order (UTF-8)
    int width;              // its advance width in pixels at px
  };
  // The runs of one line, left to right as drawn; their widths add up to
  // Width(utf8, face, px).
  std::vector<ShapedRun> ShapedRuns(std::string_view utf8, FontFace face, int px);

  // Closes every per-size font and forgets cached widths. Laying out a
  // bundle tries dozens of sizes; the slides then use a handful. Call after
  // layout to give the rest back (they reopen on demand).
  void Trim();

  // One line of text as an ARGB8888 surface, Width(utf8, face, px) wide and
  // LineHeight(face, px) tall (taller, downwards, when Arabic descends below
  // Noto Sans's descent), with the text's colour and alpha coverage. Null
  // with an SDL error on failure.
  SurfacePtr Render(std::string_view utf8, FontFace face, int px, Color color);

 private:
  // Font files in slots: family * 2 + (bold ? 1 : 0).
  enum Family { kNoto, kDejaVu, kNaskh, kSyllabics, kFamilies };
  static constexpr int kSlots = 2 * kFamilies;
  struct Run {
    int slot;
    TTF_Font* font;
    const char* script;  // ISO 15924 tag
    int level;           // bidi embedding level: odd is right to left
    std::string text;    // logical order
  };
  FontSet() = default;
  // A pinned file as read and checked: its bytes when intact, otherwise
  // what is wrong with it.
  struct CheckedFile {
    std::vector<uint8_t> bytes;
    std::string damage;  // empty: the bytes are the pinned file's
  };
  // Reads the pinned file of slot from dir and checks it against its
  // embedded SHA-256. Touches no SDL_ttf state: the files of one Open are
  // checked on two threads.
  static CheckedFile ReadPinned(const std::filesystem::path& dir, int slot);
  // Reads, checks and loads the pinned file of slot (or its substitute);
  // an error only when a Latin slot has neither.
  Status LoadSlot(int slot);
  // LoadSlot with the file already read and checked.
  Status LoadChecked(int slot, CheckedFile checked);
  // LoadSlot for a file Open left for later: a failure becomes a problem.
  void LoadLater(int slot);
  // Makes bytes the font of slot if they load (and, when check_glyphs, draw
  // every character a slide needs); otherwise leaves the slot empty.
  bool Use(int slot, std::vector<uint8_t> bytes, bool check_glyphs);
  // The font file `slot` at px, opened once per size: resizing one TTF_Font
  // instead flushes its glyph cache on every call and made layout 20x
  // slower. Null when the slot has no usable file.
  TTF_Font* Font(int slot, int px);
  // The line's runs in visual order (left to right).
  std::vector<Run> Runs(std::string_view utf8, FontFace face, int px);
  // Sets the run's script and direction on its font (they are per-font
  // state in SDL_ttf) before it is measured or drawn.
  static void PrepareToShape(const Run& run);
  void EvictIfFull();

  std::vector<std::string> problems_;
  std::filesystem::path dir_;                 // where the pinned files are
  bool loaded_[kSlots] = {};                  // LoadSlot ran (whatever it found)
  std::vector<uint8_t> files_[kSlots];        // font file bytes, shared by all sizes
  std::string sources_[kSlots];               // the path each slot was loaded from
  std::unordered_map<int, TTF_Font*> sized_;  // key: slot << 16 | px
  std::unordered_map<std::string, int> width_cache_;
};

}  // namespace kiosk
