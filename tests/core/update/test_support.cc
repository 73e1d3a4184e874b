#include "tests/core/update/test_support.h"

#include <sodium.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kiosk/core/update/minisign.h"
#include "kiosk/core/update/sha256.h"

namespace kiosk::testing {
namespace {

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

}  // namespace

void FakeFetcher::Serve(const std::string& url, std::string body, std::string etag,
                        std::string last_modified) {
  Answer a;
  a.body = std::move(body);
  a.etag = std::move(etag);
  a.last_modified = std::move(last_modified);
  answers_[url] = std::move(a);
}

void FakeFetcher::Fail(const std::string& url, Status fault) {
  Answer a;
  a.fault = std::move(fault);
  answers_[url] = std::move(a);
}

int FakeFetcher::CountRequests(const std::string& url) const {
  int n = 0;
  for (const auto& r : requests) n += r.url == url ? 1 : 0;
  return n;
}

Result<FetchResponse> FakeFetcher::Fetch(const FetchRequest& request) {
  if (on_fetch) on_fetch(request);
  if (aborted_) return Status::Network(FetchAbortedMessage(request.url));
  requests.push_back(request);
  FetchResponse response;
  auto it = answers_.find(request.url);
  if (it == answers_.end()) {
    response.http_status = 404;
    response.body = "not found";
    return response;
  }
  const Answer& a = it->second;
  if (a.fault) return *a.fault;
  // Like a real server: a matching validator gets 304 and no body.
  if (a.http_status == 200 && ((!a.etag.empty() && request.if_none_match == a.etag) ||
                               (a.etag.empty() && !a.last_modified.empty() &&
                                request.if_modified_since == a.last_modified))) {
    response.http_status = 304;
    response.etag = a.etag;
    response.last_modified = a.last_modified;
    response.wire_bytes = 200;
    return response;
  }
  // Like CurlFetcher: the transfer is aborted once the body exceeds the cap.
  if (a.body.size() > request.max_body_bytes) {
    return Status::Network("response body exceeds " + std::to_string(request.max_body_bytes) +
                           " bytes (transfer aborted)");
  }
  response.http_status = a.http_status;
  response.body = a.body;
  response.etag = a.etag;
  response.last_modified = a.last_modified;
  response.wire_bytes = 200 + a.body.size();
  return response;
}

TestSigner::TestSigner() {
  update::EnsureSodiumInitialized();
  crypto_sign_keypair(public_key_.data(), secret_key_.data());
  randombytes_buf(key_id_.data(), key_id_.size());
}

std::string TestSigner::PublicKeyBase64() const {
  std::string raw = "Ed";
  raw.append(reinterpret_cast<const char*>(key_id_.data()), key_id_.size());
  raw.append(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
  return Base64(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string TestSigner::PublicKeyFile() const {
  return "untrusted comment: minisign public key " + KeyIdHex() + "\n" + PublicKeyBase64() + "\n";
}

std::string TestSigner::KeyIdHex() const { return update::KeyIdHex(key_id_); }

std::string TestSigner::Sign(std::string_view message, std::string_view trusted_comment,
                             bool prehashed) const {
  std::string signed_bytes(message);
  if (prehashed) {
    unsigned char digest[crypto_generichash_BYTES_MAX];
    crypto_generichash(digest, sizeof digest,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       nullptr, 0);
    signed_bytes.assign(reinterpret_cast<const char*>(digest), sizeof digest);
  }
  unsigned char sig[64];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(signed_bytes.data()),
                       signed_bytes.size(), secret_key_.data());
  std::string line2 = prehashed ? "ED" : "Ed";
  line2.append(reinterpret_cast<const char*>(key_id_.data()), key_id_.size());
  line2.append(reinterpret_cast<const char*>(sig), sizeof sig);
  std::string global(reinterpret_cast<const char*>(sig), sizeof sig);
  global += trusted_comment;
  unsigned char global_sig[64];
  crypto_sign_detached(global_sig, nullptr, reinterpret_cast<const unsigned char*>(global.data()),
                       global.size(), secret_key_.data());
  return "untrusted comment: signature from test key\n" +
         Base64(reinterpret_cast<const unsigned char*>(line2.data()), line2.size()) +
         "\ntrusted comment: " + std::string(trusted_comment) + "\n" +
         Base64(global_sig, sizeof global_sig) + "\n";
}

update::Manifest ManifestFor(int64_t version, const BundleFiles& files,
                             std::optional<int64_t> expires, int64_t published) {
  update::Manifest m;
  m.version = version;
  m.published = published;
  m.expires = expires;
  for (const auto& [path, bytes] : files) {
    m.files.push_back({path, bytes.size(), update::Sha256Hex(bytes)});
  }
  return m;
}

void Publisher::PublishText(const std::string& manifest_text, const BundleFiles& files,
                            const std::string& etag, const TestSigner* signer) {
  const TestSigner& s = signer != nullptr ? *signer : signer_;
  fetcher_.Serve(Url("manifest.json"), manifest_text, etag, "");
  fetcher_.Serve(Url("manifest.json.minisig"), s.Sign(manifest_text));
  for (const auto& [path, bytes] : files) fetcher_.Serve(Url(path), bytes);
}

std::string Publisher::Publish(int64_t version, const BundleFiles& files,
                               std::optional<int64_t> expires) {
  std::string text = update::ManifestToJson(ManifestFor(version, files, expires));
  PublishText(text, files, "\"v" + std::to_string(version) + "\"");
  return text;
}

Result<std::filesystem::path> StageSignedBundle(update::BundleCache& cache,
                                                const TestSigner& signer, int64_t version,
                                                const BundleFiles& files) {
  const std::string manifest = update::ManifestToJson(ManifestFor(version, files));
  auto staging = cache.BeginStaging(version);
  if (!staging.ok()) return staging.status();
  Status s = cache.WriteStagedFile(*staging, update::kManifestName, manifest);
  if (s.ok()) s = cache.WriteStagedFile(*staging, update::kSignatureName, signer.Sign(manifest));
  for (auto it = files.begin(); s.ok() && it != files.end(); ++it) {
    s = cache.WriteStagedFile(*staging, it->first, it->second);
  }
  if (!s.ok()) return s;
  return staging;
}

int Sh(const std::string& command, std::string* output) {
  std::string full = command + (output != nullptr ? " 2>&1" : " >/dev/null 2>&1");
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    if (output != nullptr) output->append(buf, n);
  }
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace kiosk::testing
