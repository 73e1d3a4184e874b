// Test doubles and helpers for the updater's tests.
//
//   FakeFetcher   a web server in a map: replays scripted answers or faults by
//                 URL, answers conditional requests like a real server,
//                 enforces max_body_bytes like CurlFetcher, and is retired
//                 by Abort() like it.
//   TestSigner    makes minisign-format keys and signatures with libsodium,
//                 so tests can sign thousands of manifests without the binary
//                 (cross-checked against `minisign -V` in minisign_test.cc).
//   Publisher     publishes a signed bundle on a FakeFetcher.
//   StageSignedBundle  writes a signed bundle into a cache's staging dir.
//   TempDir, Sh, ReadText, WriteText  for tests on the real disk.
//
// Not thread-safe unless stated.
#pragma once

#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/fetcher.h"
#include "kiosk/core/update/bundle_cache.h"
#include "kiosk/core/update/manifest.h"
#include "tests/common/temp_dir.h"

namespace kiosk::testing {

class FakeFetcher final : public Fetcher {
 public:
  struct Answer {
    int http_status = 200;
    std::string body;
    std::string etag;
    std::string last_modified;
    std::optional<Status> fault;  // returned instead of an answer
  };

  // Serves body at url with 200 (and 304 to a matching conditional request).
  void Serve(const std::string& url, std::string body, std::string etag = "",
             std::string last_modified = "");
  void SetAnswer(const std::string& url, Answer answer) { answers_[url] = std::move(answer); }
  void Fail(const std::string& url, Status fault);
  void Remove(const std::string& url) { answers_.erase(url); }
  void Clear() { answers_.clear(); }

  Result<FetchResponse> Fetch(const FetchRequest& request) override;
  // Every Fetch from now on (including one whose on_fetch called this) fails
  // with FetchAbortedMessage, and is not recorded in `requests`.
  void Abort() override { aborted_ = true; }

  std::vector<FetchRequest> requests;  // every request, in order
  // Runs at the start of each Fetch: lets a test act while a request is "on
  // the wire" (e.g. abort the poll that made it).
  std::function<void(const FetchRequest&)> on_fetch;

  int CountRequests(const std::string& url) const;

 private:
  std::map<std::string, Answer> answers_;  // unknown URLs answer 404
  std::atomic<bool> aborted_{false};
};

class TestSigner {
 public:
  TestSigner();                         // a fresh random key pair
  std::string PublicKeyBase64() const;  // "RWQ..."
  std::string PublicKeyFile() const;    // the two-line .pub text
  std::string KeyIdHex() const;
  // The text of a .minisig for message.
  std::string Sign(std::string_view message, std::string_view trusted_comment = "kiosk test",
                   bool prehashed = true) const;

 private:
  std::array<unsigned char, 8> key_id_{};
  std::array<unsigned char, 32> public_key_{};
  std::array<unsigned char, 64> secret_key_{};
};

using BundleFiles = std::map<std::string, std::string>;  // path -> bytes

// A manifest listing exactly files (in path order).
update::Manifest ManifestFor(int64_t version, const BundleFiles& files,
                             std::optional<int64_t> expires = std::nullopt,
                             int64_t published = 1'780'000'000);

// A bundle published at base_url on a FakeFetcher.
class Publisher {
 public:
  Publisher(FakeFetcher& fetcher, std::string base_url, const TestSigner& signer)
      : fetcher_(fetcher), base_(std::move(base_url)), signer_(signer) {}
  // Serves manifest text, its signature (by signer) and files; the manifest
  // gets the ETag "\"v<version>\"" unless etag is given.
  void PublishText(const std::string& manifest_text, const BundleFiles& files,
                   const std::string& etag, const TestSigner* signer = nullptr);
  // The common case: a correct bundle of files at version.
  std::string Publish(int64_t version, const BundleFiles& files,
                      std::optional<int64_t> expires = std::nullopt);
  std::string Url(const std::string& name) const { return base_ + "/" + name; }

 private:
  FakeFetcher& fetcher_;
  std::string base_;
  const TestSigner& signer_;
};

// A Clock tests may advance from one thread while another reads it.
class ThreadSafeTestClock final : public Clock {
 public:
  Millis Monotonic() const override { return Millis(now_ms_.load()); }
  int64_t UnixSeconds() const override { return 1'780'000'000 + now_ms_.load() / 1000; }
  bool WallClockSynchronized() const override { return true; }
  void Advance(Millis d) { now_ms_ += d.count(); }

 private:
  std::atomic<int64_t> now_ms_{0};
};

// Stages a correctly signed bundle of `files` as `version` in the cache:
// the manifest, its signature and every file. Returns the staging directory,
// ready for Commit, or the first failure.
Result<std::filesystem::path> StageSignedBundle(update::BundleCache& cache,
                                                const TestSigner& signer, int64_t version,
                                                const BundleFiles& files);

// Runs a shell command; returns its exit status (output discarded unless
// output is given).
int Sh(const std::string& command, std::string* output = nullptr);
std::string ReadText(const std::filesystem::path& path);
void WriteText(const std::filesystem::path& path, std::string_view text);

}  // namespace kiosk::testing
