// Power-cut safety of the bundle cache on the real disk: a child process
// commits bundles in a loop through PosixFileStore; the parent SIGKILLs it at
// 200 different moments, then opens the cache as a rebooted unit would and
// checks that the current bundle verifies completely (signature, every size
// and hash, no stray file) - the old bundle or the new, never a mix - and
// that the rollback floor never goes down.
//
// SIGKILL loses nothing the kernel already has, so this proves the ordering
// of renames and the commit point, not the fsyncs (those need a VM with its
// disk cut; see docs/bundle-format.md).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "kiosk/core/update/bundle_cache.h"
#include "kiosk/core/update/minisign.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

testing::BundleFiles FilesOf(int64_t version) {
  // Sizes vary with the version so a mix of two bundles cannot pass by luck.
  return {{"slides.json", "{\"version\": " + std::to_string(version) + "}"},
          {"images/a.png", std::string(static_cast<size_t>(1000 + (version % 7) * 3000),
                                       static_cast<char>('a' + version % 26))},
          {"images/deep/b.png", std::string(static_cast<size_t>(100 + version % 5), 'b')}};
}

// The child: commit bundle after bundle until killed. Never returns.
[[noreturn]] void WriterLoop(const std::filesystem::path& state_dir,
                             const testing::TestSigner& signer,
                             const std::vector<MinisignPublicKey>& keys) {
  PosixFileStore store;
  BundleCache cache(store, state_dir);
  if (!cache.Open().ok()) ::_exit(3);
  cache.SelectAtStart(keys, nullptr);
  for (;;) {
    const int64_t version = cache.state().highest_applied_version + 1;
    auto staging = testing::StageSignedBundle(cache, signer, version, FilesOf(version));
    if (!staging.ok()) ::_exit(4);
    if (!cache.Commit(*staging, version, 1'795'946'400 + version, "", "").ok()) ::_exit(5);
  }
}

TEST_CASE("crash: SIGKILL at any moment leaves the old bundle or the new, never a mix") {
  testing::TempDir dir;
  const auto state_dir = dir.path() / "state";
  testing::TestSigner signer;
  const std::vector<MinisignPublicKey> keys = {*ParseMinisignPublicKey(signer.PublicKeyBase64())};
  // Calibrate: how long one commit takes on this disk (fsyncs dominate), so
  // kills land anywhere from the start-up cleanup to a few commits in.
  int64_t commit_us = 0;
  {
    testing::TempDir calibration;
    PosixFileStore store;
    BundleCache cache(store, calibration.path());
    REQUIRE(cache.Open().ok());
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t version = 1; version <= 3; ++version) {
      auto staging = testing::StageSignedBundle(cache, signer, version, FilesOf(version));
      REQUIRE(staging.ok());
      REQUIRE(cache.Commit(*staging, version, 0, "", "").ok());
    }
    commit_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count() /
        3;
  }
  // Up to ~4 commits after the child's start-up, within a bounded total.
  const int max_delay_us =
      static_cast<int>(std::clamp<int64_t>(2'000 + 4 * commit_us, 5'000, 150'000));
  std::mt19937 random(20261129);
  std::uniform_int_distribution<int> delay_us(0, max_delay_us);

  // At least kKills kills, and more (up to kMaxKills) until the writer got
  // far and was cut mid-way often enough for the test to mean something: on
  // a loaded machine fewer kills land after progress.
  constexpr int kKills = 200;
  constexpr int kMaxKills = 1000;
  int64_t floor = 0;
  int kills_after_progress = 0;
  int kills_with_leftovers = 0;
  int kills = 0;
  auto meaningful = [&] {
    return floor >= 25 && kills_after_progress >= 25 && kills_with_leftovers >= 10;
  };
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kMaxKills && (i < kKills || !meaningful()); ++i, ++kills) {
    CAPTURE(i);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) WriterLoop(state_dir, signer, keys);
    // Varied delays land the kill in every phase: Open's cleanup, staging
    // writes, the rename, the state.json replacement, garbage collection.
    ::usleep(static_cast<useconds_t>(delay_us(random)));
    REQUIRE(::kill(child, SIGKILL) == 0);
    int wstatus = 0;
    REQUIRE(::waitpid(child, &wstatus, 0) == child);
    // The writer must have been killed, not have failed on its own.
    REQUIRE_MESSAGE(WIFSIGNALED(wstatus),
                    "writer exited with " << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1));

    PosixFileStore store;
    auto leftovers = store.List(state_dir / "bundles");
    if (leftovers.ok() && leftovers->size() > 2) ++kills_with_leftovers;

    // Reboot.
    BundleCache cache(store, state_dir);
    REQUIRE(cache.Open().ok());
    const CacheState& state = cache.state();
    CHECK(state.highest_applied_version >= floor);  // never rolls back
    if (state.highest_applied_version > floor) ++kills_after_progress;
    floor = state.highest_applied_version;
    if (!state.current) {
      CHECK(floor == 0);  // killed before the first commit
      continue;
    }
    auto shown = cache.SelectAtStart(keys, nullptr);
    REQUIRE_MESSAGE(shown.has_value(), "current v" << state.current->version << " lost");
    // The current one verified: no fallback to previous was needed.
    CHECK(shown->applied.version == state.current->version);
    CHECK(shown->manifest.files.size() == 3);
    // Only current and previous remain after the reboot's cleanup.
    auto after = store.List(state_dir / "bundles");
    REQUIRE(after.ok());
    CHECK(after->size() <= 2);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE(kills << " kills in " << seconds << " s (one commit takes " << commit_us
                << " us, kills within " << max_delay_us << " us); " << floor
                << " bundles committed; " << kills_after_progress << " kills after progress, "
                << kills_with_leftovers << " left staging/uncommitted directories");
  // The test only means something if the writer got far and was cut mid-way.
  CHECK(floor >= 25);
  CHECK(kills_after_progress >= 25);
  CHECK(kills_with_leftovers >= 10);
  CHECK(seconds < 100.0);
}

}  // namespace
}  // namespace kiosk::update
