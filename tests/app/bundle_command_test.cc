// `kiosk bundle build` and `kiosk bundle verify` (the command line: messages
// and exit codes) on the real disk, signed by the real minisign binary.
#include "kiosk/app/bundle_command.h"

#include <doctest/doctest.h>

#include <sstream>

#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/sha256.h"
#include "kiosk/core/update/updater.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using testing::ReadText;
using testing::Sh;
using testing::TempDir;
using testing::WriteText;

struct Admin {
  TempDir dir;
  PosixFileStore store;
  FakeClock clock{Millis(0), 1'795'946'400};
  std::ostringstream out, err;
  std::vector<std::filesystem::path> validated;
  Status validator_answer;

  std::filesystem::path src() const { return dir.path() / "src"; }
  std::filesystem::path out_dir() const { return dir.path() / "out"; }
  std::string pub() const { return (dir.path() / "kiosk.pub").string(); }
  std::string sec() const { return (dir.path() / "kiosk.key").string(); }

  Admin() {
    WriteText(src() / "slides.json", "{\"slides\": [\"1-800-292-1168\"]}\n");
    WriteText(src() / "images" / "poster.png", std::string("\x89PNG\r\n\x1a\n", 8) + "pixels");
    REQUIRE(Sh("minisign -G -W -p " + pub() + " -s " + sec() + " </dev/null") == 0);
  }

  int Run(std::vector<std::string> args) {
    out.str("");
    err.str("");
    return RunBundleCommand(
        args,
        [this](const std::filesystem::path& d) {
          validated.push_back(d);
          return validator_answer;
        },
        store, clock, out, err);
  }

  void Sign() {
    REQUIRE(Sh("minisign -S -s " + sec() + " -m " + (out_dir() / "manifest.json").string() +
               " -t 'kiosk bundle' </dev/null") == 0);
  }
};

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_CASE("kiosk bundle: build, sign with minisign, verify") {
  Admin admin;
  REQUIRE(admin.Run({"bundle", "build", admin.src(), admin.out_dir()}) == 0);
  CHECK(admin.validated == std::vector<std::filesystem::path>{admin.src()});
  auto manifest = ParseManifest(ReadText(admin.out_dir() / "manifest.json"));
  REQUIRE_MESSAGE(manifest.ok(), manifest.status().message());
  CHECK(manifest->version == 1);
  CHECK(manifest->published == 1'795'946'400);
  REQUIRE(manifest->files.size() == 2);
  CHECK(manifest->files[0].path == "images/poster.png");
  CHECK(manifest->files[1].path == "slides.json");
  CHECK(manifest->files[1].sha256 == Sha256Hex(ReadText(admin.src() / "slides.json")));
  CHECK(ReadText(admin.out_dir() / "images/poster.png") ==
        ReadText(admin.src() / "images/poster.png"));
  // The exact command to sign.
  CHECK(Contains(admin.out.str(), "minisign -S -s ~/.minisign/kiosk.key -m " +
                                      (admin.out_dir() / "manifest.json").string() +
                                      " -t \"kiosk bundle v1\""));

  // Unsigned: verify fails.
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 1);
  CHECK(Contains(admin.err.str(), "manifest.json.minisig: cannot read"));

  admin.Sign();
  REQUIRE(admin.Run({"bundle", "verify", admin.out_dir(), "--key", admin.pub()}) == 0);
  CHECK(Contains(admin.out.str(), "OK: bundle v1, 2 files"));
  // The key as its bare base64 line works too.
  const std::string pub_text = ReadText(admin.pub());
  const std::string line = pub_text.substr(pub_text.find('\n') + 1, 56);
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", line}) == 0);

  // Rebuild: the version goes up, the old signature is removed.
  WriteText(admin.src() / "slides.json", "{\"slides\": [\"changed\"]}\n");
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
  CHECK(ParseManifest(ReadText(admin.out_dir() / "manifest.json"))->version == 2);
  CHECK_FALSE(std::filesystem::exists(admin.out_dir() / "manifest.json.minisig"));
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--version", "10"}) == 0);
  CHECK(ParseManifest(ReadText(admin.out_dir() / "manifest.json"))->version == 10);
  CHECK(admin.Run({"build", admin.src(), admin.out_dir(), "--version", "9"}) == 1);
  CHECK(Contains(admin.err.str(), "not newer"));
}

TEST_CASE("kiosk bundle: verify lists every problem") {
  Admin admin;
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
  admin.Sign();
  WriteText(admin.out_dir() / "slides.json", "{\"slides\": [\"1-800-000-0000\"]}\n");  // same size
  WriteText(admin.out_dir() / "images/poster.png", "short");
  WriteText(admin.out_dir() / "stray.html", "<html>");
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 1);
  const std::string err = admin.err.str();
  CHECK(Contains(err, "slides.json: sha256 mismatch (expected "));
  CHECK(Contains(err, "images/poster.png: size mismatch (expected 14 bytes, got 5)"));
  CHECK(Contains(err, "stray.html: not listed in the manifest"));
  CHECK(Contains(err, "3 problems"));
}

TEST_CASE("kiosk bundle: verify with another key, or a failing validator, fails") {
  Admin admin;
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
  admin.Sign();
  TempDir other;
  REQUIRE(Sh("minisign -G -W -p " + (other.path() / "o.pub").string() + " -s " +
             (other.path() / "o.key").string() + " </dev/null") == 0);
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", (other.path() / "o.pub").string()}) == 1);
  CHECK(Contains(admin.err.str(), "is not trusted"));

  admin.validator_answer = Status::Invalid("slides.json: $.slides[0]: expected an object");
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 1);
  CHECK(Contains(admin.err.str(), "content validation: slides.json: $.slides[0]"));
}

TEST_CASE("kiosk bundle: build refuses bad sources and foreign output directories") {
  Admin admin;
  SUBCASE("content the validator refuses: nothing is written") {
    admin.validator_answer = Status::Invalid("slides.json: $.slides: expected an array");
    CHECK(admin.Run({"build", admin.src(), admin.out_dir()}) == 1);
    CHECK(Contains(admin.err.str(), "$.slides: expected an array"));
    CHECK_FALSE(std::filesystem::exists(admin.out_dir()));
  }
  SUBCASE("no slides.json") {
    std::filesystem::remove(admin.src() / "slides.json");
    CHECK(admin.Run({"build", admin.src(), admin.out_dir()}) == 1);
    CHECK(Contains(admin.err.str(), "slides.json: missing"));
  }
  SUBCASE("a hidden or oddly named file") {
    WriteText(admin.src() / ".DS_Store", "x");
    WriteText(admin.src() / "my poster.png", "x");
    CHECK(admin.Run({"build", admin.src(), admin.out_dir()}) == 1);
    CHECK(Contains(admin.err.str(), ".DS_Store: cannot go in a bundle"));
    CHECK(Contains(admin.err.str(), "my poster.png: cannot go in a bundle"));
  }
  SUBCASE("an output directory holding other files is left alone") {
    WriteText(admin.out_dir() / "thesis.tex", "precious");
    CHECK(admin.Run({"build", admin.src(), admin.out_dir()}) == 1);
    CHECK(Contains(admin.err.str(), "thesis.tex is not part of a previous bundle"));
    CHECK(ReadText(admin.out_dir() / "thesis.tex") == "precious");
  }
  SUBCASE("usage errors exit 2") {
    CHECK(admin.Run({}) == 2);
    CHECK(admin.Run({"bundle"}) == 2);
    CHECK(admin.Run({"bundle", "frobnicate"}) == 2);
    CHECK(admin.Run({"build", admin.src()}) == 2);
    CHECK(admin.Run({"build", admin.src(), admin.out_dir(), "--version", "zero"}) == 2);
    CHECK(admin.Run({"build", admin.src(), admin.src()}) == 2);
    CHECK(admin.Run({"verify", admin.out_dir()}) == 2);
    CHECK(admin.Run({"verify", admin.out_dir(), "--key", "RWQnot-a-key"}) == 2);
  }
}

TEST_CASE("kiosk bundle: versions stop at the maximum and never wrap around") {
  Admin admin;
  const std::string max = std::to_string(kMaxBundleVersion);
  SUBCASE("--version above the maximum is a usage error") {
    for (const char* too_high :
         {"9007199254740992", "9223372036854775807", "9223372036854775808"}) {
      CAPTURE(too_high);
      CHECK(admin.Run({"build", admin.src(), admin.out_dir(), "--version", too_high}) == 2);
      CHECK(Contains(admin.err.str(),
                     "--version expects an integer from 1 to 9007199254740991 (the highest "
                     "version every JSON reader keeps exact), got \"" +
                         std::string(too_high) + "\""));
      CHECK_FALSE(std::filesystem::exists(admin.out_dir()));
    }
  }
  SUBCASE("the maximum itself can be built, and nothing after it") {
    REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--version", max}) == 0);
    CHECK(ParseManifest(ReadText(admin.out_dir() / "manifest.json"))->version == kMaxBundleVersion);
    admin.Sign();
    const std::string signed_manifest = ReadText(admin.out_dir() / "manifest.json");
    for (const auto& extra : std::vector<std::vector<std::string>>{{}, {"--version", max}}) {
      std::vector<std::string> args = {"build", admin.src(), admin.out_dir()};
      args.insert(args.end(), extra.begin(), extra.end());
      CHECK(admin.Run(args) == 1);
      CHECK(admin.out.str().empty());
      CHECK(Contains(admin.err.str(), (admin.out_dir() / "manifest.json").string() +
                                          " is at version 9007199254740991, the maximum; "
                                          "bundle versions stop at 9007199254740991"));
      CHECK(Contains(admin.err.str(), "see \"If a signing key is stolen\" in docs/publishing.md"));
      // The signed bundle is left as it was.
      CHECK(ReadText(admin.out_dir() / "manifest.json") == signed_manifest);
      CHECK(std::filesystem::exists(admin.out_dir() / "manifest.json.minisig"));
    }
  }
  SUBCASE("a manifest beyond the maximum (2^63-1, from an older tool) is refused") {
    REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--version", "5"}) == 0);
    auto manifest = ParseManifest(ReadText(admin.out_dir() / "manifest.json"));
    REQUIRE(manifest.ok());
    manifest->version = INT64_MAX;
    WriteText(admin.out_dir() / "manifest.json", ManifestToJson(*manifest));
    CHECK(admin.Run({"build", admin.src(), admin.out_dir()}) == 1);
    CHECK(admin.out.str().empty());
    CHECK_FALSE(Contains(admin.out.str() + admin.err.str(), "v-"));
    CHECK(Contains(admin.err.str(),
                   "$.version: expected an integer from 1 to 9007199254740991, got "
                   "9223372036854775807"));
    CHECK(Contains(admin.err.str(), "has a version above the maximum"));
    CHECK(Contains(admin.err.str(), "see \"If a signing key is stolen\" in docs/publishing.md"));
    CHECK(ReadText(admin.out_dir() / "manifest.json") == ManifestToJson(*manifest));
  }
  SUBCASE("one below the maximum still builds the maximum") {
    REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--version",
                       std::to_string(kMaxBundleVersion - 1)}) == 0);
    REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
    CHECK(ParseManifest(ReadText(admin.out_dir() / "manifest.json"))->version == kMaxBundleVersion);
    CHECK(Contains(admin.out.str(), "Built bundle v9007199254740991 in "));
  }
}

TEST_CASE("kiosk bundle: build sets expires, 30 days after published unless told") {
  Admin admin;  // now = 2026-11-29T10:00:00Z
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
  auto manifest = ParseManifest(ReadText(admin.out_dir() / "manifest.json"));
  REQUIRE(manifest.ok());
  CHECK(manifest->expires == manifest->published + 30 * 86'400);
  CHECK(Contains(admin.out.str(), " bytes, expires 2026-12-29T10:00:00Z (in 30 days).\n"));

  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--expires-in", "1"}) == 0);
  CHECK(ParseManifest(ReadText(admin.out_dir() / "manifest.json"))->expires ==
        1'795'946'400 + 86'400);
  CHECK(Contains(admin.out.str(), "expires 2026-11-30T10:00:00Z (in 1 day)."));

  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--expires-in", "3650"}) == 0);
  CHECK(ParseManifest(ReadText(admin.out_dir() / "manifest.json"))->expires ==
        1'795'946'400 + int64_t{3650} * 86'400);

  const std::string before = ReadText(admin.out_dir() / "manifest.json");
  for (const char* bad : {"0", "3651", "-1", "7d", "", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK(admin.Run({"build", admin.src(), admin.out_dir(), "--expires-in", bad}) == 2);
    CHECK(Contains(admin.err.str(), "--expires-in expects a number of days from 1 to 3650, got \"" +
                                        std::string(bad) + "\""));
  }
  CHECK(admin.Run({"build", admin.src(), admin.out_dir(), "--expires-in"}) == 2);
  CHECK(ReadText(admin.out_dir() / "manifest.json") == before);
}

TEST_CASE("kiosk bundle: verify warns when the bundle expires within 7 days") {
  Admin admin;
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);  // expires in 30 days
  admin.Sign();
  const Millis day(86'400'000);

  admin.clock.Advance(day * 23 - Millis(1000));  // 7 days and a second left
  REQUIRE(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 0);
  CHECK(admin.err.str().empty());

  admin.clock.Advance(Millis(2000));  // just under 7 days left
  REQUIRE(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 0);
  CHECK(Contains(admin.out.str(), "OK: bundle v1"));
  CHECK(Contains(admin.err.str(), admin.out_dir().string() +
                                      ": warning: expires at 2026-12-29T10:00:00Z, in 6 days; "
                                      "units report their content as stale after that"));

  admin.clock.Advance(day * 6 + Millis(3'600'000) * 20);  // just under 4 hours left
  REQUIRE(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 0);
  CHECK(Contains(admin.err.str(), "warning: expires at 2026-12-29T10:00:00Z, in 3 hours;"));

  admin.clock.Advance(day);  // expired: an error, not a warning
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 1);
  CHECK(
      Contains(admin.err.str(), "manifest.json: expired at 2026-12-29T10:00:00Z; units refuse it"));
  CHECK_FALSE(Contains(admin.err.str(), "warning"));
}

TEST_CASE("kiosk bundle: a removed image disappears from the rebuilt bundle") {
  Admin admin;
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
  std::filesystem::remove(admin.src() / "images/poster.png");
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir()}) == 0);
  CHECK(Contains(admin.out.str(), "Built bundle v2 in " + admin.out_dir().string() + ": 1 file, "));
  CHECK_FALSE(std::filesystem::exists(admin.out_dir() / "images/poster.png"));
  admin.Sign();
  CHECK(admin.Run({"verify", admin.out_dir(), "--key", admin.pub()}) == 0);
  CHECK(Contains(admin.out.str(), "OK: bundle v2, 1 file, "));
}

TEST_CASE("kiosk bundle: what the tool builds and minisign signs, a unit applies") {
  Admin admin;
  REQUIRE(admin.Run({"build", admin.src(), admin.out_dir(), "--version", "7"}) == 0);
  admin.Sign();
  // Publish OUT_DIR as it is on a (fake) web server.
  testing::FakeFetcher server;
  const std::string base = "https://example.org/kiosk";
  auto files = ListFilesRecursive(admin.store, admin.out_dir());
  REQUIRE(files.ok());
  for (const auto& path : *files) server.Serve(base + "/" + path, ReadText(admin.out_dir() / path));

  MemoryFileStore unit_disk;
  UpdaterOptions options;
  options.updates.url = base;
  options.updates.trusted_keys = {ReadText(admin.pub())};  // the whole .pub file
  options.state_dir = "/var/lib/kiosk";
  options.status_file = "/run/kiosk/status.json";
  std::vector<int64_t> applied;
  Updater updater(options, server, unit_disk, admin.clock, nullptr,
                  [&](const std::filesystem::path&, int64_t v) { applied.push_back(v); });
  updater.Start();
  auto outcome = updater.PollOnce();
  REQUIRE_MESSAGE(outcome.result == PollResult::kApplied, outcome.error.message());
  CHECK(applied == std::vector<int64_t>{7});
  CHECK(*unit_disk.ReadFile("/var/lib/kiosk/bundles/v7/slides.json") ==
        ReadText(admin.src() / "slides.json"));
}

}  // namespace
}  // namespace kiosk::update
