#include "kiosk/core/fleet/fleet_topics.h"

#include "kiosk/core/config.h"

namespace kiosk::fleet {
namespace {

constexpr const char* kKindNames[] = {"presence", "status", "reply", "screenshot"};

std::string Under(std::string_view path) {
  std::string topic(kTopicPrefix);
  topic += '/';
  topic += path;
  return topic;
}

}  // namespace

std::optional<UnitTopic> ParseUnitTopic(std::string_view topic) {
  const std::string prefix = Under("unit/");
  if (topic.substr(0, prefix.size()) != prefix) return std::nullopt;
  topic.remove_prefix(prefix.size());
  size_t slash = topic.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view unit = topic.substr(0, slash), kind = topic.substr(slash + 1);
  if (!IsFleetUnitName(unit)) return std::nullopt;
  for (int i = 0; i < 4; ++i) {
    if (kind == kKindNames[i]) return UnitTopic{std::string(unit), static_cast<UnitTopicKind>(i)};
  }
  return std::nullopt;
}

std::string UnitTopicName(std::string_view unit, UnitTopicKind kind) {
  return Under("unit/" + std::string(unit) + "/" + kKindNames[static_cast<int>(kind)]);
}

std::string UnitCommandTopic(std::string_view unit) {
  return Under("cmd/unit/" + std::string(unit));
}
std::string TagCommandTopic(std::string_view tag) { return Under("cmd/tag/" + std::string(tag)); }
std::string AllCommandTopic() { return Under("cmd/all"); }

UnitTopics::UnitTopics(std::string_view unit)
    : presence(UnitTopicName(unit, UnitTopicKind::kPresence)),
      status(UnitTopicName(unit, UnitTopicKind::kStatus)),
      reply(UnitTopicName(unit, UnitTopicKind::kReply)),
      screenshot(UnitTopicName(unit, UnitTopicKind::kScreenshot)),
      commands(UnitCommandTopic(unit)) {}

std::string ClientId(std::string_view unit) { return "kiosk-unit-" + std::string(unit); }

}  // namespace kiosk::fleet
