// The worker thread: polls when due by the injected clock, on PollNow(), and
// stops promptly.
#include "kiosk/core/update/updater_thread.h"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using namespace std::chrono_literals;

// A fetcher whose requests are counted under a lock (the worker fetches while
// the test thread reads).
class CountingFetcher final : public Fetcher {
 public:
  Result<FetchResponse> Fetch(const FetchRequest&) override {
    std::lock_guard lock(mu_);
    ++count_;
    return Status::Network("connection refused");
  }
  void Abort() override {}  // its fetches never block
  int count() const {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  int count_ = 0;
};

// A download from a server that trickles bytes just above the low-speed
// floor: Fetch blocks until Abort(), or gives up by itself after `give_up`
// (standing for the real fetcher's timeouts, so that an UpdaterThread that
// does not abort fails the test rather than hanging it).
class SlowServerFetcher final : public Fetcher {
 public:
  explicit SlowServerFetcher(std::chrono::milliseconds give_up = 5s) : give_up_(give_up) {}
  Result<FetchResponse> Fetch(const FetchRequest& request) override {
    std::unique_lock lock(mu_);
    ++fetching_;
    changed_.notify_all();
    if (!changed_.wait_for(lock, give_up_, [&] { return aborted_; })) {
      return Status::Network("server too slow: below 1024 B/s for 15 s");
    }
    return Status::Network(FetchAbortedMessage(request.url));
  }
  void Abort() override {
    {
      std::lock_guard lock(mu_);
      aborted_ = true;
    }
    changed_.notify_all();
  }
  // Waits until a Fetch has started (the poll is "on the wire").
  bool WaitUntilFetching(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return fetching_ > 0; });
  }

 private:
  const std::chrono::milliseconds give_up_;
  std::mutex mu_;
  std::condition_variable changed_;
  int fetching_ = 0;
  bool aborted_ = false;
};

template <typename TestFetcher = CountingFetcher>
struct Rig {
  MemoryFileStore store;
  TestFetcher fetcher;
  testing::ThreadSafeTestClock clock;
  testing::TestSigner signer;
  std::unique_ptr<Updater> updater;

  Rig() {
    UpdaterOptions o;
    o.updates.url = "https://signs.example.org";
    o.updates.poll_interval_s = 300;
    o.updates.trusted_keys = {signer.PublicKeyBase64()};
    o.state_dir = "/state";
    o.status_file = "/run/status.json";
    updater =
        std::make_unique<Updater>(o, fetcher, store, clock, nullptr, nullptr, [] { return 0.5; });
    updater->Start();
  }
};

TEST_CASE("updater thread: polls at once, then when the clock says so") {
  Rig<> rig;
  UpdaterThread thread(*rig.updater, rig.clock, Millis(5));
  thread.Start();
  REQUIRE(thread.WaitForPolls(1, 5s));  // the first poll is due at start
  // The poll failed: the next is due in 30 s of (test) clock time.
  std::this_thread::sleep_for(50ms);
  CHECK(thread.polls_completed() == 1);
  rig.clock.Advance(Millis(29'000));
  std::this_thread::sleep_for(50ms);
  CHECK(thread.polls_completed() == 1);
  rig.clock.Advance(Millis(1'000));
  REQUIRE(thread.WaitForPolls(2, 5s));
  // Second failure: 60 s.
  rig.clock.Advance(Millis(59'000));
  std::this_thread::sleep_for(50ms);
  CHECK(thread.polls_completed() == 2);
  rig.clock.Advance(Millis(1'000));
  REQUIRE(thread.WaitForPolls(3, 5s));
  thread.Stop();
  CHECK(rig.fetcher.count() == 3);
}

TEST_CASE("updater thread: PollNow wakes the worker at once; Stop is prompt and idempotent") {
  Rig<> rig;
  // A long sleep slice: only the condition variable can wake the worker fast.
  UpdaterThread thread(*rig.updater, rig.clock, Millis(60'000));
  thread.Start();
  REQUIRE(thread.WaitForPolls(1, 5s));
  const auto start = std::chrono::steady_clock::now();
  thread.PollNow();
  REQUIRE(thread.WaitForPolls(2, 5s));
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  const auto stop_start = std::chrono::steady_clock::now();
  thread.Stop();
  CHECK(std::chrono::steady_clock::now() - stop_start < 2s);
  thread.Stop();
  CHECK(thread.polls_completed() == 2);
}

TEST_CASE("updater thread: Stop aborts a slow download at once and does not report a failure") {
  Rig<SlowServerFetcher> rig;
  UpdaterThread thread(*rig.updater, rig.clock, Millis(60'000));
  thread.Start();
  REQUIRE(rig.fetcher.WaitUntilFetching(5s));
  const auto status_before = rig.store.ReadFile("/run/status.json");
  REQUIRE(status_before.ok());

  const auto stop_start = std::chrono::steady_clock::now();
  thread.Stop();
  // The bound SIGHUP and SIGTERM need (generous: the abort is immediate).
  CHECK(std::chrono::steady_clock::now() - stop_start < 1s);

  CHECK(thread.polls_completed() == 1);
  const UnitStatus& status = rig.updater->status();
  CHECK(status.consecutive_failures == 0);
  CHECK(status.last_error_reason.empty());
  CHECK(status.last_check_result != "failed");
  // The status file is the one written at start, not a "failed" check.
  const auto status_after = rig.store.ReadFile("/run/status.json");
  REQUIRE(status_after.ok());
  CHECK(*status_after == *status_before);
}

}  // namespace
}  // namespace kiosk::update
