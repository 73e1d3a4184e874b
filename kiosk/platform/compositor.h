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

#include "kiosk/core/layout.h"
#include "kiosk/core/status.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {

struct TextureDeleter {
  void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); }
};
using TexturePtr = std::unique_ptr<SDL_Texture, TextureDeleter>;

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

  // Draws one texture to the current target (the window), covering it.
  void Draw(SDL_Texture* texture);
  // Draws from, then to at opacity t in [0, 1].
  void DrawCrossfade(SDL_Texture* from, SDL_Texture* to, double t);

  // Reads the current target's pixels (call before SDL_RenderPresent: after
  // it, some drivers return garbage). Opaque RGB888 (what a panel shows:
  // no alpha), panel-sized.
  Result<SurfacePtr> ReadPixels();

 private:
  Status Paint(const FrameLayout& frame);
  SDL_Renderer* renderer_;
  FontSet& fonts_;
  int out_w_, out_h_, rotation_;
};

// Writes a surface as PNG (SDL2_image).
Status SavePng(SDL_Surface* surface, const std::string& path);

}  // namespace kiosk
