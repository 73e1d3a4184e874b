#include "kiosk/core/update/bundle_tool.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/core/update/rfc3339.h"
#include "kiosk/core/update/sha256.h"

namespace kiosk::update {
namespace {

constexpr char kStolenKeyAdvice[] = "see \"If a signing key is stolen\" in docs/publishing.md";

// True if manifest_text is JSON whose "version" is an integer above
// kMaxBundleVersion (ParseManifest refuses it along with any other problem).
bool VersionAboveMaximum(std::string_view manifest_text) {
  auto json = nlohmann::json::parse(manifest_text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return false;
  auto it = json.find("version");
  if (it == json.end()) return false;
  if (it->is_number_unsigned()) return it->get<uint64_t>() > uint64_t{kMaxBundleVersion};
  return it->is_number_integer() && it->get<int64_t>() > kMaxBundleVersion;
}

// Why no version can follow `what` (out_dir's manifest at or above the
// maximum): a signed bundle there means units that applied it accept nothing
// newer, which is a stolen key's doing or a mistake with the same cure.
std::string AtMaximum(const std::string& what) {
  return what + "; bundle versions stop at " + std::to_string(kMaxBundleVersion) +
         ", so no newer bundle can be built. Units that applied such a bundle refuse every "
         "other one; " +
         kStolenKeyAdvice;
}

BuildReport Failed(BuildReport report, std::string problem) {
  report.problems.push_back(std::move(problem));
  return report;
}

}  // namespace

BuildReport BuildBundle(const BuildOptions& options, const BundleValidator& validate,
                        FileStore& store, const Clock& clock) {
  BuildReport report;
  const std::filesystem::path& src = options.src;
  const std::filesystem::path& out_dir = options.out_dir;
  auto files = ListFilesRecursive(store, src);
  if (!files.ok()) return Failed(std::move(report), files.status().message());
  std::vector<std::string> content;
  for (const auto& path : *files) {
    if (path == kManifestName || path == kSignatureName) {
      report.notes.push_back("ignoring " + (src / path).string() +
                             " (a bundle's manifest is generated)");
      continue;
    }
    Status safe = CheckBundlePath(path);
    if (!safe.ok()) {
      report.problems.push_back((src / path).string() +
                                ": cannot go in a bundle: " + safe.message());
      continue;
    }
    content.push_back(path);
  }
  if (std::find(content.begin(), content.end(), std::string(kSlidesName)) == content.end()) {
    report.problems.push_back((src / kSlidesName).string() +
                              ": missing (every bundle carries the player's slides.json)");
  }
  if (!report.problems.empty()) return report;
  if (validate) {
    Status valid = RunValidator(validate, src);
    if (!valid.ok()) {
      return Failed(std::move(report),
                    "the content does not pass the player's checks:\n" + valid.message());
    }
  }

  // What out_dir holds already: only a previous bundle may be replaced, so a
  // mistyped out_dir never loses someone's files.
  int64_t previous_version = 0;
  std::set<std::string> replaceable = {std::string(kManifestName), std::string(kSignatureName)};
  if (store.Exists(out_dir)) {
    if (auto old_text = store.ReadFile(out_dir / kManifestName); old_text.ok()) {
      const std::string old_name = (out_dir / kManifestName).string();
      auto old = ParseManifest(*old_text, old_name);
      if (!old.ok() && VersionAboveMaximum(*old_text)) {
        report.problems.push_back(old.status().message());
        return Failed(std::move(report), AtMaximum(old_name + " has a version above the maximum"));
      }
      if (!old.ok()) {
        return Failed(std::move(report),
                      "the existing manifest cannot be read, so the next version is unknown:\n" +
                          old.status().message());
      }
      if (old->version == kMaxBundleVersion) {
        return Failed(std::move(report), AtMaximum(old_name + " is at version " +
                                                   std::to_string(old->version) + ", the maximum"));
      }
      previous_version = old->version;
      for (const auto& f : old->files) replaceable.insert(f.path);
    }
    auto existing = ListFilesRecursive(store, out_dir);
    if (!existing.ok()) return Failed(std::move(report), existing.status().message());
    for (const auto& path : *existing) {
      if (!replaceable.count(path)) {
        report.problems.push_back((out_dir / path).string() +
                                  " is not part of a previous bundle; use an empty or new OUT_DIR");
      }
    }
    if (!report.problems.empty()) return report;
  }
  // previous_version < kMaxBundleVersion here, so the + 1 cannot overflow.
  const int64_t version = options.version.value_or(previous_version + 1);
  if (version <= previous_version) {
    return Failed(std::move(report), "version " + std::to_string(version) + " is not newer than " +
                                         out_dir.string() + "'s version " +
                                         std::to_string(previous_version) +
                                         "; units would refuse it as a rollback");
  }

  Manifest manifest;
  manifest.version = version;
  manifest.published = clock.UnixSeconds();
  manifest.expires = manifest.published + options.expires_in_days * kSecondsPerDay;
  for (const auto& path : content) {
    auto data = store.ReadFile(src / path);
    if (!data.ok()) return Failed(std::move(report), data.status().message());
    manifest.files.push_back({path, data->size(), Sha256Hex(*data)});
  }

  // Remove the previous bundle's files (all listed in replaceable), then write.
  Status s = store.MakeDirs(out_dir);
  for (const auto& path : replaceable) {
    if (s.ok() && store.Exists(out_dir / path)) s = store.RemoveTree(out_dir / path);
  }
  for (const auto& path : content) {
    if (!s.ok()) break;
    auto data = store.ReadFile(src / path);
    if (!data.ok()) {
      s = data.status();
      break;
    }
    const auto target = out_dir / path;
    s = store.MakeDirs(target.parent_path());
    if (s.ok()) s = store.WriteFileAtomic(target, *data);
  }
  if (s.ok()) s = store.WriteFileAtomic(out_dir / kManifestName, ManifestToJson(manifest));
  if (!s.ok()) return Failed(std::move(report), "writing " + out_dir.string() + ": " + s.message());
  report.manifest = std::move(manifest);
  return report;
}

BundleVerifyReport VerifyBundleForPublishing(const std::filesystem::path& dir,
                                             const MinisignPublicKey& key,
                                             const BundleValidator& validate, FileStore& store,
                                             const Clock& clock) {
  BundleVerifyReport report;
  report.now = clock.UnixSeconds();
  report.check = VerifyBundleDir(store, dir, {key}, validate);
  report.problems = report.check.problems;
  const auto& manifest = report.check.manifest;
  if (manifest && manifest->expires && *manifest->expires <= report.now) {
    report.problems.push_back("manifest.json: expired at " + FormatRfc3339Utc(*manifest->expires) +
                              "; units refuse it");
  }
  if (report.problems.empty() && manifest && manifest->expires &&
      *manifest->expires - report.now < kExpiryWarningSeconds) {
    report.expires_soon_at = manifest->expires;
  }
  return report;
}

}  // namespace kiosk::update
