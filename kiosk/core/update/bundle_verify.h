// Checks a bundle that is already on disk: the cached bundles at start-up and
// `kiosk bundle verify`. A bundle directory holds manifest.json,
// manifest.json.minisig and exactly the files the manifest lists.
//
// Stateless and thread-safe (given a thread-safe FileStore).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"

namespace kiosk::update {

// The player's own checks of a bundle's content (slides.json parses, images
// decode, ...), supplied by the application. Called with the bundle's
// directory; Ok to accept. Runs on the updater's worker thread.
using BundleValidator = std::function<Status(const std::filesystem::path& bundle_dir)>;

// Calls validator(dir), turning an exception from it into Status::Internal:
// the validator is someone else's code, and an exception must neither end
// the updater's thread nor skip the clean-up of a staging directory.
Status RunValidator(const BundleValidator& validator, const std::filesystem::path& dir);

struct BundleCheck {
  // Set when the manifest's signature verified and it parsed.
  std::optional<Manifest> manifest;
  std::optional<VerifiedSignature> signature;  // the first signer
  std::vector<VerifiedSignature> signers;      // every trusted key that signed
  // The bytes of slides.json whose hash verified: parse these, never the
  // file again (it could change between the check and a second read).
  std::string slides_json;
  // The bytes of every other listed file whose hash verified, by manifest
  // path (the slides' images): drawn from these, never read again.
  std::map<std::string, std::string> verified_files;
  // Every problem found, each a full sentence naming the file; empty = valid.
  std::vector<std::string> problems;

  bool ok() const { return problems.empty() && manifest.has_value(); }
  // Status::Unverified with every problem, one per line (Ok if none).
  Status ToStatus() const;
};

// Verifies dir: the signature of manifest.json against trusted_keys, the
// manifest itself, then every listed file's presence, size and SHA-256, and
// that no other file is present. Continues past file problems so that every
// one is reported. The validator, if given, runs only when all else passed.
BundleCheck VerifyBundleDir(FileStore& store, const std::filesystem::path& dir,
                            const KeyThreshold& trusted,
                            const BundleValidator& validator = nullptr);
// The same with each key alone enough (threshold 1).
BundleCheck VerifyBundleDir(FileStore& store, const std::filesystem::path& dir,
                            const std::vector<MinisignPublicKey>& trusted_keys,
                            const BundleValidator& validator = nullptr);

}  // namespace kiosk::update
