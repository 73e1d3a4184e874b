// The administrator's message model: status and presence messages into rows,
// the table, filters, "not on the newest version", commands and replies,
// the broker URL and admin.json.
#include "kiosk/core/fleet_view.h"

#include <doctest/doctest.h>

#include <sstream>

#include "kiosk/core/fleet_admin_config.h"
#include "kiosk/core/update/rfc3339.h"

namespace kiosk::fleet {
namespace {

std::string StatusMessage(const std::string& unit, const std::string& version,
                          const std::string& extra = "") {
  return R"({"schema":1,"unit":")" + unit +
         R"(","tags":["hotel-x"],"player_version":"0.1.0","sent_at":"2026-11-30T09:00:00Z",
"uptime_s":60,"heartbeat_s":300,"status":{"shown":{"source":"network","version":)" +
         version + R"(,"published":"2026-11-29T10:00:00Z","name":"Lobby"},"stale":true,
"stale_reasons":["no poll succeeded for 3 poll intervals"],"last_check":"2026-11-30T08:59:00Z",
"last_check_result":"failed","last_error":{"time":"2026-11-30T08:59:00Z","reason":"timeout"},
"problems":[],"display":{"state":"showing","width":1920,"height":1080})" +
         extra + "}}";
}

TEST_CASE("fleet view: a status message fills the unit's row") {
  FleetView view;
  REQUIRE(view.Apply("kiosk/unit/lobby-1/status", StatusMessage("lobby-1", "42")).ok());
  const UnitRow* row = view.Find("lobby-1");
  REQUIRE(row != nullptr);
  CHECK(row->has_status);
  CHECK(row->shown_version == 42);
  CHECK(row->shown_source == "network");
  CHECK(row->shown_published == "2026-11-29T10:00:00Z");
  CHECK(row->stale);
  CHECK(row->stale_reasons.size() == 1);
  CHECK(row->last_check_result == "failed");
  CHECK(row->last_error_reason == "timeout");
  CHECK(row->display == "showing 1920x1080");
  CHECK(row->tags == std::vector<std::string>{"hotel-x"});
  CHECK(row->last_seen == update::ParseRfc3339Utc("2026-11-30T09:00:00Z"));
  CHECK(!row->online.has_value());
  // Other topics are not rows.
  CHECK(view.Apply("kiosk/unit/lobby-1/reply", "{}").ok());
  CHECK(view.Apply("elsewhere/x", "{}").ok());
  CHECK(view.units().size() == 1);
}

TEST_CASE("fleet view: a bad message names the topic and JSON path, and keeps the last good row") {
  FleetView view;
  REQUIRE(view.Apply("kiosk/unit/lobby-1/status", StatusMessage("lobby-1", "42")).ok());
  Status bad = view.Apply("kiosk/unit/lobby-1/status", StatusMessage("lobby-1", "\"42\""));
  CHECK(!bad.ok());
  CHECK(bad.message() ==
        "kiosk/unit/lobby-1/status: $.status.shown.version: expected an integer, got a string");
  CHECK(view.Find("lobby-1")->shown_version == 42);
  CHECK(view.Find("lobby-1")->message_error == bad.message());

  Status other = view.Apply("kiosk/unit/lobby-1/status", StatusMessage("lobby-2", "43"));
  CHECK(other.message().find("$.unit: expected \"lobby-1\"") != std::string::npos);
  Status syntax = view.Apply("kiosk/unit/lobby-1/presence", "{\"online\":");
  CHECK(syntax.message().find("kiosk/unit/lobby-1/presence") != std::string::npos);
  Status time = view.Apply("kiosk/unit/lobby-1/presence", R"({"online":true,"since":"today"})");
  CHECK(time.message().find("$.since: expected an RFC 3339 UTC time") != std::string::npos);
  // A good message clears the error.
  REQUIRE(view.Apply("kiosk/unit/lobby-1/status", StatusMessage("lobby-1", "43")).ok());
  CHECK(view.Find("lobby-1")->message_error.empty());
}

TEST_CASE("fleet view: presence online, last will, clean stop") {
  FleetView view;
  REQUIRE(view.Apply("kiosk/unit/a/presence", R"({"online":true,"since":"2026-11-30T08:00:00Z"})")
              .ok());
  CHECK(StateCell(*view.Find("a")) == "online since 2026-11-30T08:00:00Z");
  REQUIRE(view.Apply("kiosk/unit/a/status", StatusMessage("a", "1")).ok());
  REQUIRE(view.Apply("kiosk/unit/a/presence", R"({"online":false})").ok());
  // The last will has no time: the last status says when it was last seen.
  CHECK(StateCell(*view.Find("a")) == "OFFLINE, last seen 2026-11-30T09:00:00Z");
  REQUIRE(view.Apply("kiosk/unit/a/presence",
                     R"({"online":false,"since":"2026-11-30T09:10:00Z","reason":"stopped"})")
              .ok());
  CHECK(StateCell(*view.Find("a")) == "OFFLINE since 2026-11-30T09:10:00Z (stopped)");
  // Retained messages cleared: the unit left the fleet.
  REQUIRE(view.Apply("kiosk/unit/a/presence", "").ok());
  REQUIRE(view.Apply("kiosk/unit/a/status", "").ok());
  CHECK(view.Find("a") == nullptr);
}

TEST_CASE("fleet view: tag filter, newest version, outdated units and why") {
  FleetView view;
  REQUIRE(view.Apply("kiosk/unit/a/status", StatusMessage("a", "42")).ok());
  REQUIRE(view.Apply("kiosk/unit/b/status", StatusMessage("b", "40")).ok());
  REQUIRE(
      view.Apply(
              "kiosk/unit/c/status",
              R"({"schema":1,"unit":"c","tags":["station"],"status":{"shown":{"source":"builtin","version":null}}})")
          .ok());
  REQUIRE(view.Apply("kiosk/unit/d/presence", R"({"online":true})").ok());
  CHECK(FilterByTag(view, "hotel-x").size() == 2);
  CHECK(FilterByTag(view, "station").size() == 1);
  CHECK(FilterByTag(view, "").size() == 4);
  CHECK(NewestVersion(view) == 42);
  auto outdated = Outdated(FilterByTag(view, ""), 42);
  REQUIRE(outdated.size() == 3);
  CHECK(outdated[0].row.name == "b");
  CHECK(outdated[0].why == "shows v40");
  CHECK(outdated[1].why == "shows built-in content");
  CHECK(outdated[2].why == "no status yet");
  CHECK(Outdated(FilterByTag(view, "hotel-x"), 40).empty());
  FleetView empty;
  CHECK(!NewestVersion(empty).has_value());
}

TEST_CASE("fleet view: the table has a column per field, aligned") {
  FleetView view;
  REQUIRE(view.Apply("kiosk/unit/lobby-1/status", StatusMessage("lobby-1", "42")).ok());
  REQUIRE(view.Apply("kiosk/unit/b/presence", R"({"online":true,"since":"2026-11-30T09:58:00Z"})")
              .ok());
  int64_t now = *update::ParseRfc3339Utc("2026-11-30T10:00:00Z");
  std::string table = FormatTable(FilterByTag(view, ""), now);
  std::istringstream lines(table);
  std::string header, b, lobby;
  std::getline(lines, header), std::getline(lines, b), std::getline(lines, lobby);
  CHECK(header.rfind("UNIT", 0) == 0);
  CHECK(b.find("online since 2026-11-30T09:58:00Z (2 min ago)") != std::string::npos);
  CHECK(lobby.find("STALE: no poll succeeded for 3 poll intervals") != std::string::npos);
  CHECK(lobby.find("2026-11-30T08:59:00Z timeout") != std::string::npos);
  // Columns line up: each header word starts where its cells start.
  size_t shown = header.find("SHOWN");
  CHECK(lobby.substr(shown, 3) == "v42");
  CHECK(b.substr(shown, 1) == "-");
  size_t display = header.find("DISPLAY");
  CHECK(lobby.substr(display) == "showing 1920x1080");
}

TEST_CASE("fleet view: names, topics, commands and replies") {
  CHECK(IsFleetUnitName("lobby-1"));
  CHECK(IsFleetUnitName("A.b_c"));
  CHECK(!IsFleetUnitName(""));
  CHECK(!IsFleetUnitName("-x"));
  CHECK(!IsFleetUnitName("a/b"));
  CHECK(!IsFleetUnitName("a+"));
  CHECK(!IsFleetUnitName("a b"));
  CHECK(!IsFleetUnitName(std::string(65, 'a')));
  auto topic = ParseUnitTopic("kiosk/unit/lobby-1/screenshot");
  REQUIRE(topic);
  CHECK(topic->unit == "lobby-1");
  CHECK(topic->kind == UnitTopicKind::kScreenshot);
  CHECK(!ParseUnitTopic("kiosk/unit/lobby-1/other"));
  CHECK(!ParseUnitTopic("kiosk/unit/lobby-1"));
  CHECK(UnitTopicName("x", UnitTopicKind::kReply) == "kiosk/unit/x/reply");
  CHECK(CommandJson("check-now", "id-1", "") == R"({"command":"check-now","id":"id-1"})");
  CHECK(CommandJson("screenshot", "id-2", "x") ==
        R"({"command":"screenshot","id":"id-2","unit":"x"})");
  CHECK(UnitCommandTopic("x") == "kiosk/cmd/unit/x");
  CHECK(TagCommandTopic("t") == "kiosk/cmd/tag/t");
  CHECK(AllCommandTopic() == "kiosk/cmd/all");
  auto reply = ParseReply(R"({"id":"i","command":"check-now","result":"started","at":"x"})", "t");
  REQUIRE(reply.ok());
  CHECK(reply->result == "started");
  auto bad = ParseReply(R"({"id":"i","result":5})", "kiosk/unit/x/reply");
  CHECK(bad.status().message() ==
        "kiosk/unit/x/reply: $.result: expected a string, got an integer");
}

TEST_CASE("fleet admin config: broker URLs and admin.json") {
  auto tls = ParseBrokerUrl("mqtts://fleet.example.org");
  REQUIRE(tls.ok());
  CHECK(tls->tls);
  CHECK(tls->port == 8883);
  CHECK(tls->host == "fleet.example.org");
  auto plain = ParseBrokerUrl("mqtt://127.0.0.1:1884");
  REQUIRE(plain.ok());
  CHECK(!plain->tls);
  CHECK(plain->port == 1884);
  CHECK(ParseBrokerUrl("http://x").status().message().find("expected mqtts://host:port") !=
        std::string::npos);
  // Plain MQTT to another machine would carry the password in the clear: the
  // admin side refuses it as units do.
  CHECK(ParseBrokerUrl("mqtt://fleet.example.org")
            .status()
            .message()
            .find("plain mqtt:// only to 127.0.0.1 or localhost") != std::string::npos);
  CHECK(ParseBrokerUrl("mqtt://x:99999").status().message().find("port from 1 to 65535") !=
        std::string::npos);
  CHECK(!ParseBrokerUrl("mqtt://").ok());
  CHECK(IsLoopbackHost("localhost"));
  CHECK(IsLoopbackHost("127.0.0.1"));
  CHECK(!IsLoopbackHost("fleet.example.org"));

  auto config = ParseAdminConfig(
      R"({"broker":"mqtts://h","username":"fleet-admin","password_file":"p","ca_file":"c"})",
      "admin.json");
  REQUIRE(config.ok());
  CHECK(config->password_file == "p");
  auto bad = ParseAdminConfig(R"({"broker":"h","usr":"x"})", "admin.json");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("admin.json: $.username") != std::string::npos);
  CHECK(bad.status().message().find("admin.json: $.usr") != std::string::npos);
  CHECK(bad.status().message().find("admin.json: $.broker: broker URL \"h\"") != std::string::npos);
  auto with_cert = ParseAdminConfig(
      R"({"broker":"mqtts://h","username":"a","client_cert":"c.pem","client_key":"c.key"})",
      "admin.json");
  REQUIRE(with_cert.ok());
  CHECK(with_cert->client_cert == "c.pem");
  CHECK(with_cert->client_key == "c.key");
  auto half = ParseAdminConfig(R"({"broker":"mqtts://h","username":"a","client_cert":"c.pem"})",
                               "admin.json");
  REQUIRE(!half.ok());
  CHECK(half.status().message().find("admin.json: $.client_key: required with the other") !=
        std::string::npos);
}

}  // namespace
}  // namespace kiosk::fleet
