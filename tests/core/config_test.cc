#include "kiosk/core/config.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "kiosk/core/file_store.h"

namespace kiosk {
namespace {

// The one message among messages that contains part; "" if none (or several,
// which the test then reports).
std::string Only(const std::vector<std::string>& messages, const std::string& part) {
  std::string found;
  int count = 0;
  for (const auto& m : messages) {
    if (m.find(part) != std::string::npos) {
      found = m;
      ++count;
    }
  }
  return count == 1 ? found : "";
}

// A config unlike the defaults in every field, as a unit's last good one.
Config LastGood() {
  Config c;
  c.display.languages = {"iu", "en"};
  c.display.layout = LanguageLayout::kAlternate;
  c.display.rotation_degrees = 90;
  c.display.width = 1280;
  c.display.height = 720;
  c.display.crossfade_ms = 300;
  c.display.margin_percent = 2.0;
  c.updates.url = "https://old.example.org/kiosk";
  c.updates.poll_interval_s = 600;
  c.updates.trusted_keys = {"RWQold"};
  c.updates.pinned_ca_file = "/etc/kiosk/old-ca.pem";
  c.updates.max_bundle_bytes = 16ull << 20;
  c.trust.root_keys = {"RWQroot1", "RWQroot2"};
  c.trust.root_threshold = 2;
  c.trust.contact = {"613-236-1222", "lobby@example.org"};
  c.device_name = "old-name";
  c.venue_tags = {"old"};
  c.state_dir = "/srv/kiosk-state";
  c.status_file = "/srv/kiosk-status.json";
  return c;
}

}  // namespace

TEST_CASE("an empty config object means every default") {
  auto c = ParseConfig("{}", "kiosk.json", LastGood());
  CHECK(c.problems.empty());
  CHECK(c.warnings.empty());
  CHECK(c.config == Config{});  // absent fields take defaults, not the fallback
  CHECK(c.config.display.rotation_degrees == 0);
  CHECK(c.config.trust.contact == BuiltinContact());
}

TEST_CASE("every documented field is read") {
  auto c = ParseConfig(R"({
    "display": {"languages": ["iu", "fr", "en"], "layout": "alternate", "rotation": 270,
                "size": "1080x1920",
                "crossfade_ms": 0, "margin_percent": 3.5},
    "updates": {"url": "https://signs.example.org/lobby", "poll_interval_s": 60,
                "trusted_keys": ["RWQabc"], "pinned_ca_file": "/etc/kiosk/ca.pem",
                "max_bundle_mb": 8},
    "trust": {"root_keys": ["RWQr1", "RWQr2", "RWQr3"], "root_threshold": 2,
              "contact": {"hotline": "613-236-1222", "email": "help@example.org"}},
    "device": {"name": "lobby-1", "venue_tags": ["hotel", "ottawa"]},
    "state_dir": "/tmp/state", "status_file": "/tmp/status.json"})",
                       "kiosk.json");
  CHECK(c.problems == std::vector<std::string>{});
  CHECK(c.warnings == std::vector<std::string>{});
  const Config& k = c.config;
  CHECK(k.display.languages == std::vector<std::string>{"iu", "fr", "en"});
  CHECK(k.display.layout == LanguageLayout::kAlternate);
  CHECK(k.display.rotation_degrees == 270);
  CHECK(k.display.width == 1080);
  CHECK(k.display.height == 1920);
  CHECK(k.display.crossfade_ms == 0);
  CHECK(k.display.margin_percent == doctest::Approx(3.5));
  CHECK(k.updates.url == "https://signs.example.org/lobby");
  CHECK(k.updates.poll_interval_s == 60);
  CHECK(k.updates.trusted_keys == std::vector<std::string>{"RWQabc"});
  CHECK(k.updates.pinned_ca_file == "/etc/kiosk/ca.pem");
  CHECK(k.updates.max_bundle_bytes == 8u << 20);
  CHECK(k.trust.root_keys == std::vector<std::string>{"RWQr1", "RWQr2", "RWQr3"});
  CHECK(k.trust.root_threshold == 2);
  CHECK(k.trust.contact.hotline == "613-236-1222");
  CHECK(k.trust.contact.email == "help@example.org");
  CHECK(k.device_name == "lobby-1");
  CHECK(k.venue_tags == std::vector<std::string>{"hotel", "ottawa"});
  CHECK(k.state_dir == "/tmp/state");
  CHECK(k.status_file == "/tmp/status.json");
}

TEST_CASE("a bad rotation keeps its own fallback and the rest of the file applies") {
  auto c = ParseConfig(R"({"display": {"rotation": 45, "size": "640x360"},
                           "updates": {"url": "https://signs.example.org/",
                                       "trusted_keys": ["RWQnew"]}})",
                       "/etc/kiosk/kiosk.json");
  CHECK(c.config.display.rotation_degrees == 0);
  CHECK(c.config.display.width == 640);
  CHECK(c.config.display.height == 360);
  CHECK(c.config.updates.url == "https://signs.example.org/");
  CHECK(c.config.updates.trusted_keys == std::vector<std::string>{"RWQnew"});
  REQUIRE(c.problems.size() == 1);
  CHECK(c.problems[0] ==
        "/etc/kiosk/kiosk.json: $.display.rotation: expected 0, 90, 180 or 270, got 45; "
        "keeping 0");
}

TEST_CASE("a failing field keeps the last good value; an absent one takes the default") {
  // On reload the fallback is the running config: the bad rotation keeps 90,
  // the absent crossfade_ms goes back to its default 800.
  auto c =
      ParseConfig(R"({"display": {"rotation": 45, "layout": "alternate"}})", "k.json", LastGood());
  CHECK(c.config.display.rotation_degrees == 90);
  CHECK(c.config.display.layout == LanguageLayout::kAlternate);
  CHECK(c.config.display.crossfade_ms == 800);
  CHECK(c.config.updates == UpdateConfig{});
  CHECK(Only(c.problems, "$.display.rotation").find("got 45; keeping 90") != std::string::npos);
  // At start the fallback is the defaults.
  auto start = ParseConfig(R"({"display": {"rotation": 45}})", "k.json");
  CHECK(start.config.display.rotation_degrees == 0);
}

TEST_CASE("an unknown field is a problem and is ignored") {
  auto c = ParseConfig(R"({"display": {"rotaton": 90, "crossfade_ms": 100}, "colour": "red"})",
                       "k.json");
  CHECK(c.config.display.rotation_degrees == 0);
  CHECK(c.config.display.crossfade_ms == 100);
  CHECK(Only(c.problems, "k.json: $.display.rotaton: unknown field; ignored") != "");
  CHECK(Only(c.problems, "k.json: $.colour: unknown field; ignored") != "");
  CHECK(c.problems.size() == 2);
}

TEST_CASE("a field of the wrong type keeps its fallback and names what was expected") {
  auto c = ParseConfig(R"({"display": {"crossfade_ms": "fast", "margin_percent": 20,
                                       "size": "big", "layout": 2},
                           "updates": {"poll_interval_s": 5, "url": "ftp://x",
                                       "trusted_keys": "RWQnot-a-list"},
                           "device": {"name": 7}, "state_dir": ["/x"]})",
                       "k.json", LastGood());
  const Config good = LastGood();
  CHECK(c.config.display.crossfade_ms == good.display.crossfade_ms);
  CHECK(c.config.display.margin_percent == good.display.margin_percent);
  CHECK(c.config.display.width == good.display.width);
  CHECK(c.config.display.height == good.display.height);
  CHECK(c.config.display.layout == good.display.layout);
  CHECK(c.config.display.rotation_degrees == 0);  // absent: default
  CHECK(c.config.updates.poll_interval_s == good.updates.poll_interval_s);
  CHECK(c.config.updates.url == good.updates.url);
  CHECK(c.config.updates.trusted_keys == good.updates.trusted_keys);
  CHECK(c.config.updates.pinned_ca_file.empty());  // absent: default
  CHECK(c.config.device_name == good.device_name);
  CHECK(c.config.venue_tags.empty());  // absent: default
  CHECK(c.config.state_dir == good.state_dir);
  CHECK(c.problems.size() == 9);
  CHECK(Only(c.problems,
             "k.json: $.display.crossfade_ms: expected an integer from 0 to 5000, got "
             "a string; keeping 300") != "");
  CHECK(Only(c.problems,
             "$.display.margin_percent: expected a number from 0.0 to 15.0, got 20; "
             "keeping 2.0") != "");
  CHECK(Only(c.problems,
             "$.display.size: expected \"WIDTHxHEIGHT\" with each side from 64 to "
             "8192, got \"big\"; keeping \"1280x720\"") != "");
  CHECK(Only(c.problems,
             "$.display.layout: expected one of \"bilingual\", \"pair\", \"alternate\", got an "
             "integer; keeping \"alternate\"") != "");
  CHECK(Only(c.problems,
             "$.updates.poll_interval_s: expected an integer from 10 to 604800, got "
             "5; keeping 600") != "");
  CHECK(Only(c.problems,
             "$.updates.url: expected an https:// (or http://) URL, got \"ftp://x\"; "
             "keeping \"https://old.example.org/kiosk\"") != "");
  CHECK(Only(c.problems,
             "$.updates.trusted_keys: expected a list of strings, got a string; "
             "keeping [\"RWQold\"]") != "");
  CHECK(Only(c.problems,
             "$.device.name: expected a string, got an integer; keeping "
             "\"old-name\"") != "");
  CHECK(Only(c.problems,
             "$.state_dir: expected a string, got an array; keeping "
             "\"/srv/kiosk-state\"") != "");
}

TEST_CASE(
    "display.languages: tags in the unit's order; bad ones dropped, none left keeps the last") {
  auto c =
      ParseConfig(R"({"display": {"languages": ["ar", "fr-CA", "sr-Latn"], "layout": "pair"}})",
                  "k.json", LastGood());
  CHECK(c.problems == std::vector<std::string>{});
  CHECK(c.config.display.languages == std::vector<std::string>{"ar", "fr-CA", "sr-Latn"});
  CHECK(c.config.display.layout == LanguageLayout::kBilingual);
  CHECK(ParseConfig("{}", "k.json", LastGood()).config.display.languages == kDefaultLanguages);

  auto some = ParseConfig(R"({"display": {"languages": ["iu", "FR", 3, "iu", "en", "e"]}})",
                          "k.json", LastGood());
  CHECK(some.config.display.languages == std::vector<std::string>{"iu", "en"});
  CHECK(some.problems ==
        std::vector<std::string>{
            "k.json: $.display.languages[1]: expected a language tag such as \"fr\", \"iu\" or "
            "\"sr-Latn\", got \"FR\"; ignored",
            "k.json: $.display.languages[2]: expected a language tag such as \"fr\", \"iu\" or "
            "\"sr-Latn\", got an integer; ignored",
            "k.json: $.display.languages[3]: expected each language once, got \"iu\" again; "
            "ignored",
            "k.json: $.display.languages[5]: expected a language tag such as \"fr\", \"iu\" or "
            "\"sr-Latn\", got \"e\"; ignored"});

  Config good = LastGood();
  good.display.languages = {"ar", "en"};
  auto none = ParseConfig(R"({"display": {"languages": ["english"]}})", "k.json", good);
  CHECK(none.config.display.languages == good.display.languages);
  CHECK(Only(none.problems,
             "k.json: $.display.languages: expected at least one language tag; keeping "
             "[\"ar\",\"en\"]") != "");
  auto empty = ParseConfig(R"({"display": {"languages": []}})", "k.json", good);
  CHECK(empty.config.display.languages == good.display.languages);
  CHECK(empty.problems.size() == 1);
  auto not_list = ParseConfig(R"({"display": {"languages": "fr,en"}})", "k.json", good);
  CHECK(not_list.config.display.languages == good.display.languages);
  CHECK(Only(not_list.problems,
             "k.json: $.display.languages: expected a list of language tags such as [\"fr\", "
             "\"en\", \"iu\"], got a string; keeping [\"ar\",\"en\"]") != "");
}

TEST_CASE("a list with one bad element keeps its other elements") {
  auto c = ParseConfig(R"({"updates": {"url": "https://s.example.org/",
                                       "trusted_keys": ["RWQa", 5, "RWQb"]}})",
                       "k.json", LastGood());
  CHECK(c.config.updates.trusted_keys == std::vector<std::string>{"RWQa", "RWQb"});
  CHECK(c.problems ==
        std::vector<std::string>{
            "k.json: $.updates.trusted_keys[1]: expected a string, got an integer; ignored"});
}

TEST_CASE("a section of the wrong type keeps that section's fallback") {
  auto c = ParseConfig(R"({"display": "portrait", "updates": [], "trust": 1, "device": null,
                           "status_file": "/tmp/s.json"})",
                       "k.json", LastGood());
  const Config good = LastGood();
  CHECK(c.config.display == good.display);
  CHECK(c.config.updates == good.updates);
  CHECK(c.config.trust == good.trust);
  CHECK(c.config.device_name == good.device_name);
  CHECK(c.config.venue_tags == good.venue_tags);
  CHECK(c.config.status_file == "/tmp/s.json");
  CHECK(c.problems.size() == 4);
  CHECK(Only(c.problems,
             "k.json: $.display: expected an object, got a string; keeping the last "
             "good display settings") != "");
  CHECK(Only(c.problems, "$.updates: expected an object, got an array") != "");
  CHECK(Only(c.problems, "$.trust: expected an object, got an integer") != "");
  CHECK(Only(c.problems, "$.device: expected an object, got null") != "");
  // At start, the section's defaults.
  auto start = ParseConfig(R"({"display": "portrait"})", "k.json");
  CHECK(start.config.display == DisplayConfig{});
  CHECK(Only(start.problems, "keeping the default display settings") != "");
}

TEST_CASE("text that is not a JSON object keeps the whole fallback") {
  for (const char* text : {"{\"display\": ", "[1, 2]", ""}) {
    CAPTURE(text);
    auto c = ParseConfig(text, "/etc/kiosk/kiosk.json", LastGood());
    CHECK(c.config == LastGood());
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].rfind("/etc/kiosk/kiosk.json: ", 0) == 0);
    CHECK(c.problems[0].find("; keeping the last good configuration") != std::string::npos);
  }
  auto start = ParseConfig("{\"display\": ", "k.json");
  CHECK(start.config == Config{});
  CHECK(Only(start.problems, "k.json: line 1") != "");
  CHECK(Only(start.problems, "keeping the default configuration") != "");
}

TEST_CASE("the trust section: root keys, threshold and the pinned contact") {
  SUBCASE("good") {
    auto c = ParseConfig(R"({"trust": {"root_keys": ["RWQr1", "RWQr2"], "root_threshold": 2,
      "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca"}}})",
                         "k.json");
    CHECK(c.problems.empty());
    CHECK(c.config.trust.root_keys == std::vector<std::string>{"RWQr1", "RWQr2"});
    CHECK(c.config.trust.root_threshold == 2);
    CHECK(c.config.trust.contact == BuiltinContact());
  }
  SUBCASE("a bad hotline keeps the last good one; the good e-mail applies") {
    auto c = ParseConfig(
        R"({"trust": {"contact": {"hotline": "1-800-TRAFFIC", "email": "desk@example.org"}}})",
        "k.json", LastGood());
    CHECK(c.config.trust.contact.hotline == "613-236-1222");
    CHECK(c.config.trust.contact.email == "desk@example.org");
    CHECK(c.problems == std::vector<std::string>{
                            "k.json: $.trust.contact.hotline: expected a North American number "
                            "such as \"1-800-292-1168\", got \"1-800-TRAFFIC\"; keeping "
                            "\"613-236-1222\""});
  }
  SUBCASE("a bad e-mail at start keeps the built-in one") {
    auto c = ParseConfig(R"({"trust": {"contact": {"email": "nobody"}}})", "k.json");
    CHECK(c.config.trust.contact == BuiltinContact());
    CHECK(Only(c.problems,
               "$.trust.contact.email: expected an e-mail address, got \"nobody\"; "
               "keeping \"HumanTrafficking@ottawapolice.ca\"") != "");
  }
  SUBCASE("a threshold above the number of keys keeps the last good threshold") {
    auto c = ParseConfig(R"({"trust": {"root_keys": ["RWQa", "RWQb", "RWQc"],
                                       "root_threshold": 4}})",
                         "k.json", LastGood());
    CHECK(c.config.trust.root_keys.size() == 3);
    CHECK(c.config.trust.root_threshold == 2);
    CHECK(Only(c.problems,
               "k.json: $.trust.root_threshold: expected an integer from 1 to 3, got "
               "4 (at most the number of root_keys); keeping 2") != "");
  }
  SUBCASE("a threshold of 0 is refused") {
    auto c = ParseConfig(R"({"trust": {"root_keys": ["RWQa"], "root_threshold": 0}})", "k.json");
    CHECK(c.config.trust.root_threshold == 1);
    CHECK(Only(c.problems, "$.trust.root_threshold") != "");
  }
  SUBCASE("a key listed twice counts once") {
    auto c = ParseConfig(R"({"trust": {"root_keys": ["RWQa", 7, "RWQb", "RWQa"],
                                       "root_threshold": 3}})",
                         "k.json");
    CHECK(c.config.trust.root_keys == std::vector<std::string>{"RWQa", "RWQb"});
    CHECK(c.config.trust.root_threshold == 1);
    CHECK(Only(c.problems, "$.trust.root_keys[1]: expected a string") != "");
    CHECK(Only(c.problems,
               "$.trust.root_keys[3]: expected each value once, got the value of [0] "
               "again; ignored") != "");
    CHECK(Only(c.problems, "$.trust.root_threshold") != "");
  }
  SUBCASE("a contact of the wrong type keeps the whole contact") {
    auto c = ParseConfig(R"({"trust": {"contact": "1-800-292-1168"}})", "k.json", LastGood());
    CHECK(c.config.trust.contact == LastGood().trust.contact);
    CHECK(Only(c.problems, "$.trust.contact: expected an object, got a string") != "");
  }
}

TEST_CASE("a plain http:// update URL is accepted with a warning") {
  auto c = ParseConfig(R"({"updates": {"url": "http://signs.example.org/",
                                       "trusted_keys": ["RWQa"]}})",
                       "k.json");
  CHECK(c.problems.empty());
  CHECK(c.config.updates.url == "http://signs.example.org/");
  CHECK(c.warnings ==
        std::vector<std::string>{
            "k.json: $.updates.url: plain http:// — content is still verified by its signature, "
            "but anyone on the network path can read and delay updates; use https://"});
  auto https = ParseConfig(R"({"updates": {"url": "https://signs.example.org/",
                                           "trusted_keys": ["RWQa"]}})",
                           "k.json");
  CHECK(https.warnings.empty());
}

TEST_CASE("an update URL without a trusted key is kept, with a problem") {
  // The updater refuses every bundle without a key ("no trusted key"), so
  // nothing unsigned is ever shown; the URL is kept so the unit keeps trying.
  auto c = ParseConfig(R"({"updates": {"url": "https://signs.example.org/"}})", "k.json");
  CHECK(c.config.updates.url == "https://signs.example.org/");
  CHECK(c.config.updates.trusted_keys.empty());
  CHECK(Only(c.problems, "k.json: $.updates.trusted_keys: required when updates.url is set") != "");
}

TEST_CASE("a missing or unreadable file keeps the fallback, unless missing is allowed") {
  MemoryFileStore store;
  auto missing = LoadConfigFile(store, "/etc/kiosk/kiosk.json", LastGood());
  CHECK(missing.config == LastGood());
  CHECK(missing.problems == std::vector<std::string>{"/etc/kiosk/kiosk.json: no such file; "
                                                     "keeping the last good configuration"});
  auto allowed = LoadConfigFile(store, "/etc/kiosk/kiosk.json", Config{}, /*missing_ok=*/true);
  CHECK(allowed.config == Config{});
  CHECK(allowed.problems.empty());

  REQUIRE(store.MakeDirs("/etc/kiosk").ok());
  REQUIRE(store
              .WriteFileAtomic("/etc/kiosk/bad.json",
                               R"({"display": {"rotation": 45, "crossfade_ms": 100}})")
              .ok());
  // missing_ok is about absence only: a file that is there is read as usual.
  auto bad = LoadConfigFile(store, "/etc/kiosk/bad.json", Config{}, /*missing_ok=*/true);
  CHECK(bad.config.display.crossfade_ms == 100);
  CHECK(Only(bad.problems, "/etc/kiosk/bad.json: $.display.rotation") != "");
  REQUIRE(store.WriteFileAtomic("/etc/kiosk/broken.json", "{\"display\": ").ok());
  auto broken = LoadConfigFile(store, "/etc/kiosk/broken.json", LastGood());
  CHECK(broken.config == LastGood());
  CHECK(Only(broken.problems, "broken.json: line 1") != "");
}

TEST_CASE("a config file that cannot be read keeps the fallback whole, naming the file") {
  MemoryFileStore store;
  REQUIRE(store.MakeDirs("/etc/kiosk").ok());
  REQUIRE(
      store.WriteFileAtomic("/etc/kiosk/kiosk.json", R"({"display": {"crossfade_ms": 100}})").ok());
  store.FailReadsUnder("/etc/kiosk");
  // Even with missing_ok: the file is there, so its settings were meant.
  for (bool missing_ok : {false, true}) {
    auto unreadable = LoadConfigFile(store, "/etc/kiosk/kiosk.json", LastGood(), missing_ok);
    CHECK(unreadable.config == LastGood());
    CHECK(unreadable.problems ==
          std::vector<std::string>{"/etc/kiosk/kiosk.json: cannot be read; keeping the last good "
                                   "configuration"});
  }
}

TEST_CASE("no fleet section means no fleet link") {
  auto c = ParseConfig(R"({"device": {"name": "lobby-1"}})", "kiosk.json");
  CHECK(c.problems.empty());
  CHECK_FALSE(c.config.fleet.has_value());
}

TEST_CASE("the fleet section: unit, tags and username default from the device") {
  auto c = ParseConfig(R"({"device": {"name": "lobby-1", "venue_tags": ["hotel-x", "floor 2"]},
                           "fleet": {"broker": "mqtts://broker.example.org:8883",
                                     "password_file": "/etc/kiosk/fleet.pass"}})",
                       "kiosk.json");
  CHECK(c.problems.empty());
  REQUIRE(c.config.fleet.has_value());
  const FleetConfig& f = *c.config.fleet;
  CHECK(f.broker_url == "mqtts://broker.example.org:8883");
  CHECK(f.unit == "lobby-1");
  CHECK(f.username == "lobby-1");
  // "floor 2" cannot be a topic level of ours: left out, with a warning.
  CHECK(f.tags == std::vector<std::string>{"hotel-x"});
  CHECK(Only(c.warnings, "$.device.venue_tags") != "");
  CHECK(f.password_file == "/etc/kiosk/fleet.pass");
  CHECK(f.keepalive_s == 60);
  CHECK(f.heartbeat_s == 300);
}

TEST_CASE("the fleet section: given names win over the device's") {
  auto c = ParseConfig(R"({"device": {"name": "lobby-1", "venue_tags": ["hotel-x"]},
                           "fleet": {"broker": "mqtt://127.0.0.1:1884", "unit": "u-7",
                                     "tags": ["a", "b"], "username": "acct",
                                     "keepalive_s": 5, "heartbeat_s": 30,
                                     "client_cert": "/c.pem", "client_key": "/k.pem",
                                     "ca_file": "/ca.pem"}})",
                       "kiosk.json");
  CHECK(c.problems.empty());
  REQUIRE(c.config.fleet.has_value());
  const FleetConfig& f = *c.config.fleet;
  CHECK(f.unit == "u-7");
  CHECK(f.tags == std::vector<std::string>{"a", "b"});
  CHECK(f.username == "acct");
  CHECK(f.keepalive_s == 5);
  CHECK(f.heartbeat_s == 30);
  CHECK(f.client_cert == "/c.pem");
  CHECK(f.client_key == "/k.pem");
  CHECK(f.ca_file == "/ca.pem");
}

TEST_CASE("a bad fleet field keeps its last good value, naming file, path and what was expected") {
  Config last;
  last.device_name = "lobby-1";
  last.fleet = FleetConfig{};
  last.fleet->broker_url = "mqtts://good.example.org";
  last.fleet->unit = "lobby-1";
  last.fleet->username = "lobby-1";
  last.fleet->keepalive_s = 30;
  auto c = ParseConfig(R"({"device": {"name": "lobby-1"},
                           "fleet": {"broker": "mqtt://broker.example.org", "unit": "a/b",
                                     "keepalive_s": "often", "client_cert": "/c.pem"}})",
                       "/etc/kiosk/kiosk.json", last);
  REQUIRE(c.config.fleet.has_value());
  const FleetConfig& f = *c.config.fleet;
  // Plain MQTT off this machine would carry the password in clear.
  CHECK(f.broker_url == "mqtts://good.example.org");
  const std::string broker = Only(c.problems, "$.fleet.broker");
  CHECK(broker.find("/etc/kiosk/kiosk.json: ") == 0);
  CHECK(broker.find("expected mqtts://") != std::string::npos);
  CHECK(broker.find("keeping \"mqtts://good.example.org\"") != std::string::npos);
  CHECK(f.unit == "lobby-1");
  CHECK(Only(c.problems, "$.fleet.unit: expected a name of letters") != "");
  CHECK(f.keepalive_s == 30);
  CHECK(Only(c.problems, "$.fleet.keepalive_s: expected an integer from 5 to 3600") != "");
  // A certificate without its key is no use: neither is kept.
  CHECK(f.client_cert.empty());
  CHECK(Only(c.problems, "$.fleet.client_key: required with the other") != "");
}

TEST_CASE("a fleet section without a broker, or without a usable unit name, is reported") {
  auto c = ParseConfig(R"({"device": {"name": "Lobby screen"}, "fleet": {}})", "kiosk.json");
  REQUIRE(c.config.fleet.has_value());
  CHECK(c.config.fleet->broker_url.empty());
  CHECK(c.config.fleet->unit.empty());
  CHECK(Only(c.problems, "$.fleet.broker: required") != "");
  CHECK(Only(c.problems, "$.fleet.unit: required when device.name is not a unit name") != "");
  auto not_object = ParseConfig(R"({"fleet": "yes"})", "kiosk.json");
  CHECK_FALSE(not_object.config.fleet.has_value());
  CHECK(Only(not_object.problems, "$.fleet: expected an object, got a string") != "");
}

TEST_CASE("unit names and broker URLs") {
  CHECK(IsFleetUnitName("lobby-1"));
  CHECK(IsFleetUnitName("A.b_c-9"));
  CHECK(IsFleetUnitName(std::string(64, 'a')));
  CHECK_FALSE(IsFleetUnitName(std::string(65, 'a')));
  CHECK_FALSE(IsFleetUnitName(""));
  CHECK_FALSE(IsFleetUnitName("-lobby"));
  for (const char* bad : {"a+", "a#", "a/b", "a b"}) CHECK_FALSE(IsFleetUnitName(bad));
  auto tls = ParseBrokerUrl("mqtts://broker.example.org");
  REQUIRE(tls.ok());
  CHECK(tls->tls);
  CHECK(tls->host == "broker.example.org");
  CHECK(tls->port == 8883);
  auto local = ParseBrokerUrl("mqtt://localhost:1999");
  REQUIRE(local.ok());
  CHECK_FALSE(local->tls);
  CHECK(local->port == 1999);
  auto v6 = ParseBrokerUrl("mqtts://[2001:db8::1]:9883");
  REQUIRE(v6.ok());
  CHECK(v6->host == "2001:db8::1");
  CHECK(v6->port == 9883);
  CHECK_FALSE(ParseBrokerUrl("mqtt://10.0.0.5").ok());
  CHECK_FALSE(ParseBrokerUrl("https://broker").ok());
  CHECK_FALSE(ParseBrokerUrl("mqtts://broker:0").ok());
  CHECK_FALSE(ParseBrokerUrl("mqtts://broker:99999").ok());
  CHECK_FALSE(ParseBrokerUrl("mqtts://user@broker").ok());
  CHECK_FALSE(ParseBrokerUrl("mqtts://").ok());
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE("display.power: weekly on windows are read in the content schedule format") {
  auto c = ParseConfig(R"({"display": {"power": {"on": [
      {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "hours": [{"from": "07:00", "until": "22:00"}]},
      {"weekdays": ["sat"], "hours": [{"from": "09:00", "until": "17:30"}]}]}}})",
                       "kiosk.json");
  CHECK(c.problems.empty());
  REQUIRE(c.config.display.power.on.size() == 2);
  CHECK(c.config.display.power.on[0].weekdays == 0x1F);
  CHECK(c.config.display.power.on[0].hours == std::vector<DailyWindow>{{7 * 3600, 22 * 3600}});
  CHECK(c.config.display.power.on[1].weekdays == 0x20);
  CHECK(c.config.display.power.on[1].hours ==
        std::vector<DailyWindow>{{9 * 3600, 17 * 3600 + 1800}});
}

TEST_CASE("display.power: a bad window keeps the last good schedule whole, naming file and path") {
  Config last_good;
  last_good.display.power.on = {
      Schedule{std::nullopt, std::nullopt, 0x7F, {{8 * 3600, 20 * 3600}}}};
  last_good.display.rotation_degrees = 90;
  auto c = ParseConfig(R"({"display": {"rotation": 180, "power": {"on": [
      {"weekdays": ["mon"], "hours": [{"from": "07:00", "until": "22:00"}]},
      {"weekdays": ["funday"], "hours": [{"from": "25:00", "until": "22:00"}]}]}}})",
                       "/etc/kiosk/kiosk.json", last_good);
  // The good first window is not applied alone either.
  CHECK(c.config.display.power == last_good.display.power);
  CHECK(c.config.display.rotation_degrees == 180);  // the rest of the file applies
  const std::string day = Only(c.problems, "$.display.power.on[1].weekdays[0]");
  CHECK(day.rfind("/etc/kiosk/kiosk.json: ", 0) == 0);
  CHECK(day.find("expected one of \"mon\"") != std::string::npos);
  CHECK(day.find("keeping the last good screen schedule (1 window)") != std::string::npos);
  const std::string hour = Only(c.problems, "$.display.power.on[1].hours[0].from");
  CHECK(hour.find("expected a time of day as \"HH:MM\"") != std::string::npos);

  // At start the fallback is no schedule: the screen stays on.
  auto start = ParseConfig(R"({"display": {"power": {"on": "weekdays"}}})", "k.json");
  CHECK(start.config.display.power.on.empty());
  CHECK(Only(start.problems, "$.display.power.on").find("keeping no screen schedule") !=
        std::string::npos);
  auto unknown = ParseConfig(R"({"display": {"power": {"off": []}}})", "k.json", last_good);
  CHECK(unknown.config.display.power == last_good.display.power);
  CHECK(Only(unknown.problems, "$.display.power.off").find("unknown field") != std::string::npos);
  auto device = ParseConfig(
      R"({"display": {"power": {"on": [{"weekdays": ["mon"]}], "cec_device": "cec0"}}})", "k.json",
      last_good);
  CHECK(device.config.display.power == last_good.display.power);
  CHECK(Only(device.problems, "$.display.power.cec_device").find("expected a CEC device") !=
        std::string::npos);
  auto empty = ParseConfig(R"({"display": {"power": {"on": []}}})", "k.json");
  CHECK(Only(empty.problems, "$.display.power.on").find("at least one window") !=
        std::string::npos);
}

}  // namespace kiosk
