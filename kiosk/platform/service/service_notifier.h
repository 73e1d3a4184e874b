// Tells systemd how the player is doing, through sd_notify(3): ready once the
// first slide is on screen, a watchdog ping from the render loop, a one-line
// status for `systemctl status`, and stopping on the way out.
//
// Outside systemd (NOTIFY_SOCKET unset: a developer's terminal, the tests of
// other modules, `kiosk render`) every call is a no-op that returns Ok.
//
// The watchdog ping must come from the render loop itself, never from a
// helper thread: its point is that a loop stuck for longer than WatchdogSec=
// gets the service killed and restarted instead of leaving a frozen slide.
//
// Threading: one instance per process, used from the render thread;
// NotifyStatus, which keeps no state, may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kiosk/core/clock.h"
#include "kiosk/core/status.h"

namespace kiosk {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once, now. `clock`
  // must outlive the notifier; it paces the watchdog pings.
  explicit ServiceNotifier(const Clock& clock);

  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // True when started by systemd with a notification socket.
  bool active() const { return active_; }

  // READY=1, with an optional status line. Only the first call sends; later
  // calls return Ok without sending (a restarted render pipeline must not
  // matter to systemd).
  Status NotifyReady(std::string_view status_text = {});

  // WATCHDOG=1 when the watchdog is on and the last ping is at least a
  // quarter of the interval old; otherwise nothing. Call it on every wake of
  // the render loop, which must wake at least every WatchdogInterval() / 2.
  // Safe from any thread (the first slide is laid out beside the main one).
  Status NotifyWatchdog();

  // STATUS=<text>, one line (newlines and control characters become spaces,
  // at most 200 bytes): shown by `systemctl status kiosk`.
  Status NotifyStatus(std::string_view text);

  // STOPPING=1: the player is shutting down on purpose (SIGTERM).
  Status NotifyStopping();

  // The service's WatchdogSec= when systemd enabled the watchdog for this
  // very process (sd_watchdog_enabled), nullopt otherwise.
  std::optional<std::chrono::microseconds> WatchdogInterval() const { return watchdog_; }

  // How long the render loop may sleep between two NotifyWatchdog() calls:
  // half the watchdog interval, or nullopt when there is no watchdog.
  std::optional<Millis> MaxSleep() const;

 private:
  Status Send(const std::string& state);

  const Clock& clock_;
  bool active_ = false;
  bool ready_sent_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
  std::mutex ping_mutex_;
  std::optional<Millis> last_ping_;  // guarded by ping_mutex_
};

// The STATUS= text as sent: control characters replaced by spaces, cut to
// at most 200 bytes on a UTF-8 character boundary.
std::string SanitizeStatusText(std::string_view text);

}  // namespace kiosk
