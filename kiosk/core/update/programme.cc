#include "kiosk/core/update/programme.h"

#include <algorithm>
#include <utility>

#include "kiosk/core/contact_mentions.h"
#include "kiosk/core/image_check.h"
#include "kiosk/core/log.h"
#include "kiosk/core/update/bundle_verify.h"
#include "kiosk/core/update/manifest.h"

namespace kiosk::update {
namespace {

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

// Lays out views from the front of p.rest, in order, until p.cycle holds
// `at_most` views; views that cannot be laid out at this size are left out
// with a warning. What is not reached stays in p.rest.
// progress is called between views: laying out a whole bundle can take
// seconds on a slow board (or a sanitizer build), and systemd's watchdog
// must still hear from the player.
void LayOutViews(Prepared& p, TextMeasurer& measurer, size_t at_most,
                 const std::function<void()>& progress) {
  LayoutOptions options;
  options.margin_percent = p.display.margin_percent;
  options.enforce_floors = p.enforce_floors;
  size_t i = 0;
  for (; i < p.rest.size() && p.cycle.size() < at_most; ++i) {
    if (progress) progress();
    auto frame =
        LayoutFrame(p.bundle, p.rest[i].view, p.width, p.height, measurer, p.scale, options);
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
// `rest`. Fails if no view can be shown.
Result<Prepared> Prepare(Bundle bundle, std::string origin, const DisplayConfig& display, int width,
                         int height, TextMeasurer& measurer, bool enforce_floors, size_t at_most,
                         const std::function<void()>& progress) {
  Prepared p;
  p.display = display;
  p.width = width;
  p.height = height;
  p.enforce_floors = enforce_floors;
  p.rest = BuildCycle(bundle, display.languages, display.layout);
  p.bundle = std::move(bundle);
  p.origin = std::move(origin);
  {
    LayoutOptions options;
    options.margin_percent = display.margin_percent;
    options.enforce_floors = enforce_floors;
    options.progress = progress;
    std::vector<SlideView> views;
    for (const auto& timed : p.rest) views.push_back(timed.view);
    auto scale = ChooseTypeScale(p.bundle, views, width, height, measurer, options);
    if (!scale.ok()) return scale.status().WithContext(p.origin);
    p.scale = *scale;
  }
  LayOutViews(p, measurer, at_most, progress);
  if (p.cycle.empty()) {
    return Status::Rejected(p.origin + ": no slide can be shown at " + std::to_string(width) + "x" +
                            std::to_string(height));
  }
  return p;
}

}  // namespace

std::string OriginOf(const Candidate& c) {
  switch (c.source) {
    case ContentSource::kOverride:
      return "--content " + c.dir.string();
    case ContentSource::kCache:
      return "cached bundle v" + std::to_string(c.version.value_or(0));
    case ContentSource::kNetwork:
      return "network bundle v" + std::to_string(c.version.value_or(0));
    case ContentSource::kBuiltin:
      break;
  }
  return "built-in";
}

Programme::Programme(FileStore& store, const Clock& clock, TextMeasurer& measurer,
                     TrustSource trust_now)
    : store_(store), clock_(clock), measurer_(measurer), trust_now_(std::move(trust_now)) {}

void Programme::SetPanel(const DisplayConfig& display, int width, int height) {
  display_ = display;
  width_ = width;
  height_ = height;
}

void Programme::SetSources(ContentSources sources) { sources_ = std::move(sources); }

void Programme::SetStatusBoard(StatusBoard* board) {
  board_ = board;
  // A new board starts empty: it names what is on screen from now, not
  // from the next change.
  if (rotation_) PublishShown();
}

std::vector<Candidate> Programme::Candidates() const {
  std::vector<Candidate> candidates;
  if (sources_.override_dir && !override_superseded_) {
    candidates.push_back(
        Candidate{ContentSource::kOverride, *sources_.override_dir, std::nullopt, std::nullopt});
  }
  candidates.insert(candidates.end(), sources_.cached.begin(), sources_.cached.end());
  candidates.push_back(
      Candidate{ContentSource::kBuiltin, sources_.builtin_dir, std::nullopt, std::nullopt});
  return candidates;
}

Result<Prepared> Programme::Load(const Candidate& c, const Trust& trust, size_t at_most) const {
  const std::string origin = OriginOf(c);
  const bool is_signed = c.source == ContentSource::kCache || c.source == ContentSource::kNetwork ||
                         store_.Exists(c.dir / kManifestName);
  Result<Bundle> bundle = Status::Internal("not loaded");
  std::optional<Manifest> manifest;
  if (is_signed) {
    // Verified now, against the keys trusted now, whatever verified before.
    BundleCheck check = VerifyBundleDir(store_, c.dir, trust.content);
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
    // Images from the verified bytes; a refused one refuses the bundle.
    if (bundle.ok()) {
      Status images = AttachImages(*bundle, store_, c.dir, &check.verified_files);
      if (!images.ok()) return images.WithContext(origin);
    }
  } else {
    bundle = LoadBundleDir(store_, c.dir);
    if (bundle.ok()) {
      Status images = AttachImages(*bundle, store_, c.dir);
      if (!images.ok()) return images.WithContext(origin);
    }
  }
  if (!bundle.ok()) return bundle.status().WithContext(origin);
  const bool builtin = c.source == ContentSource::kBuiltin;
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
  // Schedules: only the slides whose windows include now (in the unit's
  // zone; none that are scheduled while the clock is not synchronised),
  // else the built-in help slide: never nothing.
  std::shared_ptr<const TimeZone> zone =
      zone_ ? zone_ : std::shared_ptr<const TimeZone>(SystemTimeZone());
  const int64_t now_unix = clock_.UnixSeconds();
  const bool synced = clock_.WallClockSynchronized();
  const std::optional<int64_t> change = NextChangeAfter(*bundle, now_unix, *zone, synced);
  {
    const std::vector<size_t> shown = SlidesShownAt(*bundle, now_unix, *zone, synced);
    std::vector<Slide> slides;
    if (shown == std::vector<size_t>{kBuiltinHelpSlide}) {
      LogInfo(origin + ": no slide is scheduled now; showing the built-in help slide");
      slides.push_back(BuiltinHelpSlide(bundle->theme));
    } else {
      for (size_t i : shown) slides.push_back(bundle->slides[i]);
    }
    bundle->slides = std::move(slides);
  }
  auto p = Prepare(*bundle, origin, display_, width_, height_, measurer_, /*enforce_floors=*/true,
                   at_most, progress_);
  if (!p.ok() && builtin) {
    // Never blank: a panel too small for the floors still shows the built-in
    // slides, below the floors, rather than nothing.
    LogError(p.status().message() + "; showing the built-in content below the legibility floors");
    p = Prepare(std::move(*bundle), "built-in (below floors)", display_, width_, height_, measurer_,
                /*enforce_floors=*/false, at_most, progress_);
  }
  if (!p.ok()) return p.status();
  p->from = c;
  p->chosen_with_synced_clock = synced;
  if (change) p->schedule_due = clock_.Monotonic() + Millis((*change - now_unix) * 1000);
  if (manifest) {
    p->published = manifest->published;
    p->expires = manifest->expires;
  }
  return p;
}

Result<Prepared> Programme::Choose(size_t at_most) const {
  const std::shared_ptr<const Trust> trust = trust_now_();
  Status last;
  for (const Candidate& c : Candidates()) {
    auto p = Load(c, *trust, at_most);
    if (p.ok()) return p;
    last = p.status();
    LogError("not showing " + OriginOf(c) + ": " + p.status().message());
  }
  return last.WithContext("no content can be shown");
}

Status Programme::Begin() {
  auto content = Choose(/*at_most=*/1);
  if (!content.ok()) return content.status();
  showing_ = std::move(*content);
  pending_.reset();
  rotation_.reset();
  fade_start_.reset();
  return Status::Ok();
}

void Programme::Started(Millis shown_at) {
  PublishShown();
  LayOutViews(*showing_, measurer_, SIZE_MAX, progress_);
  rotation_.emplace(showing_->cycle, shown_at);
  LogInfo("showing " + showing_->origin + " content \"" + showing_->bundle.name + "\", " +
          std::to_string(showing_->cycle.size()) + " views");
}

void Programme::Cut(Prepared prepared) {
  showing_ = std::move(prepared);
  pending_.reset();
  LayOutViews(*showing_, measurer_, SIZE_MAX, progress_);
  rotation_.emplace(showing_->cycle, clock_.Monotonic());
  fade_start_.reset();
  LogInfo("now showing " + showing_->origin + " content \"" + showing_->bundle.name + "\"");
  PublishShown();
}

Programme::Change Programme::BundleApplied(const Candidate& applied) {
  sources_.cached.insert(sources_.cached.begin(), applied);
  if (sources_.cached.size() > 2) sources_.cached.resize(2);
  // Verified again here, against the trust of this moment.
  auto prepared = Load(applied, *trust_now_(), SIZE_MAX);
  if (!prepared.ok()) {
    LogError("keeping the current content: " + prepared.status().message());
    return Change::kNone;
  }
  // Published content replaces a --content bundle for the rest of the run.
  override_superseded_ = true;
  LogInfo(prepared->origin + " verified; it takes over at the next slide boundary");
  pending_ = std::move(*prepared);
  return Change::kPending;
}

Programme::Change Programme::Rechoose(const std::string& why) {
  auto content = Choose();
  if (!content.ok()) {
    LogError(why + ": keeping the current content: " + content.status().message());
    return Change::kNone;
  }
  // What is on screen must still verify now (its keys may have been revoked,
  // its files damaged, the pinned contact changed); if it does not, it goes
  // at once rather than at the next slide boundary.
  const bool same = content->from.SameAs(showing_->from);
  bool showing_ok = same;
  if (!same) showing_ok = Load(showing_->from, *trust_now_(), 1).ok();
  const bool contact_changed =
      !(content->bundle.contact.hotline == showing_->bundle.contact.hotline &&
        content->bundle.contact.email == showing_->bundle.contact.email);
  if (!showing_ok || contact_changed) {
    LogInfo(why + ": what was on screen may no longer be shown; switching now");
    Cut(std::move(*content));
    return Change::kCut;
  }
  pending_ = std::move(*content);
  return Change::kPending;
}

Programme::Change Programme::Reshow(const std::string& why) {
  auto content = Choose();
  if (!content.ok()) {
    LogError(why + ": " + content.status().message());
    return Change::kNone;
  }
  Cut(std::move(*content));
  return Change::kCut;
}

Millis Programme::NextWake(Millis now) const {
  if (fade_start_) return now + frame_interval_;
  const Prepared& latest = pending_ ? *pending_ : *showing_;
  Millis wake = rotation_->next_deadline();
  if (latest.schedule_due) wake = std::min(wake, std::max(*latest.schedule_due, now));
  return wake;
}

bool Programme::ScheduleChangeDue(Millis now) const {
  if (!showing_) return false;
  const Prepared& latest = pending_ ? *pending_ : *showing_;
  if (latest.schedule_due && now >= *latest.schedule_due) return true;
  return latest.chosen_with_synced_clock != clock_.WallClockSynchronized();
}

bool Programme::OnDeadline(Millis now) {
  Millis deadline = rotation_->next_deadline();
  if (pending_) {
    // The new content starts at the boundary it was due at, so its timing
    // follows the old one's without drift.
    showing_ = std::move(pending_);
    pending_.reset();
    rotation_.emplace(showing_->cycle, deadline);
    LogInfo("now showing " + showing_->origin + " content \"" + showing_->bundle.name + "\"");
    PublishShown();
    return false;
  }
  size_t expected = (rotation_->index() + 1) % rotation_->size();
  rotation_->Advance(now);
  // Woke late by more than a slide: the pre-rendered one is not the one due.
  return rotation_->index() != expected;
}

bool Programme::StartTransition(Millis now) {
  if (display_.crossfade_ms <= 0) return false;
  fade_start_ = now;
  return true;
}

Programme::Frame Programme::FrameAt(Millis now) {
  if (!fade_start_) return Frame{};
  double t = static_cast<double>((now - *fade_start_).count()) / display_.crossfade_ms;
  if (t < 1.0) return Frame{FrameKind::kFading, t};
  fade_start_.reset();
  return Frame{FrameKind::kFadeDone, 1.0};
}

const FrameLayout& Programme::current_layout() const {
  return showing_->layouts[rotation_ ? rotation_->index() : 0];
}

const FrameLayout& Programme::next_layout() const {
  if (pending_) return pending_->layouts[0];
  return showing_->layouts[(rotation_->index() + 1) % rotation_->size()];
}

UnitStatus Programme::ShownStatus() const {
  UnitStatus shown;
  shown.source = showing_->from.source;
  shown.version = showing_->from.version;
  shown.applied_at = showing_->from.applied_at;
  shown.published = showing_->published;
  shown.expires = showing_->expires;
  shown.name = showing_->bundle.name;
  shown.contact = PinnedContact{showing_->bundle.contact.hotline, showing_->bundle.contact.email};
  for (const auto& timed : showing_->cycle) {
    for (const auto& tag : timed.view.languages) {
      if (std::find(shown.languages.begin(), shown.languages.end(), tag) == shown.languages.end()) {
        shown.languages.push_back(tag);
      }
    }
  }
  for (const auto& slide : showing_->bundle.slides) {
    if (!slide.image) continue;
    shown.images.push_back(
        UnitStatus::ShownImage{slide.id, slide.image->file, slide.image->descriptions});
  }
  return shown;
}

void Programme::PublishShown() {
  if (board_ && showing_) board_->PublishShown(ShownStatus());
}

}  // namespace kiosk::update
