#include "kiosk/app/paths.h"

#include <cstdlib>

namespace kiosk {

std::filesystem::path DataDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("KIOSK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "kiosk";
    if (fs::is_directory(installed / "content", ec)) return installed;
  }
  if (fs::is_directory(fs::path(KIOSK_SOURCE_DATA_DIR) / "content", ec)) {
    return KIOSK_SOURCE_DATA_DIR;
  }
  return KIOSK_INSTALL_DATA_DIR;
}

}  // namespace kiosk
