// Whether a screen is plugged in, from the DRM connectors the kernel reports
// (kiosk/platform/drm_connectors.h reads them; this decides). SDL's KMSDRM
// driver does not report connectors coming and going, so the player asks
// this after every hotplug event and does what it says:
//   - the last connected connector goes away (TV unplugged, switched off
//     with its HDMI port powered down, cable pulled): stop drawing (the loop
//     sleeps, no CPU) and report "display disconnected";
//   - a connector is connected again, or the connected one changed (another
//     port, another mode: a different TV): re-open the window and renderer
//     (SDL picks the connector and its mode only when its video starts) and
//     show the current slide;
//   - anything else (an event for another connector, the same state read
//     twice): nothing.
// Pure state, no I/O: tested with made-up connector lists.
#pragma once

#include <string>
#include <vector>

namespace kiosk {

// One DRM connector as the kernel reports it.
struct ConnectorInfo {
  std::string name;  // "HDMI-A-1", "Virtual-1"
  bool connected = false;
  // The mode a screen on it would get (its preferred mode); 0x0 when not
  // connected.
  int width = 0, height = 0;
  bool operator==(const ConnectorInfo&) const = default;
};

class DisplayPresence {
 public:
  enum class Action {
    kNone,
    kStopDrawing,  // no connector is connected any more
    kReopen,       // a screen is back, or another one: re-open and redraw
  };

  // connectors: what the device reported when the player opened its window
  // (connected or not: the player may have started on a screen it cannot
  // see, and then a first connection is a change).
  explicit DisplayPresence(std::vector<ConnectorInfo> connectors);

  // The connectors read after a hotplug event (or a periodic check).
  Action Observe(std::vector<ConnectorInfo> connectors);

  // Whether a screen is connected, as last observed.
  bool connected() const;
  // "HDMI-A-1 1920x1080" (the connected ones), or "no connector connected
  // (HDMI-A-1, HDMI-A-2)" for the log and the status.
  std::string Describe() const;

 private:
  std::vector<ConnectorInfo> connected_;  // the connected ones, in the device's order
  std::vector<std::string> names_;        // every connector's name
};

}  // namespace kiosk
