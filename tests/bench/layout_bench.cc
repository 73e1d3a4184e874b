// Layout time per slide with the real fonts, at each supported size, and the
// cost of painting one slide into a texture with the software renderer.
#include <SDL.h>

#include <chrono>
#include <cstdio>

#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/rotation.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/compositor.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"

using Clock = std::chrono::steady_clock;

static double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int main() {
  auto t0 = Clock::now();
  auto fonts = kiosk::FontSet::Open(std::string(KIOSK_SOURCE_DIR) + "/fonts");
  kiosk::PosixFileStore disk;
  auto bundle = kiosk::LoadBundleDir(disk, std::string(KIOSK_SOURCE_DIR) + "/content");
  if (!fonts.ok() || !bundle.ok()) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  std::printf("open fonts + parse built-in bundle: %.1f ms\n", Ms(Clock::now() - t0));
  for (const auto& size : kiosk::kSupportedSizes) {
    auto cycle =
        kiosk::BuildCycle(*bundle, kiosk::kDefaultLanguages, kiosk::LanguageLayout::kBilingual);
    // Cold: a fresh FontSet, as at start-up (no cached widths).
    auto cold_fonts = kiosk::FontSet::Open(std::string(KIOSK_SOURCE_DIR) + "/fonts");
    auto start = Clock::now();
    auto first = kiosk::LayoutFrame(*bundle, cycle[0].view, size.width, size.height, **cold_fonts);
    double cold = Ms(Clock::now() - start);
    start = Clock::now();
    double worst = 0;
    for (const auto& view : cycle) {
      auto s = Clock::now();
      auto frame = kiosk::LayoutFrame(*bundle, view.view, size.width, size.height, **fonts);
      worst = std::max(worst, Ms(Clock::now() - s));
      (void)frame;
    }
    double mean = Ms(Clock::now() - start) / static_cast<double>(cycle.size());
    // Paint one slide into a texture with the software renderer.
    kiosk::SurfacePtr target(
        SDL_CreateRGBSurfaceWithFormat(0, size.width, size.height, 32, SDL_PIXELFORMAT_ARGB8888));
    SDL_Renderer* renderer = SDL_CreateSoftwareRenderer(target.get());
    double paint = 0;
    {
      kiosk::Compositor compositor(renderer, **fonts, size.width, size.height, 0);
      auto s = Clock::now();
      auto tex = compositor.RenderSlide(*first);
      paint = Ms(Clock::now() - s);
    }
    SDL_DestroyRenderer(renderer);
    std::printf(
        "%4dx%-4d layout: first slide cold %.1f ms, mean %.1f ms, worst %.1f ms; "
        "paint one slide %.1f ms\n",
        size.width, size.height, cold, mean, worst, paint);
  }
  return 0;
}
