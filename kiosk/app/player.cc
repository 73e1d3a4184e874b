#include "kiosk/app/player.h"

#include <SDL.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kiosk/app/commands.h"
#include "kiosk/core/clock.h"
#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/log.h"
#include "kiosk/core/rotation.h"
#include "kiosk/core/update/updater.h"
#include "kiosk/core/update/updater_thread.h"
#include "kiosk/platform/compositor.h"
#include "kiosk/platform/display.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/net/curl_fetcher.h"
#include "kiosk/platform/service/service_notifier.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {
namespace {

constexpr Millis kFrameInterval{16};  // ~60 frames per second during a crossfade
constexpr size_t kMaxCaptures = 200;  // --capture-dir never fills a disk

// Event codes of our one registered SDL event type.
enum WakeCode : Sint32 { kSignal = 1, kBundleApplied = 2 };

Uint32 g_wake_event = 0;

// Receives TERM/INT/HUP with sigwait and posts them to the SDL loop.
class SignalThread {
 public:
  SignalThread() {
    thread_ = std::thread([] {
      sigset_t set;
      sigemptyset(&set);
      for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR2}) sigaddset(&set, s);
      for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGUSR2) return;  // our own stop request
        SDL_Event e{};
        e.type = g_wake_event;
        e.user.code = kSignal;
        e.user.data1 = reinterpret_cast<void*>(static_cast<intptr_t>(sig));
        SDL_PushEvent(&e);
      }
    });
  }
  ~SignalThread() {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }

 private:
  std::thread thread_;
};

// A bundle ready to show on this panel: the cycle and a layout per view.
struct Prepared {
  Bundle bundle;
  std::string origin;  // "built-in", "--content DIR", ...
  DisplayConfig display;
  int width = 0, height = 0;
  bool enforce_floors = true;
  std::vector<TimedView> cycle;      // views laid out so far
  std::vector<FrameLayout> layouts;  // parallel to cycle
  std::vector<TimedView> rest;       // views not laid out yet (see Complete)
};

// Lays out views from the front of p.rest, in order, until p.cycle holds
// `at_most` views; views that cannot be laid out at this size are left out
// with a warning. What is not reached stays in p.rest.
void LayOutViews(Prepared& p, FontSet& fonts, size_t at_most) {
  LayoutOptions options;
  options.margin_percent = p.display.margin_percent;
  options.enforce_floors = p.enforce_floors;
  size_t i = 0;
  for (; i < p.rest.size() && p.cycle.size() < at_most; ++i) {
    auto frame = LayoutFrame(p.bundle, p.rest[i].view, p.width, p.height, fonts, options);
    if (!frame.ok()) {
      LogWarning(p.origin + ": leaving out " + frame.status().message());
      continue;
    }
    p.cycle.push_back(p.rest[i]);
    p.layouts.push_back(std::move(*frame));
  }
  p.rest.erase(p.rest.begin(), p.rest.begin() + static_cast<std::ptrdiff_t>(i));
}

// Lays out the bundle's first `at_most` showable views; the others wait in
// `rest` for Complete. Fails if no view can be shown.
Result<Prepared> Prepare(Bundle bundle, std::string origin, const DisplayConfig& display, int width,
                         int height, FontSet& fonts, bool enforce_floors = true,
                         size_t at_most = SIZE_MAX) {
  Prepared p;
  p.display = display;
  p.width = width;
  p.height = height;
  p.enforce_floors = enforce_floors;
  p.rest = BuildCycle(bundle, display.layout);
  p.bundle = std::move(bundle);
  p.origin = std::move(origin);
  LayOutViews(p, fonts, at_most);
  if (p.cycle.empty()) {
    return Status::Rejected(p.origin + ": no slide can be shown at " + std::to_string(width) + "x" +
                            std::to_string(height));
  }
  return p;
}

// Lays out the views Prepare left for later, after the ones already done.
void Complete(Prepared& p, FontSet& fonts) { LayOutViews(p, fonts, SIZE_MAX); }

class Player {
 public:
  explicit Player(const PlayerOptions& options) : options_(options), notifier_(clock_) {}
  int Run();

 private:
  Status Start();
  // at_most: lay out only that many views now (the first frame needs one);
  // the others are laid out by Complete.
  Result<Prepared> LoadContent(const Config& config, size_t at_most = SIZE_MAX);
  // One bundle directory, parsed and laid out for this panel.
  Result<Prepared> LoadAndPrepare(const std::filesystem::path& dir, const std::string& origin,
                                  const Config& config, size_t at_most = SIZE_MAX);
  void HandleEvent(const SDL_Event& e);
  void Reload();
  void OnDeadline(Millis now);
  Status RenderNext();
  void DrawFrame(Millis now);
  // A compositor for the display's current size and the configured rotation.
  void RebuildCompositor();
  void PresentSettled();
  void Capture();
  void Report();
  // Remote updates (docs/bundle-format.md): on when updates.url is set.
  void StartUpdater();
  void StopUpdater();
  void TakeAppliedBundle();

  PlayerOptions options_;
  Config config_;
  SystemClock clock_;
  ServiceNotifier notifier_;
  std::unique_ptr<FontSet> fonts_;
  std::unique_ptr<Display> display_;
  std::unique_ptr<Compositor> compositor_;
  std::optional<Prepared> showing_;
  std::optional<Prepared> pending_;  // takes over at the next slide boundary
  std::optional<Rotation> rotation_;
  TexturePtr current_;
  TexturePtr next_;
  std::optional<Millis> fade_start_;
  bool quit_ = false;
  int exit_status_ = 0;
  size_t captures_ = 0;
  Millis started_{0};

  // The updater runs on its own thread; it hands over a verified bundle
  // through applied_ and an SDL event, and the switch happens here.
  PosixFileStore store_;
  std::unique_ptr<CurlFetcher> fetcher_;
  std::unique_ptr<update::Updater> updater_;
  std::unique_ptr<update::UpdaterThread> updater_thread_;
  std::optional<std::filesystem::path> cached_dir_;  // the newest verified bundle
  int64_t cached_version_ = 0;
  std::mutex applied_mu_;
  std::optional<std::pair<std::filesystem::path, int64_t>> applied_;  // guarded by applied_mu_
};

void Player::StartUpdater() {
  if (config_.updates.url.empty()) {
    // Updates off. A unit whose URL was removed still shows its last
    // verified bundle and keeps reporting: the updater runs without polling
    // whenever the state directory exists (a developer's machine has none).
    std::error_code ec;
    if (!std::filesystem::is_directory(config_.state_dir, ec)) {
      LogInfo("updates off (no updates.url in the configuration)");
      return;
    }
    LogInfo("updates off (no updates.url); showing the cache in " + config_.state_dir.string());
  }
  auto fetcher = CurlFetcher::Create(CurlFetcherOptionsFor(config_.updates));
  if (!fetcher.ok()) {
    LogError("updates off: " + fetcher.status().message());
    return;
  }
  fetcher_ = std::move(*fetcher);
  std::filesystem::path data_dir = options_.data_dir;
  int w = display_->width(), h = display_->height();
  if (config_.display.rotation_degrees % 180 != 0) std::swap(w, h);
  // Runs on the updater's thread: the player's own checks, plus this
  // panel's size, so a bundle that cannot show here is refused up front.
  // With damaged pinned fonts this unit shows its slides in substitute
  // fonts, so it measures new bundles with the same ones: refusing every
  // bundle would leave old content up for good, a worse failure than the one
  // already reported at start-up.
  auto validator = [data_dir, w, h](const std::filesystem::path& dir) {
    return CheckContent(dir, data_dir, w, h, SubstituteFonts::kAccept);
  };
  auto on_applied = [this](const std::filesystem::path& dir, int64_t version) {
    {
      std::lock_guard<std::mutex> lock(applied_mu_);
      applied_ = std::make_pair(dir, version);
    }
    SDL_Event e{};
    e.type = g_wake_event;
    e.user.code = kBundleApplied;
    SDL_PushEvent(&e);
  };
  updater_ = std::make_unique<update::Updater>(update::UpdaterOptions::FromConfig(config_),
                                               *fetcher_, store_, clock_, validator, on_applied);
  if (auto cached = updater_->Start()) {
    cached_dir_ = cached->dir;
    cached_version_ = cached->applied.version;
  }
  // The real clock drives the condition variable directly, so the worker
  // can sleep until its poll is due: no periodic wake-ups on an idle unit.
  updater_thread_ =
      std::make_unique<update::UpdaterThread>(*updater_, clock_, /*max_sleep=*/Millis(3'600'000));
}

void Player::StopUpdater() {
  if (updater_thread_) updater_thread_->Stop();
  updater_thread_.reset();
  updater_.reset();
  fetcher_.reset();
}

void Player::TakeAppliedBundle() {
  std::optional<std::pair<std::filesystem::path, int64_t>> applied;
  {
    std::lock_guard<std::mutex> lock(applied_mu_);
    applied.swap(applied_);
  }
  if (!applied) return;
  cached_dir_ = applied->first;
  cached_version_ = applied->second;
  std::string origin = "network bundle v" + std::to_string(applied->second);
  auto prepared = LoadAndPrepare(applied->first, origin, config_);
  if (!prepared.ok()) {
    LogError("keeping the current content: " + origin + ": " + prepared.status().message());
    return;
  }
  LogInfo(origin + " verified; it takes over at the next slide boundary");
  pending_ = std::move(*prepared);
  fonts_->Trim();
  if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
}

Result<Prepared> Player::LoadAndPrepare(const std::filesystem::path& dir, const std::string& origin,
                                        const Config& config, size_t at_most) {
  auto bundle = LoadBundleDir(dir);
  if (!bundle.ok()) return bundle.status();
  return Prepare(std::move(*bundle), origin, config.display, compositor_->logical_width(),
                 compositor_->logical_height(), *fonts_, /*enforce_floors=*/true, at_most);
}

Result<Prepared> Player::LoadContent(const Config& config, size_t at_most) {
  int w = compositor_->logical_width(), h = compositor_->logical_height();
  if (options_.content_dir) {
    std::string origin = "--content " + options_.content_dir->string();
    auto p = LoadAndPrepare(*options_.content_dir, origin, config, at_most);
    if (p.ok()) return p;
    LogError("refusing " + origin + ": " + p.status().message() + "; falling back");
  }
  if (cached_dir_) {
    std::string origin = "cached bundle v" + std::to_string(cached_version_);
    auto p = LoadAndPrepare(*cached_dir_, origin, config, at_most);
    if (p.ok()) return p;
    LogError("not showing the " + origin + ": " + p.status().message());
  }
  auto builtin_dir = options_.data_dir / "content";
  auto bundle = LoadBundleDir(builtin_dir);
  if (!bundle.ok()) return bundle.status().WithContext("the built-in content");
  auto p = Prepare(*bundle, "built-in", config.display, w, h, *fonts_, true, at_most);
  if (p.ok()) return p;
  // Never blank: a panel too small for the floors still shows the built-in
  // slides, below the floors, rather than nothing.
  LogError(p.status().message() + "; showing the built-in content below the legibility floors");
  return Prepare(std::move(*bundle), "built-in (below floors)", config.display, w, h, *fonts_,
                 /*enforce_floors=*/false, at_most);
}

Status Player::Start() {
  config_ = options_.config;
  auto fonts = FontSet::Open(options_.data_dir / "fonts");
  if (!fonts.ok()) return fonts.status();
  fonts_ = std::move(*fonts);
  // A damaged install still starts, on system fonts, but says so.
  for (const auto& problem : fonts_->problems()) LogError("font: " + problem);

  DisplayOptions d;
  d.windowed = options_.windowed;
  d.width = config_.display.width;
  d.height = config_.display.height;
  auto display = Display::Open(d);
  if (!display.ok()) return display.status();
  display_ = std::move(*display);
  LogInfo("display: " + std::to_string(display_->width()) + "x" +
          std::to_string(display_->height()) + ", " + display_->description() + ", rotation " +
          std::to_string(config_.display.rotation_degrees));
  RebuildCompositor();

  // The cache is read (and re-verified) before the first frame, so a unit
  // that has good network content never flashes the built-in slides.
  StartUpdater();
  // The first frame as soon as possible: lay out one slide, show it, then
  // lay out the rest while it is on screen.
  auto content = LoadContent(config_, /*at_most=*/1);
  if (!content.ok()) return content.status();
  showing_ = std::move(*content);
  Millis shown_at = clock_.Monotonic();
  auto first = compositor_->RenderSlide(showing_->layouts[0]);
  if (!first.ok()) return first.status();
  current_ = std::move(*first);
  PresentSettled();
  LogInfo("first frame on screen after " + std::to_string((shown_at - started_).count()) + " ms");
  (void)notifier_.NotifyReady();
  Complete(*showing_, *fonts_);
  fonts_->Trim();
  rotation_.emplace(showing_->cycle, shown_at);
  LogInfo("showing " + showing_->origin + " content \"" + showing_->bundle.name + "\", " +
          std::to_string(showing_->cycle.size()) + " views");
  Report();
  if (updater_thread_) updater_thread_->Start();
  return RenderNext();
}

void Player::Report() {
  const auto& slide = showing_->bundle.slides[rotation_->current().view.slide_index];
  (void)notifier_.NotifyStatus("showing " + showing_->origin + ", slide " +
                               std::to_string(rotation_->index() + 1) + "/" +
                               std::to_string(rotation_->size()) + " \"" + slide.id + "\"");
}

// Pre-renders the slide that comes next, so the transition starts on time.
Status Player::RenderNext() {
  const Prepared& source = pending_ ? *pending_ : *showing_;
  size_t index = pending_ ? 0 : (rotation_->index() + 1) % rotation_->size();
  auto next = compositor_->RenderSlide(source.layouts[index]);
  if (!next.ok()) return next.status();
  next_ = std::move(*next);
  return Status::Ok();
}

void Player::OnDeadline(Millis now) {
  Millis deadline = rotation_->next_deadline();
  if (pending_) {
    showing_ = std::move(pending_);
    pending_.reset();
    rotation_.emplace(showing_->cycle, deadline);
    LogInfo("now showing " + showing_->origin + " content \"" + showing_->bundle.name + "\"");
  } else {
    size_t expected = (rotation_->index() + 1) % rotation_->size();
    rotation_->Advance(now);
    if (rotation_->index() != expected) {
      // Woke late by more than a slide: the pre-rendered one is not the one due.
      auto tex = compositor_->RenderSlide(showing_->layouts[rotation_->index()]);
      if (tex.ok()) next_ = std::move(*tex);
    }
  }
  Report();
  if (config_.display.crossfade_ms > 0 && next_) {
    fade_start_ = now;
  } else if (next_) {
    current_ = std::move(next_);
  }
}

void Player::DrawFrame(Millis now) {
  if (fade_start_) {
    double t = static_cast<double>((now - *fade_start_).count()) / config_.display.crossfade_ms;
    if (t < 1.0) {
      compositor_->DrawCrossfade(current_.get(), next_.get(), t);
      SDL_RenderPresent(display_->renderer());
      return;
    }
    current_ = std::move(next_);
    fade_start_.reset();
  }
  PresentSettled();
  if (!next_) {
    if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
  }
}

void Player::RebuildCompositor() {
  compositor_ = std::make_unique<Compositor>(display_->renderer(), *fonts_, display_->width(),
                                             display_->height(), config_.display.rotation_degrees);
}

// A settled frame is presented twice: on the KMSDRM console (double
// buffered, page flips) a single present after a still period did not reach
// the screen in our QEMU test until the next one, and READY must mean "on
// screen". The second present costs one copy per slide change.
void Player::PresentSettled() {
  for (int i = 0; i < 2; ++i) {
    compositor_->Draw(current_.get());
    if (i == 0) Capture();
    SDL_RenderPresent(display_->renderer());
  }
}

void Player::Capture() {
  if (!options_.capture_dir || captures_ >= kMaxCaptures) return;
  auto pixels = compositor_->ReadPixels();
  if (!pixels.ok()) {
    LogWarning("capture: " + pixels.status().message());
    return;
  }
  char name[32];
  std::snprintf(name, sizeof name, "frame-%03zu.png", captures_++);
  if (Status s = SavePng(pixels->get(), (*options_.capture_dir / name).string()); !s.ok()) {
    LogWarning("capture: " + s.message());
  }
}

void Player::Reload() {
  LogInfo("SIGHUP: reloading configuration and content");
  if (!options_.config_path.empty()) {
    auto config = LoadConfigFile(options_.config_path);
    if (config.ok()) {
      // The window stays as it is; display options that need a new window
      // (size) take effect at the next start.
      bool rotated = config->display.rotation_degrees != config_.display.rotation_degrees;
      config_ = *config;
      if (rotated) RebuildCompositor();
      // New update settings (URL, keys, interval) take effect now.
      StopUpdater();
      StartUpdater();
      if (updater_thread_) updater_thread_->Start();
    } else if (config.status().code() != Status::Code::kNotFound) {
      LogError("keeping the current configuration: " + config.status().message());
    }
  }
  auto content = LoadContent(config_);
  if (!content.ok()) {
    LogError("keeping the current content: " + content.status().message());
    return;
  }
  pending_ = std::move(*content);
  fonts_->Trim();
  if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
}

void Player::HandleEvent(const SDL_Event& e) {
  if (e.type == SDL_QUIT) {
    quit_ = true;
  } else if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_ESCAPE && options_.windowed) {
    quit_ = true;
  } else if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_EXPOSED ||
                                           e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)) {
    if (display_->RefreshSize()) {
      // A resized window: lay everything out again for the new size.
      RebuildCompositor();
      auto content = LoadContent(config_);
      if (content.ok()) {
        showing_ = std::move(*content);
        pending_.reset();
        rotation_.emplace(showing_->cycle, clock_.Monotonic());
        auto tex = compositor_->RenderSlide(showing_->layouts[0]);
        if (tex.ok()) current_ = std::move(*tex);
        next_.reset();
        fade_start_.reset();
      }
    }
    // Redraw what is showing: the TV or compositor lost our pixels.
    DrawFrame(clock_.Monotonic());
  } else if (e.type == g_wake_event && e.user.code == kBundleApplied) {
    TakeAppliedBundle();
  } else if (e.type == g_wake_event && e.user.code == kSignal) {
    int sig = static_cast<int>(reinterpret_cast<intptr_t>(e.user.data1));
    if (sig == SIGHUP) {
      Reload();
    } else {
      LogInfo(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", exiting");
      quit_ = true;
    }
  }
}

int Player::Run() {
  Millis started = started_ = clock_.Monotonic();
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
    LogError(std::string("SDL_Init failed: ") + SDL_GetError());
    return 1;
  }
  g_wake_event = SDL_RegisterEvents(1);
  int status = 0;
  {
    SignalThread signals;
    if (Status s = Start(); !s.ok()) {
      LogError("cannot start: " + s.message());
      status = 1;
      if (!options_.windowed && !options_.exit_after_ms) {
        // A unit whose TV is off or unplugged must not restart in a tight
        // loop (the image reboots after 30 failed starts in 10 minutes):
        // wait half a minute, still answering SIGTERM, then let systemd
        // restart us to try again.
        LogInfo("retrying in 30 s (systemd restarts the player)");
        Millis until = clock_.Monotonic() + Millis(30'000);
        SDL_Event e;
        while (!quit_ && clock_.Monotonic() < until) {
          int left = static_cast<int>((until - clock_.Monotonic()).count());
          if (SDL_WaitEventTimeout(&e, std::max(left, 1)) != 0 && e.type == g_wake_event &&
              e.user.code == kSignal) {
            quit_ = static_cast<int>(reinterpret_cast<intptr_t>(e.user.data1)) != SIGHUP;
          }
        }
      }
    } else {
      std::optional<Millis> quit_at;
      if (options_.exit_after_ms) quit_at = started + Millis(*options_.exit_after_ms);
      while (!quit_) {
        Millis now = clock_.Monotonic();
        Millis wake = fade_start_ ? now + kFrameInterval : rotation_->next_deadline();
        if (auto max_sleep = notifier_.MaxSleep()) wake = std::min(wake, now + *max_sleep);
        if (quit_at) wake = std::min(wake, *quit_at);
        SDL_Event e;
        int timeout = static_cast<int>(std::max<int64_t>(0, (wake - now).count()));
        if (SDL_WaitEventTimeout(&e, timeout) != 0) {
          do {
            HandleEvent(e);
          } while (!quit_ && SDL_PollEvent(&e) != 0);
        }
        now = clock_.Monotonic();
        (void)notifier_.NotifyWatchdog();
        if (quit_at && now >= *quit_at) break;
        if (!fade_start_ && now >= rotation_->next_deadline()) {
          OnDeadline(now);
          DrawFrame(now);
        } else if (fade_start_) {
          DrawFrame(now);
        }
      }
      (void)notifier_.NotifyStopping();
    }
    // Ordered teardown: the updater (it posts SDL events) first, then
    // textures before the renderer, the renderer before SDL.
    StopUpdater();
    next_.reset();
    current_.reset();
    compositor_.reset();
    display_.reset();
    fonts_.reset();
  }
  TTF_Quit();
  SDL_Quit();
  return status;
}

}  // namespace

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR2}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int RunPlayer(const PlayerOptions& options) { return Player(options).Run(); }

}  // namespace kiosk
