// The status file: what this screen shows and how its updates are going,
// replaced atomically after every poll (Config::status_file, by default
// /run/kiosk/status.json). Administrators, monitoring and tests read it.
// Fields are documented in docs/bundle-format.md ("Status file").
//
// Stateless and thread-safe. Times are Unix seconds, written as RFC 3339 UTC.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiosk/core/file_store.h"
#include "kiosk/core/pinned_contact.h"
#include "kiosk/core/status.h"

namespace kiosk::update {

// kOverride: a bundle given on the command line (--content) by whoever
// runs the player; shown with the unit's pinned contact like any other.
enum class ContentSource { kBuiltin, kCache, kNetwork, kOverride };
// "builtin", "cache", "network", "override"
const char* ContentSourceName(ContentSource source);

// "showing": the player drew on the video driver it was given. "no display":
// it is on a headless driver (offscreen, dummy) nobody asked for, so nothing
// reaches a screen (SDL fell back when the console was unavailable).
// kUnknown until the player opened its window. "display disconnected": the
// DRM connector it drew on went away (TV unplugged or powered down its
// HDMI port); the player draws nothing until one is back. "screen off": the
// configured screen schedule (display.power) has the screen off now.
enum class DisplayState { kUnknown, kShowing, kNoDisplay, kDisconnected, kScreenOff };
// "unknown", "showing", "no display", "display disconnected", "screen off"
const char* DisplayStateName(DisplayState state);
// Whether frames reach a screen in this state (kShowing; kUnknown before the
// player says otherwise). The others name nothing as shown.
bool FramesReachScreen(DisplayState state);

// Where the frames go, as the player opened it.
struct DisplayStatus {
  DisplayState state = DisplayState::kUnknown;
  std::string video_driver;   // SDL's name: "KMSDRM", "x11", "offscreen", ...
  int width = 0, height = 0;  // the output size in pixels
  int rotation_degrees = 0;   // 0, 90, 180 or 270
  // Set when state is kNoDisplay: why, as a problem of the unit.
  std::string problem;
  // How the screen is switched on and off on schedule: "cec", "dpms", or
  // "" (no display.power schedule, or nothing to switch it with).
  std::string power_control;
  // The TV's power as last confirmed over CEC: "on", "standby", or
  // "unknown" (it never answered); "" without CEC.
  std::string tv_power;

  bool operator==(const DisplayStatus&) const = default;
};

// The display part from what the player found: the video driver SDL chose,
// and whether one was asked for (SDL_VIDEODRIVER set). A headless driver
// ("offscreen", "dummy") that was not asked for is "no display".
DisplayStatus DisplayStatusOf(const std::string& video_driver, bool driver_requested, int width,
                              int height, int rotation_degrees);

// The fleet link as the unit sees it (docs/fleet.md), when it has one: so
// that "the status file says why" a unit is missing from the fleet.
struct FleetLinkStatus {
  std::string broker;  // the configured broker URL
  std::string unit;    // the unit's name on it
  bool connected = false;
  std::optional<int64_t> since;  // connected, or not, since (Unix seconds)
  std::string last_error;        // "broker refused: not authorised", ...
  std::optional<int64_t> last_error_time;
  bool operator==(const FleetLinkStatus&) const = default;
};

struct UnitStatus {
  std::string device_name;
  std::vector<std::string> venue_tags;
  bool updates_enabled = false;

  // What is shown.
  ContentSource source = ContentSource::kBuiltin;
  std::optional<int64_t> version;        // none for builtin
  std::optional<int64_t> applied_at;     // when this unit applied it
  std::optional<int64_t> expires;        // the manifest's expires, if any
  std::optional<int64_t> published;      // the manifest's published
  std::string name;                      // slides.json's name ("" until the player says)
  std::optional<PinnedContact> contact;  // what the band shows (set by the player)
  // The languages the rotation shows, in order of first appearance.
  std::vector<std::string> languages;
  // The images of the slides in rotation, each with its description in
  // every language it has: what a passer-by sees, in words, for whoever
  // reads the status file (status "shown.images").
  struct ShownImage {
    std::string slide;                                             // the slide's id
    std::string file;                                              // bundle-relative
    std::vector<std::pair<std::string, std::string>> description;  // tag -> text
    bool operator==(const ShownImage&) const = default;
  };
  std::vector<ShownImage> images;
  // Who is trusted to sign: "root v3: 2 content keys, 1 signature needed".
  std::string trust;

  // Checks.
  std::optional<int64_t> last_check;
  std::string last_check_result;  // "applied", "unchanged", "up_to_date", "failed", ""
  std::optional<int64_t> last_success;
  std::optional<int64_t> last_error_time;  // the most recent failure, kept after later successes
  std::string last_error_reason;
  int consecutive_failures = 0;
  // stale_reasons holds the reasons about checks and trust; expiry of what
  // is shown is judged when the status is written (UnitStatusToJson), from
  // `expires` and `honest_now`, so it is always about what is on screen.
  bool stale = false;
  std::vector<std::string> stale_reasons;
  std::optional<int64_t> honest_now;  // see Updater::HonestNow; not written
  // False when the wall clock is not known to be right: expiry is then
  // judged only against the latest publication time the unit accepted.
  bool clock_synchronized = true;
  std::optional<int64_t> next_poll;
  // Problems with the unit itself (configuration fields kept at their last
  // good value, damaged fonts, unusable keys) and warnings (plain http://).
  std::vector<std::string> problems;
  std::vector<std::string> warnings;

  // Where the frames go (set by the player).
  DisplayStatus display;
  // The fleet link; none without a fleet section (and no "fleet" in the file).
  std::optional<FleetLinkStatus> fleet;
};

std::string UnitStatusToJson(const UnitStatus& status);
// One line for systemd's STATUS= (what `systemctl status` shows): the
// display's state, what is shown, staleness and the number of problems, e.g.
//   showing cache v42 "Lobby" on 1920x1080 (KMSDRM) | stale: content v42 expired at ...
//   no display (video driver offscreen) | showing builtin | 1 problem
std::string StatusLine(const UnitStatus& status);
// Every reason the shown content is stale: s.stale_reasons plus its expiry.
std::vector<std::string> StaleReasons(const UnitStatus& s);

// The one place the status file is written from: the updater's thread
// publishes checks and trust, the player publishes what is on screen the
// moment it changes, so the file never names anything but the screen's
// content. Thread-safe. Each publish rewrites the file (it lives on tmpfs)
// and calls on_change (systemd's STATUS=, later the fleet link).
class StatusBoard {
 public:
  StatusBoard(FileStore& store, std::filesystem::path path);
  // Everything but the shown content (source, version, applied_at, expires,
  // published, name, contact), which only PublishShown sets.
  void PublishChecks(const UnitStatus& from_updater);
  void PublishShown(const UnitStatus& shown);
  // The display part: when the player opens its window and when its size
  // changes. A "no display" state adds its problem to the unit's problems.
  void PublishDisplay(const DisplayStatus& display);
  // What the unit is (from its configuration) and its own problems
  // (configuration, fonts), kept beside the updater's (keys).
  void SetUnit(std::string device_name, std::vector<std::string> venue_tags, bool updates_enabled,
               std::vector<std::string> problems, std::vector<std::string> warnings);
  // The fleet link's state (nullopt: no link).
  void PublishFleet(const std::optional<FleetLinkStatus>& fleet);
  const std::filesystem::path& path() const { return path_; }
  UnitStatus Snapshot() const;
  // Observers are called after every publish, once the shown content is
  // known (as the file is written), in the order added, with the board's
  // mutex held: an observer must not call back into the board. Returns an id
  // for RemoveObserver (an observer that dies before the board removes
  // itself).
  int AddObserver(std::function<void(const UnitStatus&)> observer);
  void RemoveObserver(int id);

 private:
  void WriteLocked();
  FileStore& store_;
  const std::filesystem::path path_;
  mutable std::mutex mu_;
  UnitStatus status_;  // guarded by mu_
  std::vector<std::string> unit_problems_, unit_warnings_, update_problems_;
  std::vector<std::pair<int, std::function<void(const UnitStatus&)>>> observers_;
  int next_observer_ = 1;
  bool warned_ = false;  // a status file that cannot be written is said once
  bool shown_known_ = false;
};

// Creates the parent directory if needed and replaces the file atomically.
Status WriteUnitStatus(FileStore& store, const std::filesystem::path& path,
                       const UnitStatus& status);

}  // namespace kiosk::update
