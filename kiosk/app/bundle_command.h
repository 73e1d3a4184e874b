// `kiosk bundle build|verify`: the administrator's commands for remote
// content updates. The logic is kiosk::update::RunBundleTool
// (kiosk/core/update/bundle_tool.h); this binds it to the real disk
// (PosixFileStore), the system clock, stdout and stderr.
//
// args: the words after "kiosk", starting with "bundle" (or after
// "kiosk bundle"). validate_content: the player's own checks of a content
// directory (slides.json parses, images decode); Ok to accept, otherwise a
// Status whose message lists the problems. Returns the process exit code:
// 0 ok, 1 problems found, 2 usage error.
//
// Link: kiosk_update and kiosk_fs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "kiosk/core/status.h"

namespace kiosk {

int RunBundleCommand(
    const std::vector<std::string>& args,
    const std::function<kiosk::Status(const std::filesystem::path&)>& validate_content);

}  // namespace kiosk
