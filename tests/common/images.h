// Loading and comparing PNGs in tests.
#pragma once

#include <SDL.h>
#include <SDL_image.h>

#include <cstdio>
#include <string>

#include "kiosk/platform/ttf_fonts.h"

namespace kiosk::testing {

// Loads a PNG as RGB888 (alpha dropped); null on failure.
inline SurfacePtr LoadRgb(const std::string& path) {
  SurfacePtr raw(IMG_Load(path.c_str()));
  if (!raw) return nullptr;
  return SurfacePtr(SDL_ConvertSurfaceFormat(raw.get(), SDL_PIXELFORMAT_RGB888, 0));
}

inline Uint32 PixelAt(SDL_Surface* s, int x, int y) {
  const auto* row = static_cast<const Uint8*>(s->pixels) + static_cast<size_t>(y) * s->pitch;
  return reinterpret_cast<const Uint32*>(row)[x] & 0xFFFFFF;
}

// Pixels that differ in the rectangle (whole image when w == 0); -1 if sizes differ.
inline long DifferingPixels(SDL_Surface* a, SDL_Surface* b, int x0 = 0, int y0 = 0, int w = 0,
                            int h = 0) {
  if (!a || !b || a->w != b->w || a->h != b->h) return -1;
  if (w == 0) {
    w = a->w;
    h = a->h;
  }
  long differ = 0;
  for (int y = y0; y < y0 + h; ++y) {
    for (int x = x0; x < x0 + w; ++x) differ += PixelAt(a, x, y) != PixelAt(b, x, y);
  }
  return differ;
}

// Runs zbarimg on a PNG and returns what it decoded (empty if nothing).
inline std::string DecodeQr(const std::string& path) {
  std::string cmd = "zbarimg --quiet --raw '" + path + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace kiosk::testing
