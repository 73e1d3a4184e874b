// RFC 3339 timestamps in UTC, the only time format of manifests, state.json
// and the status file: "2026-11-29T10:00:00Z" (seconds precision, "Z" only).
//
// Stateless and thread-safe. Times are Unix seconds (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::update {

// "2026-11-29T10:00:00Z".
std::string FormatRfc3339Utc(int64_t unix_seconds);

// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (a real calendar date, years 1970 to
// 9999). Offsets other than Z and fractional seconds are refused: manifests
// are written by tools and a single form leaves no room for misreading.
std::optional<int64_t> ParseRfc3339Utc(std::string_view text);

}  // namespace kiosk::update
