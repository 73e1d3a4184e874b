// How much CPU a unit spends proving a bundle genuine: VerifyBundleDir on a
// 5 MB bundle (minisign signature of the manifest + size and SHA-256 of every
// file, read from disk), as done for every cached bundle at start-up and
// equivalent to the checks of a download. Prints figures; asserts nothing.
#include <time.h>

#include <cstdio>
#include <random>
#include <string>

#include "kiosk/core/update/bundle_verify.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"
#include "kiosk/core/update/sha256.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "tests/core/update/test_support.h"

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string RandomBytes(size_t n, std::mt19937_64& rng) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

}  // namespace

int main() {
  using namespace kiosk;
  using namespace kiosk::update;
  testing::TempDir dir;
  PosixFileStore store;
  testing::TestSigner signer;
  const std::vector<MinisignPublicKey> keys = {*ParseMinisignPublicKey(signer.PublicKeyBase64())};

  // slides.json plus four images: 5 MB (5 * 2^20 bytes) in all.
  std::mt19937_64 rng(42);
  testing::BundleFiles files;
  files["slides.json"] = std::string(64 * 1024, 's');
  const size_t image_bytes = (5u << 20) - files["slides.json"].size();
  for (int i = 0; i < 4; ++i) {
    files["images/poster-" + std::to_string(i) + ".png"] = RandomBytes(image_bytes / 4, rng);
  }
  files["images/poster-0.png"] += RandomBytes(image_bytes % 4, rng);
  const std::string manifest = ManifestToJson(testing::ManifestFor(1, files));
  (void)store.MakeDirs(dir.path() / "images");
  (void)store.WriteFileAtomic(dir.path() / "manifest.json", manifest);
  (void)store.WriteFileAtomic(dir.path() / "manifest.json.minisig", signer.Sign(manifest));
  uint64_t total = 0;
  for (const auto& [path, bytes] : files) {
    (void)store.WriteFileAtomic(dir.path() / path, bytes);
    total += bytes.size();
  }

  // Warm the page cache and check the setup is right.
  if (!VerifyBundleDir(store, dir.path(), keys).ok()) {
    std::printf("update_verify_bench: setup failed: the bundle does not verify\n");
    return 1;
  }
  constexpr int kRuns = 20;
  double cpu0 = CpuSeconds(), wall0 = WallSeconds();
  for (int i = 0; i < kRuns; ++i) {
    if (!VerifyBundleDir(store, dir.path(), keys).ok()) return 1;
  }
  const double cpu_ms = (CpuSeconds() - cpu0) / kRuns * 1e3;
  const double wall_ms = (WallSeconds() - wall0) / kRuns * 1e3;

  // The parts: SHA-256 in memory, and the minisign check alone.
  const std::string& big = files["images/poster-1.png"];
  cpu0 = CpuSeconds();
  for (int i = 0; i < kRuns; ++i) (void)Sha256Hex(big);
  const double sha_mb_s =
      static_cast<double>(big.size()) * kRuns / (CpuSeconds() - cpu0) / (1 << 20);
  const std::string sig = signer.Sign(manifest);
  constexpr int kSigRuns = 2000;
  cpu0 = CpuSeconds();
  for (int i = 0; i < kSigRuns; ++i) (void)VerifyMinisign(manifest, sig, keys).ok();
  const double sig_us = (CpuSeconds() - cpu0) / kSigRuns * 1e6;

  std::printf("update_verify_bench: bundle of %llu bytes (%zu files), %d runs\n",
              static_cast<unsigned long long>(total), files.size(), kRuns);
  std::printf(
      "  verify bundle (signature + sizes + SHA-256, from disk): %.2f ms CPU, %.2f ms "
      "wall per bundle (%.0f MB/s)\n",
      cpu_ms, wall_ms, static_cast<double>(total) / (1 << 20) / (cpu_ms / 1e3));
  std::printf("  SHA-256 in memory: %.0f MB/s CPU\n", sha_mb_s);
  std::printf("  minisign manifest check (prehashed, both signatures): %.1f us CPU\n", sig_us);
  return 0;
}
