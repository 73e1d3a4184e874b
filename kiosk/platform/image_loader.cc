#include "kiosk/platform/image_loader.h"

#include <SDL.h>
#include <SDL_image.h>

namespace kiosk {

Result<SurfacePtr> DecodeImage(const std::string& bytes, int width, int height,
                               const std::string& file) {
  if (width < 1 || height < 1) return Status::Invalid(file + ": no room to draw it");
  SDL_RWops* source = SDL_RWFromConstMem(bytes.data(), static_cast<int>(bytes.size()));
  if (source == nullptr)
    return Status::Internal(std::string("SDL_RWFromConstMem: ") + SDL_GetError());
  SurfacePtr decoded(IMG_Load_RW(source, /*freesrc=*/1));
  if (!decoded) return Status::Invalid(file + ": cannot decode: " + IMG_GetError());
  SurfacePtr argb(SDL_ConvertSurfaceFormat(decoded.get(), SDL_PIXELFORMAT_ARGB8888, 0));
  if (!argb) return Status::Internal(file + ": converting: " + SDL_GetError());
  if (argb->w == width && argb->h == height) return argb;
  SurfacePtr scaled(SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888));
  if (!scaled) return Status::Internal(file + ": allocating: " + SDL_GetError());
  if (SDL_SoftStretchLinear(argb.get(), nullptr, scaled.get(), nullptr) != 0) {
    return Status::Internal(file + ": scaling: " + SDL_GetError());
  }
  return scaled;
}

}  // namespace kiosk
