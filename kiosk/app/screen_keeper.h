// Keeps the player's screen in step with the world: a DRM connector coming
// and going (KMSDRM only: on a desktop the window system does this), and the
// screen's power schedule (display.power), carried out over HDMI-CEC on its
// own thread, or with DPMS when there is no CEC adapter.
//
// The player asks Update() at every wake and after each kDisplayHotplug
// event, and does what it answers; between changes it costs nothing (the
// udev thread sleeps in poll, the CEC thread on a condition variable). The
// decisions are DisplayPresence's and screen_power.h's; this is wiring.
//
// Threading: everything but the constructor's callbacks on the player's
// thread; the hotplug and CEC threads only Post events.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kiosk/core/clock.h"
#include "kiosk/core/display_presence.h"
#include "kiosk/core/event_source.h"
#include "kiosk/core/screen_power.h"
#include "kiosk/core/update/status_report.h"
#include "kiosk/platform/drm_connectors.h"

namespace kiosk {

enum class ScreenAction {
  kNone,
  kStopDrawing,   // no connector, or the schedule's off time: draw nothing
  kCloseDisplay,  // off without CEC: close the window (SDL releases the
                  // DRM device), then DisplayClosed() switches DPMS off
  kReopen,        // close and open the display again, then draw the slide
  kRedraw,        // the screen is back as it was: draw the slide
};

class ScreenKeeper {
 public:
  // video_driver: SDL's ("KMSDRM" turns the hotplug watch on). zone: the
  // unit's time zone for the power schedule.
  ScreenKeeper(EventSource& events, const Clock& clock, std::string video_driver,
               ScreenPowerConfig power, std::shared_ptr<const TimeZone> zone);
  ~ScreenKeeper();
  ScreenKeeper(const ScreenKeeper&) = delete;
  ScreenKeeper& operator=(const ScreenKeeper&) = delete;

  // A reloaded configuration's schedule (and zone).
  void SetPower(ScreenPowerConfig power, std::shared_ptr<const TimeZone> zone);
  // What to do now.
  ScreenAction Update(Millis now);
  // When Update has something to look at next (a schedule edge, the
  // connectors' check while disconnected, a failed re-open's retry).
  Millis NextWake(Millis now) const;
  // The player closed its display (after kCloseDisplay) or opened one.
  void DisplayClosed();
  void DisplayOpened();
  // Opening the display failed after kReopen: try again in a while.
  void ReopenFailed(Millis now);

  bool drawing() const { return connected_ && power_on_; }
  // The state and the power fields to report over DisplayStatusOf's.
  void Describe(update::DisplayStatus& d) const;
  // Connectors as last read, for the log.
  std::string connectors() const { return presence_ ? presence_->Describe() : ""; }

 private:
  void StartCecThread();
  void CecThread();
  bool PowerOnNow() const;

  static constexpr Millis kRecheck{2000};  // connectors while disconnected; re-open retries
  EventSource& events_;
  const Clock& clock_;
  const bool kmsdrm_;
  ScreenPowerConfig power_;
  std::shared_ptr<const TimeZone> zone_;

  std::unique_ptr<DrmHotplugMonitor> monitor_;
  std::optional<DisplayPresence> presence_;
  std::atomic<bool> hotplug_seen_{false};
  bool connected_ = true;
  bool power_on_ = true;
  bool was_drawing_ = true;
  bool display_open_ = true;
  bool need_reopen_ = false;
  Millis retry_at_{0};
  Millis next_connector_check_{0};
  std::string power_control_;  // "cec", "dpms", ""
  std::unique_ptr<DrmDpmsOff> dpms_off_;

  // The CEC thread: desired_ is what the schedule wants, tv_power_ what the
  // TV last confirmed.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<bool> desired_;  // guarded by mu_
  bool stop_ = false;            // guarded by mu_
  std::string tv_power_;         // guarded by mu_
  std::string cec_path_;         // guarded by mu_ ("" = the first /dev/cecN)
  std::thread cec_thread_;
};

}  // namespace kiosk
