#include "kiosk/core/config.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

namespace kiosk {

TEST_CASE("an empty config object means every default") {
  auto c = ParseConfig("{}", "kiosk.json");
  REQUIRE(c.ok());
  CHECK(c->display.layout == LanguageLayout::kBilingual);
  CHECK(c->display.rotation_degrees == 0);
  CHECK(c->display.crossfade_ms == 800);
  CHECK(c->updates.url.empty());
  CHECK(c->state_dir == "/var/lib/kiosk");
}

TEST_CASE("every documented field is read") {
  auto c = ParseConfig(R"({
    "display": {"layout": "alternate", "rotation": 270, "size": "1080x1920",
                "crossfade_ms": 0, "margin_percent": 3.5},
    "updates": {"url": "https://signs.example.org/lobby", "poll_interval_s": 60,
                "trusted_keys": ["RWQabc"], "pinned_ca_file": "/etc/kiosk/ca.pem",
                "max_bundle_mb": 8},
    "device": {"name": "lobby-1", "venue_tags": ["hotel", "ottawa"]},
    "state_dir": "/tmp/state", "status_file": "/tmp/status.json"})",
                       "kiosk.json");
  REQUIRE(c.ok());
  CHECK(c->display.layout == LanguageLayout::kAlternate);
  CHECK(c->display.rotation_degrees == 270);
  CHECK(c->display.width == 1080);
  CHECK(c->display.height == 1920);
  CHECK(c->display.crossfade_ms == 0);
  CHECK(c->display.margin_percent == doctest::Approx(3.5));
  CHECK(c->updates.url == "https://signs.example.org/lobby");
  CHECK(c->updates.poll_interval_s == 60);
  CHECK(c->updates.trusted_keys == std::vector<std::string>{"RWQabc"});
  CHECK(c->updates.max_bundle_bytes == 8u << 20);
  CHECK(c->device_name == "lobby-1");
  CHECK(c->venue_tags.size() == 2);
  CHECK(c->status_file == "/tmp/status.json");
}

TEST_CASE("config errors name the file, the field and what was expected") {
  auto c = ParseConfig(R"({"display": {"rotation": 45, "size": "big", "colour": 1},
                           "updates": {"url": "ftp://x"}})",
                       "/etc/kiosk/kiosk.json");
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  CHECK(m.find("/etc/kiosk/kiosk.json: $.display.rotation: expected 0, 90, 180 or 270, got 45") !=
        std::string::npos);
  CHECK(m.find("$.display.size: expected \"WIDTHxHEIGHT\"") != std::string::npos);
  CHECK(m.find("$.display.colour: unknown field") != std::string::npos);
  CHECK(m.find("$.updates.url: expected an https:// (or http://) URL") != std::string::npos);
}

TEST_CASE("an update URL without a trusted key is refused: nothing unsigned is ever shown") {
  auto c = ParseConfig(R"({"updates": {"url": "https://signs.example.org/"}})", "k.json");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("$.updates.trusted_keys: required when updates.url is set") !=
        std::string::npos);
}

TEST_CASE("a missing config file is NotFound, an unreadable one says so") {
  auto c = LoadConfigFile("/nonexistent/kiosk.json");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kNotFound);
  auto dir = std::filesystem::temp_directory_path() / "kiosk-config-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.json") << "{\"display\": ";
  auto bad = LoadConfigFile(dir / "bad.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("bad.json: line 1") != std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace kiosk
