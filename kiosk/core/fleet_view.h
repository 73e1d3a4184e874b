// The administrator's view of a fleet, built from what units publish on the
// broker (docs/fleet.md "Topics and messages"): a row per unit from its
// retained presence and status, the table `kiosk fleet list` prints, tag
// filters, which units are not on the newest version, and the command and
// reply messages. Pure: no MQTT here (kiosk/platform/fleet/mqtt_admin.h
// carries the messages), so all of it is tested with literal payloads.
//
// Not thread-safe; one FleetView per reader.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/fleet/fleet_topics.h"
#include "kiosk/core/status.h"

namespace kiosk::fleet {

// Topic names (ParseUnitTopic, UnitCommandTopic, ...):
// kiosk/core/fleet/fleet_topics.h, shared with the units.

// One unit as the fleet sees it. Fields the unit never sent stay empty.
struct UnitRow {
  std::string name;
  // From presence: nullopt before any presence message was seen.
  std::optional<bool> online;
  std::optional<int64_t> online_since;  // presence "since" (online or clean stop)
  std::string offline_reason;           // presence "reason" ("stopped"), or empty
  // From status.
  bool has_status = false;
  std::optional<int64_t> last_seen;  // status sent_at: "offline since" for a unit that vanished
  std::vector<std::string> tags;
  std::string player_version;
  std::optional<int64_t> uptime_s;
  std::optional<int64_t> heartbeat_s;
  std::string shown_source;  // network, cache, builtin, override; empty if nothing shown
  std::optional<int64_t> shown_version;
  std::string shown_published;
  std::string shown_name;
  bool stale = false;
  std::vector<std::string> stale_reasons;
  std::string last_check;
  std::string last_check_result;
  std::string last_error_time;
  std::string last_error_reason;
  std::vector<std::string> problems;
  std::string display;  // "showing 1920x1080", "no display", or empty
  // Why the last status or presence could not be read (the row keeps the
  // values of the last good one).
  std::string message_error;
};

class FleetView {
 public:
  // Applies one message received on topic. Presence and status update the
  // unit's row; other unit topics (reply, screenshot) are ignored here. A
  // payload that does not parse leaves the row as it was, sets its
  // message_error and returns Invalid naming the topic, the JSON path and
  // what was expected. An empty payload (a retained message cleared) on
  // presence or status forgets what that topic said.
  Status Apply(std::string_view topic, std::string_view payload);

  // Every unit seen, by name.
  const std::map<std::string, UnitRow>& units() const { return units_; }
  const UnitRow* Find(std::string_view name) const;

 private:
  std::map<std::string, UnitRow> units_;
};

// Rows whose tags include tag (all rows if tag is empty), by name.
std::vector<UnitRow> FilterByTag(const FleetView& view, std::string_view tag);

// The highest shown.version any unit reports; nullopt if none shows a
// published bundle.
std::optional<int64_t> NewestVersion(const FleetView& view);

// The rows not showing version newest (older, none, or built-in content),
// each with why: "shows v3", "shows built-in content", "no status yet".
struct OutdatedRow {
  UnitRow row;
  std::string why;
};
std::vector<OutdatedRow> Outdated(const std::vector<UnitRow>& rows, int64_t newest);

// The table `kiosk fleet list` prints: a header and one line per row, columns
// padded to their widest cell. now is Unix seconds (for "5 min ago").
std::string FormatTable(const std::vector<UnitRow>& rows, int64_t now);

// "online since 2026-11-30T09:00:00Z", "offline, last seen ... (stopped)",
// "unknown" (no presence yet).
std::string StateCell(const UnitRow& row);

// "3 min ago", "2 h ago", "4 days ago", "in the future" for a time after now.
std::string Ago(int64_t then, int64_t now);

// Commands (docs/fleet.md): check-now, screenshot, reload.
bool IsKnownCommand(std::string_view command);
// {"command":...,"id":...} plus "unit" when unit is not empty.
std::string CommandJson(std::string_view command, std::string_view id, std::string_view unit);

// A unit's reply to a command.
struct Reply {
  std::string id;
  std::string command;
  std::string result;  // started, done, refused, rate-limited, failed
  std::string message;
  std::string at;
};
// Parses a reply payload; Invalid naming the topic, JSON path and what was
// expected otherwise.
Result<Reply> ParseReply(std::string_view payload, std::string_view topic);

}  // namespace kiosk::fleet
