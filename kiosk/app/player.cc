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
#include "kiosk/core/contact_mentions.h"
#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/log.h"
#include "kiosk/core/rotation.h"
#include "kiosk/core/update/bundle_verify.h"
#include "kiosk/core/update/status_report.h"
#include "kiosk/core/update/trust.h"
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
enum WakeCode : Sint32 { kSignal = 1, kBundleApplied = 2, kTrustChanged = 3 };

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

// After a root document pinned another contact, built-in slides that print
// the old number in their text must not be shown (the band already shows
// the new one); the others still are.
void DropSlidesWithOtherNumbers(Bundle& bundle) {
  std::vector<Slide> kept;
  for (const Slide& slide : bundle.slides) {
    Bundle one = bundle;
    one.slides = {slide};
    auto problems = CheckContactMentions(one);
    if (problems.empty()) {
      kept.push_back(slide);
    } else {
      LogWarning("built-in slide \"" + slide.id + "\" left out: " + problems.front());
    }
  }
  if (!kept.empty()) bundle.slides = std::move(kept);
}

// A place content can come from, in the order the player tries them.
struct Candidate {
  update::ContentSource source = update::ContentSource::kBuiltin;
  std::filesystem::path dir;
  std::optional<int64_t> version;     // cache and network bundles
  std::optional<int64_t> applied_at;  // when the updater applied it

  bool SameAs(const Candidate& o) const {
    return source == o.source && dir == o.dir && version == o.version;
  }
};

std::string OriginOf(const Candidate& c) {
  switch (c.source) {
    case update::ContentSource::kOverride:
      return "--content " + c.dir.string();
    case update::ContentSource::kCache:
      return "cached bundle v" + std::to_string(c.version.value_or(0));
    case update::ContentSource::kNetwork:
      return "network bundle v" + std::to_string(c.version.value_or(0));
    case update::ContentSource::kBuiltin:
      break;
  }
  return "built-in";
}

// A bundle ready to show on this panel: the cycle and a layout per view.
struct Prepared {
  Bundle bundle;
  Candidate from;
  std::optional<int64_t> published, expires;  // of a signed bundle's manifest
  std::string origin;                         // "built-in", "--content DIR", ...
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
// Called between views while laying out: laying out a whole bundle can take
// seconds on a slow board (or a sanitizer build), and systemd's watchdog
// must still hear from us (the player sets it to a watchdog ping).
std::function<void()> g_progress;

void LayOutViews(Prepared& p, FontSet& fonts, size_t at_most) {
  LayoutOptions options;
  options.margin_percent = p.display.margin_percent;
  options.enforce_floors = p.enforce_floors;
  size_t i = 0;
  for (; i < p.rest.size() && p.cycle.size() < at_most; ++i) {
    if (g_progress) g_progress();
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
  // Chooses what to show: --content, then the cached bundles (newest
  // first), then the built-in content; each verified against the trust of
  // this moment. at_most: lay out only that many views now (the first frame
  // needs one); the others are laid out by Complete.
  Result<Prepared> ChooseContent(size_t at_most = SIZE_MAX);
  // One candidate, verified (signature and every hash, for signed bundles)
  // and parsed from the very bytes that verified, checked against the
  // pinned contact, and laid out for this panel.
  Result<Prepared> LoadCandidate(const Candidate& candidate, const update::Trust& trust,
                                 size_t at_most);
  std::shared_ptr<const update::Trust> TrustNow() const;
  void HandleEvent(const SDL_Event& e);
  void Reload();
  // Puts prepared on screen now (a cut), for when what is showing may no
  // longer be shown or no longer fits.
  void ShowNow(Prepared prepared);
  // Re-chooses after anything that can change what may be shown (SIGHUP, a
  // new root document): a switch at the next slide boundary if what is
  // showing still verifies, else at once.
  void Rechoose(const char* why);
  void OnDeadline(Millis now);
  Status RenderNext();
  void DrawFrame(Millis now);
  // A compositor for the display's current size and the configured rotation.
  void RebuildCompositor();
  void PresentSettled();
  void Capture();
  void Report();
  // The status file's "shown" part: called whenever showing_ changes.
  void PublishShown();
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
  std::unique_ptr<update::StatusBoard> board_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<update::Updater> updater_;
  std::unique_ptr<update::UpdaterThread> updater_thread_;
  // The trust of the configuration, used when no updater runs.
  std::shared_ptr<const update::Trust> config_trust_;
  // The cached bundles the updater vouched for, newest first (at most two:
  // the cache keeps current and previous).
  std::vector<Candidate> cached_;
  bool override_superseded_ = false;
  std::mutex applied_mu_;
  std::optional<Candidate> applied_;  // guarded by applied_mu_
};

std::shared_ptr<const update::Trust> Player::TrustNow() const {
  return updater_ ? updater_->trust() : config_trust_;
}

void Player::StartUpdater() {
  config_trust_ = std::make_shared<const update::Trust>(update::TrustFromConfig(config_));
  cached_.clear();
  std::error_code ec;
  const bool have_state = std::filesystem::is_directory(config_.state_dir, ec);
  // The status file is written whenever the unit updates or keeps a cache
  // (a developer's machine has neither, and no status file). One board for
  // the whole run (a new one only if the file moves), so that a reload never
  // writes a status that forgets what is on screen.
  const std::filesystem::path status_file =
      (!config_.updates.url.empty() || have_state) ? config_.status_file : std::filesystem::path();
  if (!board_ || board_->path() != status_file) {
    board_ = std::make_unique<update::StatusBoard>(store_, status_file);
    PublishShown();
  }
  std::vector<std::string> problems = options_.config_problems;
  for (const auto& p : fonts_->problems()) problems.push_back("font: " + p);
  board_->SetUnit(config_.device_name, config_.venue_tags, !config_.updates.url.empty(),
                  std::move(problems), options_.config_warnings);
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
  int w = display_->width(), h = display_->height();
  if (config_.display.rotation_degrees % 180 != 0) std::swap(w, h);
  // Runs on the updater's thread: the player's own checks, plus this
  // panel's size, so a bundle that cannot show here is refused up front,
  // and the unit's pinned contact (as trusted at that moment), so a bundle
  // with another is refused. With damaged pinned fonts this unit shows its
  // slides in substitute fonts, so it measures new bundles with the same
  // ones: refusing every bundle would leave old content up for good, a worse
  // failure than the one already reported at start-up.
  auto validator = [this, data_dir, w, h](const std::filesystem::path& dir) {
    return CheckContent(dir, data_dir, w, h, updater_->trust()->contact, SubstituteFonts::kAccept);
  };
  auto on_applied = [this](const std::filesystem::path& dir, int64_t version) {
    {
      std::lock_guard<std::mutex> lock(applied_mu_);
      applied_ = Candidate{update::ContentSource::kNetwork, dir, version, clock_.UnixSeconds()};
    }
    SDL_Event e{};
    e.type = g_wake_event;
    e.user.code = kBundleApplied;
    SDL_PushEvent(&e);
  };
  updater_ = std::make_unique<update::Updater>(update::UpdaterOptions::FromConfig(config_),
                                               *fetcher_, store_, clock_, validator, on_applied);
  updater_->set_status_sink(
      [board = board_.get()](const update::UnitStatus& s) { board->PublishChecks(s); });
  updater_->set_on_trust_changed([] {
    SDL_Event e{};
    e.type = g_wake_event;
    e.user.code = kTrustChanged;
    SDL_PushEvent(&e);
  });
  if (auto cached = updater_->Start()) {
    cached_.push_back(Candidate{update::ContentSource::kCache, cached->dir, cached->applied.version,
                                cached->applied.applied_at});
  }
  // The cache's other bundle, in case the trust changes under the first.
  const update::CacheState& state = updater_->cache_state();
  for (const auto& other : {state.current, state.previous}) {
    if (other && (cached_.empty() || *cached_.front().version != other->version)) {
      cached_.push_back(
          Candidate{update::ContentSource::kCache,
                    config_.state_dir / "bundles" / ("v" + std::to_string(other->version)),
                    other->version, other->applied_at});
    }
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
  std::optional<Candidate> applied;
  {
    std::lock_guard<std::mutex> lock(applied_mu_);
    applied.swap(applied_);
  }
  if (!applied) return;
  cached_.insert(cached_.begin(), *applied);
  if (cached_.size() > 2) cached_.resize(2);
  // Verified again here, against the trust of this moment.
  auto prepared = LoadCandidate(*applied, *TrustNow(), SIZE_MAX);
  if (!prepared.ok()) {
    LogError("keeping the current content: " + prepared.status().message());
    return;
  }
  // Published content replaces a --content bundle for the rest of the run.
  override_superseded_ = true;
  LogInfo(prepared->origin + " verified; it takes over at the next slide boundary");
  pending_ = std::move(*prepared);
  fonts_->Trim();
  if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
}

Result<Prepared> Player::LoadCandidate(const Candidate& c, const update::Trust& trust,
                                       size_t at_most) {
  const std::string origin = OriginOf(c);
  std::error_code ec;
  const bool is_signed = c.source == update::ContentSource::kCache ||
                         c.source == update::ContentSource::kNetwork ||
                         std::filesystem::exists(c.dir / update::kManifestName, ec);
  Result<Bundle> bundle = Status::Internal("not loaded");
  std::optional<update::Manifest> manifest;
  if (is_signed) {
    // Verified now, against the keys trusted now, whatever verified before.
    update::BundleCheck check = update::VerifyBundleDir(store_, c.dir, trust.content);
    if (!check.ok()) {
      return check.ToStatus().WithContext(origin + " does not verify (trusting " +
                                          trust.Describe() + ")");
    }
    if (c.version && check.manifest->version != *c.version) {
      return Status::Unverified(origin + ": its manifest is version " +
                                std::to_string(check.manifest->version));
    }
    bundle = ParseBundle(check.slides_json, (c.dir / kSlidesFileName).string());
    manifest = std::move(check.manifest);
  } else {
    bundle = LoadBundleDir(c.dir);
  }
  if (!bundle.ok()) return bundle.status().WithContext(origin);
  const bool builtin = c.source == update::ContentSource::kBuiltin;
  if (!builtin) {
    // Cheap checks of every number on the bundle's slides, made here too
    // (not only when it was downloaded): the pinned contact may have changed.
    auto problems = CheckPinnedContact(*bundle, trust.contact);
    auto mentions = CheckContactMentions(*bundle);
    problems.insert(problems.end(), mentions.begin(), mentions.end());
    if (!problems.empty()) {
      std::string all;
      for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
      return Status::Rejected(origin + ": " + all);
    }
  }
  // Whatever the content says, the band shows the unit's pinned contact.
  bundle->contact.hotline = trust.contact.hotline;
  bundle->contact.email = trust.contact.email;
  if (builtin) DropSlidesWithOtherNumbers(*bundle);
  auto p = Prepare(*bundle, origin, config_.display, compositor_->logical_width(),
                   compositor_->logical_height(), *fonts_, /*enforce_floors=*/true, at_most);
  if (!p.ok() && builtin) {
    // Never blank: a panel too small for the floors still shows the built-in
    // slides, below the floors, rather than nothing.
    LogError(p.status().message() + "; showing the built-in content below the legibility floors");
    p = Prepare(std::move(*bundle), "built-in (below floors)", config_.display,
                compositor_->logical_width(), compositor_->logical_height(), *fonts_,
                /*enforce_floors=*/false, at_most);
  }
  if (!p.ok()) return p.status();
  p->from = c;
  if (manifest) {
    p->published = manifest->published;
    p->expires = manifest->expires;
  }
  return p;
}

Result<Prepared> Player::ChooseContent(size_t at_most) {
  const std::shared_ptr<const update::Trust> trust = TrustNow();
  std::vector<Candidate> candidates;
  if (options_.content_dir && !override_superseded_) {
    candidates.push_back(Candidate{update::ContentSource::kOverride, *options_.content_dir,
                                   std::nullopt, std::nullopt});
  }
  candidates.insert(candidates.end(), cached_.begin(), cached_.end());
  candidates.push_back(Candidate{update::ContentSource::kBuiltin, options_.data_dir / "content",
                                 std::nullopt, std::nullopt});
  Status last;
  for (const Candidate& c : candidates) {
    auto p = LoadCandidate(c, *trust, at_most);
    if (p.ok()) return p;
    last = p.status();
    LogError("not showing " + OriginOf(c) + ": " + p.status().message());
  }
  return last.WithContext("no content can be shown");
}

void Player::PublishShown() {
  if (!board_ || !showing_) return;
  update::UnitStatus shown;
  shown.source = showing_->from.source;
  shown.version = showing_->from.version;
  shown.applied_at = showing_->from.applied_at;
  shown.published = showing_->published;
  shown.expires = showing_->expires;
  shown.name = showing_->bundle.name;
  shown.contact = PinnedContact{showing_->bundle.contact.hotline, showing_->bundle.contact.email};
  board_->PublishShown(shown);
}

void Player::ShowNow(Prepared prepared) {
  showing_ = std::move(prepared);
  pending_.reset();
  Complete(*showing_, *fonts_);
  fonts_->Trim();
  rotation_.emplace(showing_->cycle, clock_.Monotonic());
  auto tex = compositor_->RenderSlide(showing_->layouts[0]);
  if (tex.ok()) current_ = std::move(*tex);
  next_.reset();
  fade_start_.reset();
  LogInfo("now showing " + showing_->origin + " content \"" + showing_->bundle.name + "\"");
  PublishShown();
  Report();
  PresentSettled();
  if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
}

void Player::Rechoose(const char* why) {
  auto content = ChooseContent();
  if (!content.ok()) {
    LogError(std::string(why) + ": keeping the current content: " + content.status().message());
    return;
  }
  // What is on screen must still verify now (its keys may have been revoked,
  // its files damaged, the pinned contact changed); if it does not, it goes
  // at once rather than at the next slide boundary.
  const bool same = content->from.SameAs(showing_->from);
  bool showing_ok = same;
  if (!same) showing_ok = LoadCandidate(showing_->from, *TrustNow(), 1).ok();
  const bool contact_changed =
      !(content->bundle.contact.hotline == showing_->bundle.contact.hotline &&
        content->bundle.contact.email == showing_->bundle.contact.email);
  if (!showing_ok || contact_changed) {
    LogInfo(std::string(why) + ": what was on screen may no longer be shown; switching now");
    ShowNow(std::move(*content));
    return;
  }
  pending_ = std::move(*content);
  fonts_->Trim();
  if (Status s = RenderNext(); !s.ok()) LogError("cannot render the next slide: " + s.message());
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
  auto content = ChooseContent(/*at_most=*/1);
  if (!content.ok()) return content.status();
  showing_ = std::move(*content);
  Millis shown_at = clock_.Monotonic();
  auto first = compositor_->RenderSlide(showing_->layouts[0]);
  if (!first.ok()) return first.status();
  current_ = std::move(*first);
  PresentSettled();
  LogInfo("first frame on screen after " + std::to_string((shown_at - started_).count()) + " ms");
  PublishShown();
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
    PublishShown();
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
  (void)notifier_.NotifyWatchdog();
  if (!options_.config_path.empty()) {
    // A bad field keeps its running value; the rest of the file applies.
    ConfigLoad load = LoadConfigFile(options_.config_path, /*fallback=*/config_);
    for (const auto& p : load.problems) LogError("configuration: " + p);
    for (const auto& w : load.warnings) LogWarning("configuration: " + w);
    options_.config_problems = load.problems;
    options_.config_warnings = load.warnings;
    // The window stays as it is; display options that need a new window
    // (size) take effect at the next start.
    bool rotated = load.config.display.rotation_degrees != config_.display.rotation_degrees;
    config_ = std::move(load.config);
    if (rotated) RebuildCompositor();
  }
  // New update settings (URL, keys, interval) take effect now, and the
  // cache is read again.
  StopUpdater();
  StartUpdater();
  if (updater_thread_) updater_thread_->Start();
  Rechoose("SIGHUP");
}

void Player::HandleEvent(const SDL_Event& e) {
  if (e.type == SDL_QUIT) {
    quit_ = true;
  } else if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_ESCAPE && options_.windowed) {
    quit_ = true;
  } else if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_EXPOSED ||
                                           e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)) {
    if (display_->RefreshSize()) {
      // A resized window: choose and lay everything out again for the new
      // size (verified again, like every choice).
      RebuildCompositor();
      auto content = ChooseContent();
      if (content.ok()) {
        ShowNow(std::move(*content));
      } else {
        LogError("window resized: " + content.status().message());
      }
    }
    // Redraw what is showing: the TV or compositor lost our pixels.
    DrawFrame(clock_.Monotonic());
  } else if (e.type == g_wake_event && e.user.code == kBundleApplied) {
    TakeAppliedBundle();
  } else if (e.type == g_wake_event && e.user.code == kTrustChanged) {
    Rechoose("new root document");
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
  g_progress = [this] { (void)notifier_.NotifyWatchdog(); };
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
    board_.reset();
    next_.reset();
    current_.reset();
    compositor_.reset();
    display_.reset();
    fonts_.reset();
  }
  TTF_Quit();
  SDL_Quit();
  g_progress = nullptr;
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
