#include "kiosk/core/update/bundle_verify.h"

#include <set>

#include "kiosk/core/update/sha256.h"

namespace kiosk::update {

Status RunValidator(const BundleValidator& validator, const std::filesystem::path& dir) {
  if (!validator) return Status::Ok();
  try {
    return validator(dir);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("validator threw: ") + e.what());
  } catch (...) {
    return Status::Internal("validator threw an exception");
  }
}

Status BundleCheck::ToStatus() const {
  if (ok()) return Status::Ok();
  std::string all;
  for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
  if (all.empty()) all = "bundle is not valid";
  return Status::Unverified(all);
}

BundleCheck VerifyBundleDir(FileStore& store, const std::filesystem::path& dir,
                            const std::vector<MinisignPublicKey>& trusted_keys,
                            const BundleValidator& validator) {
  return VerifyBundleDir(store, dir, KeyThreshold{trusted_keys, 1}, validator);
}

BundleCheck VerifyBundleDir(FileStore& store, const std::filesystem::path& dir,
                            const KeyThreshold& trusted, const BundleValidator& validator) {
  BundleCheck check;
  auto manifest_text = store.ReadFile(dir / kManifestName);
  if (!manifest_text.ok()) {
    check.problems.push_back("manifest.json: cannot read: " + manifest_text.status().message());
    return check;
  }
  auto signature_text = store.ReadFile(dir / kSignatureName);
  if (!signature_text.ok()) {
    check.problems.push_back("manifest.json.minisig: cannot read: " +
                             signature_text.status().message());
    return check;
  }
  auto verified = VerifyMinisignThreshold(*manifest_text, *signature_text, trusted);
  if (verified.ok()) {
    check.signers = *verified;
    check.signature = verified->front();
  } else {
    // Keep going so that `kiosk bundle verify` lists every problem; the
    // result cannot be ok() any more. (These bytes are on the unit's own
    // disk; the updater never parses an unverified manifest from the network.)
    check.problems.push_back("manifest signature: " + verified.status().message());
  }
  auto manifest = ParseManifest(*manifest_text, "manifest.json");
  if (!manifest.ok()) {
    check.problems.push_back(manifest.status().message());
    return check;
  }

  auto present = ListFilesRecursive(store, dir);
  if (!present.ok()) {
    check.problems.push_back(dir.string() + ": cannot list: " + present.status().message());
    return check;
  }
  std::set<std::string> present_set(present->begin(), present->end());
  for (const auto& file : manifest->files) {
    if (!present_set.count(file.path)) {
      check.problems.push_back(file.path + ": listed in the manifest but missing");
      continue;
    }
    auto data = store.ReadFile(dir / file.path);
    if (!data.ok()) {
      check.problems.push_back(file.path + ": cannot read: " + data.status().message());
      continue;
    }
    if (data->size() != file.size) {
      check.problems.push_back(file.path + ": size mismatch (expected " +
                               std::to_string(file.size) + " bytes, got " +
                               std::to_string(data->size()) + ")");
      continue;
    }
    const std::string actual = Sha256Hex(*data);
    if (actual != file.sha256) {
      check.problems.push_back(file.path + ": sha256 mismatch (expected " + file.sha256 + ", got " +
                               actual + ")");
    } else if (file.path == kSlidesName) {
      check.slides_json = std::move(*data);
    } else {
      check.verified_files[file.path] = std::move(*data);
    }
  }
  for (const auto& path : *present) {
    if (path == kManifestName || path == kSignatureName) continue;
    if (manifest->Find(path) == nullptr) {
      check.problems.push_back(path +
                               ": not listed in the manifest (a bundle is exactly the "
                               "manifest's files)");
    }
  }
  if (check.problems.empty() && validator) {
    Status valid = RunValidator(validator, dir);
    if (!valid.ok()) check.problems.push_back("content validation: " + valid.message());
  }
  if (check.signature) check.manifest = std::move(*manifest);
  return check;
}

}  // namespace kiosk::update
