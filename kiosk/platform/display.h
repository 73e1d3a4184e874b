// The window the slides are shown in: fullscreen on the console (SDL's KMSDRM
// driver on a Pi), a window on a desktop, or the dummy/offscreen drivers
// headless. Prefers SDL's accelerated renderer (OpenGL ES 2 through Mesa on a
// Pi) and falls back to the software renderer.
//
// Ownership: owns the SDL window and renderer; SDL_Init(VIDEO) must have been
// called and must outlive it. Threading: the render thread only.
#pragma once

#include <SDL.h>

#include <memory>
#include <string>

#include "kiosk/core/status.h"

namespace kiosk {

struct DisplayOptions {
  bool windowed = false;
  int width = 0, height = 0;  // 0 = the display's current mode (fullscreen)
  bool vsync = true;
};

class Display {
 public:
  static Result<std::unique_ptr<Display>> Open(const DisplayOptions& options);
  ~Display();
  Display(const Display&) = delete;
  Display& operator=(const Display&) = delete;

  SDL_Renderer* renderer() const { return renderer_; }
  SDL_Window* window() const { return window_; }
  // The panel's size in pixels (the renderer's output size).
  int width() const { return width_; }
  int height() const { return height_; }
  // "software on dummy", "opengles2 on KMSDRM": for the log and the benchmark.
  const std::string& description() const { return description_; }
  // SDL's video driver: "KMSDRM", "x11", "wayland", "offscreen", "dummy".
  const std::string& video_driver() const { return video_driver_; }
  bool accelerated() const { return accelerated_; }
  // Re-reads the output size after a window change; true if it changed.
  bool RefreshSize();

 private:
  Display() = default;
  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  int width_ = 0, height_ = 0;
  bool accelerated_ = false;
  std::string description_;
  std::string video_driver_;
};

}  // namespace kiosk
