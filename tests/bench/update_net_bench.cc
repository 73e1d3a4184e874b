// What an unchanged poll costs on the wire: a unit polls every 5 minutes,
// 105,000 times a year, so the answer "nothing new" must stay small (target:
// under 1 KB). Runs a private nginx (tests/servers/nginx_server.py), publishes
// a signed 20-file bundle with the minisign binary, lets the real Updater
// apply it through the real CurlFetcher, then measures the unchanged polls.
// Prints figures; asserts nothing.
//
// wire_bytes counts HTTP request and response headers and body bytes; over
// HTTPS the TLS record overhead (~30 B per record) comes on top, and the
// handshake (a few KB) is paid only when the kept-alive connection was closed
// (nginx's keepalive_timeout is 75 s, shorter than the poll interval).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/update/file_store.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/sha256.h"
#include "kiosk/core/update/updater.h"
#include "kiosk/platform/net/curl_fetcher.h"
#include "tests/net/test_servers.h"

namespace {

using kiosk::CurlFetcher;
using kiosk::CurlFetcherOptions;
using kiosk::FetchRequest;
using kiosk::FetchResponse;
using kiosk::Result;
namespace testing = kiosk::testing;

double WallSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Counts what the updater's requests cost.
class CountingFetcher final : public kiosk::Fetcher {
 public:
  explicit CountingFetcher(kiosk::Fetcher& inner) : inner_(inner) {}
  Result<FetchResponse> Fetch(const FetchRequest& request) override {
    auto response = inner_.Fetch(request);
    ++requests_;
    if (response.ok()) wire_bytes_ += response->wire_bytes;
    return response;
  }
  void Reset() { requests_ = 0, wire_bytes_ = 0; }
  int requests() const { return requests_; }
  uint64_t wire_bytes() const { return wire_bytes_; }

 private:
  kiosk::Fetcher& inner_;
  int requests_ = 0;
  uint64_t wire_bytes_ = 0;
};

bool Run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

void Measure(const char* label, const std::string& base_url, const std::string& pinned_ca,
             const std::string& trusted_key) {
  CurlFetcherOptions options;
  options.pinned_ca_file = pinned_ca;
  auto curl = CurlFetcher::Create(options);
  if (!curl.ok()) {
    std::printf("%s: %s\n", label, curl.status().ToString().c_str());
    return;
  }
  CountingFetcher fetcher(**curl);
  kiosk::MemoryFileStore store;
  kiosk::FakeClock clock;
  kiosk::update::UpdaterOptions updater_options;
  updater_options.updates.url = base_url;
  updater_options.updates.trusted_keys = {trusted_key};
  updater_options.state_dir = "/state";
  updater_options.status_file = "/run/status.json";
  kiosk::update::Updater updater(updater_options, fetcher, store, clock, nullptr, nullptr,
                                 [] { return 0.5; });
  updater.Start();

  auto applied = updater.PollOnce();
  std::printf("%s: first poll (%s): %d requests, %llu bytes on the wire\n", label,
              kiosk::update::PollResultName(applied.result), fetcher.requests(),
              static_cast<unsigned long long>(fetcher.wire_bytes()));
  if (applied.result != kiosk::update::PollResult::kApplied) {
    std::printf("  error: %s\n", applied.error.ToString().c_str());
    return;
  }
  constexpr int kPolls = 50;
  fetcher.Reset();
  int unchanged = 0;
  const double start = WallSeconds();
  for (int i = 0; i < kPolls; ++i) {
    unchanged += updater.PollOnce().result == kiosk::update::PollResult::kUnchanged;
  }
  const double took = WallSeconds() - start;
  std::printf(
      "%s: unchanged poll: %.0f bytes on the wire, %d request(s), %.2f ms "
      "(mean of %d, %d answered 304, connection kept alive)\n",
      label, static_cast<double>(fetcher.wire_bytes()) / kPolls, fetcher.requests() / kPolls,
      took * 1000 / kPolls, kPolls, unchanged);
  std::printf("%s: a year of unchanged polls every 5 min: %.1f MB\n", label,
              static_cast<double>(fetcher.wire_bytes()) / kPolls * 105'120 / 1e6);
}

}  // namespace

int main() {
  auto started = testing::NginxServer::Start();
  if (!started.ok()) {
    std::printf("nginx fixture: %s\n", started.status().ToString().c_str());
    return 1;
  }
  testing::NginxServer& nginx = **started;
  testing::TempDir keys;
  const std::string pub = (keys.path() / "key.pub").string();
  const std::string sec = (keys.path() / "key.sec").string();
  if (!Run("minisign -G -W -p " + pub + " -s " + sec)) {
    std::printf("minisign -G failed (is minisign installed?)\n");
    return 1;
  }
  const std::string pub_text = testing::ReadFile(pub);
  const size_t line = pub_text.find('\n');
  const std::string trusted_key =
      pub_text.substr(line + 1, pub_text.find('\n', line + 1) - line - 1);

  // A bundle the size of a real one: slides.json and 19 images.
  kiosk::update::Manifest manifest;
  manifest.version = 1;
  manifest.published = 1'780'000'000;
  const auto dir = nginx.root() / "bundle";
  for (int i = 0; i < 20; ++i) {
    const std::string path = i == 0 ? "slides.json" : "images/slide" + std::to_string(i) + ".png";
    const std::string bytes(i == 0 ? 6000 : 40'000, static_cast<char>('a' + i));
    testing::WriteFile(dir / path, bytes);
    manifest.files.push_back({path, bytes.size(), kiosk::update::Sha256Hex(bytes)});
  }
  const std::string manifest_text = kiosk::update::ManifestToJson(manifest);
  testing::WriteFile(dir / "manifest.json", manifest_text);
  if (!Run("minisign -S -s " + sec + " -m " + (dir / "manifest.json").string())) {
    std::printf("minisign -S failed\n");
    return 1;
  }
  std::printf("bundle: 20 files, %zu-byte manifest\n", manifest_text.size());
  Measure("http ", nginx.Url("/bundle"), "", trusted_key);
  Measure("https", nginx.HttpsUrl("/bundle"), nginx.ca_file(), trusted_key);
  return 0;
}
