// What an unchanged poll costs on the wire: a unit polls every 5 minutes,
// 105,000 times a year, so the answer "nothing new" must stay small (target:
// under 1 KB). Runs a private nginx (tests/servers/nginx_server.py), publishes
// a signed 20-file bundle with the minisign binary, lets the real Updater
// apply it through the real CurlFetcher, then measures the unchanged polls.
// Prints figures; asserts nothing.
//
// FetchResponse::wire_bytes counts HTTP request and response headers and body
// bytes. Over HTTPS, TLS adds its handshake and record overhead; a unit whose
// polls are minutes apart opens a new connection each time (nginx keeps one
// for 75 s), so the last figures count every byte through a relay.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/sha256.h"
#include "kiosk/core/update/updater.h"
#include "kiosk/platform/net/curl_fetcher.h"
#include "tests/platform/net/test_servers.h"

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
  void Abort() override { inner_.Abort(); }
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

// Waits until the relay has seen `connections` connections close.
testing::ByteCountingRelay::Counts WaitForConnections(const testing::ByteCountingRelay& relay,
                                                      uint64_t connections) {
  for (int i = 0; i < 250; ++i) {
    auto counts = relay.Read();
    if (counts.connections >= connections) return counts;
    struct timespec pause = {0, 20'000'000};
    nanosleep(&pause, nullptr);
  }
  return relay.Read();
}

// Real polls are minutes apart, longer than nginx keeps a connection open
// (keepalive_timeout 75 s): each one opens a new TCP + TLS connection. A
// relay counts every byte, TLS included, of an unchanged poll (a conditional
// GET answered 304) on a new connection: the first ever (full handshake,
// certificate chain) and later ones (TLS session resumed by the fetcher,
// with the session cache docs/publishing.md recommends; without it every
// poll costs the full handshake).
void MeasureNewConnections(const std::string& manifest_text) {
  auto started = testing::NginxServer::Start(
      "    keepalive_timeout 0;\n    ssl_session_cache shared:kiosk:1m;\n    ssl_session_timeout "
      "1h;\n");
  if (!started.ok()) return;
  testing::NginxServer& nginx = **started;
  testing::WriteFile(nginx.root() / "bundle" / "manifest.json", manifest_text);
  auto relay_started = testing::ByteCountingRelay::Start(nginx.https_port());
  if (!relay_started.ok()) {
    std::printf("relay: %s\n", relay_started.status().ToString().c_str());
    return;
  }
  testing::ByteCountingRelay& relay = **relay_started;
  CurlFetcherOptions options;
  options.pinned_ca_file = nginx.ca_file();
  FetchRequest request;
  request.url = "https://127.0.0.1:" + std::to_string(relay.port()) + "/bundle/manifest.json";
  {
    auto fetcher = CurlFetcher::Create(options);
    if (!fetcher.ok()) return;
    auto first = (*fetcher)->Fetch(request);
    if (!first.ok()) {
      std::printf("https via relay: %s\n", first.status().ToString().c_str());
      return;
    }
    request.if_none_match = first->etag;
  }
  const auto baseline = WaitForConnections(relay, 1);
  constexpr int kPolls = 10;
  uint64_t first_bytes = 0;
  {
    auto fetcher = CurlFetcher::Create(options);
    if (!fetcher.ok()) return;
    for (int i = 0; i <= kPolls; ++i) {
      auto answer = (*fetcher)->Fetch(request);
      if (!answer.ok() || answer->http_status != 304) {
        std::printf("https via relay: poll %d did not get a 304\n", i);
        return;
      }
      if (i == 0) {
        // nginx answered "Connection: close", so the fetcher closed it.
        const auto after_first = WaitForConnections(relay, 2);
        first_bytes =
            after_first.to_server + after_first.to_client - baseline.to_server - baseline.to_client;
      }
    }
  }
  const auto total = WaitForConnections(relay, 2 + kPolls);
  const uint64_t resumed_bytes =
      total.to_server + total.to_client - baseline.to_server - baseline.to_client - first_bytes;
  const uint64_t resumed_polls = total.connections - baseline.connections - 1;
  std::printf("https, new connection per poll: first poll %llu bytes (full TLS handshake)\n",
              static_cast<unsigned long long>(first_bytes));
  if (resumed_polls > 0) {
    std::printf(
        "https, new connection per poll: later polls %.0f bytes each (TLS session resumed, "
        "mean of %llu), %.1f MB a year every 5 min\n",
        static_cast<double>(resumed_bytes) / static_cast<double>(resumed_polls),
        static_cast<unsigned long long>(resumed_polls),
        static_cast<double>(resumed_bytes) / static_cast<double>(resumed_polls) * 105'120 / 1e6);
  }
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
  MeasureNewConnections(manifest_text);
  return 0;
}
