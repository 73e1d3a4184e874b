// The unit's configuration: one JSON file (/etc/kiosk/kiosk.json by default),
// documented in docs/configuration.md. Every field is optional.
//
// One bad field never costs the others: a field that fails keeps its last
// good value (the default at start), the rest of the file applies, and each
// problem is reported naming the file, the JSON path, what was expected and
// what was kept. A typo in rotation must not drop the unit's trusted keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/file_store.h"
#include "kiosk/core/language.h"
#include "kiosk/core/pinned_contact.h"
#include "kiosk/core/screen_power.h"
#include "kiosk/core/status.h"

namespace kiosk {

// How a slide's languages (LanguagesShown in content.h) share the screen.
enum class LanguageLayout {
  // "bilingual" (alias "pair"): the first two languages shown, together, at
  // the same size: side by side (landscape) or stacked (portrait).
  kBilingual,
  // "alternate": one language at a time, each for the slide's full duration,
  // cycling through all the languages shown.
  kAlternate,
};

struct DisplayConfig {
  // The unit's languages (BCP 47 tags, language.h), in its order: which of
  // a slide's languages are shown, and which leads. At least one.
  std::vector<std::string> languages = kDefaultLanguages;
  LanguageLayout layout = LanguageLayout::kBilingual;
  int rotation_degrees = 0;  // 0, 90, 180 or 270, clockwise, done by the program
  // Window size for windowed mode and for headless runs; 0x0 = the display's mode.
  int width = 0;
  int height = 0;
  int crossfade_ms = 800;  // 0 = cut
  // Safe-area margin for TV overscan, percent of each screen side.
  double margin_percent = 5.0;
  // When the screen is on (display.power.on; screen_power.h). A schedule
  // with any bad part keeps the last good one whole: half a schedule could
  // switch the screen off when it must be on.
  ScreenPowerConfig power;
  bool operator==(const DisplayConfig&) const = default;
};

struct UpdateConfig {
  // Base URL of the published bundle: the unit fetches <url>/manifest.json,
  // <url>/manifest.json.minisig and the files the manifest lists. Empty =
  // updates off (the unit shows its cached or built-in content).
  std::string url;
  int poll_interval_s = 300;
  // minisign public keys, each the base64 line of a minisign .pub file
  // ("RWQ..."). A bundle must be signed by one of them.
  std::vector<std::string> trusted_keys;
  // Optional CA bundle to pin (PEM); empty = the system's CAs.
  std::string pinned_ca_file;
  uint64_t max_bundle_bytes = 32ull << 20;
  bool operator==(const UpdateConfig&) const = default;
};

// The unit's own trust settings (docs/configuration.md, "trust"). Core only
// checks their shape; the updater parses each key.
struct TrustConfig {
  // minisign public keys (the base64 line of a .pub file) of the offline root
  // keys that sign the unit's root document. Empty = none.
  std::vector<std::string> root_keys;
  // How many of root_keys must sign a root document, 1..root_keys.size().
  // Never lowered to fit fewer keys: a threshold no set of keys can meet
  // accepts no root document (fails closed).
  int root_threshold = 1;
  // The hotline and e-mail the unit shows whatever content says.
  PinnedContact contact = BuiltinContact();
  bool operator==(const TrustConfig&) const = default;
};

// The fleet link (docs/fleet.md): the unit reports its status to an MQTT
// broker and takes a few commands (check now, screenshot, reload) from it.
// Absent from kiosk.json = no fleet link at all.
struct FleetConfig {
  // "mqtts://host[:port]" (port 8883 by default), or "mqtt://host[:port]"
  // (1883) for a broker on this machine only (127.0.0.1, ::1, localhost):
  // a password must never cross a network in clear.
  std::string broker_url;
  // The unit's name on the broker, [A-Za-z0-9][A-Za-z0-9._-]{0,63}; empty in
  // the file = the device's name. Empty after ParseConfig = no usable name
  // (a problem says so and the link stays off).
  std::string unit;
  // The venue tags whose commands the unit takes (kiosk/cmd/tag/<tag>),
  // each a name like the unit's; absent = the device's venue_tags that are.
  std::vector<std::string> tags;
  std::string username;                 // empty = the unit name
  std::string password_file;            // the password, alone in a file (mode 0600)
  std::string ca_file;                  // PEM CAs to pin; empty = the system's
  std::string client_cert, client_key;  // PEM, both or neither
  int keepalive_s = 60;
  int heartbeat_s = 300;
  bool operator==(const FleetConfig&) const = default;
};

// Whether name may be a unit name: [A-Za-z0-9][A-Za-z0-9._-]{0,63} (never
// + # / or spaces, which would be MQTT wildcards or topic levels).
bool IsFleetUnitName(std::string_view name);

// A broker URL split up: scheme "mqtts" or "mqtt".
struct BrokerAddress {
  bool tls = true;
  std::string host;
  int port = 8883;
};
// Parses "mqtts://host[:port]" or "mqtt://host[:port]" (no path, no user
// part); "mqtt" only with a loopback host. The error says what was expected.
Result<BrokerAddress> ParseBrokerUrl(std::string_view url);
// This machine: localhost, 127.0.0.0/8, ::1 (with or without brackets). The
// only hosts plain MQTT may go to, from a unit or from `kiosk fleet`.
bool IsLoopbackHost(std::string_view host);

struct Config {
  DisplayConfig display;
  UpdateConfig updates;
  TrustConfig trust;
  std::string device_name;              // shown in the status file
  std::vector<std::string> venue_tags;  // shown in the status file
  // The IANA zone ("America/Toronto") in which schedules are read; empty =
  // the system's (/etc/localtime). Checked against the tz database.
  std::string time_zone;
  std::filesystem::path state_dir = "/var/lib/kiosk";
  std::filesystem::path status_file = "/run/kiosk/status.json";
  // nullopt = no "fleet" section: no fleet link.
  std::optional<FleetConfig> fleet;
  bool operator==(const Config&) const = default;
};

// What reading a configuration gave: always a usable Config, and what to tell
// the administrator about it.
struct ConfigLoad {
  Config config;
  // Fields refused, each "FILE: $.json.path: what was expected, got X;
  // keeping Y" (or "...: unknown field; ignored").
  std::vector<std::string> problems;
  // Fields accepted but worth a word (a plain http:// update URL).
  std::vector<std::string> warnings;
};

// Parses config text; file names it in messages only. fallback holds the
// values kept for fields that fail: the last good config on reload, the
// defaults at start.
//   - A field absent from the text takes its default (Config{}).
//   - A field present and valid takes the text's value.
//   - A field present and invalid keeps fallback's value, with a problem.
//   - A list of strings with some non-string elements keeps its strings (a
//     problem for each other element); only a field that is not a list at
//     all keeps fallback's list.
//   - A section ("display", "updates", "trust", ...) that is not an object
//     keeps fallback's values for the whole section, with one problem.
//   - Text that is not JSON, or whose root is not an object: fallback whole,
//     with one problem.
//   - Unknown fields are problems, and ignored.
ConfigLoad ParseConfig(std::string_view text, const std::string& file, const Config& fallback = {});

// Reads path through store and parses it as ParseConfig does. A missing or
// unreadable file keeps fallback whole, with a problem naming the path; except
// that with missing_ok (the default path at start) a missing file means every
// default and no problem.
ConfigLoad LoadConfigFile(FileStore& store, const std::filesystem::path& path,
                          const Config& fallback = {}, bool missing_ok = false);

}  // namespace kiosk
