// The kernel's DRM connectors and their hotplug events, for the console
// (SDL's KMSDRM driver), which reports neither: libdrm reads each
// connector's state, a libudev monitor on the "drm" subsystem says when it
// may have changed. What to do about it is DisplayPresence's
// (kiosk/core/display_presence.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "kiosk/core/display_presence.h"
#include "kiosk/core/status.h"

struct udev;
struct udev_monitor;

namespace kiosk {

// Every connector of every KMS device (dri_dir/card*), in device then
// connector order; a card without modesetting (the Pi's v3d renders only)
// is skipped. Reads the kernel's last known state (no new probe: after a
// hotplug event it is the new one). NotFound "no DRM device ..." when
// dri_dir has no KMS device (a container, a desktop without one).
Result<std::vector<ConnectorInfo>> ReadDrmConnectors(
    const std::filesystem::path& dri_dir = "/dev/dri");

// Calls on_change from its own thread after each uevent of the "drm"
// subsystem (a connector's hotplug, a debugfs force): from udevd when it
// runs, and straight from the kernel as well, so that a system without
// udevd still hears them. on_change must be cheap and thread-safe (posting
// an event).
class DrmHotplugMonitor {
 public:
  static Result<std::unique_ptr<DrmHotplugMonitor>> Start(std::function<void()> on_change);
  // Stops and joins the thread.
  ~DrmHotplugMonitor();
  DrmHotplugMonitor(const DrmHotplugMonitor&) = delete;
  DrmHotplugMonitor& operator=(const DrmHotplugMonitor&) = delete;

 private:
  DrmHotplugMonitor() = default;
  void Run();
  struct udev* udev_ = nullptr;
  std::vector<struct udev_monitor*> monitors_;
  int stop_fd_ = -1;  // an eventfd: written to stop the thread
  std::function<void()> on_change_;
  std::thread thread_;
};

// DPMS through the DRM connector property: the fallback for a screen
// without CEC. Setting it needs the device's master, which SDL holds while
// its video runs: the player closes its window first. Off() switches every
// connected connector's DPMS off and holds the device until the object is
// destroyed, which switches them on again. NotFound without a KMS device.
class DrmDpmsOff {
 public:
  static Result<std::unique_ptr<DrmDpmsOff>> Off(const std::filesystem::path& dri_dir = "/dev/dri");
  ~DrmDpmsOff();
  DrmDpmsOff(const DrmDpmsOff&) = delete;
  DrmDpmsOff& operator=(const DrmDpmsOff&) = delete;

 private:
  DrmDpmsOff() = default;
  struct Switched {
    int fd;
    uint32_t connector;
    uint32_t property;
  };
  std::vector<Switched> switched_;
  std::vector<int> fds_;
};

}  // namespace kiosk
