#include "kiosk/core/config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/core/json_fields.h"

namespace kiosk {
namespace {

void ReadDisplay(ObjectReader& r, DisplayConfig& d, JsonErrors& errors) {
  if (auto v = r.Enum("layout", false, {"bilingual", "alternate"})) {
    d.layout = (*v == "alternate") ? LanguageLayout::kAlternate : LanguageLayout::kBilingual;
  }
  if (auto v = r.Integer("rotation", false, 0, 270)) {
    if (*v % 90 != 0) {
      errors.Add(r.PathOf("rotation"), "expected 0, 90, 180 or 270, got " + std::to_string(*v));
    } else {
      d.rotation_degrees = static_cast<int>(*v);
    }
  }
  if (auto v = r.String("size", false)) {
    int w = 0, h = 0;
    char x = 0;
    std::istringstream in(*v);
    if (!(in >> w >> x >> h) || x != 'x' || !in.eof() || w < 64 || h < 64 || w > 8192 || h > 8192) {
      errors.Add(r.PathOf("size"),
                 "expected \"WIDTHxHEIGHT\" with each side from 64 to 8192, got \"" + *v + "\"");
    } else {
      d.width = w;
      d.height = h;
    }
  }
  if (auto v = r.Integer("crossfade_ms", false, 0, 5000)) d.crossfade_ms = static_cast<int>(*v);
  if (auto v = r.Number("margin_percent", false, 0.0, 15.0)) d.margin_percent = *v;
  r.Finish();
}

void ReadUpdates(ObjectReader& r, UpdateConfig& u, JsonErrors& errors) {
  if (auto v = r.String("url", false)) {
    if (!v->empty() && v->rfind("https://", 0) != 0 && v->rfind("http://", 0) != 0) {
      errors.Add(r.PathOf("url"), "expected an https:// (or http://) URL, got \"" + *v + "\"");
    } else {
      u.url = *v;
    }
  }
  if (auto v = r.Integer("poll_interval_s", false, 10, 7 * 24 * 3600)) {
    u.poll_interval_s = static_cast<int>(*v);
  }
  if (auto v = r.StringArray("trusted_keys", false)) u.trusted_keys = *v;
  if (auto v = r.String("pinned_ca_file", false)) u.pinned_ca_file = *v;
  if (auto v = r.Integer("max_bundle_mb", false, 1, 1024)) {
    u.max_bundle_bytes = static_cast<uint64_t>(*v) << 20;
  }
  r.Finish();
  if (!u.url.empty() && u.trusted_keys.empty()) {
    errors.Add(r.PathOf("trusted_keys"),
               "required when updates.url is set: at least one minisign public key");
  }
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& file) {
  auto json = ParseJsonText(text, file);
  if (!json.ok()) return json.status();
  JsonErrors errors(file);
  Config config;
  ObjectReader root(errors, *json, "$");
  if (const auto* display = root.Object("display", false)) {
    ObjectReader r(errors, *display, root.PathOf("display"));
    ReadDisplay(r, config.display, errors);
  }
  if (const auto* updates = root.Object("updates", false)) {
    ObjectReader r(errors, *updates, root.PathOf("updates"));
    ReadUpdates(r, config.updates, errors);
  }
  if (const auto* device = root.Object("device", false)) {
    ObjectReader r(errors, *device, root.PathOf("device"));
    if (auto v = r.String("name", false)) config.device_name = *v;
    if (auto v = r.StringArray("venue_tags", false)) config.venue_tags = *v;
    r.Finish();
  }
  if (auto v = root.String("state_dir", false)) config.state_dir = *v;
  if (auto v = root.String("status_file", false)) config.status_file = *v;
  root.Finish();
  if (!errors.empty()) return errors.ToStatus();
  return config;
}

Result<Config> LoadConfigFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return Status::NotFound(path.string() + ": no such file");
    }
    return Status::Io(path.string() + ": cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path.string());
}

}  // namespace kiosk
