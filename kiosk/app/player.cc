#include "kiosk/app/player.h"

#include <SDL.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/app/commands.h"
#include "kiosk/app/screen_keeper.h"
#include "kiosk/core/clock.h"
#include "kiosk/core/event_source.h"
#include "kiosk/core/log.h"
#include "kiosk/core/update/programme.h"
#include "kiosk/core/update/status_report.h"
#include "kiosk/core/update/trust.h"
#include "kiosk/core/update/updater.h"
#include "kiosk/core/update/updater_thread.h"
#include "kiosk/platform/compositor.h"
#include "kiosk/platform/display.h"
#include "kiosk/platform/fleet/mqtt_link.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/net/curl_fetcher.h"
#include "kiosk/platform/screenshot.h"
#include "kiosk/platform/sdl_environment.h"
#include "kiosk/platform/sdl_event_source.h"
#include "kiosk/platform/service/service_notifier.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {
namespace {

constexpr size_t kMaxCaptures = 200;  // --capture-dir never fills a disk

using update::Candidate;
using update::Programme;

// Stands in for the network when the real fetcher cannot be made: every
// fetch fails with the reason, so the updater reports it in the status file.
class UnavailableFetcher final : public Fetcher {
 public:
  explicit UnavailableFetcher(Status why) : why_(std::move(why)) {}
  Result<FetchResponse> Fetch(const FetchRequest&) override { return why_; }
  void Abort() override {}

 private:
  Status why_;
};

class Player {
 public:
  explicit Player(const PlayerOptions& options) : options_(options), notifier_(clock_) {}
  int Run();

 private:
  Status Start();
  std::shared_ptr<const update::Trust> TrustNow() const;
  void HandleEvent(const PlayerEvent& e);
  // The configured time zone, for schedules (the system's by default).
  void SetTimeZone();
  // Re-reads the configuration and chooses content again; why is for the log.
  void Reload(const std::string& why);
  // Brings the screen in line with what the programme decided.
  void Apply(Programme::Change change);
  void OnDeadline(Millis now);
  Status RenderNext();
  // The pre-rendered next slide becomes current_.
  void TakeNext();
  void DrawFrame(Millis now);
  // A compositor for the display's current size and the configured
  // rotation, and the programme told the panel it lays out for.
  void RebuildCompositor();
  void PresentSettled();
  // A black frame, presented while the first slide is laid out (Start).
  void PresentBlack();
  void Capture();
  // The display part of the status (driver, size, rotation, state).
  void PublishDisplay();
  // Does what the ScreenKeeper says (hotplug, screen schedule): stop
  // drawing, close the display, re-open it and show the current slide.
  void KeepScreen();
  // The window (or console output) and a compositor for it, from the
  // display settings; at start and when a screen comes back.
  Status OpenDisplay();
  Status ReopenDisplay();
  void CloseDisplay();
  // Textures are lost (SDL's render reset events): new ones from the layout.
  void RedrawFromLayout();
  // Whether frames can be drawn now (a display open, the screen wanted).
  bool Drawable() const { return compositor_ && (!screen_ || screen_->drawing()); }
  // SDL 2.26 falls back to its "offscreen" driver when no real one starts
  // (no screen connected, no DRM device, no X server yet), then draws for
  // nobody while every report would say it is showing. A headless driver
  // nobody asked for is "no display": said in the log, the status file and
  // systemd's STATUS=, and the player waits for a screen, trying SDL's video
  // drivers again every kScreenRetry, answering signals and feeding the
  // watchdog. Told to stop while waiting, it returns with quit_ set.
  Status WaitForScreen();
  static constexpr Millis kScreenRetry{2000};
  // The one status board of the run, for the configured status file.
  void EnsureBoard();
  // Remote updates (docs/bundle-format.md): on when updates.url is set.
  void StartUpdater();
  // The unit part of the status: name, tags, configuration and font problems.
  void PublishUnit();
  // Checks and loads the fonts Start left for later (FontSet::Loading::
  // kOnDemand) once the first frame is up; logs and reports their problems
  // like those found at start.
  void LoadRemainingFonts();
  void StopUpdater();
  void TakeAppliedBundle();
  // The fleet link (docs/fleet.md), on with a fleet section: its thread
  // queues the commands it accepted in fleet_commands_ and wakes the loop,
  // which carries them out here; the board's changes reach it as an observer.
  void StartFleet();
  void StopFleet();
  void HandleFleetCommands();
  // The frame on screen, scaled to fit 640x360, published as PNG.
  void TakeScreenshot(const std::string& id);

  PlayerOptions options_;
  Config config_;
  SystemClock clock_;
  ServiceNotifier notifier_;
  std::unique_ptr<EventSource> events_;
  std::unique_ptr<FontSet> fonts_;
  // FontSet::Open on its own thread, from the start of Run until Start needs
  // the fonts: reading and hashing them (tens of milliseconds) overlaps
  // SDL's video start, which mostly waits for the X server or the kernel.
  std::future<Result<std::unique_ptr<FontSet>>> fonts_opening_;
  std::unique_ptr<Display> display_;
  std::unique_ptr<Compositor> compositor_;
  std::unique_ptr<ScreenKeeper> screen_;
  update::DisplayStatus last_display_;  // as last published with a display open
  std::unique_ptr<Programme> programme_;
  TexturePtr current_;  // what is on screen (or fading out)
  // How the programme's next_layout() differs from current_, pre-rendered.
  std::optional<SlideChange> next_;
  bool quit_ = false;
  std::string video_error_;  // why SDL's video failed to start, if it did
  size_t captures_ = 0;
  Millis started_{0};

  // The updater runs on its own thread; it hands over a verified bundle
  // through applied_ and an event, and the switch happens here.
  PosixFileStore store_;
  std::unique_ptr<update::StatusBoard> board_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<update::Updater> updater_;
  std::unique_ptr<update::UpdaterThread> updater_thread_;
  // The trust of the configuration, used when no updater runs.
  std::shared_ptr<const update::Trust> config_trust_;
  std::mutex applied_mu_;
  std::optional<Candidate> applied_;  // guarded by applied_mu_
  std::atomic<bool> first_frame_shown_{false};
  size_t font_problems_logged_ = 0;

  std::unique_ptr<MqttLink> fleet_;
  std::optional<FleetConfig> fleet_config_;     // what fleet_ was started with
  update::StatusBoard* fleet_board_ = nullptr;  // the board fleet_ observes
  int fleet_observer_ = 0;
  std::mutex fleet_mu_;
  std::deque<std::pair<fleet::CommandKind, std::string>> fleet_commands_;  // guarded by fleet_mu_
  // A screenshot asked for (its command id), taken once no fade is running.
  std::optional<std::string> pending_screenshot_;
};

std::shared_ptr<const update::Trust> Player::TrustNow() const {
  return updater_ ? updater_->trust() : config_trust_;
}

void Player::EnsureBoard() {
  std::error_code ec;
  const bool have_state = std::filesystem::is_directory(config_.state_dir, ec);
  // The status file is written whenever the unit updates or keeps a cache
  // (a developer's machine has neither, and no status file). One board for
  // the whole run (a new one only if the file moves), so that a reload never
  // writes a status that forgets what is on screen.
  const std::filesystem::path status_file =
      (!config_.updates.url.empty() || have_state) ? config_.status_file : std::filesystem::path();
  if (board_ && board_->path() == status_file) return;
  StopFleet();  // it reports to the board being replaced
  board_ = std::make_unique<update::StatusBoard>(store_, status_file);
  if (programme_) programme_->SetStatusBoard(board_.get());
  // systemctl status shows the board: on the updater's thread too, which
  // NotifyStatus allows (it keeps no state).
  board_->AddObserver(
      [this](const update::UnitStatus& s) { (void)notifier_.NotifyStatus(update::StatusLine(s)); });
}

Status Player::WaitForScreen() {
  // What is wrong with the video driver SDL started, if anything: none at
  // all, or a headless one nobody asked for.
  auto no_screen = [this]() -> std::optional<update::DisplayStatus> {
    const char* requested = std::getenv("SDL_VIDEODRIVER");
    const bool asked = requested != nullptr && *requested != '\0';
    if (SDL_WasInit(SDL_INIT_VIDEO) == 0) {
      update::DisplayStatus d;
      d.state = update::DisplayState::kNoDisplay;
      d.video_driver = asked ? requested : "";
      d.rotation_degrees = config_.display.rotation_degrees;
      d.problem = "display: no video driver could start (" + video_error_ +
                  "), so nothing reaches a screen";
      return d;
    }
    const char* driver = SDL_GetCurrentVideoDriver();
    auto d = update::DisplayStatusOf(driver != nullptr ? driver : "", asked, 0, 0,
                                     config_.display.rotation_degrees);
    if (d.state == update::DisplayState::kNoDisplay) return d;
    return std::nullopt;
  };
  std::optional<update::DisplayStatus> missing = no_screen();
  if (!missing) return Status::Ok();
  if (options_.windowed) {
    // A desktop window with no desktop (a container, an SSH session): say
    // so and stop, rather than draw for nobody.
    return Status::Internal(missing->problem +
                            "; no desktop session to open a window on (DISPLAY or "
                            "WAYLAND_DISPLAY). `kiosk render --out DIR` writes the slides as PNG, "
                            "or run the player under xvfb-run");
  }
  LogError("no display: " + missing->problem.substr(missing->problem.find(':') + 2) +
           ". Waiting for one (trying again every " + std::to_string(kScreenRetry.count() / 1000) +
           " s)");
  EnsureBoard();
  board_->PublishDisplay(*missing);
  // The service is up and waiting, not failing: systemd must not restart it
  // in a loop (the image reboots after 30 failed starts in 10 minutes).
  (void)notifier_.NotifyReady();
  while (!quit_) {
    PlayerEvent e = events_->Wait(kScreenRetry);
    if (e.kind == PlayerEvent::Kind::kQuit ||
        (e.kind == PlayerEvent::Kind::kSignal && e.signal != SIGHUP)) {
      quit_ = true;
      break;
    }
    (void)notifier_.NotifyWatchdog();
    if (e.kind != PlayerEvent::Kind::kNone) continue;
    if (SDL_WasInit(SDL_INIT_VIDEO) != 0) SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) video_error_ = SDL_GetError();
    if (!no_screen()) {
      LogInfo(std::string("display found: video driver ") + SDL_GetCurrentVideoDriver());
      return Status::Ok();
    }
  }
  LogInfo("stopped while waiting for a display");
  return Status::Ok();
}

void Player::StartUpdater() {
  config_trust_ = std::make_shared<const update::Trust>(update::TrustFromConfig(config_));
  update::ContentSources sources;
  sources.override_dir = options_.content_dir;
  sources.builtin_dir = options_.data_dir / "content";
  programme_->SetSources(sources);
  std::error_code ec;
  const bool have_state = std::filesystem::is_directory(config_.state_dir, ec);
  EnsureBoard();
  programme_->SetStatusBoard(board_.get());
  PublishDisplay();
  PublishUnit();
  if (config_.updates.url.empty()) {
    // Updates off. A unit whose URL was removed still shows its last
    // verified bundle and keeps reporting: the updater runs without polling
    // whenever the state directory exists (a developer's machine has none).
    if (!have_state) {
      LogInfo("updates off (no updates.url in the configuration)");
      return;
    }
    LogInfo("updates off (no updates.url); showing the cache in " + config_.state_dir.string());
  }
  auto fetcher = CurlFetcher::Create(CurlFetcherOptionsFor(config_.updates));
  if (fetcher.ok()) {
    fetcher_ = std::move(*fetcher);
  } else {
    // No way to fetch (a missing pinned CA file, say): the cache is still
    // verified and shown, and every poll reports why nothing is fetched.
    LogError("updates: " + fetcher.status().message());
    fetcher_ = std::make_unique<UnavailableFetcher>(fetcher.status());
  }
  std::filesystem::path data_dir = options_.data_dir;
  // The panel as last opened (the display is closed while DPMS has it off).
  int w = display_ ? display_->width() : last_display_.width;
  int h = display_ ? display_->height() : last_display_.height;
  if (config_.display.rotation_degrees % 180 != 0) std::swap(w, h);
  // Runs on the updater's thread: the player's own checks, plus this
  // panel's size, so a bundle that cannot show here is refused up front,
  // and the unit's pinned contact (as trusted at that moment), so a bundle
  // with another is refused. With damaged pinned fonts this unit shows its
  // slides in substitute fonts, so it measures new bundles with the same
  // ones: refusing every bundle would leave old content up for good, a worse
  // failure than the one already reported at start-up.
  // Before the first frame (the cache, chosen at start) the fit is checked
  // at this panel only: every supported size waits for downloads.
  auto validator = [this, data_dir, w, h](const std::filesystem::path& dir) {
    if (!first_frame_shown_) {
      return CheckContentForPanel(dir, data_dir, w, h, updater_->trust()->contact,
                                  SubstituteFonts::kAccept);
    }
    return CheckContent(dir, data_dir, w, h, updater_->trust()->contact, SubstituteFonts::kAccept);
  };
  auto on_applied = [this](const std::filesystem::path& dir, int64_t version) {
    {
      std::lock_guard<std::mutex> lock(applied_mu_);
      applied_ = Candidate{update::ContentSource::kNetwork, dir, version, clock_.UnixSeconds()};
    }
    events_->Post(PlayerEvent{PlayerEvent::Kind::kBundleApplied});
  };
  updater_ = std::make_unique<update::Updater>(update::UpdaterOptions::FromConfig(config_),
                                               *fetcher_, store_, clock_, validator, on_applied);
  updater_->set_status_sink(
      [board = board_.get()](const update::UnitStatus& s) { board->PublishChecks(s); });
  updater_->set_on_trust_changed(
      [this] { events_->Post(PlayerEvent{PlayerEvent::Kind::kTrustChanged}); });
  if (auto cached = updater_->Start()) {
    sources.cached.push_back(Candidate{update::ContentSource::kCache, cached->dir,
                                       cached->applied.version, cached->applied.applied_at});
  }
  // The cache's other bundle, in case the trust changes under the first.
  const update::CacheState& state = updater_->cache_state();
  for (const auto& other : {state.current, state.previous}) {
    if (other && (sources.cached.empty() || *sources.cached.front().version != other->version)) {
      sources.cached.push_back(
          Candidate{update::ContentSource::kCache,
                    config_.state_dir / "bundles" / ("v" + std::to_string(other->version)),
                    other->version, other->applied_at});
    }
  }
  programme_->SetSources(std::move(sources));
  // The real clock drives the condition variable directly, so the worker
  // can sleep until its poll is due: no periodic wake-ups on an idle unit.
  updater_thread_ =
      std::make_unique<update::UpdaterThread>(*updater_, clock_, /*max_sleep=*/Millis(3'600'000));
}

void Player::PublishUnit() {
  std::vector<std::string> problems = options_.config_problems;
  for (const auto& p : fonts_->problems()) problems.push_back("font: " + p);
  board_->SetUnit(config_.device_name, config_.venue_tags, !config_.updates.url.empty(),
                  std::move(problems), options_.config_warnings);
}

void Player::LoadRemainingFonts() {
  fonts_->LoadAll();
  const auto& problems = fonts_->problems();
  if (problems.size() == font_problems_logged_) return;
  for (size_t i = font_problems_logged_; i < problems.size(); ++i) {
    LogError("font: " + problems[i]);
  }
  font_problems_logged_ = problems.size();
  PublishUnit();
}

void Player::StopUpdater() {
  if (updater_thread_) updater_thread_->Stop();
  updater_thread_.reset();
  updater_.reset();
  fetcher_.reset();
}

void Player::TakeAppliedBundle() {
  std::optional<Candidate> applied;
  {
    std::lock_guard<std::mutex> lock(applied_mu_);
    applied.swap(applied_);
  }
  if (applied) Apply(programme_->BundleApplied(*applied));
}

void Player::StartFleet() {
  if (!config_.fleet || fleet_) return;
  const FleetConfig& f = *config_.fleet;
  if (f.broker_url.empty() || f.unit.empty()) {
    // The configuration's problems say which field is missing.
    LogError("fleet: the link is off: no usable fleet.broker or fleet.unit");
    return;
  }
  EnsureBoard();
  MqttLinkOptions options;
  options.config = f;
  options.player_version = KIOSK_VERSION;
  options.started = started_;
  auto on_command = [this](fleet::CommandKind kind, const std::string& id) {
    {
      std::lock_guard<std::mutex> lock(fleet_mu_);
      fleet_commands_.emplace_back(kind, id);
    }
    events_->Post(PlayerEvent{PlayerEvent::Kind::kFleetCommand});
  };
  update::StatusBoard* board = board_.get();
  fleet_ = std::make_unique<MqttLink>(
      options, clock_, on_command,
      [board](const update::FleetLinkStatus& link) { board->PublishFleet(link); });
  fleet_board_ = board;
  fleet_config_ = f;
  fleet_observer_ = board->AddObserver(
      [link = fleet_.get()](const update::UnitStatus& s) { link->StatusChanged(s); });
  fleet_->Start();
}

void Player::StopFleet() {
  if (!fleet_) return;
  fleet_board_->RemoveObserver(fleet_observer_);
  fleet_->Stop();
  fleet_.reset();
  fleet_board_ = nullptr;
}

void Player::HandleFleetCommands() {
  std::deque<std::pair<fleet::CommandKind, std::string>> commands;
  {
    std::lock_guard<std::mutex> lock(fleet_mu_);
    commands.swap(fleet_commands_);
  }
  for (const auto& [kind, id] : commands) {
    auto reply = [&](const std::string& result, const std::string& message) {
      if (fleet_) fleet_->Reply(id, kind, result, message);
    };
    switch (kind) {
      case fleet::CommandKind::kCheckNow:
        // Only a request to look: what comes is verified like every poll.
        if (updater_thread_ && !config_.updates.url.empty()) {
          updater_thread_->PollNow();
          reply("started", "checking " + config_.updates.url + " now");
        } else {
          reply("failed", "updates are off (no updates.url in the configuration)");
        }
        break;
      case fleet::CommandKind::kReload:
        Reload("fleet command " + id);
        reply("done", "configuration read again and content chosen again");
        break;
      case fleet::CommandKind::kScreenshot:
        pending_screenshot_ = id;
        break;
    }
  }
}

void Player::TakeScreenshot(const std::string& id) {
  if (!fleet_ || !current_) return;
  // The settled frame, drawn again, read before the present (after it some
  // drivers return garbage) and presented again unchanged.
  compositor_->Draw(current_.get());
  auto pixels = compositor_->ReadPixels();
  SDL_RenderPresent(display_->renderer());
  Result<SurfacePtr> scaled =
      pixels.ok() ? ScaleToFit(pixels->get(), kScreenshotMaxWidth, kScreenshotMaxHeight)
                  : Result<SurfacePtr>(pixels.status());
  Result<std::string> png =
      scaled.ok() ? EncodePng(scaled->get()) : Result<std::string>(scaled.status());
  if (!png.ok()) {
    LogWarning("fleet: " + png.status().message());
    fleet_->Reply(id, fleet::CommandKind::kScreenshot, "failed", png.status().message());
    return;
  }
  if (!fleet_->PublishScreenshot(*png)) {
    fleet_->Reply(id, fleet::CommandKind::kScreenshot, "failed", "not connected to the broker");
    return;
  }
  fleet_->Reply(id, fleet::CommandKind::kScreenshot, "done",
                std::to_string((*scaled)->w) + "x" + std::to_string((*scaled)->h) + " PNG, " +
                    std::to_string(png->size()) + " bytes");
}

void Player::SetTimeZone() {
  std::string problem;
  std::shared_ptr<const TimeZone> zone = UnitTimeZone(config_.time_zone, &problem);
  if (!problem.empty()) LogError("time zone: " + problem);
  programme_->SetTimeZone(std::move(zone));
}

void Player::Apply(Programme::Change change) {
  switch (change) {
    case Programme::Change::kNone:
      return;
    case Programme::Change::kPending:
      fonts_->Trim();
      if (Status s = RenderNext(); !s.ok()) {
        LogError("cannot render the next slide: " + s.message());
      }
      return;
    case Programme::Change::kCut:
      break;
  }
  if (!compositor_) return;  // the display is closed: drawn when it opens
  // A cut: the programme shows new content from now.
  fonts_->Trim();
  auto tex = compositor_->RenderSlide(programme_->current_layout());
  if (tex.ok()) current_ = std::move(*tex);
  next_.reset();
  PresentSettled();
  if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
}

Status Player::Start() {
  config_ = options_.config;
  auto fonts = fonts_opening_.get();
  if (!fonts.ok()) return fonts.status();
  fonts_ = std::move(*fonts);
  // A damaged install still starts, on system fonts, but says so.
  for (const auto& problem : fonts_->problems()) LogError("font: " + problem);
  font_problems_logged_ = fonts_->problems().size();
  // The programme measures text with the fonts the screen draws with.
  programme_ = std::make_unique<Programme>(store_, clock_, *fonts_, [this] { return TrustNow(); });
  programme_->SetProgress([this] { (void)notifier_.NotifyWatchdog(); });
  SetTimeZone();

  if (Status s = WaitForScreen(); !s.ok() || quit_) return s;
  if (Status s = OpenDisplay(); !s.ok()) return s;
  if (!display_->accelerated()) programme_->SetFrameInterval(Programme::kSoftwareFrameInterval);
  screen_ = std::make_unique<ScreenKeeper>(*events_, clock_, display_->video_driver(),
                                           config_.display.power,
                                           UnitTimeZone(config_.time_zone, nullptr));

  // The cache is read (and re-verified) before the first frame, so a unit
  // that has good network content never flashes the built-in slides.
  StartUpdater();
  // Connects in the background; its first status follows the first frame.
  StartFleet();
  (void)notifier_.NotifyWatchdog();
  // The first frame as soon as possible: lay out one slide, show it, then
  // lay out the rest while it is on screen. The layout (signatures, the type
  // scale, one slide: no SDL) runs beside a black first present, because a
  // display's first present is slow by itself and waits for no layout: a
  // mode set on KMSDRM; on X11 the server mapping the window's
  // shared-memory framebuffer page by page (70 ms at 1080p on this project's
  // 2-core development VM). The slide's own present then costs one copy.
  auto begun = std::async(std::launch::async, [this] { return programme_->Begin(); });
  PresentBlack();
  if (Status s = begun.get(); !s.ok()) return s;
  // After a wait for a screen READY is sent and the watchdog is on: every
  // step to the first frame feeds it (the layout does so per slide).
  (void)notifier_.NotifyWatchdog();
  Millis shown_at = clock_.Monotonic();
  auto first = compositor_->RenderSlide(programme_->current_layout());
  if (!first.ok()) return first.status();
  current_ = std::move(*first);
  (void)notifier_.NotifyWatchdog();
  PresentSettled();
  // Counted to the present (rendering the slide included), not to the choice.
  LogInfo("first frame on screen after " + std::to_string((clock_.Monotonic() - started_).count()) +
          " ms");
  first_frame_shown_ = true;
  LoadRemainingFonts();
  // The first poll need not wait for the rest of the layout (seconds on a
  // slow board): what it brings is handled by the loop, after Start.
  if (updater_thread_) updater_thread_->Start();
  programme_->Started(shown_at);
  (void)notifier_.NotifyReady();
  if (options_.test_render_reset) {
    for (Uint32 type : {SDL_RENDER_TARGETS_RESET, SDL_RENDER_DEVICE_RESET}) {
      SDL_Event e{};
      e.type = type;
      SDL_PushEvent(&e);
    }
  }
  fonts_->Trim();
  return RenderNext();
}

void Player::PublishDisplay() {
  const char* requested = std::getenv("SDL_VIDEODRIVER");
  if (display_) {
    last_display_ = update::DisplayStatusOf(
        display_->video_driver(), requested != nullptr && *requested != '\0', display_->width(),
        display_->height(), config_.display.rotation_degrees);
  }
  update::DisplayStatus d = last_display_;
  if (screen_) screen_->Describe(d);
  board_->PublishDisplay(d);
}

void Player::KeepScreen() {
  const Millis now = clock_.Monotonic();
  switch (screen_->Update(now)) {
    case ScreenAction::kNone:
      return;
    case ScreenAction::kStopDrawing:
      break;  // the loop draws nothing from now on
    case ScreenAction::kCloseDisplay:
      CloseDisplay();
      screen_->DisplayClosed();
      break;
    case ScreenAction::kReopen:
      if (Status s = ReopenDisplay(); !s.ok()) {
        LogError("display: cannot open it again: " + s.message() + "; trying again");
        screen_->ReopenFailed(now);
        break;
      }
      screen_->DisplayOpened();
      Apply(programme_->Reshow("display back"));
      LogInfo("display back: slide on screen " +
              std::to_string((clock_.Monotonic() - now).count()) + " ms after the change was seen");
      break;
    case ScreenAction::kRedraw:
      RedrawFromLayout();
      break;
  }
  PublishDisplay();
}

void Player::CloseDisplay() {
  next_.reset();
  current_.reset();
  compositor_.reset();
  display_.reset();
  // SDL's KMSDRM driver lets go of the DRM device only when its video stops.
  if (SDL_WasInit(SDL_INIT_VIDEO) != 0) SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

Status Player::OpenDisplay() {
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
  return Status::Ok();
}

Status Player::ReopenDisplay() {
  // SDL chose its connector and mode when its video started: start it again.
  CloseDisplay();
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) return Status::Internal(SDL_GetError());
  const char* driver = SDL_GetCurrentVideoDriver();
  const char* requested = std::getenv("SDL_VIDEODRIVER");
  if (update::DisplayStatusOf(driver != nullptr ? driver : "",
                              requested != nullptr && *requested != '\0', 0, 0, 0)
          .state == update::DisplayState::kNoDisplay) {
    return Status::Internal(std::string("only the headless video driver ") + driver + " starts");
  }
  return OpenDisplay();
}

void Player::RedrawFromLayout() {
  if (!display_) return;
  // A device reset loses every texture, a targets reset those we draw
  // into: a new compositor, and the slide and the next one drawn again.
  RebuildCompositor();
  Apply(Programme::Change::kCut);
}

// Pre-renders the slide that comes next, so the transition starts on time:
// only where it differs from current_ (during a fade current_ is not yet
// current_layout(), so all of it).
Status Player::RenderNext() {
  if (!compositor_) return Status::Ok();
  const FrameLayout* shown = programme_->fading() ? nullptr : &programme_->current_layout();
  auto next = compositor_->RenderChange(shown, programme_->next_layout());
  // The fonts at this slide's sizes and their glyph caches (megabytes at
  // large sizes) are not needed again for a slide's duration.
  fonts_->Trim();
  if (!next.ok()) return next.status();
  next_ = std::move(*next);
  return Status::Ok();
}

void Player::TakeNext() {
  if (Status s = compositor_->Apply(*next_, current_.get()); !s.ok()) LogError(s.message());
  next_.reset();
}

void Player::OnDeadline(Millis now) {
  if (programme_->OnDeadline(now)) {
    // Woke late by more than a slide: the pre-rendered one is not the one due.
    auto tex = compositor_->RenderChange(nullptr, programme_->current_layout());
    if (tex.ok()) next_ = std::move(*tex);
  }
  if (next_ && !programme_->StartTransition(now)) TakeNext();
}

void Player::DrawFrame(Millis now) {
  if (!Drawable()) return;
  const Programme::Frame frame = programme_->FrameAt(now);
  if (frame.kind == Programme::FrameKind::kFading) {
    if (next_) compositor_->PresentCrossfade(current_.get(), *next_, frame.t);
    return;
  }
  if (frame.kind == Programme::FrameKind::kFadeDone && next_) TakeNext();
  PresentSettled();
  if (!next_) {
    if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
  }
}

void Player::RebuildCompositor() {
  compositor_ = std::make_unique<Compositor>(display_->renderer(), *fonts_, display_->width(),
                                             display_->height(), config_.display.rotation_degrees);
  programme_->SetPanel(config_.display, compositor_->logical_width(),
                       compositor_->logical_height());
}

// A settled frame is presented twice: on the KMSDRM console (double
// buffered, page flips) a single present after a still period did not reach
// the screen in our QEMU test until the next one, and READY must mean "on
// screen". The second present costs one copy per slide change.
void Player::PresentSettled() {
  if (!Drawable()) return;
  for (int i = 0; i < 2; ++i) {
    compositor_->Draw(current_.get());
    if (i == 0) Capture();
    SDL_RenderPresent(display_->renderer());
  }
}

void Player::PresentBlack() {
  if (!Drawable()) return;
  SDL_Renderer* renderer = display_->renderer();
  SDL_SetRenderDrawColor(renderer, 0, 0, 0, 255);
  SDL_RenderClear(renderer);
  SDL_RenderPresent(renderer);
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

void Player::Reload(const std::string& why) {
  LogInfo(why + ": reloading configuration and content");
  (void)notifier_.NotifyWatchdog();
  if (!options_.config_path.empty()) {
    // A bad field keeps its running value; the rest of the file applies.
    ConfigLoad load = LoadConfigFile(store_, options_.config_path, /*fallback=*/config_);
    for (const auto& p : load.problems) LogError("configuration: " + p);
    for (const auto& w : load.warnings) LogWarning("configuration: " + w);
    options_.config_problems = load.problems;
    options_.config_warnings = load.warnings;
    // The window stays as it is; display options that need a new window
    // (size) take effect at the next start.
    bool rotated = load.config.display.rotation_degrees != config_.display.rotation_degrees;
    config_ = std::move(load.config);
    if (rotated && display_) RebuildCompositor();
    // Layout, margins and crossfade apply from the next choice on.
    if (compositor_) {
      programme_->SetPanel(config_.display, compositor_->logical_width(),
                           compositor_->logical_height());
    }
    SetTimeZone();
    screen_->SetPower(config_.display.power, UnitTimeZone(config_.time_zone, nullptr));
  }
  // New update settings (URL, keys, interval) take effect now, and the
  // cache is read again.
  StopUpdater();
  StartUpdater();
  if (updater_thread_) updater_thread_->Start();
  // A link whose settings changed starts again with the new ones; one
  // removed from the configuration leaves the status file too.
  if (fleet_ && config_.fleet != fleet_config_) StopFleet();
  if (!config_.fleet) board_->PublishFleet(std::nullopt);
  StartFleet();
  Apply(programme_->Rechoose(why));
}

void Player::HandleEvent(const PlayerEvent& e) {
  switch (e.kind) {
    case PlayerEvent::Kind::kNone:
      break;
    case PlayerEvent::Kind::kQuit:
      quit_ = true;
      break;
    case PlayerEvent::Kind::kRedraw:
      if (!display_) break;
      if (display_->RefreshSize()) {
        // A resized window: choose and lay everything out again for the new
        // size (verified again, like every choice).
        RebuildCompositor();
        PublishDisplay();
        Apply(programme_->Reshow("window resized"));
      }
      // Redraw what is showing: the TV or compositor lost our pixels.
      DrawFrame(clock_.Monotonic());
      // A crossfade frame presents only what changes; this one, everything.
      if (programme_->fading()) SDL_RenderPresent(display_->renderer());
      break;
    case PlayerEvent::Kind::kBundleApplied:
      TakeAppliedBundle();
      break;
    case PlayerEvent::Kind::kTrustChanged:
      Apply(programme_->Rechoose("new root document"));
      break;
    case PlayerEvent::Kind::kFleetCommand:
      HandleFleetCommands();
      break;
    case PlayerEvent::Kind::kDisplayHotplug:
      break;  // the loop asks the ScreenKeeper after every event
    case PlayerEvent::Kind::kRenderReset:
      LogWarning("renderer reset: drawing the slide again from its layout");
      RedrawFromLayout();
      break;
    case PlayerEvent::Kind::kScreenPower:
      PublishDisplay();
      break;
    case PlayerEvent::Kind::kSignal:
      if (e.signal == SIGHUP) {
        Reload("SIGHUP");
      } else {
        LogInfo(std::string("received ") + (e.signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                ", exiting");
        quit_ = true;
      }
      break;
  }
}

int Player::Run() {
  Millis started = started_ = clock_.Monotonic();
  // The fonts the first frame may not need are checked after it
  // (LoadRemainingFonts).
  fonts_opening_ = std::async(std::launch::async, [dir = options_.data_dir / "fonts"] {
    return FontSet::Open(dir, FontSet::Loading::kOnDemand);
  });
  PrepareSdlEnvironment();
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  if (SDL_Init(SDL_INIT_EVENTS) != 0) {
    LogError(std::string("SDL_Init failed: ") + SDL_GetError());
    return 1;
  }
  // No video driver may start yet (no screen connected): WaitForScreen,
  // in Start, waits for one rather than exit.
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    video_error_ = SDL_GetError();
  }
  int status = 0;
  events_ = std::make_unique<SdlEventSource>(options_.windowed);
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
      while (!quit_ && clock_.Monotonic() < until) {
        PlayerEvent e = events_->Wait(std::max(until - clock_.Monotonic(), Millis(1)));
        if (e.kind == PlayerEvent::Kind::kSignal) quit_ = e.signal != SIGHUP;
      }
    }
  } else {
    std::optional<Millis> quit_at;
    if (options_.exit_after_ms) quit_at = started + Millis(*options_.exit_after_ms);
    while (!quit_) {
      Millis now = clock_.Monotonic();
      // Not drawing (no screen, or its off time): no slide deadlines.
      Millis wake = screen_->NextWake(now);
      if (screen_->drawing()) wake = std::min(wake, programme_->NextWake(now));
      if (auto max_sleep = notifier_.MaxSleep()) wake = std::min(wake, now + *max_sleep);
      if (quit_at) wake = std::min(wake, *quit_at);
      for (PlayerEvent e = events_->Wait(std::max(wake - now, Millis(0)));
           e.kind != PlayerEvent::Kind::kNone && !quit_; e = events_->Wait(Millis(0))) {
        HandleEvent(e);
      }
      now = clock_.Monotonic();
      (void)notifier_.NotifyWatchdog();
      if (quit_at && now >= *quit_at) break;
      KeepScreen();
      if (!screen_->drawing() || !compositor_) continue;
      if (!programme_->fading() && programme_->ScheduleChangeDue(now)) {
        Apply(programme_->Rechoose("schedule"));
      }
      if (programme_->Due(now)) {
        OnDeadline(now);
        DrawFrame(now);
      } else if (programme_->fading()) {
        DrawFrame(now);
      }
      if (pending_screenshot_ && !programme_->fading()) {
        TakeScreenshot(*pending_screenshot_);
        pending_screenshot_.reset();
      }
    }
    (void)notifier_.NotifyStopping();
  }
  // Ordered teardown: the fleet link (it says "stopped") and the updater
  // (both post events) first, then the signal thread, then textures before
  // the renderer, the renderer before SDL.
  StopFleet();
  StopUpdater();
  screen_.reset();  // its threads post events
  events_.reset();
  programme_.reset();
  board_.reset();
  next_.reset();
  current_.reset();
  compositor_.reset();
  display_.reset();
  fonts_.reset();
  TTF_Quit();
  SDL_Quit();
  return status;
}

}  // namespace

int RunPlayer(const PlayerOptions& options) { return Player(options).Run(); }

}  // namespace kiosk
