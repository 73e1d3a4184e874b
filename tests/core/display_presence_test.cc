#include "kiosk/core/display_presence.h"

#include <doctest/doctest.h>

namespace kiosk {
namespace {

using Action = DisplayPresence::Action;

ConnectorInfo Hdmi(bool connected, int w = 1920, int h = 1080, std::string name = "HDMI-A-1") {
  return connected ? ConnectorInfo{std::move(name), true, w, h}
                   : ConnectorInfo{std::move(name), false, 0, 0};
}

TEST_CASE("display presence: unplugged stops drawing, plugged back re-opens, once each") {
  DisplayPresence p({Hdmi(true), Hdmi(false, 0, 0, "HDMI-A-2")});
  CHECK(p.connected());
  CHECK(p.Describe() == "HDMI-A-1 1920x1080");
  CHECK(p.Observe({Hdmi(false), Hdmi(false, 0, 0, "HDMI-A-2")}) == Action::kStopDrawing);
  CHECK_FALSE(p.connected());
  CHECK(p.Describe() == "no connector connected (HDMI-A-1, HDMI-A-2)");
  // udev sends several events per change: the same state again is nothing.
  CHECK(p.Observe({Hdmi(false), Hdmi(false, 0, 0, "HDMI-A-2")}) == Action::kNone);
  CHECK(p.Observe({Hdmi(true), Hdmi(false, 0, 0, "HDMI-A-2")}) == Action::kReopen);
  CHECK(p.connected());
  CHECK(p.Observe({Hdmi(true), Hdmi(false, 0, 0, "HDMI-A-2")}) == Action::kNone);
}

TEST_CASE("display presence: another TV (another mode) or another port re-opens") {
  DisplayPresence p({Hdmi(true, 1920, 1080)});
  // Swapped between two events: never seen disconnected, but SDL's mode is
  // the old TV's.
  CHECK(p.Observe({Hdmi(true, 1280, 720)}) == Action::kReopen);
  CHECK(p.Describe() == "HDMI-A-1 1280x720");
  CHECK(p.Observe({Hdmi(false), Hdmi(true, 1280, 720, "HDMI-A-2")}) == Action::kReopen);
}

TEST_CASE("display presence: started with nothing connected, a first screen re-opens") {
  // The player can be on a screen the connectors do not show yet (or on
  // none at all): the first connection is a change.
  DisplayPresence p({Hdmi(false)});
  CHECK_FALSE(p.connected());
  CHECK(p.Observe({Hdmi(false)}) == Action::kNone);
  CHECK(p.Observe({Hdmi(true)}) == Action::kReopen);
}

TEST_CASE("display presence: a device that lists no connector at all is disconnected") {
  DisplayPresence p({Hdmi(true)});
  CHECK(p.Observe({}) == Action::kStopDrawing);
  CHECK(p.Describe() == "no connector connected (none found)");
}

}  // namespace
}  // namespace kiosk
