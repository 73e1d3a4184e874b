// The screen's power on a weekly schedule (display.power in kiosk.json,
// docs/configuration.md) and the HDMI-CEC conversation that carries it out.
//
// Rules:
//   - The screen is on inside any of the "on" windows (the content schedule
//     format: weekdays, daily hours, optional dates; schedule.h) in the
//     unit's time zone, off outside them. No schedule = always on.
//   - Clock safety, the other way round from slides: until the wall clock is
//     known to be synchronised (a Pi boots in the past) the screen is ON.
//     A sign that goes dark because its clock says 1970 is a blank sign.
//   - Off: the TV goes to standby over CEC (or, without CEC, the DRM
//     connector's DPMS goes off) and the player draws nothing. On: the TV is
//     woken with Image View On and this unit made its Active Source, then
//     asked its power status; TVs often miss the first command, so both are
//     sent again until the TV says it is on (or the attempts run out).
// No I/O here: the bus is an interface (CecBus), the kernel's /dev/cecN is
// kiosk/platform/cec_device.h, and tests use a fake TV.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/content.h"
#include "kiosk/core/status.h"
#include "kiosk/core/time_zone.h"

namespace kiosk {

struct ScreenPowerConfig {
  // The windows in which the screen is on. Empty = no schedule: always on,
  // and the player never touches the TV's power.
  std::vector<Schedule> on;
  // The CEC adapter to use ("/dev/cec1"); empty = the first /dev/cecN.
  std::string cec_device;
  bool operator==(const ScreenPowerConfig&) const = default;
};

// Whether the screen is to be on at the instant (see the rules above).
bool ScreenOnAt(const ScreenPowerConfig& power, int64_t unix_seconds, const TimeZone& zone,
                bool clock_synchronized);

// The first instant after unix_seconds at which ScreenOnAt changes; nullopt
// when it does not within kScheduleLookaheadDays (no schedule, an
// unsynchronised clock). Ask again after a change of clock_synchronized or
// a jump of the wall clock.
std::optional<int64_t> NextScreenPowerChange(const ScreenPowerConfig& power, int64_t unix_seconds,
                                             const TimeZone& zone, bool clock_synchronized);

// A TV's power status as CEC reports it (<Report Power Status>), or unknown
// when it did not answer.
enum class TvPower { kOn, kStandby, kTurningOn, kTurningOff, kUnknown };
// "on", "standby", "turning on", "turning off", "unknown"
const char* TvPowerName(TvPower power);

// CEC opcodes and addresses used here (HDMI 1.4b, CEC 1.4 / 2.0).
namespace cec {
inline constexpr uint8_t kTv = 0x0;
inline constexpr uint8_t kBroadcast = 0xF;
inline constexpr uint8_t kImageViewOn = 0x04;
inline constexpr uint8_t kStandby = 0x36;
inline constexpr uint8_t kActiveSource = 0x82;
inline constexpr uint8_t kGiveDevicePowerStatus = 0x8F;
inline constexpr uint8_t kReportPowerStatus = 0x90;
}  // namespace cec

// One CEC bus, as this unit (a playback device) sees it. Calls block; call
// from one thread.
class CecBus {
 public:
  virtual ~CecBus() = default;
  // Sends body (opcode first, then operands) to logical address `to`. Ok
  // when the message was acknowledged (or, broadcast, sent).
  virtual Status Send(uint8_t to, const std::vector<uint8_t>& body) = 0;
  // Sends body to `to` and waits up to timeout for its answer with opcode
  // reply; the answer's body (opcode first). Io when none came.
  virtual Result<std::vector<uint8_t>> Ask(uint8_t to, const std::vector<uint8_t>& body,
                                           uint8_t reply, Millis timeout) = 0;
  // This unit's physical address (from the TV's EDID): 0x1000 is "1.0.0.0".
  virtual uint16_t physical_address() const = 0;
};

// Switches the TV over a CecBus and remembers what it last confirmed.
class TvPowerControl {
 public:
  struct Options {
    int attempts = 5;            // commands sent before giving up
    Millis retry_delay{2000};    // between attempts (and re-asking while turning)
    Millis reply_timeout{1000};  // for each power-status answer
  };
  // sleep waits (the real one sleeps; tests record). The bus must outlive this.
  TvPowerControl(CecBus& bus, Options options, std::function<void(Millis)> sleep);

  // Image View On + Active Source, then asks the power status, until the TV
  // says it is on (or turning on, and then on) or the attempts run out.
  // Returns the TV's power as last confirmed (kUnknown if it never answered).
  TvPower TurnOn();
  // Standby, then asks, until the TV says standby (or turning off).
  TvPower TurnOff();
  // The power the TV last reported (kUnknown before any answer).
  TvPower last_confirmed() const { return last_; }
  // How many commands the last TurnOn/TurnOff sent (each attempt counts one).
  int attempts_used() const { return attempts_used_; }

 private:
  TvPower Query();
  TvPower Drive(bool on);
  CecBus& bus_;
  Options options_;
  std::function<void(Millis)> sleep_;
  TvPower last_ = TvPower::kUnknown;
  int attempts_used_ = 0;
};

}  // namespace kiosk
