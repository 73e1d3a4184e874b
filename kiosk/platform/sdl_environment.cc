#include "kiosk/platform/sdl_environment.h"

#include <stdlib.h>

namespace kiosk {

void PrepareSdlEnvironment() {
  // overwrite=0: a value already set (even empty) is the caller's choice.
  setenv("XCOMPOSEFILE", "/dev/null", /*overwrite=*/0);
  setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:", /*overwrite=*/0);
}

}  // namespace kiosk
