#include "kiosk/platform/drm_connectors.h"

#include <fcntl.h>
#include <libudev.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace kiosk {
namespace {

// The card* device nodes of dri_dir, sorted (card0 before card1).
std::vector<std::filesystem::path> Cards(const std::filesystem::path& dri_dir) {
  std::vector<std::filesystem::path> cards;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dri_dir, ec)) {
    if (entry.path().filename().string().rfind("card", 0) == 0) cards.push_back(entry.path());
  }
  std::sort(cards.begin(), cards.end());
  return cards;
}

std::string ConnectorName(const drmModeConnector& c) {
  const char* type = drmModeGetConnectorTypeName(c.connector_type);
  return std::string(type != nullptr ? type : "Unknown") + "-" +
         std::to_string(c.connector_type_id);
}

// The id of the connector's property called name, 0 if none.
uint32_t PropertyId(int fd, uint32_t connector, const char* name) {
  drmModeObjectProperties* props =
      drmModeObjectGetProperties(fd, connector, DRM_MODE_OBJECT_CONNECTOR);
  if (props == nullptr) return 0;
  uint32_t id = 0;
  for (uint32_t i = 0; i < props->count_props && id == 0; ++i) {
    drmModePropertyRes* p = drmModeGetProperty(fd, props->props[i]);
    if (p != nullptr && std::strcmp(p->name, name) == 0) id = p->prop_id;
    drmModeFreeProperty(p);
  }
  drmModeFreeObjectProperties(props);
  return id;
}

// Calls each(fd, connector) for every connector of every KMS card; the fds
// the callback keeps are returned, the others closed.
template <typename Each>
Status ForEachConnector(const std::filesystem::path& dri_dir, Each each) {
  const auto cards = Cards(dri_dir);
  if (cards.empty()) {
    return Status::NotFound("no DRM device (no " + (dri_dir / "card*").string() + ")");
  }
  bool any_kms = false;
  for (const auto& card : cards) {
    const int fd = open(card.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    drmModeRes* res = drmModeGetResources(fd);
    if (res == nullptr) {
      close(fd);  // not a KMS device (render only, or not DRM at all)
      continue;
    }
    any_kms = true;
    bool keep = false;
    for (int i = 0; i < res->count_connectors; ++i) {
      drmModeConnector* c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
      if (c == nullptr) continue;
      keep = each(fd, *c) || keep;
      drmModeFreeConnector(c);
    }
    drmModeFreeResources(res);
    if (!keep) close(fd);
  }
  if (!any_kms) {
    return Status::NotFound("no DRM device with modesetting in " + dri_dir.string() + " (" +
                            std::to_string(cards.size()) + " card* node(s), none a KMS device)");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<ConnectorInfo>> ReadDrmConnectors(const std::filesystem::path& dri_dir) {
  std::vector<ConnectorInfo> out;
  Status s = ForEachConnector(dri_dir, [&](int, const drmModeConnector& c) {
    ConnectorInfo info;
    info.name = ConnectorName(c);
    info.connected = c.connection == DRM_MODE_CONNECTED;
    if (info.connected && c.count_modes > 0) {
      // The preferred mode, as SDL picks it; the first when none is.
      const drmModeModeInfo* mode = &c.modes[0];
      for (int m = 0; m < c.count_modes; ++m) {
        if (c.modes[m].type & DRM_MODE_TYPE_PREFERRED) {
          mode = &c.modes[m];
          break;
        }
      }
      info.width = mode->hdisplay;
      info.height = mode->vdisplay;
    }
    out.push_back(std::move(info));
    return false;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::unique_ptr<DrmHotplugMonitor>> DrmHotplugMonitor::Start(
    std::function<void()> on_change) {
  std::unique_ptr<DrmHotplugMonitor> m(new DrmHotplugMonitor());
  m->on_change_ = std::move(on_change);
  m->udev_ = udev_new();
  if (m->udev_ == nullptr) return Status::Io("udev_new failed");
  for (const char* source : {"udev", "kernel"}) {
    udev_monitor* mon = udev_monitor_new_from_netlink(m->udev_, source);
    if (mon == nullptr) continue;
    if (udev_monitor_filter_add_match_subsystem_devtype(mon, "drm", nullptr) < 0 ||
        udev_monitor_enable_receiving(mon) < 0) {
      udev_monitor_unref(mon);
      continue;
    }
    m->monitors_.push_back(mon);
  }
  if (m->monitors_.empty()) {
    return Status::Io(std::string("cannot listen to the kernel's hotplug events (netlink): ") +
                      std::strerror(errno));
  }
  m->stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (m->stop_fd_ < 0) return Status::Io(std::string("eventfd: ") + std::strerror(errno));
  m->thread_ = std::thread([p = m.get()] { p->Run(); });
  return m;
}

void DrmHotplugMonitor::Run() {
  std::vector<pollfd> fds;
  fds.push_back({stop_fd_, POLLIN, 0});
  for (udev_monitor* mon : monitors_) fds.push_back({udev_monitor_get_fd(mon), POLLIN, 0});
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    bool changed = false;
    for (size_t i = 1; i < fds.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      // Drain what is queued; each device is one event.
      while (udev_device* dev = udev_monitor_receive_device(monitors_[i - 1])) {
        udev_device_unref(dev);
        changed = true;
      }
    }
    if (changed) on_change_();
  }
}

DrmHotplugMonitor::~DrmHotplugMonitor() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (stop_fd_ >= 0) close(stop_fd_);
  for (udev_monitor* mon : monitors_) udev_monitor_unref(mon);
  if (udev_ != nullptr) udev_unref(udev_);
}

Result<std::unique_ptr<DrmDpmsOff>> DrmDpmsOff::Off(const std::filesystem::path& dri_dir) {
  std::unique_ptr<DrmDpmsOff> off(new DrmDpmsOff());
  Status s = ForEachConnector(dri_dir, [&](int fd, const drmModeConnector& c) {
    if (c.connection != DRM_MODE_CONNECTED) return false;
    const uint32_t dpms = PropertyId(fd, c.connector_id, "DPMS");
    if (dpms == 0 ||
        drmModeConnectorSetProperty(fd, c.connector_id, dpms, DRM_MODE_DPMS_OFF) != 0) {
      return false;
    }
    off->switched_.push_back({fd, c.connector_id, dpms});
    if (std::find(off->fds_.begin(), off->fds_.end(), fd) == off->fds_.end()) {
      off->fds_.push_back(fd);
    }
    return true;
  });
  if (!s.ok()) return s;
  if (off->switched_.empty()) {
    return Status::Io(
        "DPMS: no connected connector could be switched off (is another program "
        "the DRM master?)");
  }
  return off;
}

DrmDpmsOff::~DrmDpmsOff() {
  for (const auto& s : switched_) {
    drmModeConnectorSetProperty(s.fd, s.connector, s.property, DRM_MODE_DPMS_ON);
  }
  for (int fd : fds_) close(fd);
}

}  // namespace kiosk
