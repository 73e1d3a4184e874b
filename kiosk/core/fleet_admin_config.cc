#include "kiosk/core/fleet_admin_config.h"

#include <nlohmann/json.hpp>

#include "kiosk/core/json_fields.h"

namespace kiosk::fleet {

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
  config.client_cert = read.String("client_cert", /*required=*/false).value_or("");
  config.client_key = read.String("client_key", /*required=*/false).value_or("");
  read.Finish();
  if (config.client_cert.empty() != config.client_key.empty()) {
    errors.Add(config.client_cert.empty() ? "$.client_cert" : "$.client_key",
               "required with the other: expected both client_cert and client_key, got one");
  }
  if (!config.broker.empty()) {
    auto url = ParseBrokerUrl(config.broker);
    if (!url.ok()) {
      errors.Add("$.broker", "broker URL \"" + config.broker + "\": " + url.status().message());
    }
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
