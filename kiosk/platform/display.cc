#include "kiosk/platform/display.h"

#include <algorithm>
#include <cstring>

namespace kiosk {

Result<std::unique_ptr<Display>> Display::Open(const DisplayOptions& options) {
  std::unique_ptr<Display> d(new Display());
  const char* driver = SDL_GetCurrentVideoDriver();
  std::string video = driver ? driver : "none";
  bool headless = video == "dummy" || video == "offscreen";
  if (headless) SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");

  Uint32 flags = SDL_WINDOW_SHOWN;
  int w = options.width, h = options.height;
  // Headless drivers have no real mode to switch to: a plain window of the
  // asked size is the "panel".
  if (!options.windowed && !headless) {
    flags |= (w > 0 && h > 0) ? SDL_WINDOW_FULLSCREEN : SDL_WINDOW_FULLSCREEN_DESKTOP;
  }
  if (w <= 0 || h <= 0) {
    SDL_DisplayMode mode;
    if (SDL_GetDesktopDisplayMode(0, &mode) == 0) {
      w = mode.w;
      h = mode.h;
    } else {
      w = 1920;
      h = 1080;
    }
    if (options.windowed) {
      // A desktop window: a 16:9 window that fits comfortably on the screen.
      w = std::min(w * 3 / 4, 1280);
      h = w * 9 / 16;
    }
  }
  int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
  if (video == "x11" && (flags & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0) {
    // On X11, SDL's fullscreen asks a window manager and then waits up to
    // 100 ms, twice, for it to move and resize the window: a kiosk X session
    // (Xvfb, a bare X server) has none, so that was 200 ms of the first
    // frame. A borderless window on top, covering the screen from its corner,
    // is the same picture without the wait.
    flags &= ~static_cast<Uint32>(SDL_WINDOW_FULLSCREEN_DESKTOP);
    flags |= SDL_WINDOW_BORDERLESS | SDL_WINDOW_ALWAYS_ON_TOP;
    SDL_Rect screen{0, 0, 0, 0};
    if (SDL_GetDisplayBounds(0, &screen) == 0) {
      x = screen.x;
      y = screen.y;
      if (options.width <= 0 || options.height <= 0) {
        w = screen.w;
        h = screen.h;
      }
    }
  }
  d->window_ = SDL_CreateWindow("kiosk", x, y, w, h, flags);
  if (d->window_ == nullptr) {
    return Status::Internal("cannot create the " + std::to_string(w) + "x" + std::to_string(h) +
                            " window on video driver " + video + ": " + SDL_GetError());
  }
  SDL_ShowCursor(SDL_DISABLE);

  // The GPU renderer (OpenGL ES 2 through Mesa) on the console, where the Pi
  // has a GPU. Everywhere else (a desktop window, Xvfb, headless drivers)
  // the software renderer: on machines without a GPU an "accelerated" one
  // runs on Mesa's llvmpipe, which costs 60+ MiB and half a second at start
  // for nothing. SDL_RENDER_DRIVER in the environment still picks one.
  const char* forced = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
  bool want_gpu = (video == "KMSDRM" || (forced != nullptr && std::string(forced) != "software"));
  if (want_gpu) {
    Uint32 rflags = SDL_RENDERER_ACCELERATED | SDL_RENDERER_TARGETTEXTURE;
    if (options.vsync) rflags |= SDL_RENDERER_PRESENTVSYNC;
    d->renderer_ = SDL_CreateRenderer(d->window_, -1, rflags);
  }
  if (d->renderer_ == nullptr) {
    // Without this hint SDL backs a software renderer's window surface with
    // an OpenGL texture, which loads llvmpipe just to copy pixels.
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    d->renderer_ = SDL_CreateRenderer(d->window_, -1, SDL_RENDERER_SOFTWARE);
  }
  if (d->renderer_ == nullptr) {
    return Status::Internal("no SDL renderer on video driver " + video + ": " + SDL_GetError());
  }
  SDL_RendererInfo info;
  SDL_GetRendererInfo(d->renderer_, &info);
  d->accelerated_ = (info.flags & SDL_RENDERER_ACCELERATED) != 0;
  d->description_ = std::string(info.name) + " renderer on " + video;
  d->video_driver_ = video;
  d->RefreshSize();
  return d;
}

bool Display::RefreshSize() {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  bool changed = w != width_ || h != height_;
  width_ = w;
  height_ = h;
  return changed;
}

Display::~Display() {
  if (renderer_ != nullptr) SDL_DestroyRenderer(renderer_);
  if (window_ != nullptr) SDL_DestroyWindow(window_);
}

}  // namespace kiosk
