// Slide images from their checked bytes to pixels: SDL2_image decodes the
// bytes AttachImages (kiosk/core/image_check.h) checked and kept, never the
// file again (it could have changed since), and the CPU scales the result
// to the size the layout gave it, so a window on any renderer and
// `kiosk render` draw the same pixels.
#pragma once

#include <string>

#include "kiosk/core/status.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {

// The image in bytes (PNG or JPEG, already checked by InspectImage) as an
// ARGB8888 surface of exactly width x height, scaled with bilinear
// filtering. file is for messages.
Result<SurfacePtr> DecodeImage(const std::string& bytes, int width, int height,
                               const std::string& file);

}  // namespace kiosk
