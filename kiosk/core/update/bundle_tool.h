// The administrator's side of remote updates, as typed operations: build a
// bundle directory from content, and check one the way units will. The
// command line (`kiosk bundle build|verify`: arguments, output, exit codes)
// is kiosk/app/bundle_command.h; these only decide and report.
//
// Threading: runs on the calling thread; no shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/update/bundle_verify.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"

namespace kiosk::update {

inline constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
// A month: long enough that a publisher on holiday does not leave screens
// stale, short enough that a captured bundle cannot be replayed to a fresh
// unit for long (docs/bundle-format.md, "Expired").
inline constexpr int64_t kDefaultExpiresInDays = 30;
inline constexpr int64_t kMaxExpiresInDays = 3650;
// A check warns when a bundle expires sooner than this: time to publish anew.
inline constexpr int64_t kExpiryWarningSeconds = 7 * kSecondsPerDay;

struct BuildOptions {
  std::filesystem::path src;      // the content: slides.json and any images
  std::filesystem::path out_dir;  // the bundle; must differ from src
  // None: out_dir's previous version + 1, or 1. Otherwise 1 to
  // kMaxBundleVersion, and above out_dir's previous version.
  std::optional<int64_t> version;
  int64_t expires_in_days = kDefaultExpiresInDays;  // 1 to kMaxExpiresInDays
};

struct BuildReport {
  // Files of src left out on purpose (a manifest or signature there: a
  // bundle's manifest is generated), each a sentence naming the file.
  std::vector<std::string> notes;
  // Why nothing was built, each a sentence (some several lines) naming the
  // file; empty = built.
  std::vector<std::string> problems;
  // The manifest written to out_dir (unsigned), when built.
  std::optional<Manifest> manifest;

  bool ok() const { return problems.empty() && manifest.has_value(); }
};

// Copies src's files into out_dir and writes out_dir/manifest.json (sizes,
// SHA-256, version, published = clock's now, expires = published +
// expires_in_days), after checking every file name, the content with
// validate_content (if given), and that out_dir holds nothing but a previous
// bundle (a mistyped out_dir never loses someone's files). Versions stop at
// kMaxBundleVersion: an out_dir already there (or beyond) is refused, never
// wrapped around. Nothing is written when there is a problem.
BuildReport BuildBundle(const BuildOptions& options, const BundleValidator& validate_content,
                        FileStore& store, const Clock& clock);

struct BundleVerifyReport {
  // What VerifyBundleDir found (manifest and signer when they verified).
  BundleCheck check;
  // Every reason units would refuse the bundle: check.problems, and its
  // expiry if it has passed. Empty = units accept it.
  std::vector<std::string> problems;
  // Set when accepted but the bundle expires within kExpiryWarningSeconds.
  std::optional<int64_t> expires_soon_at;
  int64_t now = 0;  // the clock's Unix seconds when checked

  bool ok() const { return problems.empty() && check.manifest.has_value(); }
};

// Checks dir as a unit trusting key would: signature, every file's size and
// hash, stray files, the content (validate_content), and expiry.
BundleVerifyReport VerifyBundleForPublishing(const std::filesystem::path& dir,
                                             const MinisignPublicKey& key,
                                             const BundleValidator& validate_content,
                                             FileStore& store, const Clock& clock);

}  // namespace kiosk::update
