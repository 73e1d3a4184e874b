#include "kiosk/core/layout.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kiosk/core/language.h"
#include "kiosk/core/line_break.h"

namespace kiosk {
namespace {

// Proportions, as fractions of the screen's shorter side unless said.
constexpr double kBandMaxOfSafe = 0.35;  // the band's content: at most this of the safe height
constexpr double kBandPadding = 0.02;    // band colour beyond its content
constexpr double kBandGap = 0.03;        // between the band's columns, and above the band
constexpr double kBodyMax = 0.075;       // largest body text
// The number's width in landscape: at most this of the safe width (the band
// is the screen's width; 0.6 of the safe area is 54% of it with the default
// margins, so the number spans more than half the band).
constexpr double kHotlineWidthLandscape = 0.6;
// In portrait the number has a row of its own: most of the width, leaving
// the slide's text the height it needs.
constexpr double kHotlineWidthPortrait = 0.8;
// Titles at most this of the number's size: the number stays the largest
// text by a margin the eye sees at once.
constexpr double kHeadlineOfHotline = 0.8;
// The call label and e-mail, as a fraction of the number's size (never
// below body text).
constexpr double kBandLineOfHotline = 0.4;
constexpr int kMinModulePx = 2;  // QR modules on whole pixels, at least this

int Round(double v) { return static_cast<int>(std::lround(v)); }

// A block of lines laid out at a given size, relative to its own top-left.
struct Block {
  std::vector<PlacedText> texts;
  std::vector<PlacedBox> boxes;
  int width = 0;
  int height = 0;
  bool broke_word = false;
  bool too_wide = false;  // some line could not fit even when split
  int title_height = 0;   // a language block's title and the gap under it
};

void Shift(Block& b, int dx, int dy) {
  for (auto& t : b.texts) {
    t.box.x += dx;
    t.box.y += dy;
  }
  for (auto& x : b.boxes) {
    x.rect.x += dx;
    x.rect.y += dy;
  }
}

void Append(Block& into, Block&& from, int dx, int dy) {
  Shift(from, dx, dy);
  into.texts.insert(into.texts.end(), from.texts.begin(), from.texts.end());
  into.boxes.insert(into.boxes.end(), from.boxes.begin(), from.boxes.end());
  into.broke_word |= from.broke_word;
  into.too_wide |= from.too_wide;
}

// Appends the wrapped lines of one paragraph at y; returns the new y.
int AddParagraph(Block& b, std::string_view text, FontFace face, int px, Color color, int width,
                 int y, TextMeasurer& m, LineBreakStyle style = LineBreakStyle::kGreedy) {
  int lh = m.LineHeight(face, px);
  BrokenLines broken = BreakLines(text, width, face, px, m, style);
  b.broke_word |= broken.broke_word;
  for (auto& line : broken.lines) {
    int w = m.Width(line, face, px);
    if (w > width) b.too_wide = true;
    b.texts.push_back(PlacedText{std::move(line), face, px, color, Rect{0, y, w, lh}});
    y += lh;
  }
  return y;
}

// One language's title and paragraphs in a column of the given width; lines
// of a right-to-left language end at the column's right edge. The body
// starts at least body_top down (so two columns' bodies start level).
Block LanguageBlock(const SlideText& text, bool right_to_left, const Theme& theme, int px,
                    int title_px, int width, int body_top, TextMeasurer& m) {
  Block b;
  b.width = width;
  int y = AddParagraph(b, text.title, FontFace::kBold, title_px, theme.accent, width, 0, m,
                       LineBreakStyle::kBalanced);
  int lh = m.LineHeight(FontFace::kRegular, px);
  y += lh / 2;
  b.title_height = y;
  y = std::max(y, body_top);
  for (size_t i = 0; i < text.body.size(); ++i) {
    if (i > 0) y += lh / 3;
    y = AddParagraph(b, text.body[i], FontFace::kRegular, px, theme.text, width, y, m);
  }
  b.height = y;
  if (right_to_left) {
    // A line wider than the column fails the fit (too_wide) anyway; it
    // starts at the left edge rather than outside the column.
    for (auto& t : b.texts) t.box.x = std::max(0, width - t.box.w);
  }
  return b;
}

// One language a view shows, resolved against its slide.
struct ShownText {
  std::string tag;
  const SlideText* text = nullptr;
  bool right_to_left = false;
};

// Shared lines (names) in the number of columns that makes the block shortest.
Block SharedBlock(const std::vector<std::string>& lines, const Theme& theme, int px, int width,
                  int gutter, TextMeasurer& m) {
  Block best;
  bool have_best = false;
  int lh = m.LineHeight(FontFace::kRegular, px);
  for (int columns = 1; columns <= 4; ++columns) {
    int col_w = (width - (columns - 1) * gutter) / columns;
    if (col_w <= 0) break;
    // Wrap every item first to know its height, then fill columns in order.
    std::vector<Block> items;
    int total = 0;
    for (const auto& line : lines) {
      Block item;
      // A gap after each name, so wrapped names do not run into the next.
      item.height =
          AddParagraph(item, line, FontFace::kRegular, px, theme.text, col_w, 0, m) + lh / 3;
      total += item.height;
      items.push_back(std::move(item));
    }
    int target = (total + columns - 1) / columns;
    Block b;
    b.width = width;
    int column = 0, y = 0, tallest = 0;
    for (auto& item : items) {
      if (y > 0 && y + item.height > target + lh / 2 && column + 1 < columns) {
        ++column;
        y = 0;
      }
      int h = item.height;
      Append(b, std::move(item), column * (col_w + gutter), y);
      y += h;
      tallest = std::max(tallest, y);
    }
    b.height = tallest;
    bool better = !have_best || (!b.broke_word && best.broke_word) ||
                  (b.broke_word == best.broke_word && b.height < best.height);
    if (better) {
      best = std::move(b);
      have_best = true;
    }
  }
  return best;
}

// The slide's text for a body rectangle at the scale's sizes. shown holds
// one or two languages, the first leading: on top when stacked, in the first
// column in its reading direction (the right one for a right-to-left
// language).
Block SlideBlock(const Slide& slide, const std::vector<ShownText>& shown, const TypeScale& scale,
                 const Rect& body, TextMeasurer& m) {
  const int px = scale.body_px;
  const int title_px = scale.headline_px;
  Block all;
  all.width = body.w;
  int lh = m.LineHeight(FontFace::kRegular, px);
  int gutter = std::max(Round(body.w * 0.04), 2 * px);
  int rule = std::max(2, px / 12);  // divider thickness
  Color rule_color = slide.theme.accent;
  int y = 0;
  const ShownText& lead = shown.front();
  if (shown.size() == 1) {
    Block b =
        LanguageBlock(*lead.text, lead.right_to_left, slide.theme, px, title_px, body.w, 0, m);
    y = b.height;
    Append(all, std::move(b), 0, 0);
  } else if (scale.side_by_side) {
    const ShownText& other = shown[1];
    int col_w = (body.w - gutter) / 2;
    auto column = [&](const ShownText& s, int body_top) {
      return LanguageBlock(*s.text, s.right_to_left, slide.theme, px, title_px, col_w, body_top, m);
    };
    Block first = column(lead, 0);
    Block second = column(other, 0);
    // One title wraps and the other does not: both bodies start level.
    if (first.title_height != second.title_height) {
      int top = std::max(first.title_height, second.title_height);
      first = column(lead, top);
      second = column(other, top);
    }
    y = std::max(first.height, second.height);
    all.boxes.push_back(PlacedBox{Rect{col_w + (gutter - rule) / 2, 0, rule, y}, rule_color});
    // A right-to-left reader starts on the right: the lead column goes there.
    int lead_x = lead.right_to_left ? col_w + gutter : 0;
    Append(all, std::move(first), lead_x, 0);
    Append(all, std::move(second), col_w + gutter - lead_x, 0);
  } else {
    const ShownText& other = shown[1];
    Block first =
        LanguageBlock(*lead.text, lead.right_to_left, slide.theme, px, title_px, body.w, 0, m);
    Block second =
        LanguageBlock(*other.text, other.right_to_left, slide.theme, px, title_px, body.w, 0, m);
    int first_h = first.height;
    Append(all, std::move(first), 0, 0);
    y = first_h + lh / 2;
    // The divider starts where the lead language's lines start.
    int rule_x = lead.right_to_left ? body.w - body.w / 4 : 0;
    all.boxes.push_back(PlacedBox{Rect{rule_x, y, body.w / 4, rule}, rule_color});
    y += rule + lh / 2;
    int second_h = second.height;
    Append(all, std::move(second), 0, y);
    y += second_h;
  }
  if (!slide.shared.empty()) {
    y += lh * 2 / 3;
    Block shared = SharedBlock(slide.shared, slide.theme, px, body.w, gutter, m);
    int h = shared.height;
    Append(all, std::move(shared), 0, y);
    y += h;
  }
  all.height = y;
  return all;
}

bool Fits(const Block& b, const Rect& body, bool allow_split) {
  return b.height <= body.h && !b.too_wide && (allow_split || !b.broke_word);
}

// The band: its lines, QR code and logo slot for the languages on screen.
struct Band {
  Rect background;  // width/height set by the caller (the screen's)
  std::vector<PlacedText> texts;
  PlacedQr qr;
  Rect logo_slot;
  int natural_height = 0;  // the content height its lines and QR code need
  int needed_width = 0;    // QR column + gap + text column (+ gap + logo)
  int hotline_width = 0;
};

// The band at scale's sizes, at the bottom of the safe area. band_height 0:
// as tall as its content needs (natural_height). Whether it fits the width
// is the caller's to check (needed_width).
Result<Band> LayoutBand(const Bundle& bundle, const std::vector<std::string>& tags,
                        const TypeScale& scale, int band_height, const Theme& theme,
                        const Rect& safe, int shorter, TextMeasurer& m) {
  const Contact& c = bundle.contact;
  struct Line {
    std::string text;
    FontFace face;
    int px;
  };
  std::vector<Line> lines;
  std::string call;
  for (const auto& label : BandLines(c.call_labels, tags)) {
    call += (call.empty() ? "" : "  \xC2\xB7  ") + label;
  }
  if (!call.empty()) lines.push_back({call, FontFace::kRegular, scale.band_line_px});
  lines.push_back({c.hotline, FontFace::kBold, scale.hotline_px});
  lines.push_back({c.email, FontFace::kBold, scale.band_line_px});
  std::vector<std::string> captions = BandLines(c.qr_captions, tags);

  int text_h = 0, text_w = 0;
  for (const auto& l : lines) {
    text_h += m.LineHeight(l.face, l.px);
    text_w = std::max(text_w, m.Width(l.text, l.face, l.px));
  }
  const int caption_lh = m.LineHeight(FontFace::kRegular, scale.body_px);
  const int caption_h = caption_lh * static_cast<int>(captions.size());
  int caption_w = 0;
  for (const auto& t : captions) {
    caption_w = std::max(caption_w, m.Width(t, FontFace::kRegular, scale.body_px));
  }

  auto qr = EncodeQr(c.QrPayload());
  if (!qr.ok()) return qr.status();
  const int modules = qr->size + 2 * kQrQuietModules;

  Band band;
  const int gap = Round(shorter * kBandGap);
  const bool logo = !c.logo.empty();
  band.hotline_width = m.Width(c.hotline, FontFace::kBold, scale.hotline_px);
  auto place_lines = [&](int x, int y) {
    for (const auto& l : lines) {
      int lh = m.LineHeight(l.face, l.px);
      band.texts.push_back(PlacedText{l.text, l.face, l.px, theme.band_text,
                                      Rect{x, y, m.Width(l.text, l.face, l.px), lh}});
      y += lh;
    }
  };
  if (scale.side_by_side) {
    // Landscape: [QR code over its caption] [label, number, e-mail] [logo].
    band.natural_height = std::max(text_h, caption_h + kMinModulePx * modules);
    const int content_h = band_height > 0 ? band_height : band.natural_height;
    const int module_px = std::max(1, (content_h - caption_h) / modules);
    const int tile = modules * module_px;
    const int qr_col = std::max({tile, caption_w, scale.band_qr_width});
    band.needed_width = qr_col + gap + text_w + (logo ? gap + content_h : 0);
    const int top = safe.bottom() - content_h;
    band.background = Rect{0, top - Round(shorter * kBandPadding), 0, 0};
    const int qr_top = top + (content_h - tile - caption_h) / 2;
    band.qr = PlacedQr{std::move(*qr), Rect{safe.x + (qr_col - tile) / 2, qr_top, tile, tile},
                       module_px, kQrQuietModules};
    int y = qr_top + tile;
    for (const auto& t : captions) {
      int w = m.Width(t, FontFace::kRegular, scale.body_px);
      band.texts.push_back(PlacedText{t, FontFace::kRegular, scale.body_px, theme.band_text,
                                      Rect{safe.x + (qr_col - w) / 2, y, w, caption_lh}});
      y += caption_lh;
    }
    place_lines(safe.x + qr_col + gap, top + (content_h - text_h) / 2);
    if (logo) band.logo_slot = Rect{safe.right() - content_h, top, content_h, content_h};
    return band;
  }
  // Portrait: the band is narrow, so the number gets the whole width on a
  // row of its own: label, number, e-mail, then [QR code, its caption
  // beside it] [logo]. The QR code is about half as tall as the lines.
  const int module_px = std::max(kMinModulePx, text_h / 2 / modules);
  const int tile = modules * module_px;
  const int qr_row = std::max(tile, caption_h);
  band.natural_height = text_h + gap / 2 + qr_row;
  const int content_h = band_height > 0 ? band_height : band.natural_height;
  band.needed_width = std::max(text_w, tile + gap + caption_w + (logo ? gap + qr_row : 0));
  const int top = safe.bottom() - content_h;
  band.background = Rect{0, top - Round(shorter * kBandPadding), 0, 0};
  place_lines(safe.x, top);
  const int row_top = top + text_h + gap / 2;
  band.qr = PlacedQr{std::move(*qr), Rect{safe.x, row_top + (qr_row - tile) / 2, tile, tile},
                     module_px, kQrQuietModules};
  int y = row_top + (qr_row - caption_h) / 2;
  for (const auto& t : captions) {
    int w = m.Width(t, FontFace::kRegular, scale.body_px);
    band.texts.push_back(PlacedText{t, FontFace::kRegular, scale.body_px, theme.band_text,
                                    Rect{safe.x + tile + gap, y, w, caption_lh}});
    y += caption_lh;
  }
  if (logo) band.logo_slot = Rect{safe.right() - qr_row, row_top, qr_row, qr_row};
  return band;
}

// The languages a view shows: its own, or the slide's first two.
std::vector<std::string> TagsOf(const Slide& slide, const SlideView& view) {
  std::vector<std::string> tags = view.languages;
  if (tags.empty()) {
    for (const auto& [tag, text] : slide.texts) {
      if (tags.size() < 2) tags.push_back(tag);
    }
  }
  return tags;
}

Rect SafeArea(int width, int height, const LayoutOptions& options) {
  int mx = Round(width * options.margin_percent / 100.0);
  int my = Round(height * options.margin_percent / 100.0);
  return Rect{mx, my, width - 2 * mx, height - 2 * my};
}

// The text area above a band whose content is band_height tall.
Rect BodyArea(const Rect& safe, int band_height, int shorter) {
  int band_top = safe.bottom() - band_height - Round(shorter * kBandPadding);
  return Rect{safe.x, safe.y, safe.w, band_top - Round(shorter * kBandGap) - safe.y};
}

// Widths from one measurement per word at a reference size, scaled to the
// size asked: a line's width is the sum of its words' and spaces' widths.
// Choosing a type scale tries a dozen body sizes and as many numbers per
// body size; measuring every candidate line at every size with the real
// fonts made that search two thirds of the player's start-up (each new size
// loads glyphs, each line is shaped). These widths are off by a few pixels
// (kerning across spaces, hinting at each size), so they only guess where
// the search ends; ChooseTypeScale checks its answer with exact widths.
class ScaledMeasurer final : public TextMeasurer {
 public:
  explicit ScaledMeasurer(TextMeasurer& exact) : exact_(exact) {}

  int Width(std::string_view utf8, FontFace face, int px) override {
    auto& lines = lines_[static_cast<int>(face)];
    auto it = lines.find(utf8);
    if (it == lines.end())
      it = lines.emplace(std::string(utf8), ReferenceLineWidth(utf8, face)).first;
    return Round(static_cast<double>(it->second) * px / kReferencePx);
  }

  int LineHeight(FontFace face, int px) override {
    int& at_reference = line_heights_[static_cast<int>(face)];
    if (at_reference == 0) at_reference = exact_.LineHeight(face, kReferencePx);
    return Round(static_cast<double>(at_reference) * px / kReferencePx);
  }

 private:
  // Large enough that rounding to whole pixels there is a small error.
  static constexpr int kReferencePx = 100;

  // Hashes a std::string key from a std::string_view without a copy.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Widths = std::unordered_map<std::string, int, Hash, std::equal_to<>>;

  // The width of a line at kReferencePx: its words' and spaces' widths.
  int ReferenceLineWidth(std::string_view utf8, FontFace face) {
    int total = 0;
    size_t start = 0;
    while (true) {
      size_t end = utf8.find(' ', start);
      if (end == std::string_view::npos) end = utf8.size();
      if (end > start) total += ReferenceWidth(utf8.substr(start, end - start), face);
      if (end == utf8.size()) break;
      total += ReferenceWidth(" ", face);
      start = end + 1;
    }
    return total;
  }

  int ReferenceWidth(std::string_view word, FontFace face) {
    auto& widths = words_[static_cast<int>(face)];
    auto it = widths.find(word);
    if (it == widths.end()) {
      it = widths.emplace(std::string(word), exact_.Width(word, face, kReferencePx)).first;
    }
    return it->second;
  }

  TextMeasurer& exact_;
  Widths words_[2];  // at kReferencePx
  Widths lines_[2];  // the same, of whole lines (a line is measured at every size tried)
  int line_heights_[2] = {};
};

// One view of a cycle, resolved against its slide.
struct ResolvedView {
  const Slide* slide = nullptr;
  std::vector<ShownText> shown;
};

// The screen and the bundle a type scale is chosen for, and the limits it
// must respect.
struct ScaleProblem {
  const Bundle* bundle = nullptr;
  std::vector<ResolvedView> views;
  // The distinct language sets of the views: they decide the band's lines.
  std::vector<std::vector<std::string>> tag_sets;
  Rect safe;
  int shorter = 0;
  int hotline_floor = 0;
  int band_max = 0;
  bool landscape = true;
  const std::function<void()>* progress = nullptr;  // LayoutOptions::progress
};

// The sizes tried while choosing a type scale, with one measurer: the
// band's largest number at a body size (kept per body size), and whether
// the views fit at a scale.
class ScaleSearch {
 public:
  ScaleSearch(const ScaleProblem& problem, TextMeasurer& m) : p_(problem), m_(m) {}

  // The scale at this body size: the largest number the band holds, if it
  // is above its floor and larger than the titles; nullopt otherwise.
  // hotline_hint (0: none) is where the number's search starts; the answer
  // does not depend on it, only the number of band layouts tried does.
  std::optional<TypeScale> ScaleAt(int body, int hotline_hint = 0) {
    if (auto it = scales_.find(body); it != scales_.end()) return it->second;
    // The number can only shrink as the body grows (the band's other lines
    // grow with it), so the sizes found for other bodies bound this search;
    // where that does not hold the answer is checked and searched in full.
    // A number taller than the band's largest height cannot fit at all.
    const int tallest = std::min(p_.safe.h, p_.band_max);
    int lo = 0, hi = tallest;
    for (const auto& [other, found] : scales_) {
      if (!found) continue;
      if (other < body) hi = std::min(hi, found->hotline_px);
      if (other > body) lo = std::max(lo, found->hotline_px);
    }
    lo = std::min(lo, hi);
    // The hint and its neighbour narrow the range: with a good hint, two
    // band layouts answer. lo always fits (or is 0), as LargestHotline needs.
    int fits_known = -1;
    if (hotline_hint > 0 && hotline_hint >= lo && hotline_hint <= hi) {
      // lo itself is taken to fit (and checked below).
      if (hotline_hint == lo || HotlineFits(body, hotline_hint)) {
        if (hotline_hint > lo) fits_known = hotline_hint;
        lo = hotline_hint;
        if (hotline_hint < hi) {
          if (HotlineFits(body, hotline_hint + 1)) {
            fits_known = lo = hotline_hint + 1;
          } else {
            hi = hotline_hint;
          }
        }
      } else {
        hi = hotline_hint - 1;
        if (hi > lo) {
          if (HotlineFits(body, hi)) {
            fits_known = lo = hi;
          } else {
            --hi;
          }
        }
      }
    }
    int hotline = LargestHotline(body, lo, hi, &fits_known);
    if (hotline > 0 && hotline != fits_known && !HotlineFits(body, hotline)) {
      hotline = LargestHotline(body, 0, tallest, &fits_known);
    }
    std::optional<TypeScale> result;
    TypeScale s = WithHotline(body, hotline);
    if (hotline >= p_.hotline_floor && BandFits(s) &&
        s.headline_px <= static_cast<int>(s.hotline_px * kHeadlineOfHotline)) {
      result = s;
    }
    scales_.emplace(body, result);
    return result;
  }

  // Whether one view fits at s (allow_split: a word may be split).
  bool FitsView(const TypeScale& s, size_t i, bool allow_split) {
    const ResolvedView& view = p_.views[i];
    Rect body = BodyArea(p_.safe, s.band_height, p_.shorter);
    // A slide's picture takes its share of the text area (PlaceImage).
    std::optional<PlacedImage> image;
    Rect text_area = PlaceImage(*view.slide, body, Round(p_.shorter * kBandGap), &image);
    Block b = SlideBlock(*view.slide, view.shown, s, text_area, m_);
    const bool fits = Fits(b, text_area, allow_split);
    if (fits) has_fit_.insert(i);
    if (p_.progress && *p_.progress) (*p_.progress)();
    return fits;
  }

  // Whether the view fitted at some scale tried (FitsView).
  bool HasFit(size_t i) const { return has_fit_.count(i) > 0; }

  // Whether every counted view fits at s. counted(i) is asked only of a
  // view that does not fit (it may be costly). The view that last did not
  // fit is tried first: it usually fails again, and the answer does not
  // depend on the order.
  bool AllFit(const TypeScale& s, const std::function<bool(size_t)>& counted, bool allow_split) {
    const size_t n = p_.views.size();
    for (size_t k = 0; k < n; ++k) {
      size_t i = k == 0 ? hardest_ : (k <= hardest_ ? k - 1 : k);
      if (!FitsView(s, i, allow_split) && counted(i)) {
        hardest_ = i;
        return false;
      }
    }
    return true;
  }

  // The view that last did not fit (AllFit), and a way to start another
  // search's checks with it.
  size_t hardest_view() const { return hardest_; }
  void TryFirst(size_t view) {
    if (view < p_.views.size()) hardest_ = view;
  }

  // The largest body size in [lo, hi] at which the counted views fit, by
  // bisection (lo is known to fit).
  int LargestBody(int lo, int hi, const std::function<bool(size_t)>& counted, bool allow_split) {
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      auto s = ScaleAt(mid);
      if (s && AllFit(*s, counted, allow_split)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  // Why the band could not be laid out at all (empty when it could).
  const std::string& band_problem() const { return band_problem_; }

 private:
  TypeScale WithHotline(int body, int hotline) const {
    TypeScale s;
    s.body_px = body;
    s.headline_px = kHeadlineToBody * body;
    s.hotline_px = hotline;
    s.band_line_px = std::max(body, Round(hotline * kBandLineOfHotline));
    s.side_by_side = p_.landscape;
    return s;
  }

  // Whether the band at these sizes fits every language set; sets
  // band_height to the tallest one's.
  bool BandFits(TypeScale& s) {
    s.band_height = 0;
    s.band_qr_width = 0;
    // The widest caption first: every language set's band gets its column.
    for (const auto& tags : p_.tag_sets) {
      for (const auto& caption : BandLines(p_.bundle->contact.qr_captions, tags)) {
        s.band_qr_width =
            std::max(s.band_qr_width, m_.Width(caption, FontFace::kRegular, s.body_px));
      }
    }
    for (const auto& tags : p_.tag_sets) {
      auto band = LayoutBand(*p_.bundle, tags, s, 0, p_.bundle->theme, p_.safe, p_.shorter, m_);
      if (!band.ok()) {
        band_problem_ = band.status().message();
        return false;
      }
      if (band->needed_width > p_.safe.w || band->natural_height > p_.band_max) return false;
      const double widest = p_.landscape ? kHotlineWidthLandscape : kHotlineWidthPortrait;
      if (band->hotline_width > Round(p_.safe.w * widest)) return false;
      s.band_height = std::max(s.band_height, band->natural_height);
    }
    return true;
  }

  bool HotlineFits(int body, int hotline) {
    TypeScale s = WithHotline(body, hotline);
    return BandFits(s);
  }

  // The largest number the band holds at this body size, searched between
  // lo (0, or a size known to fit) and hi; *fits_known is set to each size
  // found to fit.
  int LargestHotline(int body, int lo, int hi, int* fits_known) {
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      if (HotlineFits(body, mid)) {
        *fits_known = lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  const ScaleProblem& p_;
  TextMeasurer& m_;
  std::map<int, std::optional<TypeScale>> scales_;
  std::string band_problem_;
  size_t hardest_ = 0;
  std::set<size_t> has_fit_;
};

}  // namespace

std::vector<std::string> WrapParagraph(std::string_view paragraph, int max_width, FontFace face,
                                       int px, TextMeasurer& measurer) {
  return BreakLines(paragraph, max_width, face, px, measurer).lines;
}

Rect PlaceImage(const Slide& slide, const Rect& body, int gap, std::optional<PlacedImage>* placed) {
  placed->reset();
  if (!slide.image) return body;
  const SlideImage& image = *slide.image;
  const bool landscape = body.w >= body.h;
  Rect share = body, text = body;
  if (landscape) {
    share.w = Round(body.w * kImageShare);
    share.x = body.right() - share.w;
    text.w = std::max(0, body.w - share.w - gap);
  } else {
    share.h = Round(body.h * kImageShare);
    text.y = body.y + share.h + gap;
    text.h = std::max(0, body.h - share.h - gap);
  }
  Rect fitted = share;
  if (image.width > 0 && image.height > 0) {
    // The largest size of the image's aspect inside the share, on whole pixels.
    const double scale = std::min(static_cast<double>(share.w) / image.width,
                                  static_cast<double>(share.h) / image.height);
    fitted.w = std::clamp(static_cast<int>(std::floor(image.width * scale)), 1, share.w);
    fitted.h = std::clamp(static_cast<int>(std::floor(image.height * scale)), 1, share.h);
    fitted.x = share.x + (share.w - fitted.w) / 2;
    fitted.y = share.y + (share.h - fitted.h) / 2;
  }
  *placed = PlacedImage{fitted, image.file, image.bytes};
  return text;
}

std::vector<std::string> BandLines(const std::vector<std::pair<std::string, std::string>>& lines,
                                   const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& line) {
    if (!line.empty() && std::find(out.begin(), out.end(), line) == out.end()) {
      out.push_back(line);
    }
  };
  bool all_own = true;
  for (const auto& tag : tags) {
    auto own = std::find_if(lines.begin(), lines.end(),
                            [&tag](const auto& entry) { return entry.first == tag; });
    if (own == lines.end()) {
      all_own = false;
    } else {
      add(own->second);
    }
  }
  // A language on screen without a line of its own: the band keeps saying
  // it in the bundle's first languages (French and English on the built-in
  // bundle), up to two, rather than leave a passer-by without words.
  for (size_t i = 0; !all_own && i < lines.size() && out.size() < 2; ++i) add(lines[i].second);
  return out;
}

Result<TypeScale> ChooseTypeScale(const Bundle& bundle, const std::vector<SlideView>& views,
                                  int width, int height, TextMeasurer& m,
                                  const LayoutOptions& options) {
  const std::string where =
      "the help band at " + std::to_string(width) + "x" + std::to_string(height);
  if (width < 64 || height < 64) {
    return Status::Invalid("screen " + std::to_string(width) + "x" + std::to_string(height) +
                           " is too small");
  }
  ScaleProblem problem;
  problem.bundle = &bundle;
  problem.safe = SafeArea(width, height, options);
  problem.progress = &options.progress;
  problem.shorter = std::min(width, height);
  const bool floors = options.enforce_floors;
  const int body_floor = floors ? std::max(1, Round(problem.shorter * kBodyFloor)) : 1;
  const int body_max = std::max(body_floor, Round(problem.shorter * kBodyMax));
  problem.hotline_floor = floors ? std::max(1, Round(problem.shorter * kHotlineFloor)) : 1;
  problem.band_max = Round(problem.safe.h * kBandMaxOfSafe);
  problem.landscape = problem.safe.w >= problem.safe.h;

  // Each view's resolved languages and texts; the distinct language sets
  // decide the band's lines.
  for (const auto& view : views) {
    if (view.slide_index >= bundle.slides.size()) continue;
    const Slide& slide = bundle.slides[view.slide_index];
    std::vector<std::string> tags = TagsOf(slide, view);
    if (tags.empty() || tags.size() > 2) continue;
    ResolvedView r{&slide, {}};
    for (const auto& tag : tags) {
      const SlideText* text = slide.text(tag);
      if (text == nullptr) break;
      r.shown.push_back(ShownText{tag, text, IsRightToLeft(tag)});
    }
    if (r.shown.size() != tags.size()) continue;  // LayoutFrame names it
    problem.views.push_back(std::move(r));
    if (std::find(problem.tag_sets.begin(), problem.tag_sets.end(), tags) ==
        problem.tag_sets.end()) {
      problem.tag_sets.push_back(std::move(tags));
    }
  }
  if (problem.tag_sets.empty()) problem.tag_sets.push_back(kDefaultLanguages);

  // The same search twice: with scaled word widths (cheap, a few pixels
  // off) to guess the answer, then with exact widths only at the guessed
  // sizes and their neighbours. The answer is the exact search's: the guess
  // only saves the sizes a bisection would try.
  ScaleSearch exact(problem, m);
  ScaledMeasurer scaled_widths(m);
  ScaleSearch guess(problem, scaled_widths);
  auto hotline_hint = [&guess](int body) {
    auto s = guess.ScaleAt(body);
    return s ? s->hotline_px : 0;
  };

  // The scale at the floors: the answer when nothing larger fits, and
  // where a view that does not fit at a size tried is checked (a view that
  // cannot fit even there is left to fail on its own, not holding the
  // others back). Laid out only when needed: when a larger size has a
  // scale, so do the floors (the number can only grow as the body shrinks,
  // and the titles shrink).
  std::optional<std::optional<TypeScale>> lowest_memo;
  auto lowest = [&]() -> const std::optional<TypeScale>& {
    if (!lowest_memo) lowest_memo = exact.ScaleAt(body_floor, hotline_hint(body_floor));
    return *lowest_memo;
  };
  const size_t n = problem.views.size();
  std::vector<int> fits_at_floor(n, -1);  // -1: not known yet
  auto counted = [&](size_t i) {
    // A view that fitted at a size tried is taken to fit at the floors, as
    // a bisection over sizes assumes (fitting is monotone in body size).
    if (exact.HasFit(i)) return true;
    if (fits_at_floor[i] < 0) {
      fits_at_floor[i] = lowest() && exact.FitsView(*lowest(), i, /*allow_split=*/true);
    }
    return fits_at_floor[i] == 1;
  };
  // Nothing to search for: the band cannot be laid out at the floors, or
  // no view fits even there.
  auto settled = [&] {
    return (lowest_memo && !*lowest_memo) || std::count(fits_at_floor.begin(), fits_at_floor.end(),
                                                        0) == static_cast<std::ptrdiff_t>(n);
  };
  // The guess counts each view not known to fail at the floors.
  auto counted_for_guess = [&](size_t i) { return fits_at_floor[i] != 0; };
  for (bool allow_split : {false, true}) {
    // The guess's answer, then the exact check there: down until the views
    // fit, or up while the next size still fits. Where fitting is monotone
    // in body size (as a bisection assumes) the walk ends where a bisection
    // would; where it is not, at a size that fits with the next one not.
    int body = body_floor;
    if (guess.ScaleAt(body_floor)) {
      body = std::clamp(guess.LargestBody(body_floor, body_max, counted_for_guess, allow_split),
                        body_floor, body_max);
      exact.TryFirst(guess.hardest_view());
    } else {
      // No guess (the scaled widths see no band at the floors): the exact
      // bisection, from the floors, as before the guess.
      if (!lowest()) break;
      if (!exact.AllFit(*lowest(), counted, allow_split)) continue;
      body = exact.LargestBody(body_floor, body_max, counted, allow_split);
    }
    auto fits = [&](int b) {
      auto s = exact.ScaleAt(b, hotline_hint(b));
      return s && exact.AllFit(*s, counted, allow_split);
    };
    if (body > body_floor && !fits(body)) {
      do {
        --body;
      } while (body > body_floor && !settled() && !fits(body));
    } else {
      while (body < body_max && !settled() && fits(body + 1)) ++body;
    }
    if (settled()) break;
    // Words are split only when some view needs it even at the floors.
    // Above them, views that fit at a larger size fit at the floors too, as
    // a bisection over sizes assumes; only an answer at the floors is
    // checked.
    if (body == body_floor) {
      if (!lowest()) break;
      if (!exact.AllFit(*lowest(), counted, allow_split)) continue;
    }
    return *exact.ScaleAt(body);
  }
  if (!lowest()) {
    if (!exact.band_problem().empty()) {
      return Status::Invalid(where + ": " + exact.band_problem());
    }
    return Status::Invalid(
        where + ": the number cannot be " + std::to_string(problem.hotline_floor) +
        " px (the legibility floor) and larger than titles of " +
        std::to_string(kHeadlineToBody * body_floor) + " px with the e-mail and QR code beside it");
  }
  // No view fits at all, or none without splitting words and none with:
  // the floors, so each one's failure says so.
  return *lowest();
}

Result<FrameLayout> LayoutFrame(const Bundle& bundle, const SlideView& view, int width, int height,
                                TextMeasurer& measurer, const LayoutOptions& options) {
  if (view.slide_index >= bundle.slides.size()) {
    return Status::Invalid("no slide number " + std::to_string(view.slide_index));
  }
  std::vector<SlideView> views = {view};
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    if (i == view.slide_index) continue;
    const Slide& slide = bundle.slides[i];
    bool has_all = std::all_of(view.languages.begin(), view.languages.end(),
                               [&](const std::string& tag) { return slide.text(tag) != nullptr; });
    if (has_all) views.push_back(SlideView{i, view.languages});
  }
  auto scale = ChooseTypeScale(bundle, views, width, height, measurer, options);
  if (!scale.ok()) return scale.status();
  return LayoutFrame(bundle, view, width, height, measurer, *scale, options);
}

Result<FrameLayout> LayoutFrame(const Bundle& bundle, const SlideView& view, int width, int height,
                                TextMeasurer& measurer, const TypeScale& scale,
                                const LayoutOptions& options) {
  if (view.slide_index >= bundle.slides.size()) {
    return Status::Invalid("no slide number " + std::to_string(view.slide_index));
  }
  if (width < 64 || height < 64) {
    return Status::Invalid("screen " + std::to_string(width) + "x" + std::to_string(height) +
                           " is too small");
  }
  const Slide& slide = bundle.slides[view.slide_index];
  std::vector<std::string> tags = TagsOf(slide, view);
  std::string where = "slide \"" + slide.id + "\" (";
  for (size_t i = 0; i < tags.size(); ++i) where += (i > 0 ? "+" : "") + tags[i];
  where += ") at " + std::to_string(width) + "x" + std::to_string(height);
  if (tags.empty() || tags.size() > 2) {
    return Status::Invalid(where + ": a view shows one or two languages, not " +
                           std::to_string(tags.size()));
  }
  std::vector<ShownText> shown;
  for (const auto& tag : tags) {
    const SlideText* text = slide.text(tag);
    if (text == nullptr) return Status::Invalid(where + ": the slide has no \"" + tag + "\" text");
    shown.push_back(ShownText{tag, text, IsRightToLeft(tag)});
  }
  const int shorter = std::min(width, height);

  FrameLayout frame;
  frame.width = width;
  frame.height = height;
  frame.background = slide.theme.background;
  frame.safe_area = SafeArea(width, height, options);

  auto band = LayoutBand(bundle, tags, scale, scale.band_height, slide.theme, frame.safe_area,
                         shorter, measurer);
  if (!band.ok()) {
    // Not the slide's fault: the band is the same on every slide.
    return band.status().WithContext("the help band at " + std::to_string(width) + "x" +
                                     std::to_string(height));
  }
  if (band->needed_width > frame.safe_area.w) {
    return Status::Invalid("the help band at " + std::to_string(width) + "x" +
                           std::to_string(height) + " needs " + std::to_string(band->needed_width) +
                           " px of width, the safe area has " + std::to_string(frame.safe_area.w));
  }
  band->background.w = width;
  band->background.h = height - band->background.y;
  frame.boxes.push_back(PlacedBox{band->background, slide.theme.band_background});
  frame.qr = std::move(band->qr);
  frame.logo_slot = band->logo_slot;
  frame.hotline_px = scale.hotline_px;

  Rect body = BodyArea(frame.safe_area, scale.band_height, shorter);
  body = PlaceImage(slide, body, Round(shorter * kBandGap), &frame.image);
  Block block = SlideBlock(slide, shown, scale, body, measurer);
  if (!Fits(block, body, /*allow_split=*/true)) {
    return Status::Invalid(
        where + ": the text does not fit the " + std::to_string(body.w) + "x" +
        std::to_string(body.h) + " px text area at the bundle's type scale (" +
        std::to_string(scale.body_px) + " px body, " + std::to_string(scale.headline_px) +
        " px titles), nor at the legibility floor (" +
        std::to_string(options.enforce_floors ? std::max(1, Round(shorter * kBodyFloor)) : 1) +
        " px): shorten it or split it over two slides");
  }
  // Top-aligned: every slide's title starts at the same place.
  Shift(block, body.x, body.y);
  frame.boxes.insert(frame.boxes.end(), block.boxes.begin(), block.boxes.end());
  frame.texts = std::move(block.texts);
  frame.texts.insert(frame.texts.end(), band->texts.begin(), band->texts.end());
  frame.body_px = scale.body_px;
  return frame;
}

}  // namespace kiosk
