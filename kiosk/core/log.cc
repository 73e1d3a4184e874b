#include "kiosk/core/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace kiosk {
namespace {
std::atomic<int> g_threshold{std::getenv("KIOSK_DEBUG") != nullptr ? 7 : 6};
const bool g_journal = std::getenv("JOURNAL_STREAM") != nullptr;

const char* LevelWord(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}
}  // namespace

void SetLogThreshold(LogLevel level) { g_threshold = static_cast<int>(level); }

void Log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) > g_threshold.load()) return;
  // Built with append() only: GCC 12 at -O3 reports a false -Wrestrict on
  // "<" + std::to_string(...) + ">".
  std::string prefix;
  if (g_journal) {
    prefix.append("<").append(std::to_string(static_cast<int>(level))).append(">");
  } else {
    prefix.append("kiosk: ").append(LevelWord(level)).append(": ");
  }
  // A message with several problems (one per line) becomes several log lines,
  // each with its priority, written in one write(2) so threads do not interleave.
  std::string line;
  line.reserve(message.size() + 2 * prefix.size());
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string_view::npos) end = message.size();
    line += prefix;
    line += message.substr(start, end - start);
    line += '\n';
    start = end + 1;
  }
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace kiosk
