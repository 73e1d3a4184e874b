// The programme: what the screen shows now, what comes next and when. It
// chooses content among the sources, verifies whatever is about to be shown
// at that moment against the trust of that moment, lays it out for this
// panel, runs the rotation and crossfade timing, and publishes the status
// file's "shown" part at the moment the screen changes, so the file never
// names anything but the screen's content.
//
// No SDL: the player (kiosk/app/player.cc) turns its answers into textures
// and frames. Time is Clock::Monotonic(); text is measured by the
// TextMeasurer the screen draws with, so a layout here is the one on screen.
//
// Not thread-safe: the player's loop owns it. Every file (signed bundles,
// unsigned ones: --content without a manifest, the built-in content) is read
// through the FileStore.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/config.h"
#include "kiosk/core/content.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/rotation.h"
#include "kiosk/core/schedule.h"
#include "kiosk/core/status.h"
#include "kiosk/core/text_measurer.h"
#include "kiosk/core/time_zone.h"
#include "kiosk/core/update/status_report.h"
#include "kiosk/core/update/trust.h"

namespace kiosk::update {

// A place content can come from.
struct Candidate {
  ContentSource source = ContentSource::kBuiltin;
  std::filesystem::path dir;
  std::optional<int64_t> version;     // cache and network bundles
  std::optional<int64_t> applied_at;  // when the updater applied it

  bool SameAs(const Candidate& o) const {
    return source == o.source && dir == o.dir && version == o.version;
  }
};

// "built-in", "--content DIR", "cached bundle v3", "network bundle v4".
std::string OriginOf(const Candidate& candidate);

// A bundle ready to show on this panel: the cycle and a layout per view.
struct Prepared {
  Bundle bundle;  // its contact is the unit's pinned contact
  Candidate from;
  std::optional<int64_t> published, expires;  // of a signed bundle's manifest
  std::string origin;                         // "built-in", "--content DIR", ...
  DisplayConfig display;
  int width = 0, height = 0;
  bool enforce_floors = true;
  // The one type scale of every view (ChooseTypeScale), chosen once for
  // this bundle, panel size and language setting: a new bundle or a new
  // panel size makes a new Prepared, so a new scale.
  TypeScale scale;
  std::vector<TimedView> cycle;      // views laid out so far
  std::vector<FrameLayout> layouts;  // parallel to cycle
  std::vector<TimedView> rest;       // views not laid out yet
  // Schedules (schedule.h): when the set of slides shown changes next
  // (monotonic), and whether the clock was synchronised when the set was
  // chosen. Either changing makes ScheduleChangeDue true.
  std::optional<Millis> schedule_due;
  bool chosen_with_synced_clock = false;
};

// The sources, in the order they are tried: the --content override (until
// published content supersedes it), the cached bundles newest first, the
// built-in content.
struct ContentSources {
  std::optional<std::filesystem::path> override_dir;
  // The cached bundles the updater vouched for, newest first (at most two:
  // the cache keeps current and previous).
  std::vector<Candidate> cached;
  std::filesystem::path builtin_dir;
};

class Programme {
 public:
  // Asked whenever something is about to be shown: the trust of that moment.
  using TrustSource = std::function<std::shared_ptr<const Trust>()>;
  // A crossfade is drawn at about 60 frames per second (a GPU, in step with
  // the display), or 30 when the CPU blends every pixel (software
  // rendering): a 1.5 s fade is then 45 steps, each under 6% of the way,
  // smooth to the eye on still slides, for half the work.
  static constexpr Millis kFrameInterval{16};
  static constexpr Millis kSoftwareFrameInterval{33};
  void SetFrameInterval(Millis interval) { frame_interval_ = interval; }

  // store, clock and measurer must outlive the programme.
  Programme(FileStore& store, const Clock& clock, TextMeasurer& measurer, TrustSource trust_now);

  // The panel: the display settings (layout, margins, crossfade) and the
  // logical size slides are laid out at. Used from the next choice on.
  void SetPanel(const DisplayConfig& display, int width, int height);
  // Keeps whether the override was superseded: that lasts for the run.
  void SetSources(ContentSources sources);
  // Where "shown" is published (null = nowhere). A new board is told at once
  // what is on screen.
  void SetStatusBoard(StatusBoard* board);
  // The unit's time zone, for slide and bundle schedules (null = the
  // system's). Used from the next choice on.
  void SetTimeZone(std::shared_ptr<const TimeZone> zone) { zone_ = std::move(zone); }
  // True when the schedules now call for another set of slides (a window
  // opened or closed, the clock became synchronised): the caller then
  // re-chooses (Rechoose), so the new set takes over at the next boundary.
  bool ScheduleChangeDue(Millis now) const;
  // Called between views while laying out (the player feeds systemd's
  // watchdog with it: a whole bundle can take seconds on a slow board).
  void SetProgress(std::function<void()> progress) { progress_ = std::move(progress); }

  // The first frame, fast: chooses the content with only its first view
  // laid out (current_layout()). Call Started once that frame is on screen.
  Status Begin();
  // The first frame is on screen since shown_at: publishes it, lays out the
  // other views and starts the rotation from shown_at.
  void Started(Millis shown_at);

  // What an event did to the screen.
  enum class Change {
    kNone,     // nothing (what is showing stays, and so does what comes next)
    kPending,  // new content takes over at the next slide boundary:
               // next_layout() changed
    kCut,      // new content is showing from now: current_layout() and
               // next_layout() changed
  };
  // The updater applied a bundle: verified again now, it takes over at the
  // next slide boundary, and for the rest of the run it supersedes --content.
  Change BundleApplied(const Candidate& applied);
  // Chooses again after anything that can change what may be shown (SIGHUP,
  // a new root document): at the next boundary if what is showing still
  // verifies and the pinned contact is the same, else at once. why names the
  // event in the log.
  Change Rechoose(const std::string& why);
  // Chooses again and shows the choice at once (a new panel size). why
  // names the event in the log.
  Change Reshow(const std::string& why);

  // When the loop must wake: the next crossfade frame, or the slide deadline.
  Millis NextWake(Millis now) const;
  bool fading() const { return fade_start_.has_value(); }
  // Whether the slide deadline has passed (and no fade is running).
  bool Due(Millis now) const { return !fading() && now >= rotation_->next_deadline(); }

  // At a slide deadline (Due): pending content takes over (and is
  // published), or the rotation moves on. Deadlines follow the previous
  // ones, so nothing drifts. Returns true when the view now showing is not
  // the one that was next_layout() before the call (the loop woke more than
  // a slide late): the screen must render current_layout() afresh.
  bool OnDeadline(Millis now);
  // The transition to the slide OnDeadline made current starts at now.
  // Returns true for a crossfade (FrameAt then says how far it is), false
  // for a cut (crossfade_ms is 0).
  bool StartTransition(Millis now);

  enum class FrameKind { kSettled, kFading, kFadeDone };
  struct Frame {
    FrameKind kind = FrameKind::kSettled;
    double t = 0;  // kFading: how far, in [0, 1)
  };
  // The frame to draw at now. A crossfade that has run its course ends here
  // and says so once (kFadeDone); settled frames follow.
  Frame FrameAt(Millis now);

  // What the screen shows (valid after Begin succeeded).
  const Prepared& showing() const { return *showing_; }
  bool has_pending() const { return pending_.has_value(); }
  // Only after Started.
  const Rotation& rotation() const { return *rotation_; }
  const FrameLayout& current_layout() const;
  // What is shown after the next boundary: pending content's first view or
  // the next view of the rotation.
  const FrameLayout& next_layout() const;
  // The status file's "shown" part for what is on screen.
  UnitStatus ShownStatus() const;

  // One candidate, verified (signature and every hash, for signed bundles)
  // and parsed from the very bytes that verified, checked against the
  // pinned contact, and laid out for this panel. at_most: lay out only that
  // many views (the others wait in Prepared::rest).
  Result<Prepared> Load(const Candidate& candidate, const Trust& trust, size_t at_most) const;
  // The first candidate that loads, against the trust of this moment; each
  // refused one is logged with why.
  Result<Prepared> Choose(size_t at_most = SIZE_MAX) const;
  // The candidates in the order Choose tries them.
  std::vector<Candidate> Candidates() const;

 private:
  // Puts prepared on screen from now, with every view laid out.
  void Cut(Prepared prepared);
  void PublishShown();

  FileStore& store_;
  const Clock& clock_;
  TextMeasurer& measurer_;
  std::function<void()> progress_;
  std::shared_ptr<const TimeZone> zone_;
  TrustSource trust_now_;
  StatusBoard* board_ = nullptr;
  DisplayConfig display_;
  int width_ = 0, height_ = 0;
  ContentSources sources_;
  bool override_superseded_ = false;

  std::optional<Prepared> showing_;
  std::optional<Prepared> pending_;  // takes over at the next slide boundary
  std::optional<Rotation> rotation_;
  std::optional<Millis> fade_start_;
  Millis frame_interval_ = kFrameInterval;
};

}  // namespace kiosk::update
