// The kernel's CEC API (/dev/cecN, linux/cec.h) as a CecBus
// (kiosk/core/screen_power.h): the Pi's HDMI driver (vc4) provides it, and
// the kernel's vivid test driver emulates one. No vendor library.
//
// Open claims a logical address as a playback device (CEC_ADAP_S_LOG_ADDRS)
// unless the adapter already has one; the physical address comes from the
// HDMI driver (the TV's EDID). Calls block; use from one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "kiosk/core/screen_power.h"

namespace kiosk {

class CecDevice final : public CecBus {
 public:
  // NotFound naming the path when there is no such device; Io when it
  // cannot be opened or configured.
  static Result<std::unique_ptr<CecDevice>> Open(const std::filesystem::path& path,
                                                 const std::string& osd_name = "kiosk");
  ~CecDevice() override;
  CecDevice(const CecDevice&) = delete;
  CecDevice& operator=(const CecDevice&) = delete;

  Status Send(uint8_t to, const std::vector<uint8_t>& body) override;
  Result<std::vector<uint8_t>> Ask(uint8_t to, const std::vector<uint8_t>& body, uint8_t reply,
                                   Millis timeout) override;
  uint16_t physical_address() const override;

 private:
  CecDevice() = default;
  int fd_ = -1;
  uint8_t logical_address_ = 0xF;
  std::filesystem::path path_;
};

// The first /dev/cecN (or nullopt): which adapter display.power drives.
std::optional<std::filesystem::path> FirstCecDevice(const std::filesystem::path& dev = "/dev");

}  // namespace kiosk
