// Turns a slide into positioned text and boxes for a screen of a given size:
// wraps words, fits the text to the safe area (TV overscan margin) with the
// largest size that fits, and places the help band (hotline, e-mail, QR code)
// that every frame carries. Pure computation; the platform draws the result.
//
// Guarantees of a successful layout: every text line, the QR tile and every
// box except the band's background (which runs to the screen's edges) lies
// inside the safe area; lines break as line_break.h says (never inside a number or
// address, a word split only when it alone cannot fit a line); the
// band's hotline is at least kHotlineFloor of the screen's shorter side and
// body text at least kBodyFloor. When that cannot be met the layout fails with
// a message saying which slide and language, and why (kiosk validate shows it;
// the player skips the slide rather than shrink it to dust).
//
// Units: pixels, in the slide's own orientation (after rotation, a portrait
// TV is laid out as a portrait screen).
#pragma once

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
};

struct LayoutOptions {
  double margin_percent = 5.0;
  // false only as the player's last resort on a panel too small for the
  // floors: a small slide beats a blank screen.
  bool enforce_floors = true;
};

// Lays out a whole frame: background, slide text, help band.
//   - One language fills the text area; two (a pair) get the same size, side
//     by side or stacked, whichever gives larger text, the first leading.
//   - Lines of a right-to-left language (IsRightToLeft, language.h) end at
//     their column's right edge; side by side, a pair led by one has its lead
//     column on the right. Shared lines and the band stay left to right.
//   - The band's label is each shown language's (BandLabels): both of a pair
//     ("label1 · label2", or one per line), said once when the same.
// Fails naming the slide and its languages, e.g. `slide "help" (fr+en) at
// 1280x720: ...`; a view naming a language the slide lacks fails too.
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

// The band's labels for a view showing tags: each one's own label, once;
// when one of them has none, the bundle's first labels fill in, up to two
// (an Arabic and Inuktitut view of the built-in labels says "Besoin d'aide ?
// · Need help?", never nothing).
std::vector<std::string> BandLabels(const Contact& contact, const std::vector<std::string>& tags);

// Body-text wrap of one paragraph to max_width: BreakLines (line_break.h)
// with LineBreakStyle::kGreedy; titles are laid out kBalanced. Exposed for
// tests.
std::vector<std::string> WrapParagraph(std::string_view paragraph, int max_width, FontFace face,
                                       int px, TextMeasurer& measurer);

}  // namespace kiosk
