// Frame time during a crossfade: two slide textures blended and presented,
// as the player does, at 1920x1080 and 3840x2160. Uses whatever SDL video
// driver the environment selects (run-bench uses Xvfb's x11 when it can, so
// presenting includes the copy to the X server) and the software renderer
// unless KIOSK_BENCH_ACCELERATED=1.
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
    {
      kiosk::Compositor compositor((*display)->renderer(), **fonts, (*display)->width(),
                                   (*display)->height(), 0);
      auto a = kiosk::LayoutFrame(*bundle, kiosk::SlideView{0}, w, h, **fonts);
      auto b = kiosk::LayoutFrame(*bundle, kiosk::SlideView{1}, w, h, **fonts);
      auto ta = compositor.RenderSlide(*a);
      auto tb = compositor.RenderSlide(*b);
      std::vector<double> ms;
      const int frames = 48;  // an 800 ms crossfade at 60 frames per second
      for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < frames; ++i) {
          auto start = Clock::now();
          compositor.DrawCrossfade(ta->get(), tb->get(), (i + 1.0) / frames);
          SDL_RenderPresent((*display)->renderer());
          ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
      }
      std::sort(ms.begin(), ms.end());
      double sum = 0;
      for (double v : ms) sum += v;
      std::printf("crossfade %dx%d (%s): mean %.2f ms, p95 %.2f ms, max %.2f ms per frame\n", w, h,
                  (*display)->description().c_str(), sum / static_cast<double>(ms.size()),
                  ms[ms.size() * 95 / 100], ms.back());
    }
  }
  SDL_Quit();
  return 0;
}
