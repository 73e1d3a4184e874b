#include "kiosk/platform/service/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace kiosk {
namespace {

constexpr size_t kMaxStatusBytes = 200;

}  // namespace

ServiceNotifier::ServiceNotifier(const Clock& clock) : clock_(clock) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && socket[0] != '\0';
  uint64_t usec = 0;
  // > 0 only if WATCHDOG_USEC is set and WATCHDOG_PID, when set, is us: a
  // child that inherited the environment must not ping for its parent.
  if (active_ && sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(static_cast<int64_t>(usec));
  }
}

Status ServiceNotifier::Send(const std::string& state) {
  if (!active_) return Status::Ok();
  int r = sd_notify(/*unset_environment=*/0, state.c_str());
  if (r < 0) {
    std::string what = state.substr(0, state.find('='));
    return Status::Io("sd_notify(" + what + "): " + std::strerror(-r));
  }
  return Status::Ok();
}

Status ServiceNotifier::NotifyReady(std::string_view status_text) {
  if (ready_sent_) return Status::Ok();
  std::string state = "READY=1";
  if (!status_text.empty()) state += "\nSTATUS=" + SanitizeStatusText(status_text);
  Status s = Send(state);
  if (s.ok()) ready_sent_ = true;
  return s;
}

Status ServiceNotifier::NotifyWatchdog() {
  if (!active_ || !watchdog_) return Status::Ok();
  std::lock_guard<std::mutex> lock(ping_mutex_);
  Millis now = clock_.Monotonic();
  auto quarter = std::chrono::duration_cast<Millis>(*watchdog_ / 4);
  if (last_ping_ && now - *last_ping_ < quarter) return Status::Ok();
  Status s = Send("WATCHDOG=1");
  if (s.ok()) last_ping_ = now;
  return s;
}

Status ServiceNotifier::NotifyStatus(std::string_view text) {
  return Send("STATUS=" + SanitizeStatusText(text));
}

Status ServiceNotifier::NotifyStopping() { return Send("STOPPING=1"); }

std::optional<Millis> ServiceNotifier::MaxSleep() const {
  if (!watchdog_) return std::nullopt;
  return std::chrono::duration_cast<Millis>(*watchdog_ / 2);
}

std::string SanitizeStatusText(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxStatusBytes));
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  if (out.size() > kMaxStatusBytes) {
    size_t cut = kMaxStatusBytes;
    // Back up over UTF-8 continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

}  // namespace kiosk
