// ServiceNotifier against a real AF_UNIX datagram socket standing in for
// systemd's notification socket, with the environment systemd would set.
#include "kiosk/platform/service/service_notifier.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace kiosk {
namespace {

// A bound datagram socket in a fresh directory, exported as NOTIFY_SOCKET.
class FakeSystemd {
 public:
  FakeSystemd() {
    char tmpl[] = "/tmp/kiosk-notify-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    path_ = dir_ / "notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string p = path_.string();
    REQUIRE(p.size() < sizeof(addr.sun_path));
    p.copy(addr.sun_path, p.size());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    setenv("NOTIFY_SOCKET", p.c_str(), 1);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
  ~FakeSystemd() {
    close(fd_);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void EnableWatchdog(const std::string& usec, pid_t pid) {
    setenv("WATCHDOG_USEC", usec.c_str(), 1);
    setenv("WATCHDOG_PID", std::to_string(pid).c_str(), 1);
  }
  // The next datagram already queued, or nullopt. sd_notify's sendmsg has
  // returned before we look, so a message that was sent is always queued.
  std::optional<std::string> Next() {
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
  int fd_ = -1;
};

TEST_CASE("outside systemd every call is a no-op that succeeds") {
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  FakeClock clock;
  ServiceNotifier n(clock);
  CHECK_FALSE(n.active());
  CHECK(n.NotifyReady("first slide").ok());
  CHECK(n.NotifyWatchdog().ok());
  CHECK(n.NotifyStatus("x").ok());
  CHECK(n.NotifyStopping().ok());
  CHECK_FALSE(n.WatchdogInterval().has_value());
  CHECK_FALSE(n.MaxSleep().has_value());
}

TEST_CASE("ready, status and stopping reach the notification socket") {
  FakeSystemd systemd;
  FakeClock clock;
  ServiceNotifier n(clock);
  CHECK(n.active());
  REQUIRE(n.NotifyReady("showing slide 1 of 6").ok());
  CHECK(systemd.Next() == "READY=1\nSTATUS=showing slide 1 of 6");
  // READY=1 goes out once only.
  REQUIRE(n.NotifyReady().ok());
  CHECK_FALSE(systemd.Next().has_value());
  REQUIRE(n.NotifyStatus("update failed:\nsignature\tbad").ok());
  CHECK(systemd.Next() == "STATUS=update failed: signature bad");
  REQUIRE(n.NotifyStopping().ok());
  CHECK(systemd.Next() == "STOPPING=1");
  CHECK_FALSE(systemd.Next().has_value());
}

TEST_CASE("the watchdog interval comes from WATCHDOG_USEC for this process only") {
  FakeSystemd systemd;
  FakeClock clock;
  SUBCASE("our pid") {
    systemd.EnableWatchdog("20000000", getpid());
    ServiceNotifier n(clock);
    REQUIRE(n.WatchdogInterval().has_value());
    CHECK(n.WatchdogInterval()->count() == 20'000'000);
    CHECK(n.MaxSleep() == Millis(10'000));
  }
  SUBCASE("another pid: the variables were inherited, not meant for us") {
    systemd.EnableWatchdog("20000000", getpid() + 1);
    ServiceNotifier n(clock);
    CHECK_FALSE(n.WatchdogInterval().has_value());
    REQUIRE(n.NotifyWatchdog().ok());
    CHECK_FALSE(systemd.Next().has_value());
  }
  SUBCASE("no watchdog: no pings") {
    ServiceNotifier n(clock);
    CHECK_FALSE(n.WatchdogInterval().has_value());
    REQUIRE(n.NotifyWatchdog().ok());
    CHECK_FALSE(systemd.Next().has_value());
  }
}

TEST_CASE("watchdog pings are paced to a quarter of the interval") {
  FakeSystemd systemd;
  systemd.EnableWatchdog("20000000", getpid());  // WatchdogSec=20
  FakeClock clock;
  ServiceNotifier n(clock);
  REQUIRE(n.NotifyWatchdog().ok());
  CHECK(systemd.Next() == "WATCHDOG=1");
  // A render loop at 60 fps calls it every frame: no datagram flood.
  for (int i = 0; i < 100; ++i) {
    clock.Advance(Millis(16));
    REQUIRE(n.NotifyWatchdog().ok());
  }
  CHECK_FALSE(systemd.Next().has_value());  // 1.6 s < 5 s
  clock.Advance(Millis(3400));              // 5.0 s since the ping
  REQUIRE(n.NotifyWatchdog().ok());
  CHECK(systemd.Next() == "WATCHDOG=1");
  CHECK_FALSE(systemd.Next().has_value());
  // A loop that wakes every MaxSleep() (10 s) pings on every wake, so no two
  // pings are ever more than 10 s apart, well inside the 20 s.
  for (int i = 0; i < 3; ++i) {
    clock.Advance(*n.MaxSleep());
    REQUIRE(n.NotifyWatchdog().ok());
    CHECK(systemd.Next() == "WATCHDOG=1");
  }
}

TEST_CASE("a notification socket that is gone is an Io error, not a crash") {
  FakeClock clock;
  std::optional<std::string> path;
  {
    FakeSystemd systemd;
    path = systemd.path().string();
  }
  setenv("NOTIFY_SOCKET", path->c_str(), 1);
  ServiceNotifier n(clock);
  Status s = n.NotifyReady();
  CHECK(s.code() == Status::Code::kIo);
  CHECK(s.message().find("sd_notify(READY)") != std::string::npos);
  // Not marked as sent: the next attempt tries again.
  CHECK(n.NotifyReady().code() == Status::Code::kIo);
  unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("status text is one line of at most 200 bytes, cut between characters") {
  CHECK(SanitizeStatusText("a\nb\rc\x7f") == "a b c ");
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xc3\xa9";  // "é" x 150 = 300 bytes
  std::string s = SanitizeStatusText(accents);
  CHECK(s.size() == 200);
  CHECK((static_cast<unsigned char>(s.back()) & 0xC0) == 0x80);  // ends on a full "é"
  std::string odd = "x" + accents;  // 301 bytes: byte 200 is mid-character
  CHECK(SanitizeStatusText(odd).size() == 199);
}

}  // namespace
}  // namespace kiosk
