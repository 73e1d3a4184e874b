#include "kiosk/core/screen_power.h"

#include "kiosk/core/schedule.h"

namespace kiosk {
namespace {

// The "on" windows as a bundle of one slide per window: a slide is shown
// exactly when its window includes the time, so schedule.h's answers (and
// its exact next change across changes of UTC offset) are the power's.
Bundle WindowsAsBundle(const ScreenPowerConfig& power) {
  Bundle b;
  for (const Schedule& window : power.on) {
    Slide s;
    s.schedule = window;
    b.slides.push_back(std::move(s));
  }
  return b;
}

}  // namespace

bool ScreenOnAt(const ScreenPowerConfig& power, int64_t unix_seconds, const TimeZone& zone,
                bool clock_synchronized) {
  if (power.on.empty() || !clock_synchronized) return true;
  const auto shown = SlidesShownAt(WindowsAsBundle(power), unix_seconds, zone, true);
  return !(shown.size() == 1 && shown.front() == kBuiltinHelpSlide);
}

std::optional<int64_t> NextScreenPowerChange(const ScreenPowerConfig& power, int64_t unix_seconds,
                                             const TimeZone& zone, bool clock_synchronized) {
  if (power.on.empty() || !clock_synchronized) return std::nullopt;
  const Bundle windows = WindowsAsBundle(power);
  // Which window is open may change without the power changing (two
  // windows back to back): step through schedule changes until it does.
  const bool on = ScreenOnAt(power, unix_seconds, zone, true);
  for (int64_t at = unix_seconds;;) {
    auto next = NextChangeAfter(windows, at, zone, true);
    if (!next) return std::nullopt;
    if (ScreenOnAt(power, *next, zone, true) != on) return next;
    at = *next;
  }
}

const char* TvPowerName(TvPower power) {
  switch (power) {
    case TvPower::kOn:
      return "on";
    case TvPower::kStandby:
      return "standby";
    case TvPower::kTurningOn:
      return "turning on";
    case TvPower::kTurningOff:
      return "turning off";
    case TvPower::kUnknown:
      return "unknown";
  }
  return "unknown";
}

TvPowerControl::TvPowerControl(CecBus& bus, Options options, std::function<void(Millis)> sleep)
    : bus_(bus), options_(options), sleep_(std::move(sleep)) {}

TvPower TvPowerControl::Query() {
  auto answer = bus_.Ask(cec::kTv, {cec::kGiveDevicePowerStatus}, cec::kReportPowerStatus,
                         options_.reply_timeout);
  if (!answer.ok() || answer->size() < 2 || (*answer)[0] != cec::kReportPowerStatus) {
    return TvPower::kUnknown;
  }
  switch ((*answer)[1]) {
    case 0:
      return last_ = TvPower::kOn;
    case 1:
      return last_ = TvPower::kStandby;
    case 2:
      return last_ = TvPower::kTurningOn;
    case 3:
      return last_ = TvPower::kTurningOff;
    default:
      return TvPower::kUnknown;
  }
}

TvPower TvPowerControl::Drive(bool on) {
  const TvPower done = on ? TvPower::kOn : TvPower::kStandby;
  const TvPower going = on ? TvPower::kTurningOn : TvPower::kTurningOff;
  attempts_used_ = 0;
  bool resend = true;
  // Each round: the command (unless the TV said it is already on its way),
  // then the question. A TV that missed the command still answers
  // "standby" (or nothing): send it again.
  for (int round = 0; round < options_.attempts * 2; ++round) {
    if (resend) {
      if (attempts_used_ == options_.attempts) break;
      ++attempts_used_;
      if (on) {
        (void)bus_.Send(cec::kTv, {cec::kImageViewOn});
        const uint16_t pa = bus_.physical_address();
        (void)bus_.Send(cec::kBroadcast, {cec::kActiveSource, static_cast<uint8_t>(pa >> 8),
                                          static_cast<uint8_t>(pa & 0xFF)});
      } else {
        (void)bus_.Send(cec::kTv, {cec::kStandby});
      }
    }
    const TvPower now = Query();
    if (now == done) return now;
    resend = now != going;
    sleep_(options_.retry_delay);
  }
  return last_;
}

TvPower TvPowerControl::TurnOn() { return Drive(true); }
TvPower TvPowerControl::TurnOff() { return Drive(false); }

}  // namespace kiosk
