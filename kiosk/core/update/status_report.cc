#include "kiosk/core/update/status_report.h"

#include <nlohmann/json.hpp>

#include "kiosk/core/log.h"
#include "kiosk/core/update/rfc3339.h"

namespace kiosk::update {
namespace {

nlohmann::ordered_json TimeOrNull(const std::optional<int64_t>& t) {
  if (!t) return nullptr;
  return FormatRfc3339Utc(*t);
}

// The part of a status that says what is on screen: only the player sets it.
void CopyShownPart(const UnitStatus& from, UnitStatus& to) {
  to.source = from.source;
  to.version = from.version;
  to.applied_at = from.applied_at;
  to.expires = from.expires;
  to.published = from.published;
  to.name = from.name;
  to.contact = from.contact;
  to.languages = from.languages;
  to.images = from.images;
}

}  // namespace

const char* DisplayStateName(DisplayState state) {
  switch (state) {
    case DisplayState::kUnknown:
      return "unknown";
    case DisplayState::kShowing:
      return "showing";
    case DisplayState::kNoDisplay:
      return "no display";
    case DisplayState::kDisconnected:
      return "display disconnected";
    case DisplayState::kScreenOff:
      return "screen off";
  }
  return "unknown";
}

bool FramesReachScreen(DisplayState state) {
  return state == DisplayState::kShowing || state == DisplayState::kUnknown;
}

DisplayStatus DisplayStatusOf(const std::string& video_driver, bool driver_requested, int width,
                              int height, int rotation_degrees) {
  DisplayStatus d;
  d.video_driver = video_driver;
  d.width = width;
  d.height = height;
  d.rotation_degrees = rotation_degrees;
  // SDL falls back to these when no real video driver starts (no console,
  // no KMS device): it then runs happily, drawing for nobody.
  const bool headless = video_driver == "offscreen" || video_driver == "dummy";
  if (headless && !driver_requested) {
    d.state = DisplayState::kNoDisplay;
    d.problem = "display: on the headless video driver \"" + video_driver +
                "\", which nobody asked for (SDL_VIDEODRIVER is not set): no real video driver "
                "started, so nothing reaches the screen";
  } else {
    d.state = DisplayState::kShowing;
  }
  return d;
}

const char* ContentSourceName(ContentSource source) {
  switch (source) {
    case ContentSource::kBuiltin:
      return "builtin";
    case ContentSource::kCache:
      return "cache";
    case ContentSource::kNetwork:
      return "network";
    case ContentSource::kOverride:
      return "override";
  }
  return "builtin";
}

std::string UnitStatusToJson(const UnitStatus& s) {
  nlohmann::ordered_json root;
  root["device_name"] = s.device_name;
  root["venue_tags"] = s.venue_tags;
  root["updates_enabled"] = s.updates_enabled;
  nlohmann::ordered_json shown;
  shown["source"] = ContentSourceName(s.source);
  shown["version"] = s.version ? nlohmann::ordered_json(*s.version) : nullptr;
  shown["applied_at"] = TimeOrNull(s.applied_at);
  shown["expires"] = TimeOrNull(s.expires);
  shown["published"] = TimeOrNull(s.published);
  shown["name"] = s.name.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.name);
  if (s.contact) {
    shown["hotline"] = s.contact->hotline;
    shown["email"] = s.contact->email;
  } else {
    shown["hotline"] = nullptr;
    shown["email"] = nullptr;
  }
  shown["languages"] = s.languages;
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& image : s.images) {
    nlohmann::ordered_json item;
    item["slide"] = image.slide;
    item["file"] = image.file;
    nlohmann::ordered_json description = nlohmann::ordered_json::object();
    for (const auto& [tag, text] : image.description) description[tag] = text;
    item["description"] = std::move(description);
    images.push_back(std::move(item));
  }
  shown["images"] = std::move(images);
  // Nothing reaches a screen without one: the report says so rather than
  // name what would be drawn.
  root["shown"] =
      FramesReachScreen(s.display.state) ? std::move(shown) : nlohmann::ordered_json(nullptr);
  root["trust"] = s.trust;
  root["last_check"] = TimeOrNull(s.last_check);
  root["last_check_result"] = s.last_check_result.empty()
                                  ? nlohmann::ordered_json(nullptr)
                                  : nlohmann::ordered_json(s.last_check_result);
  root["last_success"] = TimeOrNull(s.last_success);
  if (s.last_error_time) {
    nlohmann::ordered_json error;
    error["time"] = FormatRfc3339Utc(*s.last_error_time);
    error["reason"] = s.last_error_reason;
    root["last_error"] = std::move(error);
  } else {
    root["last_error"] = nullptr;
  }
  root["consecutive_failures"] = s.consecutive_failures;
  const auto reasons = StaleReasons(s);
  root["stale"] = !reasons.empty();
  root["stale_reasons"] = reasons;
  root["clock_synchronized"] = s.clock_synchronized;
  root["next_poll"] = TimeOrNull(s.next_poll);
  root["problems"] = s.problems;
  root["warnings"] = s.warnings;
  nlohmann::ordered_json display;
  const bool known = s.display.state != DisplayState::kUnknown;
  display["state"] = known ? nlohmann::ordered_json(DisplayStateName(s.display.state)) : nullptr;
  display["video_driver"] = known ? nlohmann::ordered_json(s.display.video_driver) : nullptr;
  display["width"] = known ? nlohmann::ordered_json(s.display.width) : nullptr;
  display["height"] = known ? nlohmann::ordered_json(s.display.height) : nullptr;
  display["rotation"] = known ? nlohmann::ordered_json(s.display.rotation_degrees) : nullptr;
  auto or_null = [](const std::string& v) {
    return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
  };
  display["power_control"] = or_null(s.display.power_control);
  display["tv_power"] = or_null(s.display.tv_power);
  root["display"] = std::move(display);
  if (s.fleet) {
    nlohmann::ordered_json fleet;
    fleet["broker"] = s.fleet->broker;
    fleet["unit"] = s.fleet->unit;
    fleet["connected"] = s.fleet->connected;
    fleet["since"] = TimeOrNull(s.fleet->since);
    if (s.fleet->last_error_time) {
      nlohmann::ordered_json error;
      error["time"] = FormatRfc3339Utc(*s.fleet->last_error_time);
      error["reason"] = s.fleet->last_error;
      fleet["last_error"] = std::move(error);
    } else {
      fleet["last_error"] = nullptr;
    }
    root["fleet"] = std::move(fleet);
  }
  // Reasons can hold bytes from the network (HTTP reason text, file names);
  // replace invalid UTF-8 rather than throw.
  return root.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::vector<std::string> StaleReasons(const UnitStatus& s) {
  std::vector<std::string> reasons;
  if (s.honest_now && s.expires && *s.expires <= *s.honest_now) {
    reasons.push_back("content" + (s.version ? " v" + std::to_string(*s.version) : std::string()) +
                      " expired at " + FormatRfc3339Utc(*s.expires));
  }
  reasons.insert(reasons.end(), s.stale_reasons.begin(), s.stale_reasons.end());
  return reasons;
}

std::string StatusLine(const UnitStatus& s) {
  std::string what = std::string("showing ") + ContentSourceName(s.source);
  if (s.version) what += " v" + std::to_string(*s.version);
  if (!s.name.empty()) what += " \"" + s.name + "\"";
  std::vector<std::string> parts;
  const DisplayStatus& d = s.display;
  if (d.state == DisplayState::kNoDisplay) {
    // Nothing is shown: the line must not say what would be.
    parts.push_back("no display (" +
                    (d.video_driver.empty() ? std::string("no video driver")
                                            : "video driver " + d.video_driver) +
                    "), waiting for a screen");
  } else if (d.state == DisplayState::kDisconnected) {
    parts.push_back("display disconnected, waiting for a screen");
  } else if (d.state == DisplayState::kScreenOff) {
    parts.push_back("screen off (schedule)" +
                    (d.tv_power.empty() ? std::string() : ", TV " + d.tv_power));
  } else if (d.state == DisplayState::kShowing) {
    parts.push_back(what + " on " + std::to_string(d.width) + "x" + std::to_string(d.height) +
                    " (" + d.video_driver + ")");
  } else {
    parts.push_back(what);
  }
  const auto reasons = StaleReasons(s);
  if (!reasons.empty()) {
    std::string stale = "stale: " + reasons.front();
    if (reasons.size() > 1) stale += " (+" + std::to_string(reasons.size() - 1) + " more)";
    parts.push_back(stale);
  }
  if (!s.problems.empty()) {
    parts.push_back(std::to_string(s.problems.size()) +
                    (s.problems.size() == 1 ? " problem" : " problems"));
  }
  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : " | ") + p;
  return line;
}

StatusBoard::StatusBoard(FileStore& store, std::filesystem::path path)
    : store_(store), path_(std::move(path)) {}

void StatusBoard::PublishChecks(const UnitStatus& u) {
  std::lock_guard lock(mu_);
  UnitStatus next = u;
  CopyShownPart(status_, next);
  next.display = status_.display;
  next.fleet = status_.fleet;  // the link's, not the updater's
  update_problems_ = u.problems;
  status_ = std::move(next);
  WriteLocked();
}

void StatusBoard::PublishShown(const UnitStatus& shown) {
  std::lock_guard lock(mu_);
  shown_known_ = true;
  CopyShownPart(shown, status_);
  WriteLocked();
}

void StatusBoard::PublishDisplay(const DisplayStatus& display) {
  std::lock_guard lock(mu_);
  status_.display = display;
  WriteLocked();
}

void StatusBoard::SetUnit(std::string device_name, std::vector<std::string> venue_tags,
                          bool updates_enabled, std::vector<std::string> problems,
                          std::vector<std::string> warnings) {
  std::lock_guard lock(mu_);
  status_.device_name = std::move(device_name);
  status_.venue_tags = std::move(venue_tags);
  status_.updates_enabled = updates_enabled;
  unit_problems_ = std::move(problems);
  unit_warnings_ = std::move(warnings);
  WriteLocked();
}

UnitStatus StatusBoard::Snapshot() const {
  std::lock_guard lock(mu_);
  return status_;
}

int StatusBoard::AddObserver(std::function<void(const UnitStatus&)> observer) {
  std::lock_guard lock(mu_);
  observers_.emplace_back(next_observer_, std::move(observer));
  return next_observer_++;
}

void StatusBoard::RemoveObserver(int id) {
  std::lock_guard lock(mu_);
  std::erase_if(observers_, [id](const auto& o) { return o.first == id; });
}

void StatusBoard::PublishFleet(const std::optional<FleetLinkStatus>& fleet) {
  std::lock_guard lock(mu_);
  if (status_.fleet == fleet) return;
  status_.fleet = fleet;
  WriteLocked();
}

void StatusBoard::WriteLocked() {
  status_.problems = unit_problems_;
  status_.problems.insert(status_.problems.end(), update_problems_.begin(), update_problems_.end());
  if (!status_.display.problem.empty()) status_.problems.push_back(status_.display.problem);
  status_.warnings = unit_warnings_;
  status_.stale = !StaleReasons(status_).empty();
  // Nothing is written before the player says what is on screen: a status
  // naming content that is not there yet would be a lie. With no display,
  // that is said at once (and nothing is shown: "shown" is null).
  if (!shown_known_ && status_.display.state != DisplayState::kNoDisplay) return;
  if (!path_.empty()) {
    Status s = WriteUnitStatus(store_, path_, status_);
    if (!s.ok() && !warned_) {
      LogWarning(s.message());
      warned_ = true;
    }
  }
  for (const auto& [id, observer] : observers_) observer(status_);
}

Status WriteUnitStatus(FileStore& store, const std::filesystem::path& path,
                       const UnitStatus& status) {
  if (path.has_parent_path()) {
    Status made = store.MakeDirs(path.parent_path());
    if (!made.ok()) return made.WithContext("status file");
  }
  return store.WriteFileAtomic(path, UnitStatusToJson(status)).WithContext("status file");
}

}  // namespace kiosk::update
