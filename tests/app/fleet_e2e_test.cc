// The fleet link end to end: the real player (headless) against a real
// mosquitto on 127.0.0.1 with the repository's ACL (fleet/mosquitto/acl),
// and an administrator's client on the same broker.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "kiosk/platform/screenshot.h"
#include "tests/common/child_process.h"
#include "tests/common/fixtures.h"
#include "tests/common/images.h"
#include "tests/common/mosquitto_broker.h"
#include "tests/common/mqtt_test_client.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Sh;
using testing::Slurp;

const fs::path kSource = KIOSK_SOURCE_DIR;

testing::MosquittoOptions FleetUsers() {
  testing::MosquittoOptions o;
  o.users = {{"u1", "pw-u1"}, {"u2", "pw-u2"}, {"fleet-admin", "pw-admin"}};
  return o;
}

// kiosk.json for unit u1 on the broker; `updates` is the JSON of an updates
// section ("" for none).
void WriteConfig(const fs::path& work, int broker_port, const std::string& password,
                 const std::string& updates = "", int keepalive_s = 60) {
  std::ofstream(work / "u1.pass") << password << "\n";
  fs::permissions(work / "u1.pass", fs::perms::owner_read | fs::perms::owner_write);
  fs::create_directories(work / "state");
  json config = {
      {"device", {{"name", "u1"}, {"venue_tags", {"hotel-x"}}}},
      {"fleet",
       {{"broker", "mqtt://127.0.0.1:" + std::to_string(broker_port)},
        {"password_file", (work / "u1.pass").string()},
        {"keepalive_s", keepalive_s}}},
      {"state_dir", (work / "state").string()},
      {"status_file", (work / "status.json").string()},
  };
  if (!updates.empty()) config["updates"] = json::parse(updates);
  std::ofstream(work / "kiosk.json") << config.dump(2);
}

testing::ChildProcess StartPlayer(const fs::path& work, bool with_content = true) {
  std::vector<std::string> args = {KIOSK_BIN, "--allow-root", "--size",
                                   "800x480", "--config",     (work / "kiosk.json").string()};
  if (with_content) {
    testing::WriteOneSlideBundle(work / "start", "Start");
    args.insert(args.end(), {"--content", (work / "start").string()});
  }
  return testing::ChildProcess(args, {"SDL_VIDEODRIVER=dummy"});
}

// The status file once pred holds for it, or its last reading after timeout.
json WaitForStatusFile(const fs::path& file, const std::function<bool(const json&)>& pred,
                       milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json last;
  do {
    json j = json::parse(Slurp(file), nullptr, false);
    if (!j.is_discarded()) {
      last = j;
      if (pred(j)) return j;
    }
    usleep(50 * 1000);
  } while (std::chrono::steady_clock::now() < deadline);
  return last;
}

bool Connected(const json& status) {
  return status.contains("fleet") && status["fleet"]["connected"] == true;
}

// The status file once it says the link is up (the test stops if it never does).
json WaitConnected(const fs::path& work) {
  json j = WaitForStatusFile(work / "status.json", Connected, seconds(20));
  REQUIRE_MESSAGE(Connected(j), j.dump());
  return j;
}

json Parse(const std::optional<testing::MqttMessage>& m) {
  return m ? json::parse(m->payload, nullptr, false) : json();
}

std::string Cmd(const std::string& command, const std::string& id) {
  return json({{"command", command}, {"id", id}}).dump();
}

}  // namespace

TEST_CASE("fleet: the status is retained, presence online, and a killed unit is offline soon") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  const int keepalive_s = 5;  // libmosquitto's least
  WriteConfig(work, broker.port(), "pw-u1", "", keepalive_s);
  auto player = StartPlayer(work);
  REQUIRE(player.WaitForOutput("first frame on screen", seconds(20)));
  json file = WaitForStatusFile(work / "status.json", Connected, seconds(20));
  REQUIRE_MESSAGE(Connected(file), file.dump());
  CHECK(file["fleet"]["broker"] == broker.url());
  CHECK(file["fleet"]["unit"] == "u1");

  // An administrator who connects later still gets the status: retained.
  usleep(2500 * 1000);  // past the first message's debounce
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/#");
  auto status = admin.WaitFor("kiosk/unit/u1/status", seconds(10));
  REQUIRE(status);
  CHECK(status->retained);
  json s = Parse(status);
  CHECK(s["schema"] == 1);
  CHECK(s["unit"] == "u1");
  CHECK(s["tags"] == json({"hotel-x"}));
  CHECK(s["heartbeat_s"] == 300);
  CHECK(s["status"]["shown"]["source"] == "override");
  CHECK(s["status"]["shown"]["name"] == "Start");
  CHECK(s["status"]["fleet"]["connected"] == true);
  auto presence = admin.WaitFor("kiosk/unit/u1/presence", seconds(10));
  REQUIRE(presence);
  CHECK(presence->retained);
  CHECK(Parse(presence)["online"] == true);
  CHECK(Parse(presence)["since"].is_string());

  // kill -9: the socket closes, and the broker's last will marks the unit
  // offline at once; the issue's bound is 1.5x keepalive.
  const size_t before = admin.count();
  const auto killed_at = std::chrono::steady_clock::now();
  kill(player.pid(), SIGKILL);
  auto offline = admin.WaitFor(
      "kiosk/unit/u1/presence", seconds(10),
      [](const testing::MqttMessage& m) { return json::parse(m.payload)["online"] == false; },
      before);
  REQUIRE(offline);
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - killed_at);
  MESSAGE("offline after " << took.count() << " ms (keepalive " << keepalive_s << " s)");
  CHECK(took.count() <= keepalive_s * 1500 + 1000);
  CHECK(Parse(offline) == json::parse(R"({"online":false})"));
}

TEST_CASE("fleet: a unit that goes silent (frozen: no pings, no FIN) is marked offline") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  const int keepalive_s = 5;
  WriteConfig(work, broker.port(), "pw-u1", "", keepalive_s);
  auto player = StartPlayer(work);
  WaitConnected(work);
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/presence");
  REQUIRE(admin.WaitFor("kiosk/unit/u1/presence", seconds(10)));
  const size_t before = admin.count();
  // As a network that vanished: the socket stays open, nothing more comes.
  const auto stopped_at = std::chrono::steady_clock::now();
  kill(player.pid(), SIGSTOP);
  auto offline = admin.WaitFor("kiosk/unit/u1/presence", seconds(20), {}, before);
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - stopped_at);
  kill(player.pid(), SIGKILL);
  REQUIRE(offline);
  CHECK(Parse(offline)["online"] == false);
  MESSAGE("offline after " << took.count() << " ms (keepalive " << keepalive_s << " s)");
  // MQTT's rule is 1.5x keepalive after the last packet; mosquitto 2.0.11
  // acts on it late (9 to 11 s measured here for 5 s). A generous bound:
  // a unit that stops pinging is marked offline, in seconds, not never.
  CHECK(took.count() <= keepalive_s * 3000);
}

TEST_CASE("fleet: a clean stop says so on the presence topic") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  WriteConfig(work, broker.port(), "pw-u1");
  auto player = StartPlayer(work);
  WaitConnected(work);
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/presence");
  REQUIRE(admin.WaitFor("kiosk/unit/u1/presence", seconds(10)));
  const size_t before = admin.count();
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);
  auto stopped = admin.WaitFor("kiosk/unit/u1/presence", seconds(5), {}, before);
  REQUIRE(stopped);
  CHECK(Parse(stopped)["online"] == false);
  CHECK(Parse(stopped)["reason"] == "stopped");
}

TEST_CASE("fleet: check-now makes the unit fetch and verify at once, seen in the next status") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  fs::create_directories(work / "www");
  REQUIRE(Sh("cd " + work.string() + " && minisign -G -W -p admin.pub -s admin.key >/dev/null") ==
          0);
  auto publish = [&](const std::string& title, int version) {
    testing::WriteOneSlideBundle(work / "src", title);
    REQUIRE(Sh(std::string(KIOSK_BIN) + " bundle build " + (work / "src").string() + " " +
               (work / "www").string() + " --version " + std::to_string(version) + " >/dev/null") ==
            0);
    REQUIRE(Sh("minisign -S -s " + (work / "admin.key").string() + " -m " +
               (work / "www" / "manifest.json").string() + " >/dev/null") == 0);
  };
  publish("Alpha", 1);
  testing::ChildProcess server({"/usr/bin/python3",
                                (kSource / "tests/servers/fault_server.py").string(), "--root",
                                (work / "www").string(), "--max-seconds", "120"});
  REQUIRE(server.WaitForOutput("https=", seconds(10)));
  const int port = std::stoi(server.output().substr(server.output().find("http=") + 5));
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  // An hour between polls: only the first, at start, and the one asked for.
  WriteConfig(work, broker.port(), "pw-u1",
              json({{"url", "http://127.0.0.1:" + std::to_string(port)},
                    {"poll_interval_s", 3600},
                    {"trusted_keys", {testing::KeyLine(work / "admin.pub")}}})
                  .dump());
  auto player = StartPlayer(work, /*with_content=*/false);
  REQUIRE(player.WaitForOutput("network bundle v1 verified", seconds(30)));
  WaitConnected(work);

  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/#");
  REQUIRE(admin.WaitFor("kiosk/unit/u1/status", seconds(10)));
  publish("Beta", 2);
  const size_t before = admin.count();
  admin.Publish("kiosk/cmd/tag/hotel-x", Cmd("check-now", "c-1"));
  auto reply = admin.WaitFor("kiosk/unit/u1/reply", seconds(10), {}, before);
  REQUIRE(reply);
  CHECK(Parse(reply)["id"] == "c-1");
  CHECK(Parse(reply)["command"] == "check-now");
  CHECK(Parse(reply)["result"] == "started");
  CHECK(player.WaitForOutput("network bundle v2 verified", seconds(30)));
  // The outcome in a later status message.
  auto applied = admin.WaitFor(
      "kiosk/unit/u1/status", seconds(20),
      [](const testing::MqttMessage& m) {
        json j = json::parse(m.payload);
        return j["status"]["last_check_result"] == "applied" &&
               j["fleet"]["last_command"]["id"] == "c-1";
      },
      before);
  REQUIRE(applied);
  CHECK(Parse(applied)["status"]["last_check"].is_string());
  // A second one within 30 s is refused as rate-limited, without a poll.
  const size_t second = admin.count();
  admin.Publish("kiosk/cmd/unit/u1", Cmd("check-now", "c-2"));
  auto limited = admin.WaitFor("kiosk/unit/u1/reply", seconds(10), {}, second);
  REQUIRE(limited);
  CHECK(Parse(limited)["result"] == "rate-limited");
}

TEST_CASE("fleet: the screenshot is the frame on screen, as `kiosk render` draws it, scaled") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  WriteConfig(work, broker.port(), "pw-u1");
  auto player = StartPlayer(work);
  WaitConnected(work);
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/#");
  usleep(300 * 1000);
  admin.Publish("kiosk/cmd/unit/u1", Cmd("screenshot", "s-1"));
  auto png = admin.WaitFor("kiosk/unit/u1/screenshot", seconds(10));
  REQUIRE(png);
  CHECK(png->retained == false);  // delivered live; the broker keeps it for later subscribers
  auto reply = admin.WaitFor("kiosk/unit/u1/reply", seconds(10));
  REQUIRE(reply);
  CHECK(Parse(reply)["result"] == "done");
  CHECK(Parse(reply)["message"] ==
        "600x360 PNG, " + std::to_string(png->payload.size()) + " bytes");

  std::ofstream(work / "shot.png", std::ios::binary) << png->payload;
  auto got = testing::LoadRgb((work / "shot.png").string());
  REQUIRE(got);
  CHECK(got->w == 600);
  CHECK(got->h == 360);
  // `kiosk render` of the slide on screen, scaled as the player scales.
  auto rendered = testing::LoadRgb(testing::RenderFirstSlide(work / "start", work / "render"));
  REQUIRE(rendered);
  auto expected = ScaleToFit(rendered.get(), kScreenshotMaxWidth, kScreenshotMaxHeight);
  REQUIRE(expected.ok());
  const long differ = testing::DifferingPixels(got.get(), expected->get());
  MESSAGE(differ << " of " << 600 * 360 << " pixels differ");
  CHECK(differ >= 0);
  CHECK(differ <= 600 * 360 / 200);  // at most 0.5%: same slide, same scaling
  // Another slide would not pass: the same check against a different title.
  testing::WriteOneSlideBundle(work / "other", "Other");
  auto other = testing::LoadRgb(testing::RenderFirstSlide(work / "other", work / "render-other"));
  auto other_scaled = ScaleToFit(other.get(), kScreenshotMaxWidth, kScreenshotMaxHeight);
  REQUIRE(other_scaled.ok());
  CHECK(testing::DifferingPixels(got.get(), other_scaled->get()) > 600 * 360 / 200);
  // And a later subscriber gets it retained.
  testing::MqttTestClient late("admin-2", "fleet-admin", "pw-admin");
  REQUIRE(late.Connect(broker.port()) == 0);
  late.Subscribe("kiosk/unit/u1/screenshot");
  auto kept = late.WaitFor("kiosk/unit/u1/screenshot", seconds(10));
  REQUIRE(kept);
  CHECK(kept->retained);
  CHECK(kept->payload == png->payload);
  // reload takes the SIGHUP path.
  const size_t before_reload = admin.count();
  admin.Publish("kiosk/cmd/all", Cmd("reload", "r-1"));
  auto reloaded = admin.WaitFor("kiosk/unit/u1/reply", seconds(10), {}, before_reload);
  REQUIRE(reloaded);
  CHECK(Parse(reloaded)["id"] == "r-1");
  CHECK(Parse(reloaded)["result"] == "done");
  CHECK(player.WaitForOutput("fleet command r-1: reloading configuration and content", seconds(5)));
}

TEST_CASE("fleet: with a wrong password the unit keeps showing, says why, and retries") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  WriteConfig(work, broker.port(), "not-the-password");
  auto player = StartPlayer(work);
  REQUIRE(player.WaitForOutput("first frame on screen", seconds(20)));
  json file = WaitForStatusFile(
      work / "status.json",
      [](const json& j) { return j.contains("fleet") && j["fleet"]["last_error"].is_object(); },
      seconds(20));
  REQUIRE_MESSAGE(file.contains("fleet"), file.dump());
  CHECK(file["fleet"]["connected"] == false);
  CHECK(file["fleet"]["last_error"]["reason"] == "broker refused: not authorised");
  CHECK(file["shown"]["name"] == "Start");  // still showing
  // It tries again (1 s backoff with full jitter, then 2 s, ...): the broker
  // sees more than one attempt within a few seconds, and the player runs on.
  auto attempts = [&] {
    const std::string log = Slurp(broker.log_file());
    int n = 0;
    // Only the player connects to this broker.
    for (size_t at = log.find("Sending CONNACK to"); at != std::string::npos;
         at = log.find("Sending CONNACK to", at + 1)) {
      ++n;
    }
    return n;
  };
  bool retried = false;
  for (int i = 0; i < 100 && !retried; ++i, usleep(100 * 1000)) retried = attempts() >= 2;
  CHECK_MESSAGE(retried, Slurp(broker.log_file()));
  CHECK(kill(player.pid(), 0) == 0);
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);
}

TEST_CASE("fleet: the shipped ACL keeps a unit to its own topics") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/#");
  testing::MqttTestClient unit("kiosk-unit-u1", "u1", "pw-u1");
  REQUIRE(unit.Connect(broker.port()) == 0);
  unit.Subscribe("kiosk/unit/u2/#");  // another unit's status: not readable
  usleep(300 * 1000);
  unit.Publish("kiosk/unit/u2/status", "forged", true);
  unit.Publish("kiosk/cmd/all", Cmd("check-now", "x"));
  unit.Publish("kiosk/unit/u1/status", "own");
  auto own = admin.WaitFor("kiosk/unit/u1/status", seconds(10));
  REQUIRE(own);  // the broker passed the unit's own message...
  CHECK(own->payload == "own");
  // ...and none of the others (sent before it, on the same connection).
  for (const auto& m : admin.messages()) {
    CHECK_MESSAGE(m.topic == "kiosk/unit/u1/status", m.topic);
  }
  testing::MqttTestClient u2("kiosk-unit-u2", "u2", "pw-u2");
  REQUIRE(u2.Connect(broker.port()) == 0);
  u2.Publish("kiosk/unit/u2/status", "u2 own");
  REQUIRE(admin.WaitFor("kiosk/unit/u2/status", seconds(10)));
  usleep(300 * 1000);
  for (const auto& m : unit.messages()) FAIL_CHECK("u1 read " << m.topic);
}

TEST_CASE("fleet: another unit's commands and a compromised broker's payloads change nothing") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  WriteConfig(work, broker.port(), "pw-u1");
  auto player = StartPlayer(work);
  json before = WaitConnected(work);
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/#");
  usleep(300 * 1000);
  const size_t start = admin.count();
  // Commands for another unit: never seen by this one.
  admin.Publish("kiosk/cmd/unit/u2", Cmd("screenshot", "for-u2"));
  admin.Publish("kiosk/cmd/unit/u2", Cmd("reload", "for-u2-reload"));
  // What a compromised broker might send on every topic this unit reads.
  const std::vector<std::string> payloads = {
      "",
      "garbage \xff\xfe",
      R"({"command":"check-now","id":"bad id with spaces"})",
      R"({"command":"install","id":"g1","url":"http://evil.example/bundle"})",
      R"({"command":"content","id":"g2","slides":[{"title":"forged"}],"hotline":"1-900-555-0100"})",
      R"({"command":"screenshot","id":"g3","unit":"u2"})",
      R"([{"command":"reload","id":"g4"}])",
      std::string(5000, '{'),
  };
  for (const char* topic : {"kiosk/cmd/unit/u1", "kiosk/cmd/tag/hotel-x", "kiosk/cmd/all"}) {
    for (const auto& p : payloads) admin.Publish(topic, p);
  }
  // A real command after them, so the garbage has surely been read first.
  admin.Publish("kiosk/cmd/unit/u1", Cmd("screenshot", "real"));
  auto done = admin.WaitFor("kiosk/unit/u1/reply", seconds(15), [](const testing::MqttMessage& m) {
    return json::parse(m.payload)["id"] == "real";
  });
  REQUIRE(done);
  CHECK(Parse(done)["result"] == "done");
  // Refusals for those whose id could be read; nothing else answered.
  int refused = 0, screenshots = 0;
  for (size_t i = start; i < admin.messages().size(); ++i) {
    const auto m = admin.messages()[i];
    if (m.topic == "kiosk/unit/u1/screenshot") ++screenshots;
    if (m.topic != "kiosk/unit/u1/reply") continue;
    json r = json::parse(m.payload);
    if (r["id"] == "real") continue;
    CHECK_MESSAGE(r["result"] == "refused", m.payload);
    CHECK(r["id"] != "for-u2");
    ++refused;
  }
  CHECK(refused == 3 * 3);  // g1, g2, g3 on each of the three topics
  CHECK(screenshots == 1);  // only the real one
  // What is shown is what was shown.
  json after = json::parse(Slurp(work / "status.json"));
  CHECK(after["shown"] == before["shown"]);
  CHECK(player.output().find("reloading") == std::string::npos);
  CHECK(player.output().find("for-u2") == std::string::npos);
}

}  // namespace kiosk

namespace kiosk {
namespace {

// kiosk.json's fleet section with a TLS broker and a pinned CA.
void UseTls(const fs::path& work, int tls_port, const fs::path& ca_file,
            const fs::path& client_cert = {}, const fs::path& client_key = {}) {
  json config = json::parse(Slurp(work / "kiosk.json"));
  config["fleet"]["broker"] = "mqtts://127.0.0.1:" + std::to_string(tls_port);
  config["fleet"]["ca_file"] = ca_file.string();
  config["fleet"].erase("client_cert");
  config["fleet"].erase("client_key");
  if (!client_cert.empty()) {
    config["fleet"]["client_cert"] = client_cert.string();
    config["fleet"]["client_key"] = client_key.string();
  }
  std::ofstream(work / "kiosk.json") << config.dump(2);
}

// A broker with the usual plain listener plus a TLS one whose certificate the
// test CA (work/pki, made here) signed; with require_client_certificate, TLS
// clients must show a certificate from the same CA.
struct TlsBroker {
  fs::path pki;
  int tls_port = 0;
  std::unique_ptr<testing::MosquittoBroker> broker;
};
TlsBroker StartTlsBroker(const fs::path& work, bool require_client_certificate) {
  TlsBroker out;
  out.pki = work / "pki";
  REQUIRE(Sh("python3 -c \"import sys; sys.path.insert(0, '" +
             (kSource / "tests/servers").string() + "'); import testpki; testpki.make_pki('" +
             out.pki.string() + "')\"") == 0);
  testing::MosquittoOptions options = FleetUsers();
  out.tls_port = testing::FreeLoopbackPort();
  options.extra_config = "listener " + std::to_string(out.tls_port) + " 127.0.0.1\ncertfile " +
                         (out.pki / "server.pem").string() + "\nkeyfile " +
                         (out.pki / "server.key").string() + "\n";
  if (require_client_certificate) {
    options.extra_config +=
        "cafile " + (out.pki / "ca.pem").string() + "\nrequire_certificate true\n";
  }
  out.broker = std::make_unique<testing::MosquittoBroker>(work / "broker", options);
  REQUIRE_MESSAGE(out.broker->ok(), out.broker->error());
  WriteConfig(work, out.broker->port(), "pw-u1");
  return out;
}

// The unit (kiosk.json already pointing at the TLS listener) connects and an
// admin sees its status; then it stops.
void ExpectLinkUp(const fs::path& work, const TlsBroker& tls) {
  auto player = StartPlayer(work);
  json file = WaitConnected(work);
  CHECK(file["fleet"]["broker"] == "mqtts://127.0.0.1:" + std::to_string(tls.tls_port));
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(tls.broker->port()) == 0);
  admin.Subscribe("kiosk/unit/u1/status");
  REQUIRE(admin.WaitFor("kiosk/unit/u1/status", seconds(10)));
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);
}

// The unit gets no link, its status file says why, and the screen shows all
// the same.
void ExpectLinkRefused(const fs::path& work) {
  fs::remove(work / "status.json");
  auto player = StartPlayer(work);
  json file = WaitForStatusFile(
      work / "status.json",
      [](const json& j) { return j.contains("fleet") && j["fleet"]["last_error"].is_object(); },
      seconds(20));
  REQUIRE_MESSAGE(file.contains("fleet"), file.dump());
  CHECK(file["fleet"]["connected"] == false);
  MESSAGE(file["fleet"]["last_error"]["reason"]);
  CHECK(file["fleet"]["last_error"]["reason"].get<std::string>().find("cannot reach broker") == 0);
  CHECK(file["shown"]["name"] == "Start");
}

}  // namespace

TEST_CASE("fleet: TLS with the pinned CA connects; a broker the CA did not sign is refused") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  TlsBroker tls = StartTlsBroker(work, /*require_client_certificate=*/false);
  UseTls(work, tls.tls_port, tls.pki / "ca.pem");
  ExpectLinkUp(work, tls);
  // Pinned to a CA that did not sign the broker's certificate.
  UseTls(work, tls.tls_port, tls.pki / "other-ca.pem");
  ExpectLinkRefused(work);
}

TEST_CASE("fleet: a broker that requires client certificates takes the unit's") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  TlsBroker tls = StartTlsBroker(work, /*require_client_certificate=*/true);
  UseTls(work, tls.tls_port, tls.pki / "ca.pem", tls.pki / "client.pem", tls.pki / "client.key");
  ExpectLinkUp(work, tls);
  // The same unit without its certificate: the broker ends the handshake.
  UseTls(work, tls.tls_port, tls.pki / "ca.pem");
  ExpectLinkRefused(work);
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE("fleet: after a broker restart the unit reconnects and publishes its status again") {
  testing::TempDir scratch("kiosk-fleet");
  const fs::path& work = scratch.path();
  testing::MosquittoBroker broker(work / "broker", FleetUsers());
  REQUIRE_MESSAGE(broker.ok(), broker.error());
  WriteConfig(work, broker.port(), "pw-u1");
  auto player = StartPlayer(work);
  WaitConnected(work);
  // A crash of the broker (SIGKILL; no persistence: retained messages gone).
  broker.Stop();
  json down = WaitForStatusFile(
      work / "status.json", [](const json& j) { return !Connected(j); }, seconds(20));
  CHECK_FALSE(Connected(down));
  // The loss, or (when the file is read after the first retry) the refused
  // reconnection: either way the unit says why it has no link.
  const std::string reason = down["fleet"]["last_error"]["reason"].get<std::string>();
  INFO(reason);
  CHECK(
      (reason.find("connection to broker lost") == 0 ||
       reason.find("cannot reach broker mqtt://127.0.0.1:" + std::to_string(broker.port())) == 0));
  CHECK(down["shown"]["name"] == "Start");
  usleep(1000 * 1000);
  REQUIRE(broker.Start());
  // Backoff 1 s then 2 s, 4 s ... with full jitter: back within seconds.
  WaitConnected(work);
  usleep(2500 * 1000);  // its messages since the reconnection are at the broker
  testing::MqttTestClient admin("admin-1", "fleet-admin", "pw-admin");
  REQUIRE(admin.Connect(broker.port()) == 0);
  admin.Subscribe("kiosk/unit/u1/#");
  auto status = admin.WaitFor("kiosk/unit/u1/status", seconds(10));
  REQUIRE(status);
  CHECK(status->retained);
  auto presence = admin.WaitFor("kiosk/unit/u1/presence", seconds(10));
  REQUIRE(presence);
  CHECK(Parse(presence)["online"] == true);
}

}  // namespace kiosk
