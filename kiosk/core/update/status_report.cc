#include "kiosk/core/update/status_report.h"

#include <nlohmann/json.hpp>

#include "kiosk/core/update/rfc3339.h"

namespace kiosk::update {
namespace {

nlohmann::ordered_json TimeOrNull(const std::optional<int64_t>& t) {
  if (!t) return nullptr;
  return FormatRfc3339Utc(*t);
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
  root["shown"] = std::move(shown);
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
  root["stale"] = s.stale;
  root["next_poll"] = TimeOrNull(s.next_poll);
  // Reasons can hold bytes from the network (HTTP reason text, file names);
  // replace invalid UTF-8 rather than throw.
  return root.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
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
