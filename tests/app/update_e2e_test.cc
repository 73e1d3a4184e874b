// End to end: an administrator publishes a signed bundle to a web server on
// 127.0.0.1, the player (headless) picks it up and the frame on screen
// changes; a newer version replaces it; a forged one does not. And a slow
// server never holds the player's signals or its watchdog.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/app/commands.h"
#include "tests/common/child_process.h"
#include "tests/common/fixtures.h"
#include "tests/common/images.h"
#include "tests/common/temp_dir.h"
#include "tests/platform/net/test_servers.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kSource = KIOSK_SOURCE_DIR;

using testing::Sh;
using testing::Slurp;

// Builds src into the web root as version n and signs it with the key.
void Publish(const fs::path& work, const std::string& title, int version, const std::string& key) {
  testing::WriteOneSlideBundle(work / "src", title);
  REQUIRE(Sh(std::string(KIOSK_BIN) + " bundle build " + (work / "src").string() + " " +
             (work / "www").string() + " --version " + std::to_string(version) + " >/dev/null") ==
          0);
  REQUIRE(Sh("minisign -S -s " + (work / key).string() + " -m " +
             (work / "www" / "manifest.json").string() + " >/dev/null") == 0);
}

fs::path RenderExpected(const fs::path& work, const std::string& title) {
  testing::WriteOneSlideBundle(work / ("expected-" + title), title);
  return testing::RenderFirstSlide(work / ("expected-" + title), work / ("png-" + title));
}

// True once a captured frame equals the expected PNG.
bool Shown(const fs::path& captures, const fs::path& expected) {
  auto want = testing::LoadRgb(expected.string());
  for (const auto& entry : fs::directory_iterator(captures)) {
    auto got = testing::LoadRgb(entry.path().string());
    if (got && testing::DifferingPixels(got.get(), want.get()) == 0) return true;
  }
  return false;
}

// A bound datagram socket standing for systemd's NOTIFY_SOCKET: receives
// the player's READY=1 and WATCHDOG=1.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path.string();
    REQUIRE(p.size() < sizeof(addr.sun_path));
    p.copy(addr.sun_path, p.size());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~NotifySocket() { close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // Throws away the messages queued so far.
  void Drain() {
    char buf[4096];
    while (recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
  }
  // Whether a message containing `text` arrives within timeout.
  bool Receive(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0 && std::string(buf, static_cast<size_t>(n)).find(text) != std::string::npos) {
        return true;
      }
    }
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("SIGHUP and SIGTERM are answered at once while a slow server trickles the manifest") {
  testing::TempDir scratch("kiosk-slow");
  const fs::path& work = scratch.path();
  REQUIRE(Sh("cd " + work.string() + " && minisign -G -W -p admin.pub -s admin.key >/dev/null") ==
          0);
  const std::string key_line = testing::KeyLine(work / "admin.pub");

  // manifest.json comes at 1200 B/s, just above the fetcher's 1024 B/s
  // floor: only the 120 s total timeout would end that download.
  auto server = testing::FaultServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  REQUIRE((*server)->SetFault("/manifest.json", "trickle").ok());
  std::ofstream(work / "kiosk.json") << R"({
    "updates": {"url": ")" << (*server)->Url("")
                                     << R"(", "poll_interval_s": 10,
                "trusted_keys": [")" << key_line
                                     << R"("]},
    "state_dir": ")" << (work / "state").string()
                                     << R"(",
    "status_file": ")" << (work / "status.json").string()
                                     << R"("})";
  fs::create_directories(work / "state");

  // As under systemd with WatchdogSec=1: a ping at least every 500 ms.
  NotifySocket systemd(work / "notify");
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--size", "800x480", "--config", (work / "kiosk.json").string()},
      {"SDL_VIDEODRIVER=dummy", "NOTIFY_SOCKET=" + (work / "notify").string(),
       "WATCHDOG_USEC=1000000"});
  REQUIRE(player.WaitForOutput("first frame on screen", seconds(20)));
  // The first poll is on the wire, well into the slow manifest.
  auto requested = [&](size_t n) {
    auto log = (*server)->RequestLog();
    return log.ok() &&
           static_cast<size_t>(std::count(log->begin(), log->end(), "GET /manifest.json")) >= n;
  };
  // (Generous: a sanitizer build on a busy machine starts slowly.)
  for (int i = 0; i < 400 && !requested(1); ++i) usleep(50 * 1000);
  REQUIRE(requested(1));
  usleep(1000 * 1000);
  REQUIRE(systemd.Receive("WATCHDOG=1", seconds(1)));

  // SIGHUP: the configuration is reloaded and the updater restarted (its
  // first line) within a second; the watchdog keeps being fed.
  const size_t before_hup = player.output().size();
  const auto hup_at = std::chrono::steady_clock::now();
  player.Signal(SIGHUP);
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(hup_at + seconds(1) -
                                                                 std::chrono::steady_clock::now());
  };
  REQUIRE(
      player.WaitForOutput("SIGHUP: reloading configuration and content", seconds(1), before_hup));
  const size_t reloading_at =
      player.output().find("SIGHUP: reloading configuration and content", before_hup);
  CHECK_MESSAGE(player.WaitForOutput("updates: checking " + (*server)->Url("/manifest.json"),
                                     left(), reloading_at),
                player.output());
  usleep(300 * 1000);
  systemd.Drain();  // pings from before the SIGHUP was handled
  CHECK(systemd.Receive("WATCHDOG=1", std::chrono::milliseconds(1000)));
  // The restarted updater polls again (and is held by the slow server again).
  for (int i = 0; i < 100 && !requested(2); ++i) usleep(50 * 1000);
  CHECK(requested(2));

  // SIGTERM: a clean exit within 2 s, the slow download notwithstanding.
  const auto term_at = std::chrono::steady_clock::now();
  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(2)) == 0);
  CHECK(std::chrono::steady_clock::now() - term_at < seconds(2));
  CHECK(player.output().find("received SIGTERM, exiting") != std::string::npos);
  // An abandoned download is not a failure of the server.
  const std::string status = Slurp(work / "status.json");
  CHECK_MESSAGE(status.find("\"consecutive_failures\": 0") != std::string::npos, status);
}

TEST_CASE(
    "a published bundle reaches the screen; a newer one replaces it; a forged one never shows") {
  testing::TempDir scratch("kiosk-e2e");
  const fs::path& work = scratch.path();
  fs::create_directories(work / "www");
  fs::create_directories(work / "capture");
  REQUIRE(Sh("cd " + work.string() + " && minisign -G -W -p admin.pub -s admin.key >/dev/null") ==
          0);
  REQUIRE(Sh("cd " + work.string() + " && minisign -G -W -p other.pub -s other.key >/dev/null") ==
          0);
  const std::string key_line = testing::KeyLine(work / "admin.pub");
  Publish(work, "Alpha", 1, "admin.key");

  testing::ChildProcess server({"/usr/bin/python3",
                                (kSource / "tests/servers/fault_server.py").string(), "--root",
                                (work / "www").string(), "--max-seconds", "120"});
  REQUIRE(server.WaitForOutput("https=", seconds(10)));
  std::string line = server.output();
  int port = std::stoi(line.substr(line.find("http=") + 5));

  std::ofstream(work / "kiosk.json") << R"({
    "updates": {"url": "http://127.0.0.1:)"
                                     << port << R"(", "poll_interval_s": 10,
                "trusted_keys": [")" << key_line
                                     << R"("]},
    "device": {"name": "e2e"},
    "state_dir": ")" << (work / "state").string()
                                     << R"(",
    "status_file": ")" << (work / "status.json").string()
                                     << R"("})";
  fs::create_directories(work / "state");

  // Starts on a local bundle of 5-second slides so that the slide boundary
  // where network content takes over comes quickly.
  testing::WriteOneSlideBundle(work / "start", "Start");
  testing::ChildProcess player(
      {KIOSK_BIN, "--allow-root", "--size", "800x480", "--config", (work / "kiosk.json").string(),
       "--content", (work / "start").string(), "--capture-dir", (work / "capture").string()},
      {"SDL_VIDEODRIVER=dummy"});
  // Version 1 is fetched at start, verified, and shown at the next boundary.
  REQUIRE(player.WaitForOutput("network bundle v1 verified", seconds(30)));
  REQUIRE(player.WaitForOutput("now showing network bundle v1", seconds(15)));
  usleep(1500 * 1000);  // the crossfade settles and is captured
  CHECK(Shown(work / "capture", RenderExpected(work, "Alpha")));

  // A forged version 2, signed with a key the unit does not trust.
  Publish(work, "Forged", 2, "other.key");
  REQUIRE(player.WaitForOutput("is not trusted", seconds(30)));
  bool reported = false;
  for (int i = 0; i < 50 && !reported; ++i, usleep(100 * 1000)) {
    reported = Slurp(work / "status.json").find("not trusted") != std::string::npos;
  }
  CHECK_MESSAGE(reported, Slurp(work / "status.json"));

  // The administrator's real next version.
  Publish(work, "Beta", 3, "admin.key");
  REQUIRE(player.WaitForOutput("now showing network bundle v3", seconds(60)));
  usleep(1500 * 1000);
  CHECK(Shown(work / "capture", RenderExpected(work, "Beta")));
  CHECK_FALSE(Shown(work / "capture", RenderExpected(work, "Forged")));
  std::string status = Slurp(work / "status.json");
  CHECK_MESSAGE(status.find("\"version\": 3") != std::string::npos, status);

  player.Signal(SIGTERM);
  CHECK(player.Wait(seconds(10)) == 0);

  // After a restart, the cached version 3 is on the very first frame.
  fs::remove_all(work / "capture");
  fs::create_directories(work / "capture");
  testing::ChildProcess again(
      {KIOSK_BIN, "--allow-root", "--size", "800x480", "--config", (work / "kiosk.json").string(),
       "--capture-dir", (work / "capture").string(), "--exit-after", "2"},
      {"SDL_VIDEODRIVER=dummy"});
  CHECK(again.Wait(seconds(20)) == 0);
  CHECK_MESSAGE(again.output().find("showing cached bundle v3") != std::string::npos,
                again.output());
  auto first = testing::LoadRgb((work / "capture" / "frame-000.png").string());
  auto beta = testing::LoadRgb(RenderExpected(work, "Beta").string());
  CHECK(testing::DifferingPixels(first.get(), beta.get()) == 0);
}

}  // namespace kiosk
