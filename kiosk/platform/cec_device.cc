#include "kiosk/platform/cec_device.h"

#include <fcntl.h>
#include <linux/cec.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kiosk {
namespace {

std::string Errno() { return std::strerror(errno); }

}  // namespace

Result<std::unique_ptr<CecDevice>> CecDevice::Open(const std::filesystem::path& path,
                                                   const std::string& osd_name) {
  std::unique_ptr<CecDevice> d(new CecDevice());
  d->path_ = path;
  d->fd_ = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (d->fd_ < 0) {
    if (errno == ENOENT) return Status::NotFound(path.string() + ": no such CEC device");
    return Status::Io(path.string() + ": " + Errno());
  }
  // Initiator only: the kernel's CEC core keeps answering the bus's own
  // questions (physical address, version) for us.
  __u32 mode = CEC_MODE_INITIATOR;
  if (ioctl(d->fd_, CEC_S_MODE, &mode) != 0) {
    return Status::Io(path.string() + ": CEC_S_MODE: " + Errno());
  }
  cec_log_addrs addrs{};
  if (ioctl(d->fd_, CEC_ADAP_G_LOG_ADDRS, &addrs) != 0) {
    return Status::Io(path.string() + ": CEC_ADAP_G_LOG_ADDRS: " + Errno());
  }
  if (addrs.num_log_addrs == 0) {
    addrs = {};
    addrs.cec_version = CEC_OP_CEC_VERSION_1_4;
    addrs.vendor_id = CEC_VENDOR_ID_NONE;
    addrs.num_log_addrs = 1;
    addrs.log_addr_type[0] = CEC_LOG_ADDR_TYPE_PLAYBACK;
    addrs.primary_device_type[0] = CEC_OP_PRIM_DEVTYPE_PLAYBACK;
    addrs.all_device_types[0] = CEC_OP_ALL_DEVTYPE_PLAYBACK;
    std::strncpy(addrs.osd_name, osd_name.c_str(), sizeof addrs.osd_name - 1);
    // Blocks until the address is claimed on the bus.
    if (ioctl(d->fd_, CEC_ADAP_S_LOG_ADDRS, &addrs) != 0) {
      return Status::Io(path.string() + ": CEC_ADAP_S_LOG_ADDRS: " + Errno());
    }
  }
  d->logical_address_ =
      addrs.log_addr[0] == CEC_LOG_ADDR_INVALID ? CEC_LOG_ADDR_UNREGISTERED : addrs.log_addr[0];
  return d;
}

CecDevice::~CecDevice() {
  if (fd_ >= 0) close(fd_);
}

Status CecDevice::Send(uint8_t to, const std::vector<uint8_t>& body) {
  cec_msg msg{};
  msg.len = static_cast<__u32>(std::min<size_t>(1 + body.size(), CEC_MAX_MSG_SIZE));
  msg.msg[0] = static_cast<__u8>((logical_address_ << 4) | (to & 0xF));
  std::copy_n(body.begin(), msg.len - 1, msg.msg + 1);
  if (ioctl(fd_, CEC_TRANSMIT, &msg) != 0) {
    return Status::Io(path_.string() + ": CEC_TRANSMIT: " + Errno());
  }
  if ((msg.tx_status & CEC_TX_STATUS_OK) == 0) {
    return Status::Io(path_.string() + ": message not acknowledged (tx_status " +
                      std::to_string(msg.tx_status) + ")");
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> CecDevice::Ask(uint8_t to, const std::vector<uint8_t>& body,
                                            uint8_t reply, Millis timeout) {
  cec_msg msg{};
  msg.len = static_cast<__u32>(std::min<size_t>(1 + body.size(), CEC_MAX_MSG_SIZE));
  msg.msg[0] = static_cast<__u8>((logical_address_ << 4) | (to & 0xF));
  std::copy_n(body.begin(), msg.len - 1, msg.msg + 1);
  // The kernel waits for the reply itself (CEC_TRANSMIT with reply set).
  msg.reply = reply;
  msg.timeout = static_cast<__u32>(std::max<int64_t>(1, timeout.count()));
  if (ioctl(fd_, CEC_TRANSMIT, &msg) != 0) {
    return Status::Io(path_.string() + ": CEC_TRANSMIT: " + Errno());
  }
  if ((msg.tx_status & CEC_TX_STATUS_OK) == 0 || (msg.rx_status & CEC_RX_STATUS_OK) == 0 ||
      msg.len < 2) {
    return Status::Io(path_.string() + ": no answer (tx_status " + std::to_string(msg.tx_status) +
                      ", rx_status " + std::to_string(msg.rx_status) + ")");
  }
  return std::vector<uint8_t>(msg.msg + 1, msg.msg + msg.len);
}

uint16_t CecDevice::physical_address() const {
  __u16 pa = CEC_PHYS_ADDR_INVALID;
  if (ioctl(fd_, CEC_ADAP_G_PHYS_ADDR, &pa) != 0) return CEC_PHYS_ADDR_INVALID;
  return pa;
}

std::optional<std::filesystem::path> FirstCecDevice(const std::filesystem::path& dev) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dev, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("cec", 0) == 0 && name.size() > 3) found.push_back(entry.path());
  }
  if (found.empty()) return std::nullopt;
  std::sort(found.begin(), found.end());
  return found.front();
}

}  // namespace kiosk
