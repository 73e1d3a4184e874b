#include "kiosk/platform/compositor.h"

#include <SDL_image.h>

#include <algorithm>
#include <cmath>

#include "kiosk/platform/image_loader.h"

namespace kiosk {
namespace {

Status SdlError(const char* what) {
  return Status::Internal(std::string(what) + ": " + SDL_GetError());
}

// Restores the renderer's target when leaving a scope.
class TargetScope {
 public:
  TargetScope(SDL_Renderer* r, SDL_Texture* t) : r_(r), saved_(SDL_GetRenderTarget(r)) {
    ok_ = SDL_SetRenderTarget(r, t) == 0;
  }
  ~TargetScope() { SDL_SetRenderTarget(r_, saved_); }
  bool ok() const { return ok_; }

 private:
  SDL_Renderer* r_;
  SDL_Texture* saved_;
  bool ok_ = false;
};

void Fill(SDL_Renderer* r, const Rect& rect, Color c) {
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
  SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
  SDL_Rect sdl{rect.x, rect.y, rect.w, rect.h};
  SDL_RenderFillRect(r, &sdl);
}

constexpr Uint32 kSlideFormat = SDL_PIXELFORMAT_RGB888;

// Whether a line drawn at `box` (at least one pixel wide) touches `area`.
bool Overlap(const Rect& box, const Rect& area) {
  return box.x < area.right() && area.x < box.x + std::max(box.w, 1) && box.y < area.bottom() &&
         area.y < box.bottom();
}

Rect Shifted(const Rect& r, int dx, int dy) { return Rect{r.x + dx, r.y + dy, r.w, r.h}; }

SDL_Rect ToSdl(const Rect& r) { return SDL_Rect{r.x, r.y, r.w, r.h}; }

// The window whose surface a software renderer draws into (what it shows
// stays there between presents), or null for any other renderer or target.
SDL_Window* SoftwareWindow(SDL_Renderer* renderer) {
  SDL_RendererInfo info;
  if (SDL_GetRendererInfo(renderer, &info) != 0) return nullptr;
  if ((info.flags & SDL_RENDERER_SOFTWARE) == 0) return nullptr;
  return SDL_RenderGetWindow(renderer);
}

}  // namespace

Compositor::Compositor(SDL_Renderer* renderer, FontSet& fonts, int output_width, int output_height,
                       int rotation_degrees)
    : renderer_(renderer),
      fonts_(fonts),
      out_w_(output_width),
      out_h_(output_height),
      rotation_(((rotation_degrees % 360) + 360) % 360) {
  window_ = SoftwareWindow(renderer);
}

Status Compositor::Paint(const FrameLayout& frame, const Rect& logical_area) {
  const int dx = -logical_area.x, dy = -logical_area.y;
  Fill(renderer_, Rect{0, 0, logical_area.w, logical_area.h}, frame.background);
  for (const auto& box : frame.boxes) Fill(renderer_, Shifted(box.rect, dx, dy), box.color);
  // The QR code: a white tile (quiet zone included), dark modules on whole pixels.
  Fill(renderer_, Shifted(frame.qr.tile, dx, dy), Color{255, 255, 255});
  SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
  int origin_x = frame.qr.tile.x + frame.qr.quiet_modules * frame.qr.module_px + dx;
  int origin_y = frame.qr.tile.y + frame.qr.quiet_modules * frame.qr.module_px + dy;
  for (int y = 0; y < frame.qr.matrix.size; ++y) {
    for (int x = 0; x < frame.qr.matrix.size; ++x) {
      if (!frame.qr.matrix.IsDark(x, y)) continue;
      SDL_Rect m{origin_x + x * frame.qr.module_px, origin_y + y * frame.qr.module_px,
                 frame.qr.module_px, frame.qr.module_px};
      SDL_RenderFillRect(renderer_, &m);
    }
  }
  // The slide's image, under the texts, from the bytes that were checked.
  if (frame.image && frame.image->bytes && Overlap(frame.image->rect, logical_area)) {
    const Rect& r = frame.image->rect;
    auto pixels = DecodeImage(*frame.image->bytes, r.w, r.h, frame.image->file);
    if (!pixels.ok()) return pixels.status();
    TexturePtr tex(
        SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, r.w, r.h));
    if (!tex || SDL_UpdateTexture(tex.get(), nullptr, (*pixels)->pixels, (*pixels)->pitch) != 0) {
      return SdlError("creating an image texture");
    }
    SDL_SetTextureBlendMode(tex.get(), SDL_BLENDMODE_BLEND);
    SDL_Rect dst = ToSdl(Shifted(r, dx, dy));
    SDL_RenderCopy(renderer_, tex.get(), nullptr, &dst);
  }
  for (const auto& text : frame.texts) {
    // A line outside the area is not drawn at all (the band's, when only
    // the slide's text changes).
    if (!Overlap(text.box, logical_area)) continue;
    SurfacePtr line = fonts_.Render(text.text, text.face, text.px, text.color);
    if (!line) return SdlError("rendering text");
    // Always ARGB8888 (not the renderer's preferred format): the same blend
    // path on a window and on a PNG surface, so previews match the screen.
    TexturePtr tex(SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC,
                                     line->w, line->h));
    if (!tex || SDL_UpdateTexture(tex.get(), nullptr, line->pixels, line->pitch) != 0) {
      return SdlError("creating a text texture");
    }
    SDL_SetTextureBlendMode(tex.get(), SDL_BLENDMODE_BLEND);
    SDL_Rect dst{text.box.x + dx, text.box.y + dy, line->w, line->h};
    SDL_RenderCopy(renderer_, tex.get(), nullptr, &dst);
  }
  return Status::Ok();
}

Result<TexturePtr> Compositor::RenderSlide(const FrameLayout& frame) {
  // Slides are opaque: an alpha-less format lets the crossfade use SDL's
  // constant-alpha blend, about twice as fast as per-pixel alpha in software.
  TexturePtr out(
      SDL_CreateTexture(renderer_, kSlideFormat, SDL_TEXTUREACCESS_TARGET, out_w_, out_h_));
  if (!out) return SdlError("creating a slide texture");
  if (rotation_ == 0) {
    TargetScope scope(renderer_, out.get());
    if (!scope.ok()) return SdlError("SDL_SetRenderTarget");
    if (Status s = Paint(frame, Rect{0, 0, frame.width, frame.height}); !s.ok()) return s;
    return out;
  }
  // Paint upright, then turn it onto the panel. The logical texture lives only
  // for this call, so memory stays at one panel-sized texture per slide.
  TexturePtr upright(SDL_CreateTexture(renderer_, kSlideFormat, SDL_TEXTUREACCESS_TARGET,
                                       logical_width(), logical_height()));
  if (!upright) return SdlError("creating a slide texture");
  {
    TargetScope scope(renderer_, upright.get());
    if (!scope.ok()) return SdlError("SDL_SetRenderTarget");
    if (Status s = Paint(frame, Rect{0, 0, frame.width, frame.height}); !s.ok()) return s;
  }
  TargetScope scope(renderer_, out.get());
  if (!scope.ok()) return SdlError("SDL_SetRenderTarget");
  SDL_SetTextureBlendMode(upright.get(), SDL_BLENDMODE_NONE);
  SDL_Rect dst{(out_w_ - logical_width()) / 2, (out_h_ - logical_height()) / 2, logical_width(),
               logical_height()};
  if (SDL_RenderCopyEx(renderer_, upright.get(), nullptr, &dst, rotation_, nullptr,
                       SDL_FLIP_NONE) != 0) {
    return SdlError("rotating the slide");
  }
  return out;
}

Result<SlideChange> Compositor::RenderChange(const FrameLayout* from, const FrameLayout& to) {
  // Turned panels get whole frames: a part of a frame turned on its own
  // could land half a pixel off where the whole frame puts it.
  const Rect whole{0, 0, to.width, to.height};
  const Rect area = (from != nullptr && rotation_ == 0) ? ChangedArea(*from, to) : whole;
  if (area == whole) {
    auto slide = RenderSlide(to);
    if (!slide.ok()) return slide.status();
    return SlideChange{std::move(*slide), Rect{0, 0, out_w_, out_h_}};
  }
  if (area.w <= 0 || area.h <= 0) return SlideChange{nullptr, Rect{}};
  TexturePtr out(
      SDL_CreateTexture(renderer_, kSlideFormat, SDL_TEXTUREACCESS_TARGET, area.w, area.h));
  if (!out) return SdlError("creating a slide texture");
  TargetScope scope(renderer_, out.get());
  if (!scope.ok()) return SdlError("SDL_SetRenderTarget");
  if (Status s = Paint(to, area); !s.ok()) return s;
  return SlideChange{std::move(out), area};
}

Status Compositor::Apply(const SlideChange& change, SDL_Texture* slide) {
  if (!change.pixels) return Status::Ok();
  TargetScope scope(renderer_, slide);
  if (!scope.ok()) return SdlError("SDL_SetRenderTarget");
  SDL_SetTextureBlendMode(change.pixels.get(), SDL_BLENDMODE_NONE);
  SDL_SetTextureAlphaMod(change.pixels.get(), 255);
  SDL_Rect dst = ToSdl(change.area);
  if (SDL_RenderCopy(renderer_, change.pixels.get(), nullptr, &dst) != 0) {
    return SdlError("applying a slide change");
  }
  return Status::Ok();
}

void Compositor::Draw(SDL_Texture* texture) {
  SDL_SetTextureBlendMode(texture, SDL_BLENDMODE_NONE);
  SDL_SetTextureAlphaMod(texture, 255);
  SDL_RenderCopy(renderer_, texture, nullptr, nullptr);
}

void Compositor::PresentCrossfade(SDL_Texture* from, const SlideChange& to, double t) {
  if (!to.pixels) return;  // the two slides are the same: nothing moves
  SDL_Rect area = ToSdl(to.area);
  if (window_ != nullptr) {
    // Outside the area the window already shows both slides.
    SDL_SetTextureBlendMode(from, SDL_BLENDMODE_NONE);
    SDL_SetTextureAlphaMod(from, 255);
    SDL_RenderCopy(renderer_, from, &area, &area);
  } else {
    Draw(from);
  }
  t = std::clamp(t, 0.0, 1.0);
  SDL_Texture* next = to.pixels.get();
  SDL_SetTextureBlendMode(next, SDL_BLENDMODE_BLEND);
  SDL_SetTextureAlphaMod(next, static_cast<Uint8>(std::lround(t * 255.0)));
  SDL_RenderCopy(renderer_, next, nullptr, &area);
  SDL_SetTextureAlphaMod(next, 255);
  // Only the changed rows go to the screen (on X11, a smaller shared-memory
  // put); a window surface SDL has invalidated (a resize) gets a full present.
  if (window_ == nullptr || SDL_RenderFlush(renderer_) != 0 ||
      SDL_UpdateWindowSurfaceRects(window_, &area, 1) != 0) {
    SDL_RenderPresent(renderer_);
  }
}

Result<SurfacePtr> Compositor::ReadPixels() {
  SurfacePtr surface(SDL_CreateRGBSurfaceWithFormat(0, out_w_, out_h_, 32, SDL_PIXELFORMAT_RGB888));
  if (!surface) return SdlError("allocating a capture surface");
  if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_RGB888, surface->pixels,
                           surface->pitch) != 0) {
    return SdlError("SDL_RenderReadPixels");
  }
  return surface;
}

Status SavePng(SDL_Surface* surface, const std::string& path) {
  if (IMG_SavePNG(surface, path.c_str()) != 0) {
    return Status::Io(path + ": cannot write PNG: " + IMG_GetError());
  }
  return Status::Ok();
}

}  // namespace kiosk
