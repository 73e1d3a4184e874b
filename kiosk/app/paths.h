// Where the player finds its built-in content and pinned fonts.
#pragma once

#include <filesystem>

namespace kiosk {

// In order: $KIOSK_DATA_DIR; <exe>/../share/kiosk (an installed or packaged
// binary); the source tree the binary was built from (a developer's build).
// The directory holds content/ and fonts/.
std::filesystem::path DataDir();

}  // namespace kiosk
