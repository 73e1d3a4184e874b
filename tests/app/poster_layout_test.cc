// The poster rules (issue 9) on the built-in bundle, measured with the real
// fonts: every slide at every listed size, both ways up, in both language
// layouts. Each rule is its own test case so a failure names the rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/rotation.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = KIOSK_SOURCE_DIR;

// The sizes the issue lists, and each turned a quarter (a TV mounted the
// other way up is laid out at the turned size).
std::vector<std::pair<int, int>> ListedSizes() {
  const std::vector<std::pair<int, int>> listed = {{800, 480},   {1280, 720},  {1920, 1080},
                                                   {3840, 2160}, {1080, 1920}, {480, 800}};
  std::vector<std::pair<int, int>> sizes;
  for (const auto& [w, h] : listed) {
    for (const auto& s : {std::pair{w, h}, std::pair{h, w}}) {
      if (std::find(sizes.begin(), sizes.end(), s) == sizes.end()) sizes.push_back(s);
    }
  }
  return sizes;
}

// One frame of a cycle, with its lines sorted by role.
struct Frame {
  std::string where;  // "help (fr+en) at 1920x1080"
  SlideView view;
  FrameLayout layout;
  const PlacedText* hotline = nullptr;
  const PlacedText* email = nullptr;
  std::vector<const PlacedText*> titles, body, band_other;  // band_other: label, caption
  Rect band;                                                // the band's background
};

struct Cycle {
  int width = 0, height = 0;
  LanguageLayout mode = LanguageLayout::kBilingual;
  std::vector<Frame> frames;
};

class Poster {
 public:
  Poster() {
    auto fonts = FontSet::Open(kSource / "fonts");
    REQUIRE_MESSAGE(fonts.ok(), fonts.status().message());
    fonts_ = std::move(*fonts);
    PosixFileStore disk;
    auto bundle = LoadBundleDir(disk, kSource / "content");
    REQUIRE_MESSAGE(bundle.ok(), bundle.status().message());
    bundle_ = std::move(*bundle);
    for (const auto& [w, h] : ListedSizes()) {
      for (LanguageLayout mode : {LanguageLayout::kBilingual, LanguageLayout::kAlternate}) {
        cycles_.push_back(LayOut(w, h, mode));
      }
    }
  }
  const std::vector<Cycle>& cycles() const { return cycles_; }
  const Bundle& bundle() const { return bundle_; }

 private:
  // The cycle a unit shows at w x h, laid out as the player lays it out: one
  // type scale for the whole cycle.
  Cycle LayOut(int w, int h, LanguageLayout mode) {
    Cycle c{w, h, mode, {}};
    std::vector<SlideView> views;
    for (const auto& timed : BuildCycle(bundle_, kDefaultLanguages, mode)) {
      views.push_back(timed.view);
    }
    auto scale = ChooseTypeScale(bundle_, views, w, h, *fonts_);
    REQUIRE_MESSAGE(scale.ok(), scale.status().message());
    for (const auto& view : views) {
      Frame f;
      f.view = view;
      f.where = bundle_.slides[view.slide_index].id + " (";
      for (size_t i = 0; i < view.languages.size(); ++i) {
        f.where += (i > 0 ? "+" : "") + view.languages[i];
      }
      f.where += ") at " + std::to_string(w) + "x" + std::to_string(h);
      auto layout = LayoutFrame(bundle_, view, w, h, *fonts_, *scale);
      REQUIRE_MESSAGE(layout.ok(), layout.status().message());
      f.layout = std::move(*layout);
      c.frames.push_back(std::move(f));
    }
    // Pointers into the frames only once they stop moving.
    for (auto& f : c.frames) {
      f.band = f.layout.boxes.front().rect;
      for (const auto& t : f.layout.texts) {
        if (t.text == bundle_.contact.hotline) {
          f.hotline = &t;
        } else if (t.text == bundle_.contact.email) {
          f.email = &t;
        } else if (t.box.y >= f.band.y) {
          f.band_other.push_back(&t);
        } else if (t.face == FontFace::kBold) {
          f.titles.push_back(&t);
        } else {
          f.body.push_back(&t);
        }
      }
      REQUIRE_MESSAGE(f.hotline != nullptr, f.where);
      REQUIRE_MESSAGE(f.email != nullptr, f.where);
      REQUIRE_MESSAGE(!f.titles.empty(), f.where);
      REQUIRE_MESSAGE(!f.body.empty(), f.where);
    }
    return c;
  }

  std::unique_ptr<FontSet> fonts_;
  Bundle bundle_;
  std::vector<Cycle> cycles_;
};

const Poster& BuiltinPoster() {
  static const Poster poster;
  return poster;
}

int LargestPx(const std::vector<const PlacedText*>& lines) {
  int px = 0;
  for (const auto* t : lines) px = std::max(px, t->px);
  return px;
}

int SmallestPx(const std::vector<const PlacedText*>& lines) {
  int px = lines.empty() ? 0 : lines.front()->px;
  for (const auto* t : lines) px = std::min(px, t->px);
  return px;
}

}  // namespace

TEST_CASE("poster: the hotline is the largest text on every frame") {
  for (const auto& c : BuiltinPoster().cycles()) {
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      for (const auto& t : f.layout.texts) {
        if (&t == f.hotline) continue;
        CHECK_MESSAGE(t.px < f.hotline->px, "\"", t.text, "\" at ", t.px, " px vs hotline ",
                      f.hotline->px, " px");
      }
    }
  }
}

TEST_CASE("poster: one size for titles and one for body text, on every slide and language") {
  // French and English at the same size, alternate or together, and every
  // slide of a cycle at the same sizes.
  for (const auto& c : BuiltinPoster().cycles()) {
    CAPTURE(c.width);
    CAPTURE(c.height);
    CAPTURE(static_cast<int>(c.mode));
    const Frame& first = c.frames.front();
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      CHECK(SmallestPx(f.titles) == LargestPx(first.titles));
      CHECK(LargestPx(f.titles) == LargestPx(first.titles));
      CHECK(SmallestPx(f.body) == LargestPx(first.body));
      CHECK(LargestPx(f.body) == LargestPx(first.body));
      CHECK(f.hotline->px == first.hotline->px);
      // The number stays put from slide to slide and language to language.
      CHECK(f.hotline->box == first.hotline->box);
      CHECK(f.layout.body_px == first.layout.body_px);
    }
  }
}

TEST_CASE("poster: headlines are at least twice the body size") {
  for (const auto& c : BuiltinPoster().cycles()) {
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      CHECK(SmallestPx(f.titles) >= 2 * LargestPx(f.body));
    }
  }
}

TEST_CASE("poster: the number spans at least half the band in landscape") {
  for (const auto& c : BuiltinPoster().cycles()) {
    if (c.width <= c.height) continue;
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      CHECK_MESSAGE(2 * f.hotline->box.w >= f.band.w, f.hotline->box.w, " of ", f.band.w, " px");
    }
  }
}

TEST_CASE("poster: the band's e-mail, label and caption are no smaller than body text") {
  for (const auto& c : BuiltinPoster().cycles()) {
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      const int body = LargestPx(f.body);
      CHECK(f.email->px >= body);
      REQUIRE_FALSE(f.band_other.empty());  // the label, at least
      for (const auto* t : f.band_other) CHECK_MESSAGE(t->px >= body, t->text);
    }
  }
}

TEST_CASE("poster: the band says what to do in the languages on screen, and captions the QR code") {
  const Bundle& b = BuiltinPoster().bundle();
  for (const auto& c : BuiltinPoster().cycles()) {
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      std::vector<std::string> band_lines;
      for (const auto* t : f.band_other) band_lines.push_back(t->text);
      auto shows = [&](const std::string& text) {
        return std::any_of(band_lines.begin(), band_lines.end(), [&](const std::string& line) {
          return line.find(text) != std::string::npos;
        });
      };
      for (const auto& tag : f.view.languages) {
        CHECK_MESSAGE(shows(b.contact.CallLabelFor(tag)), tag);
        CHECK_MESSAGE(shows(b.contact.QrCaptionFor(tag)), tag);
      }
      // The caption sits right by the QR code: under it (landscape) or
      // beside it (portrait).
      const Rect& tile = f.layout.qr.tile;
      bool by_qr = false;
      for (const auto* t : f.band_other) {
        bool under = t->box.y >= tile.bottom() && t->box.y < tile.bottom() + t->box.h &&
                     t->box.x < tile.right() && t->box.right() > tile.x;
        bool beside = t->box.x >= tile.right() && t->box.x < tile.right() + 2 * t->box.h &&
                      t->box.y < tile.bottom() && t->box.bottom() > tile.y;
        by_qr |= under || beside;
      }
      CHECK(by_qr);
    }
  }
}

TEST_CASE("poster: the QR code has a quiet zone of 4 modules") {
  for (const auto& c : BuiltinPoster().cycles()) {
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      const PlacedQr& qr = f.layout.qr;
      CHECK(qr.quiet_modules >= 4);
      CHECK(qr.tile.w == (qr.matrix.size + 2 * qr.quiet_modules) * qr.module_px);
      CHECK(qr.module_px >= 2);
      // Nothing drawn on the quiet zone: no line of text crosses the tile.
      for (const auto& t : f.layout.texts) {
        bool overlaps = t.box.x < qr.tile.right() && qr.tile.x < t.box.right() &&
                        t.box.y < qr.tile.bottom() && qr.tile.y < t.box.bottom();
        CHECK_FALSE_MESSAGE(overlaps, t.text);
      }
    }
  }
}

TEST_CASE("poster: a pair is side by side in landscape and stacked in portrait, tops aligned") {
  for (const auto& c : BuiltinPoster().cycles()) {
    if (c.mode != LanguageLayout::kBilingual) continue;
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      REQUIRE(f.view.languages.size() == 2);
      // The first title line of each language: the lead's comes first.
      const Slide& slide = BuiltinPoster().bundle().slides[f.view.slide_index];
      const PlacedText* lead = nullptr;
      const PlacedText* other = nullptr;
      const std::string& lead_title = slide.text(f.view.languages[0])->title;
      const std::string& other_title = slide.text(f.view.languages[1])->title;
      for (const auto* t : f.titles) {
        if (lead == nullptr && lead_title.rfind(t->text, 0) == 0) lead = t;
        if (other == nullptr && other_title.rfind(t->text, 0) == 0) other = t;
      }
      REQUIRE(lead != nullptr);
      REQUIRE(other != nullptr);
      if (c.width > c.height) {
        CHECK(lead->box.y == other->box.y);
        CHECK(lead->box.x < other->box.x);
        // The body columns start level too, however the titles wrap.
        int lead_body = INT32_MAX, other_body = INT32_MAX;
        for (const auto* t : f.body) {
          int& top = t->box.x < other->box.x ? lead_body : other_body;
          top = std::min(top, t->box.y);
        }
        CHECK(lead_body == other_body);
      } else {
        CHECK(lead->box.x == other->box.x);
        CHECK(lead->box.y < other->box.y);
      }
    }
  }
}

TEST_CASE("poster: titles start at the same place on every slide") {
  for (const auto& c : BuiltinPoster().cycles()) {
    const Frame& first = c.frames.front();
    for (const auto& f : c.frames) {
      CAPTURE(f.where);
      CHECK(f.titles.front()->box.y == first.titles.front()->box.y);
    }
  }
}

}  // namespace kiosk
