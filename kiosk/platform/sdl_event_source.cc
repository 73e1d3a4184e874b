#include "kiosk/platform/sdl_event_source.h"

#include <SDL.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>

namespace kiosk {
namespace {

// The signals the thread waits for; SIGUSR2 is our own stop request.
sigset_t HandledSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR2}) sigaddset(&set, s);
  return set;
}

}  // namespace

SdlEventSource::SdlEventSource(bool windowed)
    : windowed_(windowed), event_type_(SDL_RegisterEvents(1)) {
  signal_thread_ = std::thread([this] {
    const sigset_t set = HandledSignals();
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGUSR2) return;
      Post(PlayerEvent{PlayerEvent::Kind::kSignal, sig});
    }
  });
}

SdlEventSource::~SdlEventSource() {
  pthread_kill(signal_thread_.native_handle(), SIGUSR2);
  signal_thread_.join();
}

void SdlEventSource::Post(PlayerEvent event) {
  // SDL_PushEvent is thread-safe; the event travels in the user fields.
  SDL_Event e{};
  e.type = event_type_;
  e.user.code = static_cast<Sint32>(event.kind);
  e.user.data1 = reinterpret_cast<void*>(static_cast<intptr_t>(event.signal));
  SDL_PushEvent(&e);
}

PlayerEvent SdlEventSource::Wait(Millis timeout) {
  const Uint64 until =
      SDL_GetTicks64() + static_cast<Uint64>(std::max<int64_t>(0, timeout.count()));
  SDL_Event e;
  for (;;) {
    const Uint64 now = SDL_GetTicks64();
    const int left = static_cast<int>(until > now ? until - now : 0);
    const int got = left > 0 ? SDL_WaitEventTimeout(&e, left) : SDL_PollEvent(&e);
    if (got == 0) return PlayerEvent{};
    if (e.type == event_type_) {
      return PlayerEvent{static_cast<PlayerEvent::Kind>(e.user.code),
                         static_cast<int>(reinterpret_cast<intptr_t>(e.user.data1))};
    }
    if (e.type == SDL_QUIT) return PlayerEvent{PlayerEvent::Kind::kQuit};
    if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_ESCAPE && windowed_) {
      return PlayerEvent{PlayerEvent::Kind::kQuit};
    }
    if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_EXPOSED ||
                                      e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)) {
      return PlayerEvent{PlayerEvent::Kind::kRedraw};
    }
    // Textures are lost (a GPU reset, a lost EGL context): redraw from the
    // layout.
    if (e.type == SDL_RENDER_TARGETS_RESET || e.type == SDL_RENDER_DEVICE_RESET) {
      return PlayerEvent{PlayerEvent::Kind::kRenderReset};
    }
    // Any other SDL event is not the player's: keep waiting until timeout.
  }
}

void BlockSignals() {
  const sigset_t set = HandledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace kiosk
