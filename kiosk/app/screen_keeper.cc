#include "kiosk/app/screen_keeper.h"

#include <algorithm>

#include "kiosk/core/log.h"
#include "kiosk/platform/cec_device.h"

namespace kiosk {

ScreenKeeper::ScreenKeeper(EventSource& events, const Clock& clock, std::string video_driver,
                           ScreenPowerConfig power, std::shared_ptr<const TimeZone> zone)
    : events_(events), clock_(clock), kmsdrm_(video_driver == "KMSDRM"), zone_(std::move(zone)) {
  if (kmsdrm_) {
    // SDL's KMSDRM driver says nothing when the TV goes: the connectors do.
    auto monitor = DrmHotplugMonitor::Start([this] {
      hotplug_seen_ = true;
      events_.Post(PlayerEvent{PlayerEvent::Kind::kDisplayHotplug});
    });
    if (monitor.ok()) {
      monitor_ = std::move(*monitor);
    } else {
      LogWarning("display hotplug: " + monitor.status().message() +
                 "; connectors are checked every " + std::to_string(kRecheck.count() / 1000) +
                 " s while none is connected");
    }
    auto connectors = ReadDrmConnectors();
    if (connectors.ok()) {
      presence_.emplace(*connectors);
      LogInfo("display connectors: " + presence_->Describe());
      // A screen SDL drew on but the connectors do not show (forced on by
      // the kernel's command line): trust SDL until a change says more.
    } else {
      LogWarning("display hotplug off: " + connectors.status().message());
      monitor_.reset();
    }
  }
  SetPower(std::move(power), zone_);
}

ScreenKeeper::~ScreenKeeper() {
  monitor_.reset();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (cec_thread_.joinable()) cec_thread_.join();
  dpms_off_.reset();  // a stopped player leaves the screen on
}

void ScreenKeeper::SetPower(ScreenPowerConfig power, std::shared_ptr<const TimeZone> zone) {
  power_ = std::move(power);
  zone_ = std::move(zone);
  if (power_.on.empty()) {
    power_control_.clear();
    return;
  }
  const auto device = power_.cec_device.empty()
                          ? FirstCecDevice()
                          : std::optional(std::filesystem::path(power_.cec_device));
  power_control_ = device ? "cec" : (kmsdrm_ ? "dpms" : "");
  if (power_control_ == "cec") {
    {
      std::lock_guard lock(mu_);
      cec_path_ = power_.cec_device;
      // In an on window: wake the TV (someone may have switched it off)
      // and learn its power for the status.
      if (power_on_ && PowerOnNow()) desired_ = true;
    }
    StartCecThread();
    cv_.notify_all();
  }
  LogInfo("screen schedule: " + std::to_string(power_.on.size()) + " window(s), switched by " +
          (power_control_.empty()    ? std::string("nothing (the player only stops drawing)")
           : power_control_ == "cec" ? "HDMI-CEC (" + device->string() + ")"
                                     : std::string("DPMS (no CEC adapter)")));
}

bool ScreenKeeper::PowerOnNow() const {
  return ScreenOnAt(power_, clock_.UnixSeconds(), *zone_, clock_.WallClockSynchronized());
}

ScreenAction ScreenKeeper::Update(Millis now) {
  if (presence_ &&
      (hotplug_seen_.exchange(false) || (!connected_ && now >= next_connector_check_))) {
    next_connector_check_ = now + kRecheck;
    auto connectors = ReadDrmConnectors();
    if (connectors.ok()) {
      switch (presence_->Observe(*connectors)) {
        case DisplayPresence::Action::kNone:
          break;
        case DisplayPresence::Action::kStopDrawing:
          LogWarning("display disconnected: " + presence_->Describe() +
                     "; drawing nothing until a screen is back");
          connected_ = false;
          break;
        case DisplayPresence::Action::kReopen:
          LogInfo("display connected: " + presence_->Describe());
          connected_ = true;
          need_reopen_ = true;
          break;
      }
    }
  }
  const bool on = PowerOnNow();
  if (on != power_on_) {
    power_on_ = on;
    LogInfo(std::string("screen schedule: ") + (on ? "on" : "off"));
    if (power_control_ == "cec") {
      {
        std::lock_guard lock(mu_);
        desired_ = on;
      }
      cv_.notify_all();
    }
    if (on && dpms_off_) {
      dpms_off_.reset();
      need_reopen_ = true;
    }
  }
  if (!drawing()) {
    if (!power_on_ && power_control_ == "dpms" && display_open_) return ScreenAction::kCloseDisplay;
    if (was_drawing_) {
      was_drawing_ = false;
      return ScreenAction::kStopDrawing;
    }
    return ScreenAction::kNone;
  }
  if ((need_reopen_ || !display_open_) && now >= retry_at_) {
    need_reopen_ = false;
    was_drawing_ = true;
    return ScreenAction::kReopen;
  }
  if (!was_drawing_ && !need_reopen_) {
    was_drawing_ = true;
    return ScreenAction::kRedraw;
  }
  return ScreenAction::kNone;
}

Millis ScreenKeeper::NextWake(Millis now) const {
  Millis wake = now + Millis(3'600'000);
  if (presence_ && !connected_) wake = std::min(wake, next_connector_check_);
  if (need_reopen_) wake = std::min(wake, retry_at_);
  if (!power_.on.empty()) {
    if (!clock_.WallClockSynchronized()) {
      wake = std::min(wake, now + Millis(60'000));  // the schedule applies once it is
    } else if (auto change = NextScreenPowerChange(power_, clock_.UnixSeconds(), *zone_, true)) {
      wake = std::min(wake, now + Millis((*change - clock_.UnixSeconds()) * 1000));
    }
  }
  return std::max(wake, now);
}

void ScreenKeeper::DisplayClosed() {
  display_open_ = false;
  if (!power_on_ && power_control_ == "dpms" && !dpms_off_) {
    auto off = DrmDpmsOff::Off();
    if (off.ok()) {
      dpms_off_ = std::move(*off);
    } else {
      LogWarning("screen schedule: " + off.status().message());
    }
  }
}

void ScreenKeeper::DisplayOpened() { display_open_ = true; }

void ScreenKeeper::ReopenFailed(Millis now) {
  need_reopen_ = true;
  was_drawing_ = false;
  retry_at_ = now + kRecheck;
}

void ScreenKeeper::Describe(update::DisplayStatus& d) const {
  if (d.state == update::DisplayState::kShowing) {
    if (!connected_) {
      d.state = update::DisplayState::kDisconnected;
    } else if (!power_on_) {
      d.state = update::DisplayState::kScreenOff;
    }
  }
  d.power_control = power_control_;
  std::lock_guard lock(mu_);
  d.tv_power = power_control_ == "cec" ? (tv_power_.empty() ? "unknown" : tv_power_) : "";
}

void ScreenKeeper::StartCecThread() {
  if (cec_thread_.joinable()) return;
  cec_thread_ = std::thread([this] { CecThread(); });
}

void ScreenKeeper::CecThread() {
  std::unique_ptr<CecDevice> device;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || desired_.has_value(); });
    if (stop_) return;
    const bool on = *desired_;
    desired_.reset();
    const std::string path = cec_path_;
    lock.unlock();
    if (!device) {
      auto p = path.empty() ? FirstCecDevice() : std::optional(std::filesystem::path(path));
      auto opened = p ? CecDevice::Open(*p)
                      : Result<std::unique_ptr<CecDevice>>(Status::NotFound("no /dev/cecN"));
      if (opened.ok()) {
        device = std::move(*opened);
      } else {
        LogError("screen schedule: CEC: " + opened.status().message());
      }
    }
    std::string power = "unknown";
    if (device) {
      // Sleeps between attempts end early when the player stops.
      TvPowerControl control(*device, {}, [this](Millis d) {
        std::unique_lock l(mu_);
        cv_.wait_for(l, d, [this] { return stop_; });
      });
      power = TvPowerName(on ? control.TurnOn() : control.TurnOff());
      LogInfo(std::string("screen schedule: TV ") + (on ? "on" : "standby") + " asked, " +
              std::to_string(control.attempts_used()) + " command(s), TV reports " + power);
    }
    lock.lock();
    tv_power_ = power;
    events_.Post(PlayerEvent{PlayerEvent::Kind::kScreenPower});
  }
}

}  // namespace kiosk
