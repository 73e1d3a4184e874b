// The unit's side of the fleet protocol, with a fake clock.
#include "kiosk/core/fleet/fleet_protocol.h"

#include <doctest/doctest.h>

#include <deque>
#include <nlohmann/json.hpp>

namespace kiosk::fleet {
namespace {

using Action = Decision::Action;

std::string Command(const std::string& name, const std::string& id) {
  return R"({"command":")" + name + R"(","id":")" + id + R"("})";
}

TEST_CASE("fleet: a unit's topics, client id and subscriptions") {
  UnitTopics t("lobby-1");
  CHECK(t.presence == "kiosk/unit/lobby-1/presence");
  CHECK(t.status == "kiosk/unit/lobby-1/status");
  CHECK(t.reply == "kiosk/unit/lobby-1/reply");
  CHECK(t.screenshot == "kiosk/unit/lobby-1/screenshot");
  CHECK(t.commands == "kiosk/cmd/unit/lobby-1");
  CHECK(ClientId("lobby-1") == "kiosk-unit-lobby-1");
  FakeClock clock;
  CommandPolicy policy("lobby-1", {"hotel-x", "floor-2", "hotel-x"}, clock);
  CHECK(policy.Subscriptions() ==
        std::vector<std::string>{"kiosk/cmd/unit/lobby-1", "kiosk/cmd/tag/hotel-x",
                                 "kiosk/cmd/tag/floor-2", "kiosk/cmd/all"});
}

TEST_CASE("fleet: a command id is 1 to 64 name characters") {
  CHECK(IsCommandId(std::string(64, 'a')));
  CHECK(!IsCommandId(std::string(65, 'a')));
  CHECK(!IsCommandId(""));
}

TEST_CASE("fleet: commands on the unit's own topics are acted on") {
  FakeClock clock;
  CommandPolicy policy("lobby-1", {"hotel-x"}, clock);
  auto d = policy.Decide("kiosk/cmd/unit/lobby-1", Command("check-now", "c1"));
  CHECK(d.action == Action::kAct);
  CHECK(d.kind == CommandKind::kCheckNow);
  CHECK(d.reply_id == "c1");
  CHECK(d.command == "check-now");
  d = policy.Decide("kiosk/cmd/tag/hotel-x", Command("screenshot", "s.1"));
  CHECK(d.action == Action::kAct);
  CHECK(d.kind == CommandKind::kScreenshot);
  d = policy.Decide("kiosk/cmd/all", R"({"command":"reload","id":"r_1","unit":"lobby-1"})");
  CHECK(d.action == Action::kAct);
  CHECK(d.kind == CommandKind::kReload);
}

TEST_CASE("fleet: a message on a topic the unit did not subscribe to is ignored, unanswered") {
  FakeClock clock;
  CommandPolicy policy("lobby-1", {"hotel-x"}, clock);
  for (const char* topic : {"kiosk/cmd/unit/lobby-2", "kiosk/cmd/tag/hotel-y", "kiosk/cmd/unit/#",
                            "kiosk/cmd/all/x", "kiosk/unit/lobby-1/status", "kiosk/cmd/tag/+"}) {
    auto d = policy.Decide(topic, Command("check-now", "c1"));
    CHECK_MESSAGE(d.action == Action::kIgnore, topic);
    CHECK(d.reply_id.empty());
    CHECK(d.why.find(topic) != std::string::npos);
  }
  // Not counted: a command on the unit's own topic still runs at once.
  CHECK(policy.Decide("kiosk/cmd/unit/lobby-1", Command("check-now", "c2")).action == Action::kAct);
}

TEST_CASE("fleet: malformed commands are refused, answered only when the id can be read") {
  FakeClock clock;
  CommandPolicy policy("lobby-1", {}, clock);
  const std::string topic = "kiosk/cmd/unit/lobby-1";
  struct Case {
    std::string payload;
    std::string reply_id;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"not json", "", "not a JSON object"},
      {"[1,2]", "", "not a JSON object"},
      {R"({"command":"check-now"})", "", "without an id"},
      {R"({"command":"check-now","id":""})", "", "without an id"},
      {R"({"command":"check-now","id":"a b"})", "", "without an id"},
      {R"({"command":"check-now","id":")" + std::string(65, 'a') + R"("})", "", "without an id"},
      {R"({"command":"check-now","id":7})", "", "without an id"},
      {R"({"command":"erase","id":"x1"})", "x1", "expected \"command\" to be"},
      {R"({"id":"x2"})", "x2", "got none"},
      {R"({"command":"reload","id":"x3","unit":"lobby-2"})", "x3", "not this unit"},
      {R"({"command":"reload","id":"x4","unit":5})", "x4", "not this unit"},
      {R"({"command":"check-now","id":"x5","pad":")" + std::string(4100, 'p') + R"("})", "",
       "expected at most 4096 bytes"},
  };
  for (const auto& c : cases) {
    auto d = policy.Decide(topic, c.payload);
    CHECK_MESSAGE(d.action == Action::kRefuse, c.payload.substr(0, 80));
    CHECK(d.reply_id == c.reply_id);
    CHECK_MESSAGE(d.why.find(c.why) != std::string::npos, d.why);
  }
  // None of them counted towards the rate limits.
  CHECK(policy.Decide(topic, Command("reload", "ok")).action == Action::kAct);
}

TEST_CASE("fleet: a command's other fields are never used") {
  FakeClock clock;
  CommandPolicy policy("lobby-1", {}, clock);
  auto d = policy.Decide("kiosk/cmd/all",
                         R"({"command":"check-now","id":"c9","url":"http://evil.example/",
                             "content":{"slides":[]},"hotline":"1-900-555-0100"})");
  CHECK(d.action == Action::kAct);
  CHECK(d.kind == CommandKind::kCheckNow);
  CHECK(d.reply_id == "c9");
}

TEST_CASE("fleet: rate limits per kind: check-now and reload once per 30 s, screenshot per 10 s") {
  FakeClock clock;
  CommandPolicy policy("lobby-1", {}, clock);
  const std::string topic = "kiosk/cmd/all";
  CHECK(policy.Decide(topic, Command("check-now", "a")).action == Action::kAct);
  CHECK(policy.Decide(topic, Command("reload", "b")).action == Action::kAct);
  CHECK(policy.Decide(topic, Command("screenshot", "c")).action == Action::kAct);
  clock.Advance(Millis(9'999));
  auto limited = policy.Decide(topic, Command("check-now", "d"));
  CHECK(limited.action == Action::kRateLimited);
  CHECK(limited.reply_id == "d");
  CHECK(limited.why.find("at most one every 30 s") != std::string::npos);
  CHECK(policy.Decide(topic, Command("screenshot", "e")).action == Action::kRateLimited);
  clock.Advance(Millis(1));
  CHECK(policy.Decide(topic, Command("screenshot", "f")).action == Action::kAct);
  clock.Advance(Millis(19'999));  // 29.999 s after the first check-now
  CHECK(policy.Decide(topic, Command("check-now", "g")).action == Action::kRateLimited);
  CHECK(policy.Decide(topic, Command("reload", "h")).action == Action::kRateLimited);
  clock.Advance(Millis(1));
  CHECK(policy.Decide(topic, Command("check-now", "i")).action == Action::kAct);
  CHECK(policy.Decide(topic, Command("reload", "j")).action == Action::kAct);
  // A rate-limited command does not push the window on.
  clock.Advance(Millis(29'000));
  CHECK(policy.Decide(topic, Command("check-now", "k")).action == Action::kRateLimited);
  clock.Advance(Millis(1'000));
  CHECK(policy.Decide(topic, Command("check-now", "l")).action == Action::kAct);
}

TEST_CASE("fleet: replies and presence messages") {
  auto reply = nlohmann::json::parse(
      ReplyJson("c1", "screenshot", "done", "640x384 PNG, 1234 bytes", 1'795'946'500));
  CHECK(reply == nlohmann::json::parse(
                     R"({"id":"c1","command":"screenshot","result":"done",
                         "message":"640x384 PNG, 1234 bytes","at":"2026-11-29T10:01:40Z"})"));
  CHECK(nlohmann::json::parse(PresenceOnlineJson(1'795'946'500)) ==
        nlohmann::json::parse(R"({"online":true,"since":"2026-11-29T10:01:40Z"})"));
  CHECK(nlohmann::json::parse(PresenceWillJson()) == nlohmann::json::parse(R"({"online":false})"));
  CHECK(nlohmann::json::parse(PresenceStoppedJson(1'795'946'500)) ==
        nlohmann::json::parse(
            R"({"online":false,"since":"2026-11-29T10:01:40Z","reason":"stopped"})"));
}

TEST_CASE("fleet: the status message wraps exactly the status file's object") {
  update::UnitStatus s;
  s.device_name = "lobby-1";
  s.source = update::ContentSource::kNetwork;
  s.version = 42;
  s.last_check = 1'795'946'500;
  s.last_check_result = "applied";
  s.problems = {"a problem"};
  StatusMessageInput in;
  in.unit = "lobby-1";
  in.tags = {"hotel-x"};
  in.player_version = "0.1.0";
  in.sent_at = 1'795'946'510;
  in.uptime_s = 1234;
  in.heartbeat_s = 300;
  const std::string text = StatusMessageJson(in, s);
  auto j = nlohmann::json::parse(text);
  CHECK(j["schema"] == 1);
  CHECK(j["unit"] == "lobby-1");
  CHECK(j["tags"] == nlohmann::json({"hotel-x"}));
  CHECK(j["player_version"] == "0.1.0");
  CHECK(j["sent_at"] == "2026-11-29T10:01:50Z");
  CHECK(j["uptime_s"] == 1234);
  CHECK(j["heartbeat_s"] == 300);
  CHECK(j["status"] == nlohmann::json::parse(update::UnitStatusToJson(s)));
  CHECK(j["status"]["shown"]["version"] == 42);
  CHECK(j["fleet"] == nlohmann::json::object());
  CHECK(text.find('\n') == std::string::npos);  // compact: bytes per unit per hour count
  in.last_command = LastCommand{"c1", "check-now", "started", 1'795'946'505};
  j = nlohmann::json::parse(StatusMessageJson(in, s));
  CHECK(j["fleet"]["last_command"] ==
        nlohmann::json::parse(R"({"id":"c1","command":"check-now","result":"started",
                                  "at":"2026-11-29T10:01:45Z"})"));
}

TEST_CASE("fleet: status at once on connect, changes at most one per 2 s, and a heartbeat") {
  StatusSchedule schedule(Millis(300'000));
  CHECK(schedule.NextDue() == Millis::max());  // nothing to say before a connection
  schedule.Connected();
  CHECK(schedule.Due(Millis(5'000)));
  schedule.Sent(Millis(5'000));
  CHECK_FALSE(schedule.Due(Millis(5'001)));
  CHECK(schedule.NextDue() == Millis(305'000));  // the heartbeat
  // Three changes within the gap: one message, 2 s after the last one.
  schedule.Changed();
  schedule.Changed();
  CHECK_FALSE(schedule.Due(Millis(6'999)));
  schedule.Changed();
  CHECK(schedule.NextDue() == Millis(7'000));
  CHECK(schedule.Due(Millis(7'000)));
  schedule.Sent(Millis(7'000));
  CHECK(schedule.NextDue() == Millis(307'000));
  // A change long after: at once.
  schedule.Changed();
  CHECK(schedule.Due(Millis(100'000)));
  schedule.Sent(Millis(100'000));
  // A reconnection sends at once even within the gap.
  schedule.Connected();
  CHECK(schedule.Due(Millis(100'001)));
}

TEST_CASE("fleet: reconnect backoff doubles to 300 s with full jitter, reset by a stable link") {
  std::deque<double> script;
  ReconnectBackoff backoff([&] {
    double r = script.front();
    script.pop_front();
    return r;
  });
  // The largest draw: the whole backoff, doubling 1, 2, 4, ... up to 300 s.
  std::vector<int64_t> delays;
  for (int i = 0; i < 11; ++i) {
    script.push_back(0.999999);
    delays.push_back(backoff.NextDelay().count());
  }
  const std::vector<int64_t> expected_max = {999,    1'999,   3'999,   7'999,   15'999, 31'999,
                                             63'999, 127'999, 255'999, 299'999, 299'999};
  CHECK(delays == expected_max);
  // Full jitter: anywhere from 0 to the backoff.
  script.push_back(0.0);
  CHECK(backoff.NextDelay() == Millis(0));
  script.push_back(0.5);
  CHECK(backoff.NextDelay() == Millis(150'000));
  // A connection that drops within 60 s does not reset it (a broker that
  // accepts and drops at once must not be hammered)...
  backoff.Connected(Millis(1'000'000));
  backoff.Disconnected(Millis(1'060'000));
  CHECK(backoff.backoff() == ReconnectBackoff::kMost);
  // ...one that lasted longer does.
  backoff.Connected(Millis(2'000'000));
  backoff.Disconnected(Millis(2'060'001));
  CHECK(backoff.backoff() == ReconnectBackoff::kFirst);
  script.push_back(0.5);
  CHECK(backoff.NextDelay() == Millis(500));
}

}  // namespace
}  // namespace kiosk::fleet
