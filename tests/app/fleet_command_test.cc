// `kiosk fleet` (the command line: tables, messages, exit codes) against a
// real mosquitto on 127.0.0.1 with simulated units that follow the protocol
// (tests/common/simulated_fleet.h).
#include "kiosk/app/fleet_command.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "kiosk/core/clock.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/common/mosquitto_broker.h"
#include "tests/common/simulated_fleet.h"
#include "tests/common/temp_dir.h"

namespace kiosk {
namespace {

using testing::MosquittoBroker;
using testing::SimulatedFleet;
using testing::SimulatedUnitSpec;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "fresh frame";

SimulatedUnitSpec Unit(const std::string& name, int64_t version, std::vector<std::string> tags) {
  SimulatedUnitSpec spec;
  spec.name = name;
  spec.password = "pw-" + name;
  spec.tags = tags;
  spec.status = testing::SampleUnitStatus(name, version, tags);
  spec.screenshot_png = kPng;
  return spec;
}

// A broker, three units (two at a hotel, on v42 and v41; one at a station
// showing built-in content) and the admin's password file.
struct FleetSetup {
  testing::TempDir dir{"kiosk-fleet"};
  std::vector<SimulatedUnitSpec> specs = {Unit("lobby-1", 42, {"hotel-x"}),
                                          Unit("lobby-2", 41, {"hotel-x"}),
                                          Unit("gare-1", 0, {"station"})};
  std::unique_ptr<MosquittoBroker> broker;
  std::unique_ptr<SimulatedFleet> fleet;
  PosixFileStore store;
  SystemClock clock;

  FleetSetup() {
    testing::MosquittoOptions options;
    options.users = {{"fleet-admin", "admin-secret"}};
    for (const auto& s : specs) options.users.push_back({s.name, s.password});
    broker = std::make_unique<MosquittoBroker>(dir.path() / "broker", options);
    REQUIRE_MESSAGE(broker->ok(), broker->error());
    std::ofstream(dir.path() / "admin.pass") << "admin-secret\n";
    testing::SimulatedFleetOptions fleet_options;
    fleet_options.port = broker->port();
    fleet = std::make_unique<SimulatedFleet>(specs, fleet_options);
    fleet->Start();
    REQUIRE(SimulatedFleet::WaitFor([&] { return fleet->CountConnected() == 3; },
                                    std::chrono::seconds(10)));
  }

  struct Run {
    int code;
    std::string out, err;
  };
  Run Fleet(std::vector<std::string> args, const std::string& password_file = "") {
    std::vector<std::string> all = {"fleet"};
    all.insert(all.end(), args.begin(), args.end());
    for (const std::string& option :
         {std::string("--broker"), broker->url(), std::string("--username"),
          std::string("fleet-admin"), std::string("--password-file"),
          password_file.empty() ? (dir.path() / "admin.pass").string() : password_file,
          std::string("--wait"), std::string("0.5"), std::string("--timeout"), std::string("3")}) {
      all.push_back(option);
    }
    std::ostringstream out, err;
    int code = RunFleetCommand(all, store, clock, out, err);
    return {code, out.str(), err.str()};
  }
};

// The table's line for a unit.
std::string LineOf(const std::string& table, const std::string& unit) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(unit + " ", 0) == 0) return line;
  return "";
}

TEST_CASE("kiosk fleet list: every unit from its retained presence and status; --tag filters") {
  FleetSetup setup;
  auto run = setup.Fleet({"list"});
  CHECK(run.code == 0);
  INFO(run.out, run.err);
  CHECK(LineOf(run.out, "lobby-1").find("online since") != std::string::npos);
  CHECK(LineOf(run.out, "lobby-1").find("v42") != std::string::npos);
  CHECK(LineOf(run.out, "lobby-1").find("showing 1920x1080") != std::string::npos);
  CHECK(LineOf(run.out, "lobby-2").find("v41") != std::string::npos);
  CHECK(LineOf(run.out, "gare-1").find("builtin") != std::string::npos);
  CHECK(run.out.find("3 units, 3 online") != std::string::npos);

  auto hotel = setup.Fleet({"--tag", "hotel-x"});  // list is the default
  CHECK(hotel.code == 0);
  CHECK(LineOf(hotel.out, "lobby-1") != "");
  CHECK(LineOf(hotel.out, "gare-1") == "");
  CHECK(hotel.out.find("2 units, 2 online") != std::string::npos);
}

TEST_CASE("kiosk fleet list: a killed unit is offline, with when it was last seen") {
  FleetSetup setup;
  setup.fleet->Kill("lobby-2");
  // The broker publishes the will when the socket closes.
  std::string line;
  SimulatedFleet::WaitFor(
      [&] {
        line = LineOf(setup.Fleet({"list"}).out, "lobby-2");
        return line.find("OFFLINE") != std::string::npos;
      },
      std::chrono::seconds(10));
  INFO(line);
  CHECK(line.find("OFFLINE, last seen 20") != std::string::npos);
  CHECK(LineOf(setup.Fleet({"list"}).out, "lobby-1").find("online since") != std::string::npos);
}

TEST_CASE("kiosk fleet outdated: the units not on the newest version, and why") {
  FleetSetup setup;
  auto run = setup.Fleet({"outdated"});
  INFO(run.out, run.err);
  CHECK(run.code == 1);
  CHECK(run.out.find("newest version: v42 (seen in the fleet)") != std::string::npos);
  CHECK(run.out.find("lobby-2: shows v41") != std::string::npos);
  CHECK(run.out.find("gare-1: shows built-in content") != std::string::npos);
  CHECK(run.out.find("lobby-1:") == std::string::npos);

  auto older = setup.Fleet({"outdated", "--newest", "41", "--tag", "hotel-x"});
  CHECK(older.code == 0);
  CHECK(older.out.find("every unit shows v41 or newer") != std::string::npos);
}

TEST_CASE("kiosk fleet check-now: reaches the named unit, a tag, all; says who answered what") {
  FleetSetup setup;
  auto one = setup.Fleet({"check-now", "lobby-1"});
  INFO(one.out, one.err);
  CHECK(one.code == 0);
  CHECK(one.out.find("lobby-1: started") != std::string::npos);
  auto commands = setup.fleet->State("lobby-1").commands;
  REQUIRE(commands.size() == 1);
  CHECK(commands[0].topic == "kiosk/cmd/unit/lobby-1");
  CHECK(commands[0].payload.find(R"("command":"check-now")") != std::string::npos);
  CHECK(commands[0].payload.find(R"("unit":"lobby-1")") != std::string::npos);
  CHECK(setup.fleet->State("lobby-2").commands.empty());

  // lobby-1 checked a moment ago: it answers rate-limited, which is not done.
  auto tag = setup.Fleet({"check-now", "--tag", "hotel-x"});
  CHECK(tag.code == 1);
  CHECK(tag.out.find("lobby-1: rate-limited") != std::string::npos);
  CHECK(tag.out.find("lobby-2: started") != std::string::npos);
  CHECK(setup.fleet->State("gare-1").commands.empty());

  auto reload = setup.Fleet({"reload", "--all"});
  CHECK(reload.code == 0);
  for (const char* unit : {"lobby-1", "lobby-2", "gare-1"}) {
    CHECK(reload.out.find(std::string(unit) + ": done") != std::string::npos);
    CHECK(setup.fleet->State(unit).commands.back().topic == "kiosk/cmd/all");
  }
}

TEST_CASE("kiosk fleet check-now: a named unit that does not answer is a failure") {
  FleetSetup setup;
  setup.fleet->Kill("gare-1");
  // Before the will arrives the unit is still "online": either way it cannot
  // answer.
  auto run = setup.Fleet({"check-now", "gare-1"});
  INFO(run.out, run.err);
  CHECK(run.code == 1);
  CHECK(run.out.find("gare-1: NO REPLY within 3 s") != std::string::npos);
  // --all: the offline unit is listed as not asked, the others answer.
  SimulatedFleet::WaitFor(
      [&] {
        return LineOf(setup.Fleet({"list"}).out, "gare-1").find("OFFLINE") != std::string::npos;
      },
      std::chrono::seconds(10));
  auto all = setup.Fleet({"check-now", "--all"});
  CHECK(all.code == 0);
  CHECK(all.out.find("gare-1: not asked, OFFLINE") != std::string::npos);
  CHECK(all.out.find("lobby-2: started") != std::string::npos);
}

TEST_CASE("kiosk fleet screenshot: the frame sent after the command, written atomically") {
  FleetSetup setup;
  // An old screenshot already retained on the broker must not be taken for
  // the new one.
  std::ofstream(setup.dir.path() / "old.png") << std::string("\x89PNG\r\n\x1a\n", 8) << "old";
  std::string publish = "mosquitto_pub -h 127.0.0.1 -p " + std::to_string(setup.broker->port()) +
                        " -u lobby-1 -P pw-lobby-1 -q 1 -r -t kiosk/unit/lobby-1/screenshot -f '" +
                        (setup.dir.path() / "old.png").string() + "'";
  REQUIRE(std::system(publish.c_str()) == 0);
  const auto out = setup.dir.path() / "lobby-1.png";
  auto run = setup.Fleet({"screenshot", "lobby-1", "--out", out.string()});
  INFO(run.out, run.err);
  CHECK(run.code == 0);
  std::ifstream in(out, std::ios::binary);
  std::ostringstream written;
  written << in.rdbuf();
  CHECK(written.str() == kPng);
  // Again within 10 s: the unit refuses, nothing is overwritten.
  std::filesystem::remove(out);
  auto again = setup.Fleet({"screenshot", "lobby-1", "--out", out.string()});
  CHECK(again.code == 1);
  CHECK(again.err.find("lobby-1 answered rate-limited") != std::string::npos);
  CHECK(!std::filesystem::exists(out));
}

TEST_CASE("kiosk fleet: broker unreachable, not authorised, unknown unit, usage") {
  FleetSetup setup;
  auto unknown = setup.Fleet({"check-now", "lobby-9"});
  CHECK(unknown.code == 1);
  CHECK(unknown.err.find("unknown unit lobby-9: it has published no presence or status") !=
        std::string::npos);
  CHECK(unknown.err.find("gare-1, lobby-1, lobby-2") != std::string::npos);

  std::ofstream(setup.dir.path() / "wrong.pass") << "not-the-password\n";
  auto denied = setup.Fleet({"list"}, (setup.dir.path() / "wrong.pass").string());
  CHECK(denied.code == 1);
  CHECK(denied.err.find("not authorised") != std::string::npos);
  CHECK(denied.err.find("\"fleet-admin\"") != std::string::npos);

  std::ostringstream out, err;
  int code = RunFleetCommand(
      {"fleet", "list", "--broker",
       "mqtt://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort()), "--username", "x"},
      setup.store, setup.clock, out, err);
  CHECK(code == 1);
  CHECK(err.str().find("broker unreachable: 127.0.0.1:") != std::string::npos);

  CHECK(setup.Fleet({"check-now"}).code == 2);
  CHECK(setup.Fleet({"check-now", "lobby-1", "--all"}).code == 2);
  CHECK(setup.Fleet({"screenshot", "lobby-1"}).code == 2);
  CHECK(setup.Fleet({"frobnicate"}).code == 2);
  std::ostringstream out2, err2;
  CHECK(RunFleetCommand({"fleet", "list"}, setup.store, setup.clock, out2, err2) == 1);
  CHECK(err2.str().find("no broker: give --broker or --config") != std::string::npos);
}

TEST_CASE("kiosk fleet --config admin.json: the same fields as the flags; bad fields named") {
  FleetSetup setup;
  const auto config = setup.dir.path() / "admin.json";
  std::ofstream(config) << R"({"broker": ")" << setup.broker->url()
                        << R"(", "username": "fleet-admin", "password_file": ")"
                        << (setup.dir.path() / "admin.pass").string() << R"("})";
  std::ostringstream out, err;
  CHECK(RunFleetCommand({"fleet", "list", "--config", config.string(), "--wait", "0.5"},
                        setup.store, setup.clock, out, err) == 0);
  CHECK(LineOf(out.str(), "lobby-1") != "");

  std::ofstream(config) << R"({"broker": "http://x", "user": "a"})";
  std::ostringstream out2, err2;
  CHECK(RunFleetCommand({"fleet", "list", "--config", config.string()}, setup.store, setup.clock,
                        out2, err2) == 1);
  INFO(err2.str());
  CHECK(err2.str().find("$.username") != std::string::npos);
  CHECK(err2.str().find("$.user") != std::string::npos);
  CHECK(err2.str().find("$.broker") != std::string::npos);
}

// A broker with a TLS listener whose certificate the test CA (dir/pki)
// signed, requiring client certificates or not, and one unit (lobby-1, v42)
// connected to its plain listener.
struct TlsFleet {
  explicit TlsFleet(const std::filesystem::path& dir, bool require_client_certificate)
      : pki(dir / "pki"), tls_port(testing::FreeLoopbackPort()) {
    std::string make_pki =
        "python3 -c \"import sys; sys.path.insert(0, '" + std::string(KIOSK_SOURCE_DIR) +
        "/tests/servers'); import testpki; testpki.make_pki('" + pki.string() + "')\"";
    REQUIRE(std::system(make_pki.c_str()) == 0);
    testing::MosquittoOptions options;
    options.users = {{"fleet-admin", "admin-secret"}, {"lobby-1", "pw-lobby-1"}};
    options.extra_config = "listener " + std::to_string(tls_port) + " 127.0.0.1\ncertfile " +
                           (pki / "server.pem").string() + "\nkeyfile " +
                           (pki / "server.key").string() + "\n";
    if (require_client_certificate) {
      options.extra_config +=
          "cafile " + (pki / "ca.pem").string() + "\nrequire_certificate true\n";
    }
    broker = std::make_unique<MosquittoBroker>(dir / "broker", options);
    REQUIRE_MESSAGE(broker->ok(), broker->error());
    REQUIRE(SimulatedFleet::WaitFor([&] { return testing::LoopbackPortAccepts(tls_port); },
                                    std::chrono::seconds(5)));
    testing::SimulatedFleetOptions fleet_options;
    fleet_options.port = broker->port();
    fleet = std::make_unique<SimulatedFleet>(std::vector{Unit("lobby-1", 42, {"hotel-x"})},
                                             fleet_options);
    fleet->Start();
    REQUIRE(SimulatedFleet::WaitFor([&] { return fleet->CountConnected() == 1; },
                                    std::chrono::seconds(10)));
    std::ofstream(dir / "admin.pass") << "admin-secret\n";
    password_file = (dir / "admin.pass").string();
  }
  // Runs kiosk fleet with these arguments.
  int Run(const std::vector<std::string>& args, std::string& out_text, std::string& err_text) {
    std::ostringstream out, err;
    int code = RunFleetCommand(args, store, clock, out, err);
    out_text = out.str(), err_text = err.str();
    return code;
  }
  // fleet list over TLS with the admin's password, pinning the given CA file.
  std::vector<std::string> ListArgs(const std::string& ca) const {
    return {"fleet",           "list",
            "--broker",        "mqtts://127.0.0.1:" + std::to_string(tls_port),
            "--username",      "fleet-admin",
            "--password-file", password_file,
            "--ca-file",       (pki / ca).string(),
            "--wait",          "0.5"};
  }
  std::filesystem::path pki;
  int tls_port;
  std::string password_file;
  std::unique_ptr<MosquittoBroker> broker;
  std::unique_ptr<SimulatedFleet> fleet;
  PosixFileStore store;
  SystemClock clock;
};

TEST_CASE("kiosk fleet over TLS: the pinned CA is accepted, another CA is refused") {
  testing::TempDir dir{"kiosk-fleet-tls"};
  TlsFleet tls(dir.path(), /*require_client_certificate=*/false);
  std::string out, err;
  CHECK(tls.Run(tls.ListArgs("ca.pem"), out, err) == 0);
  INFO(out, err);
  CHECK(LineOf(out, "lobby-1").find("v42") != std::string::npos);
  CHECK(err.find("warning") == std::string::npos);
  CHECK(tls.Run(tls.ListArgs("other-ca.pem"), out, err) == 1);
  CHECK(err.find("broker unreachable: 127.0.0.1:" + std::to_string(tls.tls_port)) !=
        std::string::npos);
  CHECK(err.find("--ca-file") != std::string::npos);
}

TEST_CASE("kiosk fleet with a client certificate: a broker that requires one lets it in") {
  testing::TempDir dir{"kiosk-fleet-cert"};
  TlsFleet tls(dir.path(), /*require_client_certificate=*/true);
  const auto config = dir.path() / "admin.json";
  std::ofstream(config) << R"({"broker": "mqtts://127.0.0.1:)" << tls.tls_port
                        << R"(", "username": "fleet-admin", "password_file": ")"
                        << tls.password_file << R"(", "ca_file": ")"
                        << (tls.pki / "ca.pem").string() << R"(", "client_cert": ")"
                        << (tls.pki / "client.pem").string() << R"(", "client_key": ")"
                        << (tls.pki / "client.key").string() << R"("})";
  std::string out, err;
  CHECK(tls.Run({"fleet", "list", "--config", config.string(), "--wait", "0.5"}, out, err) == 0);
  INFO(out, err);
  CHECK(LineOf(out, "lobby-1").find("v42") != std::string::npos);
  // Without the certificate the broker ends the handshake.
  CHECK(tls.Run(tls.ListArgs("ca.pem"), out, err) == 1);
  CHECK(err.find("broker unreachable: 127.0.0.1:" + std::to_string(tls.tls_port)) !=
        std::string::npos);
  // A certificate without its key is refused before any connection.
  std::vector<std::string> half = tls.ListArgs("ca.pem");
  half.insert(half.end(), {"--client-cert", (tls.pki / "client.pem").string()});
  CHECK(tls.Run(half, out, err) == 1);
  CHECK(err.find("give both --client-cert and --client-key") != std::string::npos);
  // A key file that cannot be read is named.
  std::vector<std::string> missing = half;
  missing.insert(missing.end(), {"--client-key", (tls.pki / "nope.key").string()});
  CHECK(tls.Run(missing, out, err) == 1);
  CHECK(err.find("--client-key " + (tls.pki / "nope.key").string() + ": cannot be read") !=
        std::string::npos);
}

}  // namespace
}  // namespace kiosk
