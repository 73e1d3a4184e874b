// The status file: what this screen shows and how its updates are going,
// replaced atomically after every poll (Config::status_file, by default
// /run/kiosk/status.json). Administrators, monitoring and tests read it.
// Fields are documented in docs/bundle-format.md ("Status file").
//
// Stateless and thread-safe. Times are Unix seconds, written as RFC 3339 UTC.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/status.h"
#include "kiosk/core/update/file_store.h"

namespace kiosk::update {

enum class ContentSource { kBuiltin, kCache, kNetwork };
const char* ContentSourceName(ContentSource source);  // "builtin", "cache", "network"

struct UnitStatus {
  std::string device_name;
  std::vector<std::string> venue_tags;
  bool updates_enabled = false;

  // What is shown.
  ContentSource source = ContentSource::kBuiltin;
  std::optional<int64_t> version;     // none for builtin
  std::optional<int64_t> applied_at;  // when this unit applied it
  std::optional<int64_t> expires;     // the manifest's expires, if any

  // Checks.
  std::optional<int64_t> last_check;
  std::string last_check_result;  // "applied", "unchanged", "up_to_date", "failed", ""
  std::optional<int64_t> last_success;
  std::optional<int64_t> last_error_time;  // the most recent failure, kept after later successes
  std::string last_error_reason;
  int consecutive_failures = 0;
  bool stale = false;
  std::optional<int64_t> next_poll;
};

std::string UnitStatusToJson(const UnitStatus& status);

// Creates the parent directory if needed and replaces the file atomically.
Status WriteUnitStatus(FileStore& store, const std::filesystem::path& path,
                       const UnitStatus& status);

}  // namespace kiosk::update
