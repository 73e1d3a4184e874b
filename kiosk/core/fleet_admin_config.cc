#include "kiosk/core/fleet_admin_config.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "kiosk/core/json_fields.h"

namespace kiosk::fleet {

Result<BrokerAddress> ParseBrokerUrl(std::string_view url) {
  const std::string quoted = "\"" + std::string(url) + "\"";
  BrokerAddress address;
  std::string_view rest;
  if (url.substr(0, 7) == "mqtt://") {
    rest = url.substr(7), address.port = 1883;
  } else if (url.substr(0, 8) == "mqtts://") {
    rest = url.substr(8), address.port = 8883, address.tls = true;
  } else {
    return Status::Invalid("broker URL " + quoted +
                           ": expected mqtts://HOST[:PORT] (TLS) or mqtt://HOST[:PORT]");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  std::string_view host = rest;
  if (colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
    host = rest.substr(0, colon);
    std::string_view port = rest.substr(colon + 1);
    int n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || end != port.data() + port.size() || n < 1 || n > 65535) {
      return Status::Invalid("broker URL " + quoted + ": expected a port from 1 to 65535, got \"" +
                             std::string(port) + "\"");
    }
    address.port = n;
  }
  if (host.empty() || host.find_first_of("/@?# ") != std::string_view::npos) {
    return Status::Invalid("broker URL " + quoted + ": expected a host name after the scheme");
  }
  address.host = std::string(host);
  return address;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

Result<AdminConfig> ParseAdminConfig(std::string_view text, const std::string& file) {
  auto doc = ParseJsonText(text, file);
  if (!doc.ok()) return doc.status();
  JsonErrors errors(file);
  ObjectReader read(errors, *doc, "$");
  AdminConfig config;
  config.broker = read.String("broker", /*required=*/true).value_or("");
  config.username = read.String("username", /*required=*/true).value_or("");
  config.password_file = read.String("password_file", /*required=*/false).value_or("");
  config.ca_file = read.String("ca_file", /*required=*/false).value_or("");
  read.Finish();
  if (!config.broker.empty()) {
    auto url = ParseBrokerUrl(config.broker);
    if (!url.ok()) errors.Add("$.broker", url.status().message());
  }
  if (!errors.empty()) return errors.ToStatus();
  return config;
}

Result<std::string> ReadPasswordFile(FileStore& store, const std::string& path) {
  auto text = store.ReadFile(path);
  if (!text.ok()) return text.status().WithContext("password file " + path);
  std::string password = text->substr(0, text->find('\n'));
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    return Status::Invalid("password file " + path +
                           ": empty (expected the password on its first line)");
  }
  return password;
}

}  // namespace kiosk::fleet
