// Which slide is on screen when: the rotation is a fixed cycle of views, each
// shown for its duration. Deadlines are computed from the previous deadline,
// not from when the loop woke up, so a late wake-up never makes the cycle
// drift over days. If the loop was stopped for longer than a whole cycle
// (suspend, a debugger), the rotation restarts its timing from now instead of
// fast-forwarding through missed slides.
//
// Units: Millis of Clock::Monotonic(). Not thread-safe: the render thread owns it.
#pragma once

#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/config.h"
#include "kiosk/core/content.h"

namespace kiosk {

struct TimedView {
  SlideView view;
  Millis duration{0};
};

// The cycle for a bundle on a unit whose languages are unit_languages (its
// order): each slide in the languages LanguagesShown (content.h) picks.
// kBilingual shows each slide once, with its first two languages shown
// together (or its only one alone); kAlternate shows each slide once per
// language shown, in that order, each for the slide's full duration. Slides
// whose index is in skip are left out (they failed layout).
std::vector<TimedView> BuildCycle(const Bundle& bundle,
                                  const std::vector<std::string>& unit_languages,
                                  LanguageLayout layout, const std::vector<size_t>& skip = {});

class Rotation {
 public:
  // views must not be empty.
  Rotation(std::vector<TimedView> views, Millis start);

  // Moves past every deadline at or before now. Returns true if the current
  // view changed.
  bool Advance(Millis now);

  const TimedView& current() const { return views_[index_]; }
  const TimedView& next() const { return views_[(index_ + 1) % views_.size()]; }
  size_t index() const { return index_; }
  size_t size() const { return views_.size(); }
  // When the current view started and when the next one starts.
  Millis started_at() const { return started_at_; }
  Millis next_deadline() const { return started_at_ + current().duration; }

 private:
  std::vector<TimedView> views_;
  size_t index_ = 0;
  Millis started_at_;
  Millis cycle_{0};
};

}  // namespace kiosk
