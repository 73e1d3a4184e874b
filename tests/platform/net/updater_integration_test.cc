// The updater (kiosk/core/update) with the real CurlFetcher against real
// servers: bundles signed by the real minisign binary, served by nginx and by
// the fault server. For every way a publication or a network can go wrong,
// the unit must keep showing what it showed, say why in its status file, and
// schedule its next poll on the backoff schedule.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/poll_schedule.h"
#include "kiosk/core/update/sha256.h"
#include "kiosk/core/update/updater.h"
#include "kiosk/platform/net/curl_fetcher.h"
#include "tests/platform/net/test_servers.h"

namespace kiosk {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FaultServer;
using testing::NginxServer;
using testing::TempDir;
using update::PollResult;

constexpr int kPollIntervalS = 300;
const fs::path kStateDir = "/var/lib/kiosk";
const fs::path kStatusFile = "/run/kiosk/status.json";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void Run(const std::string& command) {
  INFO("command: ", command);
  REQUIRE(std::system((command + " >/dev/null 2>&1").c_str()) == 0);
}

// A minisign key pair made by the minisign binary, without a password.
class SigningKey {
 public:
  SigningKey() {
    Run("minisign -G -W -p " + public_file() + " -s " + secret_file());
    // A .pub file is an "untrusted comment:" line, then the key line.
    const std::string pub = testing::ReadFile(public_file());
    const size_t line = pub.find('\n');
    REQUIRE(line != std::string::npos);
    trusted_key_ = pub.substr(line + 1, pub.find('\n', line + 1) - line - 1);
  }
  std::string public_file() const { return (dir_.path() / "key.pub").string(); }
  std::string secret_file() const { return (dir_.path() / "key.sec").string(); }
  // The base64 line UpdateConfig::trusted_keys holds.
  const std::string& trusted_key() const { return trusted_key_; }

  void Sign(const fs::path& file) const {
    Run("minisign -S -s " + secret_file() + " -m " + file.string());
  }

 private:
  TempDir dir_;
  std::string trusted_key_;
};

using Files = std::map<std::string, std::string>;  // bundle path -> bytes

update::Manifest ManifestOf(int64_t version, const Files& files) {
  update::Manifest manifest;
  manifest.version = version;
  manifest.published = 1'780'000'000;
  for (const auto& [path, bytes] : files) {
    manifest.files.push_back({path, bytes.size(), update::Sha256Hex(bytes)});
  }
  return manifest;
}

// Writes the files, then manifest.json with `manifest_text`, signed by `key`.
//
// Each publication gets a modification time one second after the previous
// one: nginx's ETag is mtime (in seconds) and size, so two manifests of the
// same size written within a second would look unchanged to the unit. Test
// publications come milliseconds apart; people's come minutes apart.
void Publish(const fs::path& dir, const Files& files, const std::string& manifest_text,
             const SigningKey& key) {
  static auto mtime = fs::file_time_type::clock::now() - std::chrono::hours(1);
  mtime += seconds(1);
  for (const auto& [path, bytes] : files) {
    testing::WriteFile(dir / path, bytes);
    fs::last_write_time(dir / path, mtime);
  }
  testing::WriteFile(dir / "manifest.json", manifest_text);
  key.Sign(dir / "manifest.json");
  fs::last_write_time(dir / "manifest.json", mtime);
  fs::last_write_time(dir / "manifest.json.minisig", mtime);
}

void Publish(const fs::path& dir, int64_t version, const Files& files, const SigningKey& key) {
  Publish(dir, files, update::ManifestToJson(ManifestOf(version, files)), key);
}

std::string Slides(int64_t version, size_t size = 0) {
  std::string text = "{\"slides\": \"version " + std::to_string(version) + "\"}";
  if (text.size() < size) text += std::string(size - text.size(), ' ');
  return text;
}

// Short limits so the hang and drip faults end in seconds; the total timeout
// is longer than the low-speed window so that a drip is reported as a drip.
CurlFetcherOptions FastOptions() {
  CurlFetcherOptions options;
  options.connect_timeout = milliseconds(2000);
  options.total_timeout = milliseconds(2500);
  options.low_speed_bytes_per_s = 1024;
  options.low_speed_window = seconds(1);
  return options;
}

// One screen: an Updater over the real fetcher, an in-memory disk and a clock
// the test moves.
class Unit {
 public:
  Unit(const std::string& url, const std::vector<std::string>& trusted_keys,
       CurlFetcherOptions fetcher_options = FastOptions()) {
    auto fetcher = CurlFetcher::Create(std::move(fetcher_options));
    REQUIRE_MESSAGE(fetcher.ok(), fetcher.status().ToString());
    fetcher_ = std::move(*fetcher);
    update::UpdaterOptions options;
    options.updates.url = url;
    options.updates.poll_interval_s = kPollIntervalS;
    options.updates.trusted_keys = trusted_keys;
    options.device_name = "test-unit";
    options.state_dir = kStateDir;
    options.status_file = kStatusFile;
    updater_ = std::make_unique<update::Updater>(
        options, *fetcher_, store_, clock_, /*validator=*/nullptr,
        [this](const fs::path&, int64_t version) { applied_.push_back(version); },
        [] { return 0.5; });  // jitter 0: the schedule is exact
    updater_->Start();
  }

  update::PollOutcome Poll() {
    clock_.Advance(updater_->next_poll_at() - clock_.Monotonic());
    return updater_->PollOnce();
  }

  nlohmann::json StatusFile() {
    auto text = store_.ReadFile(kStatusFile);
    REQUIRE_MESSAGE(text.ok(), text.status().ToString());
    return nlohmann::json::parse(*text);
  }
  std::string ShownSlides(int64_t version) {
    auto text =
        store_.ReadFile(kStateDir / "bundles" / ("v" + std::to_string(version)) / "slides.json");
    return text.ok() ? *text : std::string("<missing>");
  }

  update::Updater& updater() { return *updater_; }
  const std::vector<int64_t>& applied() const { return applied_; }
  const FakeClock& clock() const { return clock_; }

 private:
  MemoryFileStore store_;
  FakeClock clock_;
  std::unique_ptr<CurlFetcher> fetcher_;
  std::unique_ptr<update::Updater> updater_;
  std::vector<int64_t> applied_;
};

void ExpectApplied(Unit& unit, int64_t version) {
  auto outcome = unit.Poll();
  INFO("error: ", outcome.error.ToString());
  REQUIRE(outcome.result == PollResult::kApplied);
  REQUIRE(unit.updater().cache_state().current.has_value());
  CHECK(unit.updater().cache_state().current->version == version);
  CHECK(unit.applied().back() == version);
  CHECK(unit.ShownSlides(version) == Slides(version));
  auto status = unit.StatusFile();
  CHECK(status["shown"]["version"] == version);
  CHECK(status["shown"]["source"] == "network");
  CHECK(status["last_check_result"] == "applied");
}

TEST_CASE("nginx: a signed bundle is applied, an unchanged poll is a 304, a new one applies") {
  auto started = NginxServer::Start();
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  NginxServer& nginx = **started;
  SigningKey key;
  const fs::path published = nginx.root() / "bundle";
  Publish(published, 1, {{"slides.json", Slides(1)}}, key);

  auto poll_three_times = [&](Unit& unit) {
    ExpectApplied(unit, 1);

    auto unchanged = unit.Poll();
    CHECK(unchanged.result == PollResult::kUnchanged);
    CHECK(unit.StatusFile()["last_check_result"] == "unchanged");
    // nginx's own record: the last manifest request was answered 304. nginx
    // logs after it answers, so the line may come a moment after the poll.
    std::string line;
    for (int attempt = 0; attempt < 50 && !Contains(line, "\" 304 "); ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(milliseconds(20));
      const std::string log = testing::ReadFile(nginx.access_log());
      const size_t last = log.rfind("GET /bundle/manifest.json ");
      if (last != std::string::npos) line = log.substr(last, log.find('\n', last) - last);
    }
    INFO("access log line: ", line);
    CHECK(Contains(line, "\" 304 "));

    Publish(published, 2, {{"slides.json", Slides(2)}}, key);
    ExpectApplied(unit, 2);
    CHECK(unit.applied() == std::vector<int64_t>{1, 2});
  };

  SUBCASE("over http") {
    Unit unit(nginx.Url("/bundle"), {key.trusted_key()});
    poll_three_times(unit);
  }
  SUBCASE("over https with the pinned CA") {
    CurlFetcherOptions options = FastOptions();
    options.pinned_ca_file = nginx.ca_file();
    Unit unit(nginx.HttpsUrl("/bundle/"), {key.trusted_key()}, options);
    poll_three_times(unit);
  }
  SUBCASE("over https without the CA the bundle is not applied") {
    Unit unit(nginx.HttpsUrl("/bundle"), {key.trusted_key()});
    auto outcome = unit.Poll();
    CHECK(outcome.result == PollResult::kFailed);
    CHECK(Contains(outcome.error.message(), "TLS certificate did not verify"));
    CHECK_FALSE(unit.updater().cache_state().current.has_value());
    CHECK(unit.StatusFile()["shown"]["source"] == "builtin");
  }
}

TEST_CASE("fault server: every failure keeps the content, names the reason, keeps the schedule") {
  auto started = FaultServer::Start();
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  std::unique_ptr<FaultServer> server = std::move(*started);
  SigningKey key;
  const fs::path published = server->root() / "b";
  // What the unit shows before each fault: version 5.
  Publish(published, 5, {{"slides.json", Slides(5)}}, key);
  Unit unit(server->Url("/b"), {key.trusted_key()});
  ExpectApplied(unit, 5);
  // The next version, with a slides.json big enough for the truncation fault
  // (which sends 100 of 1000 announced bytes) to be a truncation and not an
  // oversize.
  const Files next = {{"slides.json", Slides(6, 2000)}};

  std::string expected_reason;
  Status::Code expected_code = Status::Code::kNetwork;

  SUBCASE("manifest.json 404") {
    REQUIRE(server->SetFault("/b/manifest.json", "404").ok());
    expected_reason = "manifest.json: HTTP 404";
  }
  SUBCASE("manifest.json 500") {
    REQUIRE(server->SetFault("/b/manifest.json", "500").ok());
    expected_reason = "manifest.json: HTTP 500";
  }
  SUBCASE("server gone: connection refused") {
    const int port = server->http_port();
    server.reset();
    expected_reason = "manifest.json: connection refused to 127.0.0.1:" + std::to_string(port);
  }
  SUBCASE("server never answers: timeout") {
    REQUIRE(server->SetFault("/b/manifest.json", "hang").ok());
    expected_reason = "manifest.json: server stalled: no answer from 127.0.0.1:";
  }
  SUBCASE("server drips: too slow") {
    REQUIRE(server->SetFault("/b/manifest.json", "drip").ok());
    expected_reason = "manifest.json: server too slow: below 1024 B/s for 1 s";
  }
  SUBCASE("a file's body is truncated") {
    Publish(published, 6, next, key);
    REQUIRE(server->SetFault("/b/slides.json", "truncate").ok());
    expected_reason = "slides.json: truncated body from 127.0.0.1:";
  }
  SUBCASE("a file is larger than the manifest says") {
    Publish(published, 6, next, key);
    REQUIRE(server->SetFault("/b/slides.json", "oversize").ok());
    expected_reason = "slides.json: body larger than the 2000-byte limit";
  }
  SUBCASE("manifest.json redirects in a loop") {
    REQUIRE(server->SetFault("/b/manifest.json", "redirect-loop").ok());
    expected_reason = "manifest.json: too many redirects (more than 3)";
  }
  SUBCASE("manifest.json is not JSON (but signed)") {
    Publish(published, next, "{\"format\": 1, \"version\": ", key);
    expected_reason = "manifest.json: line 1";
    expected_code = Status::Code::kInvalid;
  }
  SUBCASE("the signature is for another manifest") {
    const std::string old_signature = testing::ReadFile(published / "manifest.json.minisig");
    Publish(published, 6, next, key);
    testing::WriteFile(published / "manifest.json.minisig", old_signature);
    expected_reason = "manifest signature: signature does not verify";
    expected_code = Status::Code::kUnverified;
  }
  SUBCASE("signed by a key the unit does not trust") {
    SigningKey stranger;
    Publish(published, 6, next, stranger);
    expected_reason = "is not trusted";
    expected_code = Status::Code::kUnverified;
  }
  SUBCASE("an older version, validly signed: rollback") {
    Publish(published, 3, {{"slides.json", Slides(3)}}, key);
    expected_reason = "version 3 is not newer than applied version 5 (rollback refused)";
    expected_code = Status::Code::kRejected;
  }
  SUBCASE("a file whose hash is not the manifest's") {
    update::Manifest manifest = ManifestOf(6, next);
    manifest.files[0].sha256 = update::Sha256Hex("something else");
    Publish(published, next, update::ManifestToJson(manifest), key);
    expected_reason = "slides.json: sha256 mismatch";
    expected_code = Status::Code::kUnverified;
  }
  SUBCASE("a file the manifest lists is missing from the server") {
    Files with_image = next;
    with_image["images/poster.png"] = "png bytes";
    Publish(published, next, update::ManifestToJson(ManifestOf(6, with_image)), key);
    expected_reason = "images/poster.png: HTTP 404";
  }
  SUBCASE("the manifest does not list slides.json") {
    Publish(published, next, update::ManifestToJson(ManifestOf(6, {{"images/poster.png", "png"}})),
            key);
    expected_reason = "slides.json";
    expected_code = Status::Code::kInvalid;
  }

  const auto before = std::chrono::steady_clock::now();
  auto outcome = unit.Poll();
  const auto took = std::chrono::steady_clock::now() - before;
  INFO("error: ", outcome.error.ToString());
  REQUIRE(outcome.result == PollResult::kFailed);
  CHECK(outcome.error.code() == expected_code);
  CHECK(Contains(outcome.error.message(), expected_reason));
  CHECK(took < seconds(4));

  // The previous content stays.
  REQUIRE(unit.updater().cache_state().current.has_value());
  CHECK(unit.updater().cache_state().current->version == 5);
  CHECK(unit.applied() == std::vector<int64_t>{5});
  CHECK(unit.ShownSlides(5) == Slides(5));

  // The status file says why.
  auto status = unit.StatusFile();
  CHECK(status["shown"]["version"] == 5);
  CHECK(status["last_check_result"] == "failed");
  CHECK(status["consecutive_failures"] == 1);
  REQUIRE(status["last_error"].is_object());
  CHECK(Contains(status["last_error"]["reason"].get<std::string>(), expected_reason));

  // The next poll is the first backoff step after the failure, not later and
  // not sooner.
  const Millis first_retry =
      update::NextPollDelay(Millis(kPollIntervalS * 1000), /*consecutive_failures=*/1, 0.5);
  CHECK(first_retry == update::kFirstRetryDelay);
  CHECK(outcome.next_delay == first_retry);
  CHECK(unit.updater().next_poll_at() == unit.clock().Monotonic() + first_retry);
}

TEST_CASE("fault server: after a fault clears, the next poll applies the new bundle") {
  auto started = FaultServer::Start();
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  FaultServer& server = **started;
  SigningKey key;
  const fs::path published = server.root() / "b";
  Publish(published, 1, {{"slides.json", Slides(1)}}, key);
  Unit unit(server.Url("/b"), {key.trusted_key()});
  ExpectApplied(unit, 1);

  Publish(published, 2, {{"slides.json", Slides(2)}}, key);
  REQUIRE(server.SetFault("/b/slides.json", "500").ok());
  CHECK(unit.Poll().result == PollResult::kFailed);
  REQUIRE(server.ClearFaults().ok());
  ExpectApplied(unit, 2);
  CHECK(unit.StatusFile()["consecutive_failures"] == 0);
}

}  // namespace
}  // namespace kiosk
