// The player: shows slides fullscreen, forever, and never shows a blank or
// broken screen. Content comes from, in order: a bundle given with --content,
// the updater's cache, the built-in bundle; a bundle that fails is refused
// with a log line saying why and the next source is used.
//
// The decisions (which content, verified when, what comes next and when,
// what the status file names as shown) are the Programme's
// (kiosk/core/update/programme.h); this is the wiring: the display, the
// compositor and its textures, fonts, the updater's thread, frame capture and
// systemd notifications. The loop sleeps in an EventSource
// (kiosk/platform/sdl_event_source.h) until the next deadline (a slide
// change, a crossfade frame, a watchdog ping); between transitions the
// process uses no CPU.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/config.h"
#include "kiosk/core/status.h"

namespace kiosk {

struct PlayerOptions {
  Config config;
  // What reading the config file found (ConfigLoad): each problem kept a
  // field's default, each warning was accepted. main logs them; the status
  // file lists them.
  std::vector<std::string> config_problems;
  std::vector<std::string> config_warnings;
  // The config file to re-read on SIGHUP; empty = none.
  std::filesystem::path config_path;
  std::optional<std::filesystem::path> content_dir;  // --content
  std::filesystem::path data_dir;                    // built-in content/ and fonts/
  bool windowed = false;
  // Testing and benchmarking aids (documented flags):
  std::optional<int> exit_after_ms;                  // --exit-after SECONDS
  std::optional<std::filesystem::path> capture_dir;  // --capture-dir DIR
  bool test_render_reset = false;                    // --test-render-reset
};

// Runs until SIGTERM/SIGINT (or Esc in windowed mode). Returns the process
// exit status. Call from main with TERM, INT and HUP blocked in every thread
// (BlockSignals, kiosk/platform/sdl_event_source.h) so the signal thread receives them.
int RunPlayer(const PlayerOptions& options);

}  // namespace kiosk
