// The real fonts, the real renderer: every built-in slide at every supported
// size, as PNG, checked the way a person would look at it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/app/commands.h"
#include "kiosk/core/image_check.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/rotation.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/compositor.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"
#include "tests/common/child_process.h"
#include "tests/common/images.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = KIOSK_SOURCE_DIR;

bool Overlap(const Rect& a, const Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

}  // namespace

TEST_CASE("every built-in slide fits every supported size with the real fonts") {
  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE(fonts.ok());
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, kSource / "content");
  REQUIRE(bundle.ok());
  CHECK(ValidateBundle(*bundle, **fonts).empty());
  for (LanguageLayout mode : {LanguageLayout::kBilingual, LanguageLayout::kAlternate}) {
    for (const auto& timed : BuildCycle(*bundle, kDefaultLanguages, mode)) {
      for (const auto& size : kSupportedSizes) {
        CAPTURE(bundle->slides[timed.view.slide_index].id);
        CAPTURE(size.width);
        CAPTURE(size.height);
        auto f = LayoutFrame(*bundle, timed.view, size.width, size.height, **fonts);
        REQUIRE_MESSAGE(f.ok(), f.status().message());
        int shorter = std::min(size.width, size.height);
        CHECK(f->hotline_px >= static_cast<int>(shorter * kHotlineFloor));
        CHECK(f->body_px >= static_cast<int>(shorter * kBodyFloor));
        for (size_t i = 0; i < f->texts.size(); ++i) {
          const auto& t = f->texts[i];
          CHECK_MESSAGE(f->safe_area.Contains(t.box), t.text);
          // Measured width must be what will be drawn: nothing cut off.
          CHECK(t.box.w == (**fonts).Width(t.text, t.face, t.px));
          for (size_t j = i + 1; j < f->texts.size(); ++j) {
            CHECK_MESSAGE(!Overlap(t.box, f->texts[j].box), t.text, " overlaps ", f->texts[j].text);
          }
          CHECK_FALSE(Overlap(t.box, f->qr.tile));
        }
      }
    }
  }
}

TEST_CASE("every slide renders at every size with the band, and the QR code dials the hotline") {
  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE(fonts.ok());
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, kSource / "content");
  REQUIRE(bundle.ok());
  for (const auto& size : kSupportedSizes) {
    CAPTURE(size.width);
    CAPTURE(size.height);
    RenderOptions options;
    options.content_dir = kSource / "content";
    options.data_dir = kSource;
    testing::TempDir scratch("kiosk-render");
    options.out_dir = scratch.path();
    options.width = size.width;
    options.height = size.height;
    auto written = RenderBundle(options);
    REQUIRE_MESSAGE(written.ok(), written.status().message());
    REQUIRE(written->size() == bundle->slides.size());

    auto layout = LayoutFrame(*bundle, SlideView{}, size.width, size.height, **fonts);
    REQUIRE(layout.ok());
    const PlacedText* hotline = nullptr;
    for (const auto& t : layout->texts) {
      if (t.text == "1-800-292-1168") hotline = &t;
    }
    REQUIRE(hotline != nullptr);
    Rect band = layout->boxes[0].rect;  // the band's background, drawn first
    auto first = testing::LoadRgb((*written)[0].string());
    REQUIRE(first);
    CHECK(first->w == size.width);
    CHECK(first->h == size.height);
    // The hotline is drawn: its box holds dark ink on the light band.
    long ink = 0;
    for (int y = hotline->box.y; y < hotline->box.bottom(); ++y) {
      for (int x = hotline->box.x; x < hotline->box.right(); ++x) {
        ink += testing::PixelAt(first.get(), x, y) == 0x000000;
      }
    }
    CHECK(ink > static_cast<long>(hotline->box.w) * hotline->box.h / 20);
    // The band is the same on every frame.
    for (const auto& png : *written) {
      auto other = testing::LoadRgb(png.string());
      CHECK(testing::DifferingPixels(first.get(), other.get(), band.x, band.y, band.w, band.h) ==
            0);
    }
    // A phone can scan it: zbar decodes the dial link and nothing else.
    CHECK(testing::DecodeQr((*written)[0].string()) == "tel:+18002921168");
  }
}

TEST_CASE("a PNG from kiosk render is the frame the player shows, rotated or not") {
  for (int rotation : {0, 90}) {
    CAPTURE(rotation);
    testing::TempDir scratch("kiosk-match");
    const fs::path& dir = scratch.path();
    RenderOptions options;
    options.content_dir = kSource / "content";
    options.data_dir = kSource;
    options.out_dir = dir / "render";
    options.display.rotation_degrees = rotation;
    auto written = RenderBundle(options);
    REQUIRE(written.ok());

    fs::create_directories(dir / "capture");
    testing::ChildProcess player(
        {KIOSK_BIN, "--allow-root", "--size", "1920x1080", "--rotate", std::to_string(rotation),
         "--capture-dir", (dir / "capture").string(), "--exit-after", "1"},
        {"SDL_VIDEODRIVER=dummy"});
    REQUIRE(player.Wait(std::chrono::seconds(20)) == 0);
    auto shown = testing::LoadRgb((dir / "capture" / "frame-000.png").string());
    auto rendered = testing::LoadRgb((*written)[0].string());
    REQUIRE(shown);
    REQUIRE(rendered);
    CHECK(testing::DifferingPixels(shown.get(), rendered.get()) == 0);
  }
}

TEST_CASE("a rotated frame is the upright slide turned a quarter clockwise") {
  testing::TempDir scratch("kiosk-rotate");
  const fs::path& dir = scratch.path();
  RenderOptions upright;
  upright.content_dir = kSource / "content";
  upright.data_dir = kSource;
  upright.out_dir = dir / "upright";
  upright.width = 1080;
  upright.height = 1920;
  RenderOptions turned = upright;
  turned.out_dir = dir / "turned";
  turned.width = 1920;
  turned.height = 1080;
  turned.display.rotation_degrees = 90;
  auto a = RenderBundle(upright);
  auto b = RenderBundle(turned);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto up = testing::LoadRgb((*a)[0].string());
  auto cw = testing::LoadRgb((*b)[0].string());
  REQUIRE(up);
  REQUIRE(cw);
  // Upright (x, y) lands at (H - 1 - y, x) after a clockwise quarter turn.
  long differ = 0;
  for (int y = 0; y < up->h; y += 7) {
    for (int x = 0; x < up->w; x += 7) {
      differ += testing::PixelAt(up.get(), x, y) != testing::PixelAt(cw.get(), up->h - 1 - y, x);
    }
  }
  CHECK(differ == 0);
}

}  // namespace kiosk

namespace kiosk {
namespace {

// A slide rendered whole, read back as pixels.
SurfacePtr Pixels(Compositor& compositor, SDL_Texture* slide) {
  compositor.Draw(slide);
  auto pixels = compositor.ReadPixels();
  return pixels.ok() ? std::move(*pixels) : nullptr;
}

}  // namespace

TEST_CASE("a slide changed into the next one has the next one's pixels, band untouched") {
  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE(fonts.ok());
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, kSource / "content");
  REQUIRE(bundle.ok());
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{3840, 2160}}) {
    SurfacePtr target(SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888));
    REQUIRE(target);
    SDL_Renderer* renderer = SDL_CreateSoftwareRenderer(target.get());
    REQUIRE(renderer != nullptr);
    {
      Compositor compositor(renderer, **fonts, w, h, 0);
      const size_t n = bundle->slides.size();
      for (size_t i = 0; i < n; ++i) {
        CAPTURE(w);
        CAPTURE(bundle->slides[i].id);
        auto a = LayoutFrame(*bundle, SlideView{i}, w, h, **fonts);
        auto b = LayoutFrame(*bundle, SlideView{(i + 1) % n}, w, h, **fonts);
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        auto slide = compositor.RenderSlide(*a);
        auto next = compositor.RenderSlide(*b);
        auto change = compositor.RenderChange(&*a, *b);
        REQUIRE(slide.ok());
        REQUIRE(next.ok());
        REQUIRE(change.ok());
        // The band (its background is the first box) is never part of it.
        CHECK_FALSE(Overlap(change->area, b->boxes[0].rect));
        CHECK(change->area.w * change->area.h < w * h);
        REQUIRE(compositor.Apply(*change, slide->get()).ok());
        auto changed = Pixels(compositor, slide->get());
        auto expected = Pixels(compositor, next->get());
        REQUIRE(changed);
        REQUIRE(expected);
        CHECK(testing::DifferingPixels(changed.get(), expected.get()) == 0);
      }
    }
    SDL_DestroyRenderer(renderer);
  }
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE(
    "after SDL's render target and device resets the player draws the slide again, as "
    "kiosk render does") {
  testing::TempDir scratch("kiosk-reset");
  const fs::path& dir = scratch.path();
  RenderOptions options;
  options.content_dir = kSource / "content";
  options.data_dir = kSource;
  options.out_dir = dir / "render";
  auto written = RenderBundle(options);
  REQUIRE(written.ok());
  fs::create_directories(dir / "capture");
  for (const char* driver : {"SDL_VIDEODRIVER=offscreen", "SDL_VIDEODRIVER=dummy"}) {
    CAPTURE(driver);
    fs::remove_all(dir / "capture");
    fs::create_directories(dir / "capture");
    testing::ChildProcess player(
        {KIOSK_BIN, "--allow-root", "--size", "1920x1080", "--capture-dir",
         (dir / "capture").string(), "--exit-after", "2", "--test-render-reset"},
        {driver});
    REQUIRE(player.Wait(std::chrono::seconds(30)) == 0);
    CAPTURE(player.output());
    CHECK(player.output().find("renderer reset: drawing the slide again") != std::string::npos);
    // frame-000 is the first frame; each reset draws it again from the layout.
    auto rendered = testing::LoadRgb((*written)[0].string());
    REQUIRE(rendered);
    for (const char* name : {"frame-001.png", "frame-002.png"}) {
      CAPTURE(name);
      auto redrawn = testing::LoadRgb((dir / "capture" / name).string());
      REQUIRE(redrawn);
      CHECK(testing::DifferingPixels(redrawn.get(), rendered.get()) == 0);
    }
  }
}

TEST_CASE(
    "a slide's image is drawn where the layout puts it, the same by kiosk render and the player") {
  testing::TempDir scratch("kiosk-image");
  const fs::path& dir = scratch.path();
  const fs::path content = dir / "content";
  fs::create_directories(content / "images");
  std::ifstream in(kSource / "content" / "slides.json", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string slides = text.str();
  const std::string first = R"("id": "help",)";
  REQUIRE(slides.find(first) != std::string::npos);
  slides.replace(slides.find(first), first.size(),
                 R"("id": "help", "image": {"file": "images/red.png", "description":
                    {"fr": "Un carré rouge", "en": "A red square"}},)");
  std::ofstream(content / "slides.json", std::ios::binary) << slides;
  fs::copy_file(kSource / "tests/fixtures/images/red-40x20.png", content / "images/red.png");

  RenderOptions options;
  options.content_dir = content;
  options.data_dir = kSource;
  options.out_dir = dir / "render";
  auto written = RenderBundle(options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());

  auto fonts = FontSet::Open(kSource / "fonts");
  REQUIRE(fonts.ok());
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, content);
  REQUIRE(bundle.ok());
  REQUIRE(AttachImages(*bundle, disk, content).ok());
  auto layout = LayoutFrame(*bundle, SlideView{}, 1920, 1080, **fonts);
  REQUIRE(layout.ok());
  REQUIRE(layout->image);
  const Rect r = layout->image->rect;
  auto rendered = testing::LoadRgb((*written)[0].string());
  REQUIRE(rendered);
  // Inside the image (a pixel in from its edges, where scaling blends with
  // nothing): the image's red; just outside it: the slide's background.
  long red = 0, total = 0;
  for (int y = r.y + 1; y < r.bottom() - 1; ++y) {
    for (int x = r.x + 1; x < r.right() - 1; ++x) {
      red += testing::PixelAt(rendered.get(), x, y) == 0xE01010;
      ++total;
    }
  }
  CHECK(total > 1000);
  CHECK(red == total);
  CHECK(testing::PixelAt(rendered.get(), r.x - 2, r.y + r.h / 2) == 0x0B1F33);
  CHECK(testing::PixelAt(rendered.get(), r.x + r.w / 2, r.y - 2) == 0x0B1F33);

  // The player shows the same pixels.
  fs::create_directories(dir / "capture");
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--size", "1920x1080", "--content", content.string(),
       "--capture-dir", (dir / "capture").string(), "--exit-after", "1"},
      {"SDL_VIDEODRIVER=dummy"});
  REQUIRE(player.Wait(std::chrono::seconds(20)) == 0);
  auto shown = testing::LoadRgb((dir / "capture" / "frame-000.png").string());
  REQUIRE(shown);
  CHECK(testing::DifferingPixels(shown.get(), rendered.get()) == 0);
}

}  // namespace kiosk
