// The bundle cache: commit, last-known-good, garbage collection, start-up
// selection, and recovery from a corrupt or missing state.json and from
// interrupted writes.
#include "kiosk/core/update/bundle_cache.h"

#include <doctest/doctest.h>

#include "kiosk/core/update/minisign.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using testing::BundleFiles;
using testing::TestSigner;

const std::filesystem::path kState = "/var/lib/kiosk";

BundleFiles FilesOf(int64_t version) {
  return {{"slides.json", "{\"version\": " + std::to_string(version) + "}"},
          {"images/logo.png", "PNG" + std::string(static_cast<size_t>(version), 'x')}};
}

// Stages and commits a correctly signed bundle.
void CommitBundle(BundleCache& cache, const TestSigner& signer, int64_t version,
                  int64_t applied_at = 1'795'946'400) {
  auto staging = testing::StageSignedBundle(cache, signer, version, FilesOf(version));
  REQUIRE_MESSAGE(staging.ok(), staging.status().message());
  auto dir =
      cache.Commit(*staging, version, applied_at, "\"e" + std::to_string(version) + "\"", "");
  REQUIRE_MESSAGE(dir.ok(), dir.status().message());
  CHECK(*dir == cache.BundleDir(version));
}

std::vector<std::string> BundleDirs(FileStore& store) {
  std::vector<std::string> names;
  auto list = store.List(kState / "bundles");
  REQUIRE(list.ok());
  for (const auto& e : *list) names.push_back(e.name);
  return names;
}

struct Fixture {
  MemoryFileStore store;
  TestSigner signer;
  std::vector<MinisignPublicKey> keys{*ParseMinisignPublicKey(signer.PublicKeyBase64())};
};

TEST_CASE_FIXTURE(Fixture, "bundle cache: a fresh unit has no bundle and floor 0") {
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CHECK_FALSE(cache.state().current.has_value());
  CHECK(cache.state().highest_applied_version == 0);
  CHECK_FALSE(cache.SelectAtStart(keys, nullptr).has_value());
  CHECK(store.Exists(kState / "bundles"));
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: commits keep current and previous only") {
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CommitBundle(cache, signer, 1);
  CommitBundle(cache, signer, 2);
  CommitBundle(cache, signer, 5);
  CHECK(cache.state().current->version == 5);
  CHECK(cache.state().previous->version == 2);
  CHECK(cache.state().highest_applied_version == 5);
  CHECK(cache.state().manifest_etag == "\"e5\"");
  CHECK(BundleDirs(store) == std::vector<std::string>{"v2", "v5"});

  // state.json on disk says the same, and a new instance reads it.
  BundleCache reopened(store, kState);
  REQUIRE(reopened.Open().ok());
  CHECK(reopened.state().current->version == 5);
  CHECK(reopened.state().previous->version == 2);
  CHECK(reopened.state().highest_applied_version == 5);
  auto shown = reopened.SelectAtStart(keys, nullptr);
  REQUIRE(shown.has_value());
  CHECK(shown->applied.version == 5);
  CHECK(shown->dir == kState / "bundles" / "v5");
  CHECK(shown->manifest.version == 5);
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: commit refuses a version at or below the floor") {
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CommitBundle(cache, signer, 3);
  auto staging = cache.BeginStaging(3);
  REQUIRE(staging.ok());
  auto r = cache.Commit(*staging, 3, 0, "", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kRejected);
  CHECK(r.status().message() == "version 3 is not newer than applied version 3 (rollback refused)");
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: staged files must have safe paths") {
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  auto staging = cache.BeginStaging(1);
  REQUIRE(staging.ok());
  CHECK_FALSE(cache.WriteStagedFile(*staging, "../../etc/passwd", "x").ok());
  CHECK_FALSE(cache.WriteStagedFile(*staging, "/etc/passwd", "x").ok());
  CHECK_FALSE(store.Exists("/etc/passwd"));
  CHECK_FALSE(store.Exists(kState / "etc"));
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: Open removes staging leftovers and unknown entries") {
  {
    BundleCache cache(store, kState);
    REQUIRE(cache.Open().ok());
    CommitBundle(cache, signer, 1);
    CommitBundle(cache, signer, 2);
    // A crash mid-download, a crash between rename and state.json, junk.
    REQUIRE(cache.BeginStaging(3).ok());
    REQUIRE(store.MakeDirs(kState / "bundles" / "v9").ok());
    REQUIRE(store.WriteFileAtomic(kState / "bundles" / "junk", "x").ok());
    CHECK(BundleDirs(store).size() == 5);
  }
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CHECK(BundleDirs(store) == std::vector<std::string>{"v1", "v2"});
  CHECK(cache.state().highest_applied_version == 2);
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: a corrupt current falls back to previous, then builtin") {
  {
    BundleCache cache(store, kState);
    REQUIRE(cache.Open().ok());
    CommitBundle(cache, signer, 1);
    CommitBundle(cache, signer, 2);
  }
  SUBCASE("a changed byte in current") {
    REQUIRE(store.WriteFileAtomic(kState / "bundles/v2/slides.json", "{\"version\": 9}").ok());
  }
  SUBCASE("a file missing from current") {
    REQUIRE(store.RemoveTree(kState / "bundles/v2/images/logo.png").ok());
  }
  SUBCASE("a stray file in current") {
    REQUIRE(store.WriteFileAtomic(kState / "bundles/v2/evil.json", "{}").ok());
  }
  SUBCASE("current's signature gone") {
    REQUIRE(store.RemoveTree(kState / "bundles/v2/manifest.json.minisig").ok());
  }
  SUBCASE("current signed by a key no longer trusted") {
    TestSigner other;
    auto text = store.ReadFile(kState / "bundles/v2/manifest.json");
    REQUIRE(text.ok());
    REQUIRE(
        store.WriteFileAtomic(kState / "bundles/v2/manifest.json.minisig", other.Sign(*text)).ok());
  }
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  auto shown = cache.SelectAtStart(keys, nullptr);
  REQUIRE(shown.has_value());
  CHECK(shown->applied.version == 1);

  // The next commit keeps the bundle actually shown (v1) as last-known-good,
  // not the broken v2.
  CommitBundle(cache, signer, 3);
  CHECK(cache.state().previous->version == 1);
  CHECK(BundleDirs(store) == std::vector<std::string>{"v1", "v3"});

  // Both broken: built-in content.
  REQUIRE(store.WriteFileAtomic(kState / "bundles/v3/slides.json", "{}").ok());
  REQUIRE(store.WriteFileAtomic(kState / "bundles/v1/slides.json", "{}").ok());
  BundleCache again(store, kState);
  REQUIRE(again.Open().ok());
  CHECK_FALSE(again.SelectAtStart(keys, nullptr).has_value());
  // The floor survives even so.
  CHECK(again.state().highest_applied_version == 3);
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: the validator can refuse a cached bundle") {
  {
    BundleCache cache(store, kState);
    REQUIRE(cache.Open().ok());
    CommitBundle(cache, signer, 1);
    CommitBundle(cache, signer, 2);
  }
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  auto shown = cache.SelectAtStart(keys, [](const std::filesystem::path& dir) {
    return dir.filename() == "v2" ? Status::Invalid("slides.json: $.slides: expected an array")
                                  : Status::Ok();
  });
  REQUIRE(shown.has_value());
  CHECK(shown->applied.version == 1);
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: a corrupt state.json is rebuilt, keeping the floor") {
  {
    BundleCache cache(store, kState);
    REQUIRE(cache.Open().ok());
    CommitBundle(cache, signer, 4);
    CommitBundle(cache, signer, 7);
  }
  REQUIRE(store.WriteFileAtomic(kState / "state.json", "{\"format\": 1, \"curr").ok());
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CHECK(cache.state().highest_applied_version == 7);
  CHECK(cache.state().current->version == 7);
  CHECK(cache.state().previous->version == 4);
  auto shown = cache.SelectAtStart(keys, nullptr);
  REQUIRE(shown.has_value());
  CHECK(shown->applied.version == 7);
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: a missing state.json is rebuilt, keeping the floor") {
  {
    BundleCache cache(store, kState);
    REQUIRE(cache.Open().ok());
    CommitBundle(cache, signer, 2);
    CommitBundle(cache, signer, 3);
    CommitBundle(cache, signer, 4);
  }
  REQUIRE(BundleDirs(store) == std::vector<std::string>{"v3", "v4"});
  REQUIRE(store.RemoveTree(kState / "state.json").ok());

  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CHECK(cache.state().highest_applied_version == 4);
  REQUIRE(cache.state().current.has_value());
  CHECK(cache.state().current->version == 4);
  REQUIRE(cache.state().previous.has_value());
  CHECK(cache.state().previous->version == 3);
  // Nothing cached was deleted, and the rebuilt state is on disk again.
  CHECK(BundleDirs(store) == std::vector<std::string>{"v3", "v4"});
  auto saved = store.ReadFile(kState / "state.json");
  REQUIRE(saved.ok());
  auto parsed = ParseCacheState(*saved, "state.json");
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  CHECK(parsed->highest_applied_version == 4);
  CHECK(parsed->current->version == 4);
  CHECK(parsed->previous->version == 3);

  auto shown = cache.SelectAtStart(keys, nullptr);
  REQUIRE(shown.has_value());
  CHECK(shown->applied.version == 4);

  // The old signed v2 is still a rollback.
  auto staging = testing::StageSignedBundle(cache, signer, 2, FilesOf(2));
  REQUIRE_MESSAGE(staging.ok(), staging.status().message());
  auto r = cache.Commit(*staging, 2, 0, "", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kRejected);
  CHECK(r.status().message() == "version 2 is not newer than applied version 4 (rollback refused)");

  // A new version still moves on, keeping v4 as last-known-good.
  CommitBundle(cache, signer, 5);
  CHECK(cache.state().previous->version == 4);
  CHECK(BundleDirs(store) == std::vector<std::string>{"v4", "v5"});
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: a fresh unit stays fresh, staging leftovers or not") {
  SUBCASE("nothing at all") {}
  SUBCASE("an empty bundles directory") { REQUIRE(store.MakeDirs(kState / "bundles").ok()); }
  SUBCASE("a first download cut short") {
    REQUIRE(store.MakeDirs(kState / "bundles" / ".staging-v1").ok());
    REQUIRE(store.WriteFileAtomic(kState / "bundles" / ".staging-v1" / "slides.json", "{").ok());
  }
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CHECK_FALSE(cache.state().current.has_value());
  CHECK_FALSE(cache.state().previous.has_value());
  CHECK(cache.state().highest_applied_version == 0);
  CHECK_FALSE(store.Exists(kState / "state.json"));
  CHECK(BundleDirs(store).empty());
  CHECK_FALSE(cache.SelectAtStart(keys, nullptr).has_value());
  CommitBundle(cache, signer, 1);
  CHECK(cache.state().highest_applied_version == 1);
}

// Leftovers of writes killed between creating the temporary file and renaming
// it, named as PosixFileStore names them; other files are left alone.
void CheckInterruptedWritesRemoved(FileStore& disk, const std::filesystem::path& state_dir) {
  const std::vector<std::string> leftovers = {"state.json.tmp-812-0", "state.json.tmp-9-17",
                                              "status.json.tmp-4242-3"};
  const std::vector<std::string> others = {"notes.txt", "state.json.tmp-x-1", "state.json.tmp-12",
                                           "backup.tmp-1-2-old", ".tmp-1-2"};
  {
    BundleCache cache(disk, state_dir);
    REQUIRE(cache.Open().ok());
  }
  for (const auto& name : leftovers) {
    REQUIRE(disk.WriteFileAtomic(state_dir / name, "{\"format\": 1, \"curr").ok());
  }
  for (const auto& name : others) REQUIRE(disk.WriteFileAtomic(state_dir / name, "keep").ok());
  BundleCache cache(disk, state_dir);
  REQUIRE(cache.Open().ok());
  for (const auto& name : leftovers) {
    CAPTURE(name);
    CHECK_FALSE(disk.Exists(state_dir / name));
  }
  for (const auto& name : others) {
    CAPTURE(name);
    CHECK(disk.Exists(state_dir / name));
  }
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: Open removes temporary files of interrupted writes") {
  CheckInterruptedWritesRemoved(store, kState);
}

TEST_CASE("bundle cache: Open removes temporary files of interrupted writes, on the real disk") {
  testing::TempDir dir;
  PosixFileStore disk;
  CheckInterruptedWritesRemoved(disk, dir.path() / "state");
}

TEST_CASE("bundle cache: state.json round-trips and is parsed strictly") {
  CacheState s;
  s.current = AppliedBundle{9, 1'795'946'400};
  s.previous = AppliedBundle{8, 1'795'900'000};
  s.highest_applied_version = 9;
  s.manifest_etag = "\"abc\"";
  s.manifest_last_modified = "Sun, 29 Nov 2026 10:00:00 GMT";
  auto back = ParseCacheState(CacheStateToJson(s), "state.json");
  REQUIRE(back.ok());
  CHECK(back->current->version == 9);
  CHECK(back->current->applied_at == 1'795'946'400);
  CHECK(back->previous->version == 8);
  CHECK(back->manifest_etag == "\"abc\"");
  CHECK(back->manifest_last_modified == "Sun, 29 Nov 2026 10:00:00 GMT");

  CHECK_FALSE(
      ParseCacheState("{\"format\": 1, \"highest_applied_version\": 1, \"x\": 1}", "s").ok());
  // A current above the floor is impossible and refused.
  CHECK_FALSE(ParseCacheState("{\"format\": 1, \"highest_applied_version\": 1, \"current\": "
                              "{\"version\": 2, \"applied_at\": \"2026-11-29T10:00:00Z\"}}",
                              "s")
                  .ok());
}

TEST_CASE_FIXTURE(Fixture, "bundle cache: a failing disk during commit keeps the old state") {
  BundleCache cache(store, kState);
  REQUIRE(cache.Open().ok());
  CommitBundle(cache, signer, 1);
  auto staging = testing::StageSignedBundle(cache, signer, 2, FilesOf(2));
  REQUIRE_MESSAGE(staging.ok(), staging.status().message());
  // Remove + rename succeed, the state.json write fails.
  store.FailWritesAfter(2);
  auto r = cache.Commit(*staging, 2, 0, "", "");
  CHECK_FALSE(r.ok());
  store.FailWritesAfter(-1);
  CHECK(cache.state().current->version == 1);
  CHECK(cache.state().highest_applied_version == 1);

  BundleCache reopened(store, kState);
  REQUIRE(reopened.Open().ok());
  CHECK(reopened.state().current->version == 1);
  CHECK(BundleDirs(store) == std::vector<std::string>{"v1"});
  auto shown = reopened.SelectAtStart(keys, nullptr);
  REQUIRE(shown.has_value());
  CHECK(shown->applied.version == 1);
}

}  // namespace
}  // namespace kiosk::update
