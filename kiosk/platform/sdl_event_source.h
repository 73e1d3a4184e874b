// The player's events from SDL: SDL_WaitEventTimeout on the SDL event queue,
// with one registered event type carrying what other threads Post. Signals
// (TERM, INT, HUP) are received by a small thread with sigwait and posted,
// so all handling happens in the loop; BlockSignals must have run first
// thing in main so that no other thread receives them.
#pragma once

#include <cstdint>
#include <thread>

#include "kiosk/core/event_source.h"

namespace kiosk {

class SdlEventSource final : public EventSource {
 public:
  // Call after SDL_Init(SDL_INIT_EVENTS). windowed: Esc quits.
  explicit SdlEventSource(bool windowed);
  // Stops the signal thread.
  ~SdlEventSource() override;
  SdlEventSource(const SdlEventSource&) = delete;
  SdlEventSource& operator=(const SdlEventSource&) = delete;

  PlayerEvent Wait(Millis timeout) override;
  void Post(PlayerEvent event) override;

 private:
  const bool windowed_;
  uint32_t event_type_ = 0;
  std::thread signal_thread_;
};

// Blocks the signals the player handles; call first thing in main, before any
// thread is created, so every thread inherits the mask.
void BlockSignals();

}  // namespace kiosk
