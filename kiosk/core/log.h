// Logging for a unit nobody watches: one line per event, saying what and why.
// Lines go to stderr; under systemd (JOURNAL_STREAM set) each line carries a
// "<N>" syslog priority prefix that journald turns into the priority, so
// nothing is ever written to log files on the SD card.
//
// Threading: safe from any thread; a line is written with one write(2).
#pragma once

#include <string_view>

namespace kiosk {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

void Log(LogLevel level, std::string_view message);
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }

// Lines below this level are dropped. Default kInfo; KIOSK_DEBUG=1 in the
// environment sets kDebug.
void SetLogThreshold(LogLevel level);

}  // namespace kiosk
