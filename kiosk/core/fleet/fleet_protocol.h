// The unit's side of the fleet protocol (docs/fleet.md, "Topics and
// messages"): which topics it uses, what it publishes there, and which
// commands it acts on. Decisions only: the MQTT client is a thin adapter
// (kiosk/platform/fleet/mqtt_link.h) that hands every message it receives to
// CommandPolicy and publishes what this file builds.
//
// The broker is not trusted with content: the most a command can do is make
// the unit poll its signed source, take a screenshot or re-read its own
// configuration, each at a bounded rate.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/fleet/fleet_topics.h"
#include "kiosk/core/update/status_report.h"

namespace kiosk::fleet {

// Topic names and the client id: kiosk/core/fleet/fleet_topics.h.

inline constexpr size_t kMaxCommandBytes = 4096;
// At most one of each per window, per unit.
inline constexpr Millis kCheckNowEvery{30'000};
inline constexpr Millis kReloadEvery{30'000};
inline constexpr Millis kScreenshotEvery{10'000};

enum class CommandKind { kCheckNow, kScreenshot, kReload };
const char* CommandName(CommandKind kind);  // "check-now", "screenshot", "reload"
// The command a name stands for, or nullopt for an unknown name.
std::optional<CommandKind> CommandNamed(std::string_view name);

// What to do with one message.
struct Decision {
  enum class Action {
    kIgnore,       // not ours (a topic we did not subscribe to): log only
    kRefuse,       // reply "refused" when reply_id is set; log
    kRateLimited,  // reply "rate-limited"
    kAct,          // carry out `kind`, then reply
  };
  Action action = Action::kIgnore;
  std::optional<CommandKind> kind;
  std::string command;   // the command's name as sent, when it could be read
  std::string reply_id;  // empty: no reply (the id could not be read)
  std::string why;       // for the log and a refusal's message
};

// Decides each incoming command. Not thread-safe (the link's thread only).
class CommandPolicy {
 public:
  // clock must outlive this.
  CommandPolicy(std::string unit, std::vector<std::string> tags, const Clock& clock);
  // The topics the unit subscribes to: its own, its tags', all.
  std::vector<std::string> Subscriptions() const;
  // topic is where the message arrived, payload its bytes. Acts only on a
  // topic of Subscriptions(), a payload of at most kMaxCommandBytes that is
  // a JSON object with a known "command", an "id" of 1-64 [A-Za-z0-9._-]
  // and no "unit" other than this unit's; at most once per rate window per
  // kind (a refused or rate-limited command does not count). Every other
  // field is ignored: nothing in a command is ever used but its name and id.
  Decision Decide(std::string_view topic, std::string_view payload);

 private:
  std::string unit_;
  std::vector<std::string> subscriptions_;
  const Clock& clock_;
  std::optional<Millis> last_check_now_, last_reload_, last_screenshot_;
};

// Whether id may be a command id: 1-64 of [A-Za-z0-9._-].
bool IsCommandId(std::string_view id);

// {"id","command","result","message","at"}; result is "started", "done",
// "refused", "rate-limited" or "failed".
std::string ReplyJson(const std::string& id, const std::string& command, const std::string& result,
                      const std::string& message, int64_t at_unix);

// Presence: {"online":true,"since":...} at connect; the last will
// {"online":false}; on a clean stop {"online":false,"since":...,"reason":"stopped"}.
std::string PresenceOnlineJson(int64_t since_unix);
std::string PresenceWillJson();
std::string PresenceStoppedJson(int64_t now_unix);

// The last command the unit answered, shown in its status.
struct LastCommand {
  std::string id, command, result;
  int64_t at = 0;
};

struct StatusMessageInput {
  std::string unit;
  std::vector<std::string> tags;
  std::string player_version;
  int64_t sent_at = 0;   // Unix seconds
  int64_t uptime_s = 0;  // since the player started
  int heartbeat_s = 300;
  std::optional<LastCommand> last_command;
};
// The retained status: {"schema":1,"unit","tags","player_version","sent_at",
// "uptime_s","heartbeat_s","status":<exactly the status file's object>,
// "fleet":{"last_command":...}}, compact.
std::string StatusMessageJson(const StatusMessageInput& input, const update::UnitStatus& status);

// When to publish the status: at most one per kMinGap after a change
// (changes in between are folded into one message), and every heartbeat
// whether or not anything changed. Not thread-safe.
class StatusSchedule {
 public:
  static constexpr Millis kMinGap{2000};
  explicit StatusSchedule(Millis heartbeat) : heartbeat_(heartbeat) {}
  // The status changed at now.
  void Changed() { pending_ = true; }
  // A (re)connection: publish at once.
  void Connected() {
    pending_ = true;
    last_sent_.reset();
  }
  // Whether a status message is due at now.
  bool Due(Millis now) const { return now >= NextDue(); }
  // When the next message is due (monotonic).
  Millis NextDue() const;
  void Sent(Millis now) {
    pending_ = false;
    last_sent_ = now;
  }

 private:
  Millis heartbeat_;
  bool pending_ = false;
  std::optional<Millis> last_sent_;
};

// Reconnection delays: 1 s doubling to 300 s, each drawn uniformly from
// [0, the backoff] ("full jitter", so a fleet does not reconnect in step
// after a broker restart); back to 1 s after a connection that lasted more
// than 60 s. Not thread-safe.
class ReconnectBackoff {
 public:
  static constexpr Millis kFirst{1000};
  static constexpr Millis kMost{300'000};
  static constexpr Millis kStable{60'000};
  // random01 returns a number in [0, 1) (a seeded engine in the link, a
  // script in tests).
  explicit ReconnectBackoff(std::function<double()> random01) : random01_(std::move(random01)) {}
  // The delay before the next attempt, after a failed one or a lost
  // connection; doubles the backoff for the time after.
  Millis NextDelay();
  // The connection was accepted at `at`.
  void Connected(Millis at) { connected_at_ = at; }
  // The connection ended at `at`: one that lasted long enough resets the
  // backoff.
  void Disconnected(Millis at);
  Millis backoff() const { return backoff_; }

 private:
  std::function<double()> random01_;
  Millis backoff_ = kFirst;
  std::optional<Millis> connected_at_;
};

}  // namespace kiosk::fleet
