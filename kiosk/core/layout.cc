#include "kiosk/core/layout.h"

#include <algorithm>
#include <cmath>

#include "kiosk/core/language.h"
#include "kiosk/core/line_break.h"

namespace kiosk {
namespace {

// Proportions, as fractions of the screen's shorter side unless said.
constexpr double kBandHeight = 0.22;  // the help band's content height
constexpr double kBandHeightPortrait = 0.3;
constexpr double kBandMaxOfSafe = 0.35;  // ... but never more of the safe height
constexpr double kBandPadding = 0.02;    // band colour beyond its content
constexpr double kBandGap = 0.03;        // between the QR tile and the band text
constexpr double kBodyMax = 0.075;       // largest body text
constexpr double kTitleScale = 1.3;      // title px = body px * this
constexpr double kMinColumnEms = 16;     // side-by-side columns at least this many px-sizes wide
constexpr int kQrQuietModules = 2;       // on a light tile; zbar and phones read it
// Band lines as fractions of the band height: label, hotline, e-mail.
constexpr double kBandLabel = 0.15, kBandHotline = 0.44, kBandEmail = 0.2;

int Round(double v) { return static_cast<int>(std::lround(v)); }

// A block of lines laid out at a given size, relative to its own top-left.
struct Block {
  std::vector<PlacedText> texts;
  std::vector<PlacedBox> boxes;
  int width = 0;
  int height = 0;
  bool broke_word = false;
  bool too_wide = false;  // some line could not fit even when split
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
// of a right-to-left language end at the column's right edge.
Block LanguageBlock(const SlideText& text, bool right_to_left, const Theme& theme, int px,
                    int width, TextMeasurer& m) {
  Block b;
  b.width = width;
  int title_px = Round(px * kTitleScale);
  int y = AddParagraph(b, text.title, FontFace::kBold, title_px, theme.accent, width, 0, m,
                       LineBreakStyle::kBalanced);
  int lh = m.LineHeight(FontFace::kRegular, px);
  y += lh / 3;
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

// The slide's text for a body rectangle at size px, in the arrangement that
// suits the rectangle (columns or stacked for a pair). shown holds one or two
// languages, the first leading: on top when stacked, in the first column in
// its reading direction (the right one for a right-to-left language).
Block SlideBlock(const Slide& slide, const std::vector<ShownText>& shown, int px, const Rect& body,
                 bool side_by_side, TextMeasurer& m) {
  Block all;
  all.width = body.w;
  int lh = m.LineHeight(FontFace::kRegular, px);
  int gutter = std::max(Round(body.w * 0.04), 2 * px);
  int rule = std::max(2, px / 12);  // divider thickness
  Color rule_color = slide.theme.accent;
  int y = 0;
  const ShownText& lead = shown.front();
  if (shown.size() == 1) {
    Block b = LanguageBlock(*lead.text, lead.right_to_left, slide.theme, px, body.w, m);
    y = b.height;
    Append(all, std::move(b), 0, 0);
  } else if (side_by_side) {
    const ShownText& other = shown[1];
    int col_w = (body.w - gutter) / 2;
    Block first = LanguageBlock(*lead.text, lead.right_to_left, slide.theme, px, col_w, m);
    Block second = LanguageBlock(*other.text, other.right_to_left, slide.theme, px, col_w, m);
    y = std::max(first.height, second.height);
    all.boxes.push_back(PlacedBox{Rect{col_w + (gutter - rule) / 2, 0, rule, y}, rule_color});
    // A right-to-left reader starts on the right: the lead column goes there.
    int lead_x = lead.right_to_left ? col_w + gutter : 0;
    Append(all, std::move(first), lead_x, 0);
    Append(all, std::move(second), col_w + gutter - lead_x, 0);
  } else {
    const ShownText& other = shown[1];
    Block first = LanguageBlock(*lead.text, lead.right_to_left, slide.theme, px, body.w, m);
    Block second = LanguageBlock(*other.text, other.right_to_left, slide.theme, px, body.w, m);
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

struct Fit {
  Block block;
  int px = 0;
};

// Largest px in [floor_px, max_px] whose block fits the body, preferring sizes
// that split no word. Height grows with px almost always; a final downward
// walk covers the rare size where it does not.
std::optional<Fit> FitSlide(const Slide& slide, const std::vector<ShownText>& shown,
                            const Rect& body, bool side_by_side, int floor_px, int max_px,
                            TextMeasurer& m) {
  for (bool allow_split : {false, true}) {
    auto fits = [&](int px, Block* out) {
      Block b = SlideBlock(slide, shown, px, body, side_by_side, m);
      bool ok = b.height <= body.h && !b.too_wide && (allow_split || !b.broke_word);
      if (ok && out) *out = std::move(b);
      return ok;
    };
    int lo = floor_px, hi = max_px;
    if (!fits(lo, nullptr)) continue;
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      if (fits(mid, nullptr)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    Fit f;
    f.px = lo;
    if (fits(lo, &f.block)) return f;
  }
  return std::nullopt;
}

struct Band {
  Rect background;
  Rect content;
  std::vector<PlacedText> texts;
  PlacedQr qr;
  int hotline_px = 0;
};

// labels: the band's label in each language on screen (one or two, distinct).
Result<Band> LayoutBand(const Bundle& bundle, const std::vector<std::string>& labels,
                        const Theme& theme, const Rect& safe, int shorter, bool enforce_floors,
                        TextMeasurer& m) {
  Band band;
  // A portrait panel has height to spare and too little width for the label
  // on one line, so its band is taller and carries the label on two lines.
  double share = safe.h > safe.w ? kBandHeightPortrait : kBandHeight;
  int band_h = std::min(Round(shorter * share), Round(safe.h * kBandMaxOfSafe));
  int pad = Round(shorter * kBandPadding);
  band.content = Rect{safe.x, safe.bottom() - band_h, safe.w, band_h};
  int top = band.content.y - pad;
  band.background = Rect{0, top, 0, 0};  // width/height set by the caller (screen size)

  auto qr = EncodeQr(bundle.contact.QrPayload());
  if (!qr.ok()) return qr.status();
  int modules = qr->size + 2 * kQrQuietModules;
  int module_px = band_h / modules;
  if (module_px < (enforce_floors ? 2 : 1)) {
    return Status::Invalid("the band is " + std::to_string(band_h) +
                           " px tall: too small for a readable QR code (needs " +
                           std::to_string(2 * modules) + " px)");
  }
  int tile = modules * module_px;
  band.qr = PlacedQr{std::move(*qr), Rect{safe.x, band.content.y + (band_h - tile) / 2, tile, tile},
                     module_px, kQrQuietModules};

  int x0 = band.qr.tile.right() + Round(shorter * kBandGap);
  int text_w = safe.right() - x0;
  struct Line {
    std::string text;
    FontFace face;
    double share;  // of the band height
    int min_px;
  };
  int body_floor = Round(shorter * kBodyFloor);
  const Contact& c = bundle.contact;
  const Line hotline{c.hotline, FontFace::kBold, kBandHotline, Round(shorter * kHotlineFloor)};
  const Line email{c.email, FontFace::kBold, kBandEmail, body_floor};
  std::vector<std::vector<Line>> variants;
  if (labels.size() == 2) {
    // A pair's label in both languages on one line where it fits above the
    // floor, else one line per language: both always, at the same size.
    variants = {
        {{labels[0] + "  \xC2\xB7  " + labels[1], FontFace::kRegular, kBandLabel, body_floor},
         hotline,
         email},
        {{labels[0], FontFace::kRegular, kBandLabel * 0.8, body_floor},
         {labels[1], FontFace::kRegular, kBandLabel * 0.8, body_floor},
         {c.hotline, FontFace::kBold, kBandHotline * 0.9, hotline.min_px},
         {c.email, FontFace::kBold, kBandEmail * 0.9, body_floor}}};
  } else if (labels.size() == 1) {
    variants = {{{labels[0], FontFace::kRegular, kBandLabel, body_floor}, hotline, email}};
  } else {
    variants = {{hotline, email}};
  }
  std::vector<Line> lines;
  std::vector<int> px;
  std::string problem;
  for (auto& variant : variants) {
    // Each line as large as its share of the band allows and its width
    // permits; then all scaled down together if they overflow the height.
    std::vector<int> sizes;
    for (const auto& line : variant) {
      int p = std::max(1, Round(band_h * line.share));
      // Width grows about linearly with size: jump close, then step down.
      int w = m.Width(line.text, line.face, p);
      if (w > text_w) p = std::max(1, static_cast<int>(int64_t{p} * text_w / w));
      while (p > 1 && m.Width(line.text, line.face, p) > text_w) --p;
      sizes.push_back(p);
    }
    // Labels in two languages share one size: equal prominence.
    if (variant.size() == 4) sizes[0] = sizes[1] = std::min(sizes[0], sizes[1]);
    auto total_height = [&] {
      int h = 0;
      for (size_t i = 0; i < variant.size(); ++i) h += m.LineHeight(variant[i].face, sizes[i]);
      return h;
    };
    while (total_height() > band_h && sizes[0] > 1) {
      for (int& p : sizes) p = std::max(1, p * 19 / 20);
    }
    problem.clear();
    for (size_t i = 0; i < variant.size() && problem.empty(); ++i) {
      if (enforce_floors && sizes[i] < variant[i].min_px) {
        problem = "the band line \"" + variant[i].text + "\" fits only at " +
                  std::to_string(sizes[i]) + " px, below the legibility floor of " +
                  std::to_string(variant[i].min_px) + " px";
      }
    }
    lines = std::move(variant);
    px = std::move(sizes);
    if (problem.empty()) break;
  }
  if (!problem.empty()) return Status::Invalid(problem);
  int total = 0;
  for (size_t i = 0; i < lines.size(); ++i) total += m.LineHeight(lines[i].face, px[i]);
  int y = band.content.y + (band_h - total) / 2;
  for (size_t i = 0; i < lines.size(); ++i) {
    int lh = m.LineHeight(lines[i].face, px[i]);
    band.texts.push_back(PlacedText{lines[i].text, lines[i].face, px[i], theme.band_text,
                                    Rect{x0, y, m.Width(lines[i].text, lines[i].face, px[i]), lh}});
    if (lines[i].face == FontFace::kBold && band.hotline_px == 0) band.hotline_px = px[i];
    y += lh;
  }
  return band;
}

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

std::vector<std::string> BandLabels(const Contact& contact, const std::vector<std::string>& tags) {
  std::vector<std::string> labels;
  auto add = [&labels](const std::string& label) {
    if (!label.empty() && std::find(labels.begin(), labels.end(), label) == labels.end()) {
      labels.push_back(label);
    }
  };
  bool all_own = true;
  for (const auto& tag : tags) {
    auto own = std::find_if(contact.labels.begin(), contact.labels.end(),
                            [&tag](const auto& entry) { return entry.first == tag; });
    if (own == contact.labels.end()) {
      all_own = false;
    } else {
      add(own->second);
    }
  }
  // A language on screen without a label of its own: the band keeps saying
  // it in the bundle's first languages (French and English on the built-in
  // bundle), up to two labels, rather than leave a passer-by without words.
  for (size_t i = 0; !all_own && i < contact.labels.size() && labels.size() < 2; ++i) {
    add(contact.labels[i].second);
  }
  return labels;
}

Result<FrameLayout> LayoutFrame(const Bundle& bundle, const SlideView& view, int width, int height,
                                TextMeasurer& measurer, const LayoutOptions& options) {
  if (view.slide_index >= bundle.slides.size()) {
    return Status::Invalid("no slide number " + std::to_string(view.slide_index));
  }
  if (width < 64 || height < 64) {
    return Status::Invalid("screen " + std::to_string(width) + "x" + std::to_string(height) +
                           " is too small");
  }
  const Slide& slide = bundle.slides[view.slide_index];
  std::vector<std::string> tags = view.languages;
  if (tags.empty()) {
    for (const auto& [tag, text] : slide.texts) {
      if (tags.size() < 2) tags.push_back(tag);
    }
  }
  std::string where = "slide \"" + slide.id + "\" (";
  for (size_t i = 0; i < tags.size(); ++i) where += (i > 0 ? "+" : "") + tags[i];
  where += ") at " + std::to_string(width) + "x" + std::to_string(height);
  if (tags.empty() || tags.size() > 2) {
    return Status::Invalid(where + ": a view shows one or two languages, not " +
                           std::to_string(tags.size()));
  }
  std::vector<ShownText> shown;
  std::vector<std::string> labels;
  for (const auto& tag : tags) {
    const SlideText* text = slide.text(tag);
    if (text == nullptr) return Status::Invalid(where + ": the slide has no \"" + tag + "\" text");
    shown.push_back(ShownText{tag, text, IsRightToLeft(tag)});
  }
  labels = BandLabels(bundle.contact, tags);
  const bool pair = shown.size() == 2;
  int shorter = std::min(width, height);
  int mx = Round(width * options.margin_percent / 100.0);
  int my = Round(height * options.margin_percent / 100.0);

  FrameLayout frame;
  frame.width = width;
  frame.height = height;
  frame.background = slide.theme.background;
  frame.safe_area = Rect{mx, my, width - 2 * mx, height - 2 * my};

  auto band = LayoutBand(bundle, labels, slide.theme, frame.safe_area, shorter,
                         options.enforce_floors, measurer);
  if (!band.ok()) {
    // Not the slide's fault: the band is the same on every slide.
    return band.status().WithContext("the help band at " + std::to_string(width) + "x" +
                                     std::to_string(height));
  }
  band->background.w = width;
  band->background.h = height - band->background.y;
  frame.boxes.push_back(PlacedBox{band->background, slide.theme.band_background});
  frame.qr = std::move(band->qr);
  frame.hotline_px = band->hotline_px;

  int gap = Round(shorter * kBandGap);
  Rect body{frame.safe_area.x, frame.safe_area.y, frame.safe_area.w,
            band->background.y - gap - frame.safe_area.y};
  body = PlaceImage(slide, body, gap, &frame.image);
  int floor_px = options.enforce_floors ? Round(shorter * kBodyFloor) : 1;
  int max_px = std::max(floor_px, Round(shorter * kBodyMax));

  // A pair tries both arrangements and keeps the one with larger text.
  std::optional<Fit> best;
  for (bool side_by_side : {true, false}) {
    if (!pair && !side_by_side) continue;
    int limit = max_px;
    if (pair && side_by_side) {
      // Columns narrower than about 30 characters read badly (a word or two
      // a line on a portrait panel): cap the size so each column keeps
      // kMinColumnEms, and drop columns if that falls below the floor.
      int column = (body.w - std::max(Round(body.w * 0.04), 2 * floor_px)) / 2;
      limit = std::min(max_px, static_cast<int>(column / kMinColumnEms));
      if (limit < floor_px) continue;
    }
    auto fit = FitSlide(slide, shown, body, side_by_side, floor_px, limit, measurer);
    if (fit && (!best || fit->px > best->px ||
                (fit->px == best->px && best->block.broke_word && !fit->block.broke_word))) {
      best = std::move(fit);
    }
    if (!pair) break;
  }
  if (!best) {
    return Status::Invalid(where + ": the text does not fit the " + std::to_string(body.w) + "x" +
                           std::to_string(body.h) + " px text area even at the legibility floor (" +
                           std::to_string(floor_px) +
                           " px): shorten it or split it over two slides");
  }
  // Centre the block vertically in the body area.
  Shift(best->block, body.x, body.y + (body.h - best->block.height) / 2);
  frame.boxes.insert(frame.boxes.end(), best->block.boxes.begin(), best->block.boxes.end());
  frame.texts = std::move(best->block.texts);
  frame.texts.insert(frame.texts.end(), band->texts.begin(), band->texts.end());
  frame.body_px = best->px;
  return frame;
}

}  // namespace kiosk
