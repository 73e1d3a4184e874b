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
}

}  // namespace

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
  root["shown"] = std::move(shown);
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

StatusBoard::StatusBoard(FileStore& store, std::filesystem::path path)
    : store_(store), path_(std::move(path)) {}

void StatusBoard::PublishChecks(const UnitStatus& u) {
  std::lock_guard lock(mu_);
  UnitStatus next = u;
  CopyShownPart(status_, next);
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

void StatusBoard::set_on_change(std::function<void(const UnitStatus&)> callback) {
  std::lock_guard lock(mu_);
  on_change_ = std::move(callback);
}

void StatusBoard::WriteLocked() {
  status_.problems = unit_problems_;
  status_.problems.insert(status_.problems.end(), update_problems_.begin(), update_problems_.end());
  status_.warnings = unit_warnings_;
  status_.stale = !StaleReasons(status_).empty();
  // Nothing is written before the player says what is on screen: a status
  // naming content that is not there yet would be a lie.
  if (!shown_known_) return;
  if (!path_.empty()) {
    Status s = WriteUnitStatus(store_, path_, status_);
    if (!s.ok() && !warned_) {
      LogWarning(s.message());
      warned_ = true;
    }
  }
  if (on_change_) on_change_(status_);
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
