// The DRM and CEC adapters as far as a machine without a screen allows:
// no DRM or CEC device is reported cleanly, and the hotplug monitor starts
// and stops. The real hotplug and CEC runs are image/test-qemu.sh's.
#include "kiosk/platform/drm_connectors.h"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>

#include "kiosk/platform/cec_device.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;

TEST_CASE("DRM connectors: a directory without card nodes is 'no DRM device', cleanly") {
  testing::TempDir dir("kiosk-dri");
  auto none = ReadDrmConnectors(dir.path());
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == Status::Code::kNotFound);
  CHECK(none.status().message() == "no DRM device (no " + (dir.path() / "card*").string() + ")");
  auto missing = ReadDrmConnectors(dir.path() / "absent");
  CHECK(missing.status().code() == Status::Code::kNotFound);
}

TEST_CASE("DRM connectors: a card node that is no KMS device is skipped, and said") {
  testing::TempDir dir("kiosk-dri");
  std::ofstream(dir.path() / "card0") << "not a device";
  auto r = ReadDrmConnectors(dir.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kNotFound);
  CHECK(r.status().message().find("none a KMS device") != std::string::npos);
  CHECK(DrmDpmsOff::Off(dir.path()).status().code() == Status::Code::kNotFound);
}

TEST_CASE("DRM connectors: this machine's /dev/dri, whichever it is") {
  auto r = ReadDrmConnectors();
  if (!fs::exists("/dev/dri")) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("no DRM device") == 0);
  } else if (r.ok()) {
    for (const auto& c : *r) {
      CHECK_FALSE(c.name.empty());
      CHECK(c.connected == (c.width > 0));
    }
  }
}

TEST_CASE("DRM hotplug monitor: starts, and stops promptly without an event") {
  auto monitor = DrmHotplugMonitor::Start([] {});
  if (!monitor.ok()) {
    // A sandbox without netlink: the player then runs without hotplug.
    MESSAGE("no hotplug monitor here: " << monitor.status().message());
    return;
  }
  const auto before = std::chrono::steady_clock::now();
  monitor->reset();
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(5));
}

TEST_CASE("CEC: a missing adapter is NotFound naming it; no adapter is found in an empty /dev") {
  testing::TempDir dir("kiosk-dev");
  auto d = CecDevice::Open(dir.path() / "cec0");
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == Status::Code::kNotFound);
  CHECK(d.status().message() == (dir.path() / "cec0").string() + ": no such CEC device");
  CHECK_FALSE(FirstCecDevice(dir.path()));
  std::ofstream(dir.path() / "cec1") << "";
  std::ofstream(dir.path() / "cec0") << "";
  CHECK(FirstCecDevice(dir.path()) == dir.path() / "cec0");
}

}  // namespace
}  // namespace kiosk
