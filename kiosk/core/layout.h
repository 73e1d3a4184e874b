// Turns a slide into positioned text and boxes for a screen of a given size,
// as a poster: the help band (the call label, the hotline as the largest text
// on the frame, the e-mail, a captioned QR code, an optional logo) along the
// bottom, and the slide's text above it on a grid, at ONE type scale for the
// whole bundle (ChooseTypeScale) so every slide and every language of a
// screen shares its sizes. Pure computation; the platform draws the result.
//
// Guarantees of a successful layout: every text line, the QR tile and every
// box except the band's background (which runs to the screen's edges) lies
// inside the safe area; lines break as line_break.h says (never inside a
// number or address, a word split only when it alone cannot fit a line);
// titles are at least kHeadlineToBody times the body size; the hotline is
// larger than any other text; the band's call label, e-mail and QR caption
// are no smaller than body text; the band's hotline is at least
// kHotlineFloor of the screen's shorter side and body text at least
// kBodyFloor. When that cannot be met the layout fails with a message saying
// which slide and language, and why (kiosk validate shows it; the player
// skips the slide rather than shrink it to dust).
//
// Units: pixels, in the slide's own orientation (after rotation, a portrait
// TV is laid out as a portrait screen).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/qr.h"
#include "kiosk/core/status.h"
#include "kiosk/core/text_measurer.h"

namespace kiosk {

// Floors, as fractions of the screen's shorter side (its height on a landscape
// TV): the shorter side is what sets the apparent size of text on a panel,
// whichever way it is mounted.
inline constexpr double kHotlineFloor = 0.05;
inline constexpr double kBodyFloor = 0.025;
// Title px = body px * this: a headline a passer-by reads from afar.
inline constexpr int kHeadlineToBody = 2;
// Light modules around the QR code, as ISO/IEC 18004 asks.
inline constexpr int kQrQuietModules = 4;

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
  bool Contains(const Rect& o) const {
    return o.x >= x && o.y >= y && o.right() <= right() && o.bottom() <= bottom();
  }
  bool operator==(const Rect&) const = default;
};

// One line of text; box is its line box (width = measured advance, height =
// line height), top-left anchored.
struct PlacedText {
  std::string text;
  FontFace face = FontFace::kRegular;
  int px = 0;
  Color color;
  Rect box;
};

struct PlacedBox {
  Rect rect;
  Color color;
};

struct PlacedQr {
  QrMatrix matrix;
  Rect tile;          // light square including the quiet zone
  int module_px = 0;  // each module is module_px x module_px, on whole pixels
  int quiet_modules = 0;
};

// A slide's picture on a frame, drawn after the boxes and before the texts.
struct PlacedImage {
  Rect rect;         // the image's own aspect, fitted and centred in its share
  std::string file;  // bundle-relative, for messages
  // The checked bytes (SlideImage::bytes); null when the layout was made
  // without them (kiosk validate): nothing is drawn then.
  std::shared_ptr<const std::string> bytes;
  bool operator==(const PlacedImage&) const = default;
};

// The sizes of every frame of a bundle on one screen (ChooseTypeScale):
// the same on every slide and in every language, so nothing jumps between
// slides and no language is more prominent than another.
struct TypeScale {
  int body_px = 0;       // paragraphs, shared lines, the QR caption
  int headline_px = 0;   // titles: kHeadlineToBody * body_px
  int hotline_px = 0;    // the band's number: larger than headline_px
  int band_line_px = 0;  // the band's call label and e-mail: >= body_px
  int band_height = 0;   // the band's content height (background: more)
  // The QR code's column in a landscape band: as wide as the widest caption
  // of any view, so the number stays put when the languages alternate.
  int band_qr_width = 0;
  // A pair of languages: side by side (landscape) or stacked (portrait).
  bool side_by_side = true;
  bool operator==(const TypeScale&) const = default;
};

// What one frame shows.
struct FrameLayout {
  int width = 0, height = 0;
  Color background;
  Rect safe_area;
  std::vector<PlacedBox> boxes;  // drawn first, in order
  std::vector<PlacedText> texts;
  PlacedQr qr;
  std::optional<PlacedImage> image;
  int body_px = 0;     // the size the slide's text got
  int hotline_px = 0;  // the size the band's number got
  // Where the bundle's logo goes (Contact::logo): a square at the band's
  // right end, as tall as the band's content; empty when there is no logo.
  // The layout keeps text and the QR code out of it; drawing the image in
  // it is the platform's (not done yet).
  Rect logo_slot;
};

struct LayoutOptions {
  double margin_percent = 5.0;
  // false only as the player's last resort on a panel too small for the
  // floors: a small slide beats a blank screen.
  bool enforce_floors = true;
  // Called after each slide laid out while the type scale is searched
  // (ChooseTypeScale), so a slow board keeps its watchdog fed; may be empty.
  std::function<void()> progress;
};

// The one type scale for a screen of width x height showing views (a cycle:
// BuildCycle): the largest body size at which every view fits, with titles
// kHeadlineToBody times it and the band's number as wide as the band allows
// (in landscape about 60% of the safe width) and larger than any title.
// A pair is side by side on a landscape screen and stacked on a portrait
// one. Views that cannot fit even at the floors do not hold the others back:
// LayoutFrame fails for them at this scale, naming slide and size. Fails
// only when the band itself cannot be laid out above the floors.
// The player computes it once per bundle, screen size and language setting,
// before its first frame: the search guesses with widths scaled from one
// reference size and measures text exactly only at the guess and its
// neighbours (a handful of sizes; each new size costs the fonts a glyph
// load).
Result<TypeScale> ChooseTypeScale(const Bundle& bundle, const std::vector<SlideView>& views,
                                  int width, int height, TextMeasurer& measurer,
                                  const LayoutOptions& options = {});

// Lays out a whole frame at scale: background, slide text (top-aligned on
// the grid), help band.
//   - One language fills the text area; a pair shares it, the first leading,
//     side by side or stacked as scale says, the body text of both columns
//     starting level.
//   - Lines of a right-to-left language (IsRightToLeft, language.h) end at
//     their column's right edge; side by side, a pair led by one has its lead
//     column on the right. Shared lines and the band stay left to right.
//   - The band says each shown language's call label ("Appelez  ·  Call",
//     BandLines), then the number, then the e-mail; under the QR code, each
//     shown language's caption.
// Fails naming the slide and its languages, e.g. `slide "help" (fr+en) at
// 1280x720: ...`; a view naming a language the slide lacks fails too.
Result<FrameLayout> LayoutFrame(const Bundle& bundle, const SlideView& view, int width, int height,
                                TextMeasurer& measurer, const TypeScale& scale,
                                const LayoutOptions& options = {});
// The same at the scale ChooseTypeScale gives every slide of the bundle
// shown in view's languages (for tests and tools that lay out one view; the
// player and `kiosk render` choose the scale once for their whole cycle).
Result<FrameLayout> LayoutFrame(const Bundle& bundle, const SlideView& view, int width, int height,
                                TextMeasurer& measurer, const LayoutOptions& options = {});

// The share of a slide's text area its image takes (kImageShare of the
// width on a landscape area, beside the text at its right; of the height on
// a portrait one, above the text), less gap between them. The image is
// scaled to fit that share with its aspect kept (up or down) and centred in
// it; with its pixel size unknown (0) it takes the whole share. Returns the
// rectangle left for the text: body itself when the slide has no image.
inline constexpr double kImageShare = 0.38;
Rect PlaceImage(const Slide& slide, const Rect& body, int gap, std::optional<PlacedImage>* placed);

// The band's lines for a view showing tags, from per-language lines
// (Contact::call_labels, qr_captions): each one's own line, once; when one
// of them has none, the bundle's first lines fill in, up to two (an Arabic
// and Inuktitut view of the built-in lines says "Appelez · Call", never
// nothing).
std::vector<std::string> BandLines(const std::vector<std::pair<std::string, std::string>>& lines,
                                   const std::vector<std::string>& tags);

// Body-text wrap of one paragraph to max_width: BreakLines (line_break.h)
// with LineBreakStyle::kGreedy; titles are laid out kBalanced. Exposed for
// tests.
std::vector<std::string> WrapParagraph(std::string_view paragraph, int max_width, FontFace face,
                                       int px, TextMeasurer& measurer);

}  // namespace kiosk
