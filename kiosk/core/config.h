// The unit's configuration: one JSON file (/etc/kiosk/kiosk.json by default),
// documented in docs/configuration.md. Every field is optional; a missing file
// means all defaults. Unknown fields and wrong types are errors naming the
// file and the JSON path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/pinned_contact.h"
#include "kiosk/core/status.h"

namespace kiosk {

enum class LanguageLayout {
  kBilingual,  // French and English side by side (landscape) or stacked (portrait)
  kAlternate,  // each slide shown in French, then in English
};

struct DisplayConfig {
  LanguageLayout layout = LanguageLayout::kBilingual;
  int rotation_degrees = 0;  // 0, 90, 180 or 270, clockwise, done by the program
  // Window size for windowed mode and for headless runs; 0x0 = the display's mode.
  int width = 0;
  int height = 0;
  int crossfade_ms = 800;  // 0 = cut
  // Safe-area margin for TV overscan, percent of each screen side.
  double margin_percent = 5.0;
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
};

// The unit's own trust settings (docs/bundle-format.md, "Trust").
struct TrustConfig {
  // minisign public keys of the offline root keys; empty = no root role
  // (updates.trusted_keys sign bundles directly, as before).
  std::vector<std::string> root_keys;
  int root_threshold = 1;  // root keys that must sign a root document
  // The contact the band shows until a root document pins another.
  PinnedContact contact;
};

struct Config {
  DisplayConfig display;
  UpdateConfig updates;
  TrustConfig trust;
  std::string device_name;              // shown in the status file
  std::vector<std::string> venue_tags;  // shown in the status file
  std::filesystem::path state_dir = "/var/lib/kiosk";
  std::filesystem::path status_file = "/run/kiosk/status.json";
};

// Parses config text; file is used in messages only.
Result<Config> ParseConfig(std::string_view text, const std::string& file);
// Reads and parses a file. A missing file is NotFound (callers may treat the
// default path's absence as "all defaults").
Result<Config> LoadConfigFile(const std::filesystem::path& path);

}  // namespace kiosk
