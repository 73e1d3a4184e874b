// Screenshots for the fleet link (docs/fleet.md): the frame on screen,
// scaled down to fit a box, as PNG bytes in memory.
#pragma once

#include <SDL.h>

#include <string>

#include "kiosk/core/status.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {

// The largest box a fleet screenshot fills (keeping the frame's aspect).
inline constexpr int kScreenshotMaxWidth = 640;
inline constexpr int kScreenshotMaxHeight = 360;

// frame scaled (bilinear) to fit max_width x max_height keeping its aspect,
// never larger than it is; RGB888. The same input always gives the same
// pixels, so a test can scale a `kiosk render` PNG the way the player scales
// its frame.
Result<SurfacePtr> ScaleToFit(SDL_Surface* frame, int max_width, int max_height);

// The surface as PNG bytes (SDL2_image, in memory).
Result<std::string> EncodePng(SDL_Surface* surface);

}  // namespace kiosk
