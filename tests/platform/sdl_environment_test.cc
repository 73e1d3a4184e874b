// PrepareSdlEnvironment: what it turns off, and that a caller's choice stays.
#include "kiosk/platform/sdl_environment.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <string>

namespace kiosk {
namespace {

std::string Env(const char* name) {
  const char* value = getenv(name);
  return value == nullptr ? "(unset)" : value;
}

}  // namespace

TEST_CASE("PrepareSdlEnvironment turns off the Compose table and D-Bus autolaunch when unset") {
  unsetenv("XCOMPOSEFILE");
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
  PrepareSdlEnvironment();
  CHECK(Env("XCOMPOSEFILE") == "/dev/null");
  CHECK(Env("DBUS_SESSION_BUS_ADDRESS") == "disabled:");
  unsetenv("XCOMPOSEFILE");
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

TEST_CASE("PrepareSdlEnvironment keeps what the environment already says") {
  setenv("XCOMPOSEFILE", "/home/kiosk/.XCompose", 1);
  setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus", 1);
  PrepareSdlEnvironment();
  CHECK(Env("XCOMPOSEFILE") == "/home/kiosk/.XCompose");
  CHECK(Env("DBUS_SESSION_BUS_ADDRESS") == "unix:path=/run/user/1000/bus");
  unsetenv("XCOMPOSEFILE");
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

}  // namespace kiosk
