#include "kiosk/app/bundle_command.h"

#include <iostream>

#include "kiosk/core/clock.h"
#include "kiosk/core/update/bundle_tool.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {

int RunBundleCommand(
    const std::vector<std::string>& args,
    const std::function<kiosk::Status(const std::filesystem::path&)>& validate_content) {
  PosixFileStore store;
  SystemClock clock;
  return update::RunBundleTool(args, validate_content, store, clock, std::cout, std::cerr);
}

}  // namespace kiosk
