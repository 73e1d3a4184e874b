// Draws frames with an SDL_Renderer: a slide's FrameLayout is painted once
// into a texture the size of the panel (rotated for portrait-mounted TVs), and
// the main loop then only copies or crossfades those textures. The player
// (window) and `kiosk render` (PNG) share this code path, so a preview is the
// frame the screen shows.
//
// Ownership: the Compositor borrows the renderer and the FontSet; the textures
// it returns are owned by the caller (SlideTexture) and must be destroyed
// before the renderer. Threading: the render thread only.
#pragma once

#include <SDL.h>

#include <memory>

#include "kiosk/core/changed_area.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/status.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {

struct TextureDeleter {
  void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); }
};
using TexturePtr = std::unique_ptr<SDL_Texture, TextureDeleter>;

// The next slide as far as it differs from the one on screen: only the
// rectangle where the two frames differ (ChangedArea, kiosk/core/changed_area.h),
// so a crossfade blends no more than that and nothing panel-sized waits for
// the next slide boundary.
struct SlideChange {
  TexturePtr pixels;  // area-sized, in the panel's orientation
  Rect area;          // on the panel; empty when the slides are identical
};

class Compositor {
 public:
  // output_width/height: the panel in pixels; rotation_degrees: 0/90/180/270
  // clockwise. Slides are laid out at logical_width() x logical_height().
  Compositor(SDL_Renderer* renderer, FontSet& fonts, int output_width, int output_height,
             int rotation_degrees);

  int logical_width() const { return rotation_ % 180 == 0 ? out_w_ : out_h_; }
  int logical_height() const { return rotation_ % 180 == 0 ? out_h_ : out_w_; }

  // Paints a frame into a new panel-sized texture.
  Result<TexturePtr> RenderSlide(const FrameLayout& frame);

  // The part of `to` that differs from `from` (null: everything, as after a
  // cut or a late wake-up).
  Result<SlideChange> RenderChange(const FrameLayout* from, const FrameLayout& to);
  // Turns `slide`, a texture of the frame the change was rendered from, into
  // the frame it was rendered to (the same pixels RenderSlide would give).
  Status Apply(const SlideChange& change, SDL_Texture* slide);

  // Draws one texture to the current target (the window), covering it.
  void Draw(SDL_Texture* texture);
  // Draws the crossfade from `from` (the slide on screen) to the change at
  // opacity t in [0, 1], and presents it. The software renderer draws into
  // the window's own surface, which keeps what was presented, so only the
  // change's area is blended and sent to the screen; other renderers redraw
  // the whole frame (their back buffer is not kept between presents).
  void PresentCrossfade(SDL_Texture* from, const SlideChange& to, double t);

  // Reads the current target's pixels (call before SDL_RenderPresent: after
  // it, some drivers return garbage). Opaque RGB888 (what a panel shows:
  // no alpha), panel-sized.
  Result<SurfacePtr> ReadPixels();

 private:
  // Paints the part of frame inside logical_area with the area's corner at
  // the target's origin (lines outside it are skipped).
  Status Paint(const FrameLayout& frame, const Rect& logical_area);
  SDL_Renderer* renderer_;
  SDL_Window* window_ = nullptr;  // the software renderer's window, if any
  FontSet& fonts_;
  int out_w_, out_h_, rotation_;
};

// Writes a surface as PNG (SDL2_image).
Status SavePng(SDL_Surface* surface, const std::string& path);

}  // namespace kiosk
