// The updater with a scripted fetcher, a fake clock and the in-memory store:
// the happy path, conditional requests, and every refusal, each of which must
// keep the current content, say why in the status file and schedule the next
// poll on the backoff schedule.
#include "kiosk/core/update/updater.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "kiosk/core/update/poll_schedule.h"
#include "kiosk/core/update/rfc3339.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using testing::BundleFiles;
using testing::FakeFetcher;
using testing::Publisher;
using testing::TestSigner;

const std::string kBase = "https://signs.example.org/bundle";
const std::filesystem::path kState = "/var/lib/kiosk";
const std::filesystem::path kStatus = "/run/kiosk/status.json";
constexpr int kInterval = 300;
constexpr Millis kIntervalMs(kInterval * 1000);

BundleFiles FilesOf(int64_t version) {
  return {{"slides.json", "{\"slides\": [], \"v\": " + std::to_string(version) + "}"},
          {"images/poster.png", "\x89PNG fake image for v" + std::to_string(version)}};
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

struct Applied {
  std::filesystem::path dir;
  int64_t version;
};

// One unit: a store that survives "restarts" (new Updater objects), a
// fetcher standing for the web server, a clock, and a fixed random source
// (0.5 = no jitter) so poll times are exact.
struct Unit {
  MemoryFileStore store;
  FakeFetcher server;
  FakeClock clock{Millis(1'000'000)};
  TestSigner signer;
  Publisher publisher{server, kBase, signer};
  std::vector<Applied> applied;
  Status validator_answer;  // what the injected validator says
  std::vector<std::filesystem::path> validated;
  std::unique_ptr<Updater> updater;
  std::optional<CachedBundle> shown_at_start;

  UpdaterOptions Options() {
    UpdaterOptions o;
    o.updates.url = kBase + "/";  // a trailing slash must not matter
    o.updates.poll_interval_s = kInterval;
    o.updates.trusted_keys = {signer.PublicKeyBase64()};
    o.device_name = "test-unit";
    o.venue_tags = {"lobby"};
    o.state_dir = kState;
    o.status_file = kStatus;
    return o;
  }

  // (Re)starts the unit's updater, as after a reboot.
  void Boot(std::optional<UpdaterOptions> options = std::nullopt) {
    updater = std::make_unique<Updater>(
        options ? *options : Options(), server, store, clock,
        [this](const std::filesystem::path& dir) {
          validated.push_back(dir);
          // The validator sees the complete bundle before it is committed.
          CHECK(store.Exists(dir / "slides.json"));
          return validator_answer;
        },
        [this](const std::filesystem::path& dir, int64_t version) {
          applied.push_back({dir, version});
        },
        [] { return 0.5; });
    shown_at_start = updater->Start();
  }

  nlohmann::json StatusFile() {
    auto text = store.ReadFile(kStatus);
    REQUIRE(text.ok());
    return nlohmann::json::parse(*text);
  }

  std::vector<std::string> BundleDirs() {
    std::vector<std::string> names;
    auto list = store.List(kState / "bundles");
    REQUIRE(list.ok());
    for (const auto& e : *list) names.push_back(e.name);
    return names;
  }

  // Applies version cleanly (the precondition of most refusal tests).
  void ApplyGood(int64_t version) {
    publisher.Publish(version, FilesOf(version));
    auto outcome = updater->PollOnce();
    REQUIRE_MESSAGE(outcome.result == PollResult::kApplied, outcome.error.message());
  }
};

TEST_CASE("updater: happy path applies, notifies, persists and reports") {
  Unit unit;
  unit.Boot();
  CHECK_FALSE(unit.shown_at_start.has_value());
  auto boot_status = unit.StatusFile();
  CHECK(boot_status["shown"]["source"] == "builtin");
  CHECK(boot_status["updates_enabled"] == true);
  CHECK(unit.updater->next_poll_at() == unit.clock.Monotonic());  // first poll right away

  unit.publisher.Publish(1, FilesOf(1));
  auto outcome = unit.updater->PollOnce();
  REQUIRE_MESSAGE(outcome.result == PollResult::kApplied, outcome.error.message());
  CHECK(outcome.error.ok());
  CHECK(outcome.next_delay == kIntervalMs);
  CHECK(unit.updater->next_poll_at() == unit.clock.Monotonic() + kIntervalMs);

  REQUIRE(unit.applied.size() == 1);
  CHECK(unit.applied[0].version == 1);
  CHECK(unit.applied[0].dir == kState / "bundles" / "v1");
  REQUIRE(unit.validated.size() == 1);
  CHECK(unit.validated[0] != unit.applied[0].dir);  // validated before commit

  // The cache holds exactly the bundle.
  for (const auto& [path, bytes] : FilesOf(1)) {
    CHECK(*unit.store.ReadFile(unit.applied[0].dir / path) == bytes);
  }
  auto files = ListFilesRecursive(unit.store, unit.applied[0].dir);
  REQUIRE(files.ok());
  CHECK(*files == std::vector<std::string>{"images/poster.png", "manifest.json",
                                           "manifest.json.minisig", "slides.json"});
  // Requests: manifest, signature, each file with its size as the cap.
  REQUIRE(unit.server.requests.size() == 4);
  CHECK(unit.server.requests[0].url == kBase + "/manifest.json");
  CHECK(unit.server.requests[1].url == kBase + "/manifest.json.minisig");
  for (size_t i = 2; i < 4; ++i) {
    const auto& r = unit.server.requests[i];
    const std::string path = r.url.substr(kBase.size() + 1);
    CHECK(r.max_body_bytes == FilesOf(1).at(path).size());
  }

  auto status = unit.StatusFile();
  const std::string now = FormatRfc3339Utc(unit.clock.UnixSeconds());
  CHECK(status["device_name"] == "test-unit");
  CHECK(status["venue_tags"] == nlohmann::json({"lobby"}));
  CHECK(status["shown"]["source"] == "network");
  CHECK(status["shown"]["version"] == 1);
  CHECK(status["shown"]["applied_at"] == now);
  CHECK(status["last_check"] == now);
  CHECK(status["last_success"] == now);
  CHECK(status["last_check_result"] == "applied");
  CHECK(status["last_error"].is_null());
  CHECK(status["stale"] == false);
  CHECK(status["next_poll"] == FormatRfc3339Utc(unit.clock.UnixSeconds() + kInterval));

  // A newer version replaces it; the old one is kept as last-known-good.
  unit.clock.Advance(kIntervalMs);
  unit.ApplyGood(2);
  CHECK(unit.applied.back().version == 2);
  CHECK(unit.BundleDirs() == std::vector<std::string>{"v1", "v2"});
  unit.clock.Advance(kIntervalMs);
  unit.ApplyGood(3);
  CHECK(unit.BundleDirs() == std::vector<std::string>{"v2", "v3"});
  CHECK(unit.updater->cache_state().previous->version == 2);
}

TEST_CASE("updater: 304 path sends the validators, also after a restart") {
  Unit unit;
  unit.Boot();
  unit.ApplyGood(1);
  unit.server.requests.clear();

  unit.clock.Advance(kIntervalMs);
  auto outcome = unit.updater->PollOnce();
  CHECK(outcome.result == PollResult::kUnchanged);
  REQUIRE(unit.server.requests.size() == 1);  // only the manifest's headers
  CHECK(unit.server.requests[0].if_none_match == "\"v1\"");
  CHECK(unit.StatusFile()["last_check_result"] == "unchanged");
  CHECK(outcome.next_delay == kIntervalMs);

  // Reboot: the cached bundle is shown and the validators are still sent.
  unit.server.requests.clear();
  unit.Boot();
  REQUIRE(unit.shown_at_start.has_value());
  CHECK(unit.shown_at_start->applied.version == 1);
  CHECK(unit.StatusFile()["shown"]["source"] == "cache");
  CHECK(unit.StatusFile()["shown"]["version"] == 1);
  CHECK(unit.updater->PollOnce().result == PollResult::kUnchanged);
  REQUIRE(unit.server.requests.size() == 1);
  CHECK(unit.server.requests[0].if_none_match == "\"v1\"");
  CHECK(unit.applied.size() == 1);  // nothing re-applied
}

TEST_CASE("updater: If-Modified-Since is sent when the server gives Last-Modified") {
  Unit unit;
  unit.Boot();
  const std::string manifest = update::ManifestToJson(testing::ManifestFor(1, FilesOf(1)));
  unit.publisher.PublishText(manifest, FilesOf(1), "");
  FakeFetcher::Answer a;
  a.body = manifest;
  a.last_modified = "Sun, 29 Nov 2026 10:00:00 GMT";
  unit.server.SetAnswer(kBase + "/manifest.json", a);
  REQUIRE(unit.updater->PollOnce().result == PollResult::kApplied);
  unit.server.requests.clear();
  CHECK(unit.updater->PollOnce().result == PollResult::kUnchanged);
  REQUIRE(unit.server.requests.size() == 1);
  CHECK(unit.server.requests[0].if_modified_since == "Sun, 29 Nov 2026 10:00:00 GMT");
  CHECK(unit.server.requests[0].if_none_match.empty());
}

TEST_CASE("updater: the same version again is up to date, not a rollback") {
  Unit unit;
  unit.Boot();
  unit.ApplyGood(1);
  // The server lost its ETag (e.g. a new server): 200 with the same version.
  unit.publisher.Publish(1, FilesOf(1));
  FakeFetcher::Answer a;
  a.body = *unit.store.ReadFile(kState / "bundles/v1/manifest.json");
  a.etag = "\"new-etag\"";
  unit.server.SetAnswer(kBase + "/manifest.json", a);
  auto outcome = unit.updater->PollOnce();
  CHECK(outcome.result == PollResult::kUpToDate);
  CHECK(unit.applied.size() == 1);
  CHECK(unit.updater->cache_state().manifest_etag == "\"new-etag\"");
  CHECK(unit.StatusFile()["last_error"].is_null());
}

// Each refusal: the unit applied v1, the server then serves something bad.
struct Refusal {
  const char* name;
  std::function<void(Unit&)> break_server;
  std::string reason;  // expected in the error and the status file
  Status::Code code;
};

std::string Manifest2() { return update::ManifestToJson(testing::ManifestFor(2, FilesOf(2))); }

TEST_CASE("updater: every refusal keeps the content, reports why, and backs off") {
  const std::vector<Refusal> refusals = {
      {"manifest 404", [](Unit& u) { u.server.Remove(kBase + "/manifest.json"); },
       "manifest.json: HTTP 404", Status::Code::kNetwork},
      {"manifest 500",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         FakeFetcher::Answer a;
         a.http_status = 500;
         u.server.SetAnswer(kBase + "/manifest.json", a);
       },
       "manifest.json: HTTP 500", Status::Code::kNetwork},
      {"network error",
       [](Unit& u) {
         u.server.Fail(kBase + "/manifest.json",
                       Status::Network("could not resolve host signs.example.org"));
       },
       "manifest.json: could not resolve host signs.example.org", Status::Code::kNetwork},
      {"missing signature",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.server.Remove(kBase + "/manifest.json.minisig");
       },
       "manifest.json.minisig: HTTP 404", Status::Code::kNetwork},
      {"malformed signature",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.server.Serve(kBase + "/manifest.json.minisig", "<html>oops</html>");
       },
       "manifest signature: malformed signature file", Status::Code::kInvalid},
      {"wrong signature (manifest changed after signing)",
       [](Unit& u) {
         const std::string text = Manifest2();
         u.publisher.PublishText(text, FilesOf(2), "\"v2\"");
         std::string tampered = text;
         tampered.replace(tampered.find("\"version\": 2"), 12, "\"version\": 3");
         u.server.Serve(kBase + "/manifest.json", tampered, "\"v3\"");
       },
       "manifest signature: signature does not verify", Status::Code::kUnverified},
      {"untrusted key",
       [](Unit& u) {
         static TestSigner attacker;
         u.publisher.PublishText(Manifest2(), FilesOf(2), "\"v2\"", &attacker);
       },
       "", Status::Code::kUnverified},  // reason filled in below (key id)
      {"tampered trusted comment",
       [](Unit& u) {
         const std::string text = Manifest2();
         u.publisher.PublishText(text, FilesOf(2), "\"v2\"");
         std::string sig = u.signer.Sign(text, "kiosk bundle v2");
         sig.replace(sig.find("kiosk bundle v2"), 15, "kiosk bundle v9");
         u.server.Serve(kBase + "/manifest.json.minisig", sig);
       },
       "manifest signature: trusted comment signature does not verify", Status::Code::kUnverified},
      {"rollback", [](Unit&) {}, "",
       Status::Code::kOk},  // set up in the loop: needs v2 applied first
      {"size mismatch (shorter)",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.server.Serve(kBase + "/slides.json", "{}");
       },
       "slides.json: size mismatch (expected " +
           std::to_string(FilesOf(2).at("slides.json").size()) + " bytes, got 2)",
       Status::Code::kUnverified},
      {"size mismatch (longer: the transfer is cut at the manifest's size)",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.server.Serve(kBase + "/slides.json", FilesOf(2).at("slides.json") + " and more");
       },
       "slides.json: response body exceeds " + std::to_string(FilesOf(2).at("slides.json").size()) +
           " bytes",
       Status::Code::kNetwork},
      {"hash mismatch",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         std::string evil = FilesOf(2).at("slides.json");
         evil[2] = 'S';  // same size, other bytes: "1-800-292-1168" -> anything
         u.server.Serve(kBase + "/slides.json", evil);
       },
       "slides.json: sha256 mismatch (expected " +
           testing::ManifestFor(2, FilesOf(2)).Find("slides.json")->sha256 + ", got ",
       Status::Code::kUnverified},
      {"listed file missing on the server",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.server.Remove(kBase + "/images/poster.png");
       },
       "images/poster.png: HTTP 404", Status::Code::kNetwork},
      {"slides.json missing from the manifest",
       [](Unit& u) {
         BundleFiles files = FilesOf(2);
         files.erase("slides.json");
         u.publisher.PublishText(update::ManifestToJson(testing::ManifestFor(2, files)), files,
                                 "\"v2\"");
       },
       "manifest.json: $.files: must list \"slides.json\"", Status::Code::kInvalid},
      {"unsafe path in the manifest",
       [](Unit& u) {
         BundleFiles files = FilesOf(2);
         files["../../../etc/cron.d/evil"] = "* * * * * root sh";
         u.publisher.PublishText(update::ManifestToJson(testing::ManifestFor(2, files)), files,
                                 "\"v2\"");
       },
       "unsafe path \"../../../etc/cron.d/evil\"", Status::Code::kInvalid},
      {"manifest is not JSON (but signed)",
       [](Unit& u) { u.publisher.PublishText("{\"format\": 1,,}", {}, "\"v2\""); },
       "manifest.json: line 1", Status::Code::kInvalid},
      {"validator refuses the content",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.validator_answer = Status::Invalid("slides.json: $.slides: expected at least 1 slide");
       },
       "bundle v2 content validation: slides.json: $.slides: expected at least 1 slide",
       Status::Code::kRejected},
      {"expired", [](Unit& u) { u.publisher.Publish(2, FilesOf(2), u.clock.UnixSeconds() - 1); },
       "bundle v2 expired at ", Status::Code::kRejected},
      {"bigger than max_bundle_bytes",
       [](Unit& u) {
         BundleFiles files = FilesOf(2);
         files["images/huge.png"] = std::string(33u << 20, 'x');
         u.publisher.Publish(2, files);
       },
       "bytes, more than max_bundle_bytes 33554432", Status::Code::kRejected},
      {"staging write fails (disk full)",
       [](Unit& u) {
         u.publisher.Publish(2, FilesOf(2));
         u.store.FailWritesUnder(kState / "bundles/.staging-v2/images");
       },
       "injected fault", Status::Code::kIo},
  };

  for (Refusal refusal : refusals) {
    const std::string name = refusal.name;
    CAPTURE(name);
    Unit unit;
    unit.Boot();
    unit.ApplyGood(1);
    if (std::string(refusal.name) == "rollback") {
      // Apply v2, then the server goes back to v1 (an old signed bundle
      // replayed by an attacker or restored from a backup).
      unit.ApplyGood(2);
      unit.publisher.Publish(1, FilesOf(1));
      refusal.reason = "version 1 is not newer than applied version 2 (rollback refused)";
      refusal.code = Status::Code::kRejected;
    } else {
      refusal.break_server(unit);
    }
    const int64_t shown_version = unit.updater->status().version.value();
    const size_t applied_before = unit.applied.size();
    const auto dirs_before = unit.BundleDirs();
    const auto state_before = CacheStateToJson(unit.updater->cache_state());

    unit.clock.Advance(kIntervalMs);
    auto outcome = unit.updater->PollOnce();
    REQUIRE(outcome.result == PollResult::kFailed);
    std::string reason = refusal.reason;
    if (std::string(refusal.name) == "untrusted key") {
      // The attacker's key id is random; check the shape of the message.
      reason = " is not trusted";
      CHECK(outcome.error.message().find("manifest signature: key id ") == 0);
    }
    CHECK_MESSAGE(Contains(outcome.error.message(), reason), outcome.error.message());
    CHECK(outcome.error.code() == refusal.code);

    // Content kept: nothing applied, nothing changed on disk.
    CHECK(unit.applied.size() == applied_before);
    CHECK(unit.updater->status().version == shown_version);
    CHECK(unit.updater->status().source == ContentSource::kNetwork);
    CHECK(unit.BundleDirs() == dirs_before);  // staging removed too
    CHECK(CacheStateToJson(unit.updater->cache_state()) == state_before);

    // The reason is in the status file, with the time.
    auto status = unit.StatusFile();
    const std::string now = FormatRfc3339Utc(unit.clock.UnixSeconds());
    CHECK(status["shown"]["version"] == shown_version);
    CHECK(status["last_check"] == now);
    CHECK(status["last_check_result"] == "failed");
    REQUIRE(status["last_error"].is_object());
    CHECK(status["last_error"]["time"] == now);
    CHECK(Contains(status["last_error"]["reason"].get<std::string>(), reason));
    CHECK(status["consecutive_failures"] == 1);

    // The next poll is on the backoff schedule: 30 s, then 60 s.
    CHECK(outcome.next_delay == kFirstRetryDelay);
    CHECK(unit.updater->next_poll_at() == unit.clock.Monotonic() + kFirstRetryDelay);
    CHECK(status["next_poll"] == FormatRfc3339Utc(unit.clock.UnixSeconds() + 30));
    unit.clock.Advance(kFirstRetryDelay);
    auto again = unit.updater->PollOnce();
    CHECK(again.result == PollResult::kFailed);
    CHECK(again.next_delay == Millis(60'000));
    CHECK(unit.applied.size() == applied_before);
    unit.store.FailWritesUnder("");
  }
}

TEST_CASE("updater: a refusal with nothing applied yet keeps the built-in content") {
  Unit unit;
  unit.Boot();
  static TestSigner attacker;
  unit.publisher.PublishText(Manifest2(), FilesOf(2), "\"v2\"", &attacker);
  auto outcome = unit.updater->PollOnce();
  REQUIRE(outcome.result == PollResult::kFailed);
  CHECK(outcome.error.message() ==
        "manifest signature: key id " + attacker.KeyIdHex() + " is not trusted");
  auto status = unit.StatusFile();
  CHECK(status["shown"]["source"] == "builtin");
  CHECK(status["shown"]["version"].is_null());
  CHECK(unit.applied.empty());
  CHECK(unit.BundleDirs().empty());
}

TEST_CASE("updater: a refused manifest is fetched again, and a fix is applied") {
  Unit unit;
  unit.Boot();
  unit.ApplyGood(1);
  unit.publisher.Publish(2, FilesOf(2));
  unit.server.Serve(kBase + "/slides.json", "tampered!");
  REQUIRE(unit.updater->PollOnce().result == PollResult::kFailed);
  // The refused answer's ETag was not stored: no 304 hides the problem.
  CHECK(unit.updater->cache_state().manifest_etag == "\"v1\"");
  unit.publisher.Publish(2, FilesOf(2));  // the administrator fixes the server
  unit.clock.Advance(kFirstRetryDelay);
  auto outcome = unit.updater->PollOnce();
  CHECK(outcome.result == PollResult::kApplied);
  CHECK(outcome.next_delay == kIntervalMs);  // back to the normal schedule
  auto status = unit.StatusFile();
  CHECK(status["shown"]["version"] == 2);
  CHECK(status["consecutive_failures"] == 0);
  // last_error is kept (with its time) so administrators see what happened.
  CHECK(status["last_error"].is_object());
  CHECK(status["last_success"] == FormatRfc3339Utc(unit.clock.UnixSeconds()));
}

TEST_CASE("updater: the rollback floor survives a restart and a lost cache") {
  Unit unit;
  unit.Boot();
  unit.ApplyGood(1);
  unit.ApplyGood(5);
  // Corrupt both cached bundles: the unit falls back to built-in content...
  REQUIRE(unit.store.WriteFileAtomic(kState / "bundles/v5/slides.json", "x").ok());
  REQUIRE(unit.store.WriteFileAtomic(kState / "bundles/v1/slides.json", "x").ok());
  unit.Boot();
  CHECK_FALSE(unit.shown_at_start.has_value());
  CHECK(unit.StatusFile()["shown"]["source"] == "builtin");
  // ...but an old signed bundle replayed by an attacker is still refused.
  unit.publisher.Publish(4, FilesOf(4));
  auto outcome = unit.updater->PollOnce();
  REQUIRE(outcome.result == PollResult::kFailed);
  CHECK(outcome.error.message() ==
        "version 4 is not newer than applied version 5 (rollback refused)");
  // A new version is applied.
  unit.publisher.Publish(6, FilesOf(6));
  CHECK(unit.updater->PollOnce().result == PollResult::kApplied);
  CHECK(unit.applied.back().version == 6);
}

TEST_CASE("updater: a unit whose current copy is corrupt shows previous, then repairs it") {
  Unit unit;
  unit.Boot();
  unit.ApplyGood(1);
  unit.ApplyGood(2);
  // The SD card flips a byte in v2; the server still publishes v2.
  REQUIRE(unit.store.WriteFileAtomic(kState / "bundles/v2/slides.json", "{\"slides\": []}").ok());
  unit.Boot();
  REQUIRE(unit.shown_at_start.has_value());
  CHECK(unit.shown_at_start->applied.version == 1);
  CHECK(unit.StatusFile()["shown"]["version"] == 1);
  unit.server.requests.clear();
  auto outcome = unit.updater->PollOnce();
  REQUIRE_MESSAGE(outcome.result == PollResult::kApplied, outcome.error.message());
  // The stored validators belong to v2's manifest: they were not sent, or
  // the server's 304 would have kept the unit on v1.
  CHECK(unit.server.requests[0].if_none_match.empty());
  CHECK(unit.applied.back().version == 2);
  CHECK(*unit.store.ReadFile(kState / "bundles/v2/slides.json") == FilesOf(2).at("slides.json"));
  CHECK(unit.updater->cache_state().previous->version == 1);
  CHECK(unit.StatusFile()["shown"]["version"] == 2);
  // And after that, v2 is up to date again.
  CHECK(unit.updater->PollOnce().result == PollResult::kUnchanged);
}

TEST_CASE("updater: an exception from the validator is a failed poll, not a crash") {
  Unit unit;
  unit.Boot();
  auto options = unit.Options();
  unit.updater = std::make_unique<Updater>(
      options, unit.server, unit.store, unit.clock,
      [](const std::filesystem::path&) -> Status { throw std::runtime_error("validator bug"); },
      nullptr, [] { return 0.5; });
  unit.updater->Start();
  unit.publisher.Publish(1, FilesOf(1));
  auto outcome = unit.updater->PollOnce();
  REQUIRE(outcome.result == PollResult::kFailed);
  CHECK(Contains(outcome.error.message(), "content validation: validator threw: validator bug"));
  CHECK(outcome.next_delay == kFirstRetryDelay);
  CHECK(unit.BundleDirs().empty());  // the staging directory was cleaned up
}

TEST_CASE("updater: a poll aborted mid-download is not a failure and leaves the cache clean") {
  Unit unit;
  unit.Boot();
  unit.ApplyGood(1);
  const auto dirs_before = unit.BundleDirs();
  const auto state_before = CacheStateToJson(unit.updater->cache_state());
  const auto status_before = unit.store.ReadFile(kStatus);
  REQUIRE(status_before.ok());

  // Version 2 is being downloaded (staging exists) when the unit is told to
  // stop: the abort arrives while its image is on the wire.
  unit.publisher.Publish(2, FilesOf(2));
  unit.server.on_fetch = [&](const FetchRequest& request) {
    if (request.url == kBase + "/images/poster.png") unit.updater->AbortPoll();
  };
  unit.clock.Advance(kIntervalMs);
  auto outcome = unit.updater->PollOnce();
  CHECK(outcome.result == PollResult::kAborted);
  CHECK_MESSAGE(Contains(outcome.error.message(), "transfer aborted (the updater is stopping)"),
                outcome.error.message());

  // Nothing applied, nothing counted, nothing reported, staging removed.
  CHECK(unit.applied.size() == 1);
  CHECK(unit.updater->status().version == 1);
  CHECK(unit.updater->status().consecutive_failures == 0);
  CHECK(unit.updater->status().last_error_reason.empty());
  CHECK(unit.BundleDirs() == dirs_before);
  CHECK(CacheStateToJson(unit.updater->cache_state()) == state_before);
  const auto status_after = unit.store.ReadFile(kStatus);
  REQUIRE(status_after.ok());
  CHECK(*status_after == *status_before);

  // The fetcher is retired: a later poll ends at once, asking nothing.
  const size_t requests_before = unit.server.requests.size();
  unit.server.on_fetch = nullptr;
  CHECK(unit.updater->PollOnce().result == PollResult::kAborted);
  CHECK(unit.server.requests.size() == requests_before);
}

TEST_CASE("updater: files not in the manifest are neither fetched nor kept") {
  Unit unit;
  unit.Boot();
  unit.publisher.Publish(1, FilesOf(1));
  unit.server.Serve(kBase + "/extra.js", "alert(1)");
  unit.server.Serve(kBase + "/slides2.json", "{}");
  REQUIRE(unit.updater->PollOnce().result == PollResult::kApplied);
  CHECK(unit.server.CountRequests(kBase + "/extra.js") == 0);
  CHECK_FALSE(unit.store.Exists(kState / "bundles/v1/extra.js"));
}

TEST_CASE("updater: stale when the shown bundle expires or checks keep failing") {
  Unit unit;
  unit.Boot();
  const int64_t expires = unit.clock.UnixSeconds() + 2 * kInterval;
  unit.publisher.Publish(1, FilesOf(1), expires);
  REQUIRE(unit.updater->PollOnce().result == PollResult::kApplied);
  CHECK(unit.StatusFile()["stale"] == false);
  CHECK(unit.StatusFile()["shown"]["expires"] == FormatRfc3339Utc(expires));
  unit.clock.Advance(kIntervalMs);
  CHECK(unit.updater->PollOnce().result == PollResult::kUnchanged);
  CHECK(unit.StatusFile()["stale"] == false);
  unit.clock.Advance(kIntervalMs);
  CHECK(unit.updater->PollOnce().result == PollResult::kUnchanged);
  CHECK(unit.StatusFile()["stale"] == true);  // expired, still shown (nothing newer)

  // No expiry, but no successful check for three intervals.
  Unit other;
  other.Boot();
  other.ApplyGood(1);
  other.server.Fail(kBase + "/manifest.json", Status::Network("connection refused"));
  other.clock.Advance(kIntervalMs * 2);
  other.updater->PollOnce();
  CHECK(other.StatusFile()["stale"] == false);
  other.clock.Advance(kIntervalMs);
  other.updater->PollOnce();
  CHECK(other.StatusFile()["stale"] == true);
}

TEST_CASE("updater: with no URL, updates are off and nothing is fetched") {
  Unit unit;
  auto options = unit.Options();
  options.updates.url.clear();
  unit.Boot(options);
  auto outcome = unit.updater->PollOnce();
  CHECK(outcome.result == PollResult::kDisabled);
  CHECK(unit.server.requests.empty());
  auto status = unit.StatusFile();
  CHECK(status["updates_enabled"] == false);
  CHECK(status["shown"]["source"] == "builtin");
  CHECK(status["stale"] == false);
}

TEST_CASE("updater: bad or missing trusted keys refuse every bundle, clearly") {
  Unit unit;
  auto options = unit.Options();
  SUBCASE("no key") {
    options.updates.trusted_keys.clear();
    unit.Boot(options);
    unit.publisher.Publish(1, FilesOf(1));
    auto outcome = unit.updater->PollOnce();
    REQUIRE(outcome.result == PollResult::kFailed);
    CHECK(Contains(outcome.error.message(), "no trusted key configured"));
    CHECK(unit.server.requests.empty());
  }
  SUBCASE("a key with a typo") {
    options.updates.trusted_keys = {"RWQtypo"};
    unit.Boot(options);
    unit.publisher.Publish(1, FilesOf(1));
    auto outcome = unit.updater->PollOnce();
    REQUIRE(outcome.result == PollResult::kFailed);
    CHECK(Contains(outcome.error.message(), "no usable trusted key (updates.trusted_keys[0]:"));
    CHECK(unit.server.requests.empty());  // refused before any download
  }
  SUBCASE("a typo next to a good key: the good key still works") {
    options.updates.trusted_keys = {"RWQtypo", unit.signer.PublicKeyFile()};
    unit.Boot(options);
    unit.publisher.Publish(1, FilesOf(1));
    CHECK(unit.updater->PollOnce().result == PollResult::kApplied);
  }
}

TEST_CASE("updater: a 304 to an unconditional request is an error") {
  Unit unit;
  unit.Boot();
  FakeFetcher::Answer a;
  a.http_status = 304;
  unit.server.SetAnswer(kBase + "/manifest.json", a);
  auto outcome = unit.updater->PollOnce();
  REQUIRE(outcome.result == PollResult::kFailed);
  CHECK(Contains(outcome.error.message(), "not conditional"));
}

}  // namespace
}  // namespace kiosk::update
