// The status file's JSON.
#include "kiosk/core/update/status_report.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace kiosk::update {
namespace {

TEST_CASE("status report: every field, times as RFC 3339 UTC, nulls when unknown") {
  UnitStatus s;
  s.device_name = "gare-centrale-1";
  s.venue_tags = {"station", "montreal"};
  s.updates_enabled = true;
  auto fresh = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(fresh["device_name"] == "gare-centrale-1");
  CHECK(fresh["venue_tags"] == nlohmann::json({"station", "montreal"}));
  CHECK(fresh["shown"]["source"] == "builtin");
  CHECK(fresh["shown"]["version"].is_null());
  CHECK(fresh["shown"]["applied_at"].is_null());
  CHECK(fresh["last_check"].is_null());
  CHECK(fresh["last_check_result"].is_null());
  CHECK(fresh["last_success"].is_null());
  CHECK(fresh["last_error"].is_null());
  CHECK(fresh["next_poll"].is_null());
  CHECK(fresh["stale"] == false);

  s.source = ContentSource::kNetwork;
  s.version = 42;
  s.applied_at = 1'795'946'400;
  s.last_check = 1'795'946'401;
  s.last_check_result = "failed";
  s.last_error_time = 1'795'946'401;
  s.last_error_reason = "manifest.json: HTTP 500 \xff";  // invalid UTF-8 must not throw
  s.next_poll = 1'795'946'431;
  s.stale_reasons = {"no successful check for 900 s (3 poll intervals)"};
  auto j = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(j["shown"]["source"] == "network");
  CHECK(j["shown"]["version"] == 42);
  CHECK(j["shown"]["applied_at"] == "2026-11-29T10:00:00Z");
  CHECK(j["last_error"]["time"] == "2026-11-29T10:00:01Z");
  CHECK(j["last_error"]["reason"].get<std::string>().rfind("manifest.json: HTTP 500", 0) == 0);
  CHECK(j["next_poll"] == "2026-11-29T10:00:31Z");
  CHECK(j["stale"] == true);
  CHECK(j["stale_reasons"] == nlohmann::json({"no successful check for 900 s (3 poll intervals)"}));
  CHECK(std::string(ContentSourceName(ContentSource::kCache)) == "cache");
  CHECK(std::string(ContentSourceName(ContentSource::kOverride)) == "override");

  // Expiry is judged on what is shown, by the time the unit can vouch for.
  s.stale_reasons.clear();
  s.expires = 1'795'946'500;
  s.honest_now = 1'795'946'499;
  CHECK(nlohmann::json::parse(UnitStatusToJson(s))["stale"] == false);
  s.honest_now = 1'795'946'500;
  auto expired = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(expired["stale"] == true);
  CHECK(expired["stale_reasons"][0] == "content v42 expired at 2026-11-29T10:01:40Z");
  s.honest_now.reset();  // an unsynchronised clock and no time floor: not judged
  CHECK(nlohmann::json::parse(UnitStatusToJson(s))["stale"] == false);
}

TEST_CASE("status report: the display part, null until the player opened its window") {
  UnitStatus s;
  auto unknown = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(unknown["display"] == nlohmann::json::parse(R"({"state": null, "video_driver": null,
                                                       "width": null, "height": null,
                                                       "rotation": null, "power_control": null,
                                                       "tv_power": null})"));
  s.display = DisplayStatusOf("KMSDRM", /*driver_requested=*/false, 1920, 1080, 90);
  auto j = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(j["display"] == nlohmann::json::parse(R"({"state": "showing", "video_driver": "KMSDRM",
                                                 "width": 1920, "height": 1080,
                                                 "rotation": 90, "power_control": null,
                                                 "tv_power": null})"));
  s.display = DisplayStatusOf("offscreen", /*driver_requested=*/false, 800, 600, 0);
  CHECK(nlohmann::json::parse(UnitStatusToJson(s))["display"]["state"] == "no display");
}

TEST_CASE("status report: a disconnected or scheduled-off screen names nothing as shown") {
  UnitStatus s;
  s.source = ContentSource::kCache;
  s.version = 7;
  s.name = "Lobby";
  s.display = DisplayStatusOf("KMSDRM", false, 1920, 1080, 0);
  CHECK(nlohmann::json::parse(UnitStatusToJson(s))["shown"]["version"] == 7);

  s.display.state = DisplayState::kDisconnected;
  auto gone = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(gone["display"]["state"] == "display disconnected");
  CHECK(gone["shown"].is_null());
  CHECK(StatusLine(s) == "display disconnected, waiting for a screen");

  s.display.state = DisplayState::kScreenOff;
  s.display.power_control = "cec";
  s.display.tv_power = "standby";
  auto off = nlohmann::json::parse(UnitStatusToJson(s));
  CHECK(off["display"]["state"] == "screen off");
  CHECK(off["display"]["power_control"] == "cec");
  CHECK(off["display"]["tv_power"] == "standby");
  CHECK(off["shown"].is_null());
  CHECK(StatusLine(s) == "screen off (schedule), TV standby");
  CHECK_FALSE(FramesReachScreen(DisplayState::kScreenOff));
  CHECK(FramesReachScreen(DisplayState::kShowing));
}

TEST_CASE("display state: a headless driver nobody asked for is no display") {
  const DisplayStatus fallback = DisplayStatusOf("offscreen", false, 800, 600, 0);
  CHECK(fallback.state == DisplayState::kNoDisplay);
  CHECK(fallback.problem ==
        "display: on the headless video driver \"offscreen\", which nobody asked for "
        "(SDL_VIDEODRIVER is not set): no real video driver started, so nothing reaches the "
        "screen");
  CHECK(DisplayStatusOf("dummy", false, 800, 600, 0).state == DisplayState::kNoDisplay);
  // Asked for (tests, a headless render box): what was wanted.
  const DisplayStatus asked = DisplayStatusOf("dummy", true, 800, 600, 0);
  CHECK(asked.state == DisplayState::kShowing);
  CHECK(asked.problem.empty());
  CHECK(DisplayStatusOf("x11", false, 1280, 720, 0).state == DisplayState::kShowing);
  CHECK(std::string(DisplayStateName(DisplayState::kNoDisplay)) == "no display");
}

TEST_CASE("StatusLine: showing, no display, stale, problems") {
  UnitStatus s;
  CHECK(StatusLine(s) == "showing builtin");
  s.source = ContentSource::kCache;
  s.version = 42;
  s.name = "Lobby";
  s.display = DisplayStatusOf("KMSDRM", false, 1920, 1080, 0);
  CHECK(StatusLine(s) == "showing cache v42 \"Lobby\" on 1920x1080 (KMSDRM)");

  s.expires = 1'795'946'500;
  s.honest_now = 1'795'946'500;
  s.stale_reasons = {"no successful check for 900 s (3 poll intervals)"};
  CHECK(StatusLine(s) ==
        "showing cache v42 \"Lobby\" on 1920x1080 (KMSDRM) | stale: content v42 expired at "
        "2026-11-29T10:01:40Z (+1 more)");

  UnitStatus headless;
  headless.display = DisplayStatusOf("offscreen", false, 800, 600, 0);
  headless.problems = {headless.display.problem};
  CHECK(StatusLine(headless) ==
        "no display (video driver offscreen), waiting for a screen | 1 problem");
  headless.display.video_driver = "";
  CHECK(StatusLine(headless) == "no display (no video driver), waiting for a screen | 1 problem");
}

TEST_CASE(
    "status board: the display part is written, kept by the updater's publishes, and "
    "its problem listed") {
  MemoryFileStore store;
  StatusBoard board(store, "/run/kiosk/status.json");
  std::vector<std::string> lines;
  board.AddObserver([&](const UnitStatus& s) { lines.push_back(StatusLine(s)); });
  // A showing display: nothing before the player says what is on screen.
  board.PublishDisplay(DisplayStatusOf("x11", false, 800, 600, 0));
  CHECK_FALSE(store.Exists("/run/kiosk/status.json"));
  CHECK(lines.empty());
  // No display: said at once, and nothing is shown ("shown" is null, also
  // once the player has said what it would show).
  board.PublishDisplay(DisplayStatusOf("offscreen", false, 800, 600, 0));
  REQUIRE(store.Exists("/run/kiosk/status.json"));
  CHECK(nlohmann::json::parse(*store.ReadFile("/run/kiosk/status.json"))["shown"].is_null());
  board.PublishShown(UnitStatus{});
  auto j = nlohmann::json::parse(*store.ReadFile("/run/kiosk/status.json"));
  CHECK(j["shown"].is_null());
  CHECK(j["display"]["state"] == "no display");
  CHECK(j["display"]["video_driver"] == "offscreen");
  CHECK(j["display"]["width"] == 800);
  CHECK(j["problems"] ==
        nlohmann::json({DisplayStatusOf("offscreen", false, 800, 600, 0).problem}));
  REQUIRE(lines.size() == 2);
  CHECK(lines.back() == "no display (video driver offscreen), waiting for a screen | 1 problem");

  UnitStatus checks;
  checks.last_check_result = "up_to_date";
  board.PublishChecks(checks);
  CHECK(board.Snapshot().display.video_driver == "offscreen");
  // A window that grew: the new size, and a real driver clears the problem.
  board.PublishDisplay(DisplayStatusOf("x11", false, 1024, 768, 180));
  j = nlohmann::json::parse(*store.ReadFile("/run/kiosk/status.json"));
  CHECK(j["display"]["state"] == "showing");
  CHECK(j["display"]["width"] == 1024);
  CHECK(j["display"]["rotation"] == 180);
  CHECK(j["shown"]["source"] == "builtin");
  CHECK(j["problems"].empty());
  CHECK(j["last_check_result"] == "up_to_date");
  CHECK(lines.back() == "showing builtin on 1024x768 (x11)");
}

TEST_CASE("status board: every observer hears each change, until it is removed") {
  MemoryFileStore store;
  StatusBoard board(store, "/run/kiosk/status.json");
  int systemd = 0, fleet = 0;
  board.AddObserver([&](const UnitStatus&) { ++systemd; });
  const int fleet_id = board.AddObserver([&](const UnitStatus&) { ++fleet; });
  board.PublishShown(UnitStatus{});
  CHECK(systemd == 1);
  CHECK(fleet == 1);
  board.RemoveObserver(fleet_id);
  board.PublishChecks(UnitStatus{});
  CHECK(systemd == 2);
  CHECK(fleet == 1);
}

TEST_CASE("status board: the fleet part says whether the link is up and why not") {
  MemoryFileStore store;
  StatusBoard board(store, "/run/kiosk/status.json");
  board.PublishShown(UnitStatus{});
  // No fleet section: no "fleet" in the file.
  CHECK_FALSE(nlohmann::json::parse(*store.ReadFile("/run/kiosk/status.json")).contains("fleet"));
  FleetLinkStatus link;
  link.broker = "mqtts://broker.example.org";
  link.unit = "lobby-1";
  link.since = 1'795'946'500;
  link.last_error = "broker refused: not authorised";
  link.last_error_time = 1'795'946'500;
  int changes = 0;
  board.AddObserver([&](const UnitStatus&) { ++changes; });
  board.PublishFleet(link);
  auto j = nlohmann::json::parse(*store.ReadFile("/run/kiosk/status.json"));
  CHECK(j["fleet"]["broker"] == "mqtts://broker.example.org");
  CHECK(j["fleet"]["unit"] == "lobby-1");
  CHECK(j["fleet"]["connected"] == false);
  CHECK(j["fleet"]["since"] == "2026-11-29T10:01:40Z");
  CHECK(j["fleet"]["last_error"]["reason"] == "broker refused: not authorised");
  CHECK(j["fleet"]["last_error"]["time"] == "2026-11-29T10:01:40Z");
  // The same state again is no change (no message to the broker for it).
  board.PublishFleet(link);
  CHECK(changes == 1);
  link.connected = true;
  board.PublishFleet(link);
  CHECK(changes == 2);
  CHECK(nlohmann::json::parse(*store.ReadFile("/run/kiosk/status.json"))["fleet"]["connected"] ==
        true);
  // The updater's publishes keep it.
  UnitStatus checks;
  checks.last_check_result = "up_to_date";
  board.PublishChecks(checks);
  REQUIRE(board.Snapshot().fleet.has_value());
  CHECK(board.Snapshot().fleet->connected);
}

}  // namespace
}  // namespace kiosk::update
