// Frame time during a crossfade, as the player draws it: from a slide on
// screen to a pre-rendered change (only where the next slide differs, see
// kiosk/core/changed_area.h), blended and presented, at 1920x1080 and
// 3840x2160, between every pair of consecutive built-in slides. Prints the
// area blended and frame-time percentiles. Uses whatever SDL video driver the
// environment selects (run-bench uses Xvfb's x11 when it can, so presenting
// includes the copy to the X server) and the software renderer unless
// KIOSK_BENCH_ACCELERATED=1. Frames are not paced: this is the work per frame
// (the player draws one every Programme::kSoftwareFrameInterval in software).
#include <SDL.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/platform/compositor.h"
#include "kiosk/platform/display.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"

using Clock = std::chrono::steady_clock;

int main() {
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    std::fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
    return 1;
  }
  bool accelerated = std::getenv("KIOSK_BENCH_ACCELERATED") != nullptr;
  if (!accelerated) SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  auto fonts = kiosk::FontSet::Open(std::string(KIOSK_SOURCE_DIR) + "/fonts");
  kiosk::PosixFileStore disk;
  auto bundle = kiosk::LoadBundleDir(disk, std::string(KIOSK_SOURCE_DIR) + "/content");
  if (!fonts.ok() || !bundle.ok()) return 1;
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{3840, 2160}}) {
    kiosk::DisplayOptions options;
    options.windowed = true;
    options.width = w;
    options.height = h;
    options.vsync = false;  // measure the work, not the display's refresh
    auto display = kiosk::Display::Open(options);
    if (!display.ok()) {
      std::fprintf(stderr, "%s\n", display.status().message().c_str());
      return 1;
    }
    kiosk::Compositor compositor((*display)->renderer(), **fonts, (*display)->width(),
                                 (*display)->height(), 0);
    // "whole frame" blends every pixel, as before the changed area was used.
    for (bool whole : {true, false}) {
      std::vector<double> ms;
      double area_share = 0;
      const size_t slides = bundle->slides.size();
      const int frames = 45;  // a 1.5 s crossfade at 30 frames per second
      for (size_t i = 0; i < slides; ++i) {
        auto a = kiosk::LayoutFrame(*bundle, kiosk::SlideView{i}, w, h, **fonts);
        auto b = kiosk::LayoutFrame(*bundle, kiosk::SlideView{(i + 1) % slides}, w, h, **fonts);
        if (!a.ok() || !b.ok()) return 1;
        auto from = compositor.RenderSlide(*a);
        auto change = compositor.RenderChange(whole ? nullptr : &*a, *b);
        if (!from.ok() || !change.ok()) return 1;
        compositor.Draw(from->get());
        SDL_RenderPresent((*display)->renderer());
        area_share += static_cast<double>(change->area.w) * change->area.h / (1.0 * w * h);
        for (int f = 0; f < frames; ++f) {
          auto start = Clock::now();
          compositor.PresentCrossfade(from->get(), *change, (f + 1.0) / frames);
          ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
      }
      std::sort(ms.begin(), ms.end());
      double sum = 0;
      for (double v : ms) sum += v;
      auto pct = [&](size_t p) { return ms[std::min(ms.size() - 1, ms.size() * p / 100)]; };
      std::printf(
          "crossfade %dx%d (%s), %s, %zu slide pairs: blends %.0f%% of the frame; "
          "per frame mean %.2f ms, p50 %.2f, p95 %.2f, p99 %.2f, max %.2f ms\n",
          w, h, (*display)->description().c_str(), whole ? "whole frame" : "changed area", slides,
          100.0 * area_share / static_cast<double>(slides), sum / static_cast<double>(ms.size()),
          pct(50), pct(95), pct(99), ms.back());
    }
  }
  SDL_Quit();
  return 0;
}
