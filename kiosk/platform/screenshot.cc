#include "kiosk/platform/screenshot.h"

#include <SDL_image.h>

#include <algorithm>
#include <cmath>

namespace kiosk {

Result<SurfacePtr> ScaleToFit(SDL_Surface* frame, int max_width, int max_height) {
  SurfacePtr source(SDL_ConvertSurfaceFormat(frame, SDL_PIXELFORMAT_RGB888, 0));
  if (!source) return Status::Internal(std::string("screenshot: ") + SDL_GetError());
  const double scale = std::min(
      {1.0, static_cast<double>(max_width) / frame->w, static_cast<double>(max_height) / frame->h});
  const int w = std::max(1, static_cast<int>(std::lround(frame->w * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(frame->h * scale)));
  if (w == frame->w && h == frame->h) return source;
  SurfacePtr scaled(SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888));
  if (!scaled) return Status::Internal(std::string("screenshot: ") + SDL_GetError());
  if (SDL_SoftStretchLinear(source.get(), nullptr, scaled.get(), nullptr) != 0) {
    return Status::Internal(std::string("screenshot: scaling: ") + SDL_GetError());
  }
  return scaled;
}

Result<std::string> EncodePng(SDL_Surface* surface) {
  // A PNG of RGB pixels is at most a little larger than the raw pixels.
  std::string buffer(static_cast<size_t>(surface->w) * surface->h * 4 + 65536, '\0');
  SDL_RWops* out = SDL_RWFromMem(buffer.data(), static_cast<int>(buffer.size()));
  if (out == nullptr) return Status::Internal(std::string("screenshot: ") + SDL_GetError());
  const bool saved = IMG_SavePNG_RW(surface, out, /*freedst=*/0) == 0;
  const Sint64 size = SDL_RWtell(out);
  SDL_RWclose(out);
  if (!saved || size <= 0) {
    return Status::Internal(std::string("screenshot: cannot encode PNG: ") + IMG_GetError());
  }
  buffer.resize(static_cast<size_t>(size));
  return buffer;
}

}  // namespace kiosk
