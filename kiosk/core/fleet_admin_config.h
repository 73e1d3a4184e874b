// How `kiosk fleet` reaches the broker: the broker URL and the admin's
// credentials, from flags or an admin.json with the same fields:
//   {"broker": "mqtts://fleet.example.org:8883", "username": "fleet-admin",
//    "password_file": "/home/me/.config/kiosk/fleet-admin.pass",
//    "ca_file": "/home/me/.config/kiosk/fleet-ca.pem"}
// Pure: files are read through FileStore.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"

namespace kiosk::fleet {

struct BrokerAddress {
  bool tls = false;
  std::string host;
  int port = 0;
};

// mqtt://HOST[:PORT] (plain, default 1883) or mqtts://HOST[:PORT] (TLS,
// default 8883). Invalid naming the URL and what was expected otherwise.
Result<BrokerAddress> ParseBrokerUrl(std::string_view url);

// Plain MQTT sends the admin's password in the clear: only for the machine
// itself.
bool IsLoopbackHost(std::string_view host);

struct AdminConfig {
  std::string broker;
  std::string username;
  std::string password_file;
  std::string ca_file;
};

// Parses admin.json (unknown fields are errors, each problem names the file
// and the JSON path).
Result<AdminConfig> ParseAdminConfig(std::string_view text, const std::string& file);

// The password: the file's first line, without its line ending. Invalid if
// the file is empty.
Result<std::string> ReadPasswordFile(FileStore& store, const std::string& path);

}  // namespace kiosk::fleet
