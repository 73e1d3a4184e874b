#include "kiosk/core/screen_power.h"

#include <doctest/doctest.h>

#include <chrono>

namespace kiosk {
namespace {

int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  const std::chrono::sys_days date = std::chrono::year{y} /
                                     std::chrono::month{static_cast<unsigned>(mo)} /
                                     std::chrono::day{static_cast<unsigned>(d)};
  return std::chrono::duration_cast<std::chrono::seconds>(date.time_since_epoch()).count() +
         h * 3600 + mi * 60;
}

std::unique_ptr<TimeZone> Toronto() {
  auto zone = LoadTimeZone("America/Toronto");
  REQUIRE_MESSAGE(zone.ok(), zone.status().message());
  return std::move(*zone);
}

Schedule Window(unsigned weekdays, int from_h, int until_h) {
  return Schedule{std::nullopt, std::nullopt, weekdays, {{from_h * 3600, until_h * 3600}}};
}

constexpr unsigned kWeekdays = 0x1F;  // mon..fri

TEST_CASE("screen power: on inside the windows, in the unit's time zone") {
  auto zone = Toronto();
  ScreenPowerConfig p{{Window(kWeekdays, 7, 22)}, ""};
  // Monday 2026-11-30; Toronto is UTC-5 in November.
  CHECK_FALSE(ScreenOnAt(p, Utc(2026, 11, 30, 11, 59), *zone, true));  // 06:59
  CHECK(ScreenOnAt(p, Utc(2026, 11, 30, 12, 0), *zone, true));         // 07:00
  CHECK(ScreenOnAt(p, Utc(2026, 12, 1, 2, 59), *zone, true));          // 21:59
  CHECK_FALSE(ScreenOnAt(p, Utc(2026, 12, 1, 3, 0), *zone, true));     // 22:00
  CHECK_FALSE(ScreenOnAt(p, Utc(2026, 12, 5, 17, 0), *zone, true));    // Saturday noon
  CHECK(NextScreenPowerChange(p, Utc(2026, 11, 30, 11, 0), *zone, true) == Utc(2026, 11, 30, 12));
  CHECK(NextScreenPowerChange(p, Utc(2026, 11, 30, 12, 0), *zone, true) == Utc(2026, 12, 1, 3));
  // Friday 22:00 to Monday 07:00.
  CHECK(NextScreenPowerChange(p, Utc(2026, 12, 5, 3, 0), *zone, true) == Utc(2026, 12, 7, 12));
}

TEST_CASE("screen power: no schedule, or a clock not known to be right, is always on") {
  auto zone = Toronto();
  CHECK(ScreenOnAt(ScreenPowerConfig{}, Utc(2026, 12, 5, 3), *zone, true));
  CHECK_FALSE(NextScreenPowerChange(ScreenPowerConfig{}, Utc(2026, 12, 5, 3), *zone, true));
  ScreenPowerConfig p{{Window(kWeekdays, 7, 22)}, ""};
  // A Pi that booted in 1970 must not go dark because its clock says so.
  CHECK(ScreenOnAt(p, Utc(2026, 12, 5, 3), *zone, false));
  CHECK_FALSE(NextScreenPowerChange(p, Utc(2026, 12, 5, 3), *zone, false));
}

TEST_CASE("screen power: windows back to back change the power only at the outer edges") {
  auto zone = Toronto();
  ScreenPowerConfig p{{Window(kWeekdays, 7, 12), Window(kWeekdays, 12, 22)}, ""};
  CHECK(NextScreenPowerChange(p, Utc(2026, 11, 30, 13, 0), *zone, true) == Utc(2026, 12, 1, 3));
}

// A TV on the bus: reports its power, misses the first `deaf` commands, and
// takes `warmup` power-status questions to go from "turning on" to "on".
class FakeTv final : public CecBus {
 public:
  int deaf = 0;
  int warmup = 1;
  bool answers = true;
  int on_state = 1;  // CEC power status: 0 on, 1 standby, 2 turning on, 3 turning off
  std::vector<std::pair<uint8_t, std::vector<uint8_t>>> sent;

  Status Send(uint8_t to, const std::vector<uint8_t>& body) override {
    sent.emplace_back(to, body);
    if (body[0] != cec::kImageViewOn && body[0] != cec::kStandby) return Status::Ok();
    if (deaf > 0) {
      --deaf;
      return Status::Ok();  // acknowledged, and ignored: what real TVs do
    }
    if (body[0] == cec::kImageViewOn && on_state != 0) {
      on_state = 2;
      warming_ = warmup;
    }
    if (body[0] == cec::kStandby) on_state = 1;
    return Status::Ok();
  }
  Result<std::vector<uint8_t>> Ask(uint8_t to, const std::vector<uint8_t>& body, uint8_t reply,
                                   Millis) override {
    sent.emplace_back(to, body);
    if (!answers || body[0] != cec::kGiveDevicePowerStatus || reply != cec::kReportPowerStatus) {
      return Status::Io("no answer");
    }
    const uint8_t now = static_cast<uint8_t>(on_state);
    if (on_state == 2 && warming_-- <= 0) on_state = 0;
    return std::vector<uint8_t>{cec::kReportPowerStatus, now};
  }
  uint16_t physical_address() const override { return 0x1000; }
  int Count(uint8_t opcode) const {
    int n = 0;
    for (const auto& m : sent) n += m.second[0] == opcode;
    return n;
  }

 private:
  int warming_ = 0;
};

TEST_CASE("TV power: a TV that ignores the first Image View On is asked again and confirmed on") {
  FakeTv tv;
  tv.deaf = 1;
  std::vector<Millis> slept;
  TvPowerControl control(tv, {}, [&](Millis d) { slept.push_back(d); });
  CHECK(control.TurnOn() == TvPower::kOn);
  CHECK(control.last_confirmed() == TvPower::kOn);
  CHECK(control.attempts_used() == 2);
  CHECK(tv.Count(cec::kImageViewOn) == 2);
  // Each Image View On is followed by Active Source, broadcast, with our
  // physical address 1.0.0.0.
  CHECK(tv.Count(cec::kActiveSource) == 2);
  CHECK(tv.sent[1] == std::pair<uint8_t, std::vector<uint8_t>>{cec::kBroadcast,
                                                               {cec::kActiveSource, 0x10, 0x00}});
  // While it says "turning on" nothing is sent again: it is only asked.
  CHECK(tv.Count(cec::kGiveDevicePowerStatus) == 4);
  CHECK_FALSE(slept.empty());
}

TEST_CASE("TV power: standby, confirmed; a TV already on needs one command") {
  FakeTv tv;
  tv.on_state = 0;
  TvPowerControl control(tv, {}, [](Millis) {});
  CHECK(control.TurnOn() == TvPower::kOn);
  CHECK(control.attempts_used() == 1);
  CHECK(control.TurnOff() == TvPower::kStandby);
  CHECK(tv.Count(cec::kStandby) == 1);
  CHECK(control.last_confirmed() == TvPower::kStandby);
}

TEST_CASE("TV power: a TV that never answers is tried a bounded number of times, unknown") {
  FakeTv tv;
  tv.answers = false;
  int sleeps = 0;
  TvPowerControl control(tv, {.attempts = 3}, [&](Millis) { ++sleeps; });
  CHECK(control.TurnOn() == TvPower::kUnknown);
  CHECK(control.attempts_used() == 3);
  CHECK(tv.Count(cec::kImageViewOn) == 3);
  CHECK(sleeps == 3);
  CHECK(std::string(TvPowerName(control.last_confirmed())) == "unknown");
}

TEST_CASE("TV power: a TV deaf to every command reports standby, as last confirmed") {
  FakeTv tv;
  tv.deaf = 100;
  TvPowerControl control(tv, {.attempts = 4}, [](Millis) {});
  CHECK(control.TurnOn() == TvPower::kStandby);
  CHECK(tv.Count(cec::kImageViewOn) == 4);
}

}  // namespace
}  // namespace kiosk
