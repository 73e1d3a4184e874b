// The fleet's topic names (docs/fleet.md, "Topics and messages"), one set
// for both sides: the unit builds and subscribes to them, `kiosk fleet` and
// its view parse and publish to them. The shipped ACL
// (fleet/mosquitto/acl) names the same prefix and layout; a change here is a
// protocol change.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kiosk::fleet {

// The fixed topic prefix.
inline constexpr std::string_view kTopicPrefix = "kiosk";

// What a topic under kiosk/unit/<name>/ carries.
enum class UnitTopicKind { kPresence, kStatus, kReply, kScreenshot };
struct UnitTopic {
  std::string unit;
  UnitTopicKind kind;
};
// kiosk/unit/<name>/<kind>, or nullopt for any other topic (or a name that
// IsFleetUnitName refuses).
std::optional<UnitTopic> ParseUnitTopic(std::string_view topic);
std::string UnitTopicName(std::string_view unit, UnitTopicKind kind);

// kiosk/cmd/unit/<unit>, kiosk/cmd/tag/<tag>, kiosk/cmd/all.
std::string UnitCommandTopic(std::string_view unit);
std::string TagCommandTopic(std::string_view tag);
std::string AllCommandTopic();

// Topics of one unit, built once by the unit's link.
struct UnitTopics {
  explicit UnitTopics(std::string_view unit);
  std::string presence;    // kiosk/unit/<unit>/presence (retained)
  std::string status;      // kiosk/unit/<unit>/status (retained)
  std::string reply;       // kiosk/unit/<unit>/reply
  std::string screenshot;  // kiosk/unit/<unit>/screenshot (retained)
  std::string commands;    // kiosk/cmd/unit/<unit>
};

// The MQTT client id of a unit: "kiosk-unit-<unit>".
std::string ClientId(std::string_view unit);

}  // namespace kiosk::fleet
