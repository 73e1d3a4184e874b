// What wakes the player's loop, as player events rather than a toolkit's:
// the loop sleeps in EventSource::Wait until an event or its next deadline,
// so between transitions it uses no CPU. The SDL implementation
// (kiosk/platform/sdl_event_source.h) turns window events, keys and the
// signals TERM, INT and HUP into these; QueuedEventSource serves tests.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

#include "kiosk/core/clock.h"

namespace kiosk {

struct PlayerEvent {
  enum class Kind {
    kNone,            // Wait timed out
    kQuit,            // the window was closed, or Esc in windowed mode
    kSignal,          // signal holds SIGTERM, SIGINT or SIGHUP
    kRedraw,          // the window was exposed or resized: the pixels were lost
    kBundleApplied,   // the updater applied a bundle
    kTrustChanged,    // the updater accepted a new root document
    kFleetCommand,    // the fleet link queued a command for the player
    kDisplayHotplug,  // a DRM connector may have come or gone (ScreenKeeper)
    kRenderReset,     // SDL lost the renderer's textures (targets or device reset)
    kScreenPower,     // the TV answered (or not) a power command: report it
  };
  Kind kind = Kind::kNone;
  int signal = 0;
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The next event, or kNone once timeout has passed without one (a
  // timeout of 0 only looks). Call from the loop's thread only.
  virtual PlayerEvent Wait(Millis timeout) = 0;
  // Queues an event for Wait. Safe from any thread.
  virtual void Post(PlayerEvent event) = 0;
};

// Events in a queue, for tests and for anything without a window.
// Thread-safe.
class QueuedEventSource final : public EventSource {
 public:
  PlayerEvent Wait(Millis timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return !queue_.empty(); });
    if (queue_.empty()) return PlayerEvent{};
    PlayerEvent e = queue_.front();
    queue_.pop_front();
    return e;
  }
  void Post(PlayerEvent event) override {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(event);
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PlayerEvent> queue_;  // guarded by mu_
};

}  // namespace kiosk
