#include "kiosk/core/display_presence.h"

#include <utility>

namespace kiosk {
namespace {

std::vector<ConnectorInfo> ConnectedOnly(const std::vector<ConnectorInfo>& all) {
  std::vector<ConnectorInfo> out;
  for (const auto& c : all) {
    if (c.connected) out.push_back(c);
  }
  return out;
}

std::vector<std::string> NamesOf(const std::vector<ConnectorInfo>& all) {
  std::vector<std::string> out;
  for (const auto& c : all) out.push_back(c.name);
  return out;
}

}  // namespace

DisplayPresence::DisplayPresence(std::vector<ConnectorInfo> connectors)
    : connected_(ConnectedOnly(connectors)), names_(NamesOf(connectors)) {}

DisplayPresence::Action DisplayPresence::Observe(std::vector<ConnectorInfo> connectors) {
  std::vector<ConnectorInfo> now = ConnectedOnly(connectors);
  names_ = NamesOf(connectors);
  const bool changed = now != connected_;
  connected_ = std::move(now);
  if (!changed) return Action::kNone;
  if (connected_.empty()) return Action::kStopDrawing;
  // Back after a disconnection, or the connected set changed under us (a
  // TV swapped between two events, a second port, a new mode): SDL chose
  // its connector and mode at start, so either way it must start again.
  return Action::kReopen;
}

bool DisplayPresence::connected() const { return !connected_.empty(); }

std::string DisplayPresence::Describe() const {
  std::string out;
  if (connected_.empty()) {
    out = "no connector connected (";
    for (size_t i = 0; i < names_.size(); ++i) out += (i ? ", " : "") + names_[i];
    return out + (names_.empty() ? "none found)" : ")");
  }
  for (size_t i = 0; i < connected_.size(); ++i) {
    const auto& c = connected_[i];
    out +=
        (i ? ", " : "") + c.name + " " + std::to_string(c.width) + "x" + std::to_string(c.height);
  }
  return out;
}

}  // namespace kiosk
