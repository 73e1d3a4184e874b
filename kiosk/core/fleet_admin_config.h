// How `kiosk fleet` reaches the broker: the broker URL and the admin's
// credentials, from flags or an admin.json with the same fields:
//   {"broker": "mqtts://fleet.example.org:8883", "username": "fleet-admin",
//    "password_file": "/home/me/.config/kiosk/fleet-admin.pass",
//    "ca_file": "/home/me/.config/kiosk/fleet-ca.pem",
//    "client_cert": "/home/me/.config/kiosk/admin.pem",
//    "client_key": "/home/me/.config/kiosk/admin.key"}
// client_cert and client_key go together (a broker that requires client
// certificates), as in the unit's fleet section.
// Pure: files are read through FileStore.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kiosk/core/config.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"

namespace kiosk::fleet {

// The broker URL follows the unit's rules (ParseBrokerUrl, config.h): one
// parser for both, so plain mqtt:// goes to this machine only.

struct AdminConfig {
  std::string broker;
  std::string username;
  std::string password_file;
  std::string ca_file;
  std::string client_cert;  // PEM; both or neither
  std::string client_key;
};

// Parses admin.json (unknown fields are errors, each problem names the file
// and the JSON path).
Result<AdminConfig> ParseAdminConfig(std::string_view text, const std::string& file);

// The password: the file's first line, without its line ending. Invalid if
// the file is empty.
Result<std::string> ReadPasswordFile(FileStore& store, const std::string& path);

}  // namespace kiosk::fleet
