#include "kiosk/core/rotation.h"

#include <algorithm>

namespace kiosk {

std::vector<TimedView> BuildCycle(const Bundle& bundle,
                                  const std::vector<std::string>& unit_languages,
                                  LanguageLayout layout, const std::vector<size_t>& skip) {
  std::vector<TimedView> cycle;
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
    const Slide& slide = bundle.slides[i];
    std::vector<std::string> shown = LanguagesShown(slide, unit_languages);
    if (layout == LanguageLayout::kBilingual) {
      if (shown.size() > 2) shown.resize(2);
      cycle.push_back(TimedView{SlideView{i, std::move(shown)}, slide.duration});
    } else {
      for (auto& tag : shown) {
        cycle.push_back(TimedView{SlideView{i, {std::move(tag)}}, slide.duration});
      }
    }
  }
  return cycle;
}

Rotation::Rotation(std::vector<TimedView> views, Millis start)
    : views_(std::move(views)), started_at_(start) {
  for (auto& v : views_) {
    v.duration = std::max(v.duration, Millis(1));  // a zero duration would never advance
    cycle_ += v.duration;
  }
}

bool Rotation::Advance(Millis now) {
  if (now < next_deadline()) return false;
  if (now - next_deadline() >= cycle_) {
    // Asleep for a whole cycle or more: do not replay it, just move on.
    index_ = (index_ + 1) % views_.size();
    started_at_ = now;
    return true;
  }
  size_t before = index_;
  while (now >= next_deadline()) {
    started_at_ = next_deadline();
    index_ = (index_ + 1) % views_.size();
  }
  return index_ != before || views_.size() == 1;
}

}  // namespace kiosk
