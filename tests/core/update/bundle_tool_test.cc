// Building and checking bundles for publishing, as typed operations on the
// in-memory store (the command line around them: tests/app).
#include "kiosk/core/update/bundle_tool.h"

#include <doctest/doctest.h>

#include "kiosk/core/update/sha256.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

constexpr char kSlides[] = "{\"slides\": [\"1-800-292-1168\"]}\n";

struct Publisher {
  MemoryFileStore store;
  FakeClock clock{Millis(0), 1'795'946'400};
  testing::TestSigner signer;
  BuildOptions options;

  Publisher() {
    options.src = "/home/admin/content";
    options.out_dir = "/home/admin/bundle";
    REQUIRE(store.MakeDirs(options.src / "images").ok());
    REQUIRE(store.WriteFileAtomic(options.src / "slides.json", kSlides).ok());
    REQUIRE(store.WriteFileAtomic(options.src / "images/poster.png", "pixels").ok());
  }

  MinisignPublicKey Key() const {
    auto key = ParseMinisignPublicKey(signer.PublicKeyFile());
    REQUIRE(key.ok());
    return *key;
  }

  void Sign() {
    auto manifest = store.ReadFile(options.out_dir / kManifestName);
    REQUIRE(manifest.ok());
    REQUIRE(store.WriteFileAtomic(options.out_dir / kSignatureName, signer.Sign(*manifest)).ok());
  }
};

TEST_CASE("BuildBundle: writes the files and a manifest that lists them, and reports it") {
  Publisher p;
  REQUIRE(p.store.WriteFileAtomic(p.options.src / "manifest.json", "{}").ok());
  p.options.expires_in_days = 2;
  BuildReport report = BuildBundle(p.options, nullptr, p.store, p.clock);
  REQUIRE(report.ok());
  CHECK(report.notes == std::vector<std::string>{
                            "ignoring /home/admin/content/manifest.json (a bundle's manifest is "
                            "generated)"});
  CHECK(report.manifest->version == 1);
  CHECK(report.manifest->published == 1'795'946'400);
  CHECK(*report.manifest->expires == 1'795'946'400 + 2 * kSecondsPerDay);
  REQUIRE(report.manifest->files.size() == 2);
  CHECK(report.manifest->files[1].path == "slides.json");
  CHECK(report.manifest->files[1].sha256 == Sha256Hex(kSlides));
  CHECK(*p.store.ReadFile(p.options.out_dir / "images/poster.png") == "pixels");
  CHECK(*p.store.ReadFile(p.options.out_dir / kManifestName) == ManifestToJson(*report.manifest));
  // The next build is the next version.
  CHECK(BuildBundle(p.options, nullptr, p.store, p.clock).manifest->version == 2);
}

TEST_CASE("BuildBundle: every problem is reported and nothing is written") {
  Publisher p;
  REQUIRE(p.store.WriteFileAtomic(p.options.src / "my poster.png", "x").ok());
  REQUIRE(p.store.RemoveTree(p.options.src / "slides.json").ok());
  BuildReport report = BuildBundle(p.options, nullptr, p.store, p.clock);
  CHECK_FALSE(report.ok());
  CHECK_FALSE(report.manifest);
  REQUIRE(report.problems.size() == 2);
  CHECK(report.problems[0].rfind("/home/admin/content/my poster.png: cannot go in a bundle: ", 0) ==
        0);
  CHECK(report.problems[1] ==
        "/home/admin/content/slides.json: missing (every bundle carries the player's "
        "slides.json)");
  CHECK_FALSE(p.store.Exists(p.options.out_dir));
}

TEST_CASE("BuildBundle: the validator's refusal and a rollback are problems") {
  Publisher p;
  BuildReport refused = BuildBundle(
      p.options, [](const std::filesystem::path&) { return Status::Invalid("slides.json: bad"); },
      p.store, p.clock);
  CHECK(
      refused.problems ==
      std::vector<std::string>{"the content does not pass the player's checks:\nslides.json: bad"});
  p.options.version = 5;
  REQUIRE(BuildBundle(p.options, nullptr, p.store, p.clock).ok());
  p.options.version = 4;
  CHECK(BuildBundle(p.options, nullptr, p.store, p.clock).problems ==
        std::vector<std::string>{"version 4 is not newer than /home/admin/bundle's version 5; "
                                 "units would refuse it as a rollback"});
}

TEST_CASE("VerifyBundleForPublishing: accepted, expiring soon, expired") {
  Publisher p;
  p.options.expires_in_days = 8;
  REQUIRE(BuildBundle(p.options, nullptr, p.store, p.clock).ok());
  p.Sign();
  BundleVerifyReport fresh =
      VerifyBundleForPublishing(p.options.out_dir, p.Key(), nullptr, p.store, p.clock);
  REQUIRE(fresh.ok());
  CHECK_FALSE(fresh.expires_soon_at);
  CHECK(fresh.check.signature->trusted_comment == "kiosk test");

  p.clock.Advance(Millis(2 * kSecondsPerDay * 1000));  // 6 days left
  BundleVerifyReport soon =
      VerifyBundleForPublishing(p.options.out_dir, p.Key(), nullptr, p.store, p.clock);
  CHECK(soon.ok());
  CHECK(soon.expires_soon_at == 1'795'946'400 + 8 * kSecondsPerDay);

  p.clock.Advance(Millis(6 * kSecondsPerDay * 1000));  // expired now
  BundleVerifyReport expired =
      VerifyBundleForPublishing(p.options.out_dir, p.Key(), nullptr, p.store, p.clock);
  CHECK_FALSE(expired.ok());
  CHECK(expired.problems == std::vector<std::string>{
                                "manifest.json: expired at 2026-12-07T10:00:00Z; units refuse it"});
}

}  // namespace
}  // namespace kiosk::update
