#include "kiosk/core/update/bundle_tool.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"
#include "kiosk/core/update/rfc3339.h"
#include "kiosk/core/update/sha256.h"

namespace kiosk::update {
namespace {

constexpr char kUsage[] =
    "usage: kiosk bundle build SRC_DIR OUT_DIR [--version N] [--expires-in DAYS]\n"
    "       kiosk bundle verify DIR --key PUBFILE_OR_BASE64\n";

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
// A month: long enough that a publisher on holiday does not leave screens
// stale, short enough that a captured bundle cannot be replayed to a fresh
// unit for long (docs/bundle-format.md, "Expired").
constexpr int64_t kDefaultExpiresInDays = 30;
constexpr int64_t kMaxExpiresInDays = 3650;
// verify warns when a bundle expires sooner than this: time to publish anew.
constexpr int64_t kExpiryWarningSeconds = 7 * kSecondsPerDay;
constexpr char kStolenKeyAdvice[] = "see \"If a signing key is stolen\" in docs/publishing.md";

// Parses a whole decimal integer in [min, max].
std::optional<int64_t> ParseInteger(const std::string& text, int64_t min, int64_t max) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
    return std::nullopt;
  }
  return n;
}

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

// Why no version can follow `what` (OUT_DIR's manifest at or above the
// maximum): a signed bundle there means units that applied it accept nothing
// newer, which is a stolen key's doing or a mistake with the same cure.
int RefuseAtMaximum(std::ostream& err, const std::string& what) {
  err << "kiosk bundle: " << what << "; bundle versions stop at " << kMaxBundleVersion
      << ", so no newer bundle can be built. Units that applied such a bundle refuse every "
         "other one; "
      << kStolenKeyAdvice << "\n";
  return 1;
}

// "1 file", "3 days": a count and its noun, plural unless 1.
std::string Count(uint64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// "3 days", "5 hours", "1 minute": a positive span, rounded down.
std::string Duration(int64_t seconds) {
  if (seconds >= kSecondsPerDay) {
    return Count(static_cast<uint64_t>(seconds / kSecondsPerDay), "day");
  }
  if (seconds >= 3600) return Count(static_cast<uint64_t>(seconds / 3600), "hour");
  return Count(static_cast<uint64_t>(std::max<int64_t>(seconds, 0) / 60), "minute");
}

int Usage(std::ostream& err, const std::string& why) {
  err << "kiosk bundle: " << why << "\n" << kUsage;
  return 2;
}

int Build(const std::vector<std::string>& args, const BundleValidator& validate, FileStore& store,
          const Clock& clock, std::ostream& out, std::ostream& err) {
  std::vector<std::string> positional;
  std::optional<int64_t> requested_version;
  int64_t expires_in_days = kDefaultExpiresInDays;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--version") {
      if (i + 1 >= args.size()) return Usage(err, "--version needs a number");
      const std::string& v = args[++i];
      requested_version = ParseInteger(v, 1, kMaxBundleVersion);
      if (!requested_version) {
        return Usage(err,
                     "--version expects an integer from 1 to " + std::to_string(kMaxBundleVersion) +
                         " (the highest version every JSON reader keeps exact), got \"" + v + "\"");
      }
    } else if (args[i] == "--expires-in") {
      if (i + 1 >= args.size()) return Usage(err, "--expires-in needs a number of days");
      const std::string& d = args[++i];
      auto days = ParseInteger(d, 1, kMaxExpiresInDays);
      if (!days) {
        return Usage(err, "--expires-in expects a number of days from 1 to " +
                              std::to_string(kMaxExpiresInDays) + ", got \"" + d + "\"");
      }
      expires_in_days = *days;
    } else if (args[i].rfind("--", 0) == 0) {
      return Usage(err, "unknown option " + args[i]);
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.size() != 2) return Usage(err, "build needs SRC_DIR and OUT_DIR");
  const std::filesystem::path src = positional[0], out_dir = positional[1];
  if (std::filesystem::absolute(src).lexically_normal() ==
      std::filesystem::absolute(out_dir).lexically_normal()) {
    return Usage(err, "SRC_DIR and OUT_DIR must differ");
  }

  auto files = ListFilesRecursive(store, src);
  if (!files.ok()) {
    err << "kiosk bundle: " << files.status().message() << "\n";
    return 1;
  }
  bool bad = false;
  std::vector<std::string> content;
  for (const auto& path : *files) {
    if (path == kManifestName || path == kSignatureName) {
      err << "kiosk bundle: note: ignoring " << (src / path).string()
          << " (a bundle's manifest is generated)\n";
      continue;
    }
    Status safe = CheckBundlePath(path);
    if (!safe.ok()) {
      err << "kiosk bundle: " << (src / path).string()
          << ": cannot go in a bundle: " << safe.message() << "\n";
      bad = true;
      continue;
    }
    content.push_back(path);
  }
  if (std::find(content.begin(), content.end(), std::string(kSlidesName)) == content.end()) {
    err << "kiosk bundle: " << (src / kSlidesName).string()
        << ": missing (every bundle carries the player's slides.json)\n";
    bad = true;
  }
  if (bad) return 1;
  if (validate) {
    Status valid = RunValidator(validate, src);
    if (!valid.ok()) {
      err << "kiosk bundle: the content does not pass the player's checks:\n"
          << valid.message() << "\n";
      return 1;
    }
  }

  // What OUT_DIR holds already: only a previous bundle may be replaced, so a
  // mistyped OUT_DIR never loses someone's files.
  int64_t previous_version = 0;
  std::set<std::string> replaceable = {std::string(kManifestName), std::string(kSignatureName)};
  if (store.Exists(out_dir)) {
    if (auto old_text = store.ReadFile(out_dir / kManifestName); old_text.ok()) {
      const std::string old_name = (out_dir / kManifestName).string();
      auto old = ParseManifest(*old_text, old_name);
      if (!old.ok() && VersionAboveMaximum(*old_text)) {
        err << old.status().message() << "\n";
        return RefuseAtMaximum(err, old_name + " has a version above the maximum");
      }
      if (!old.ok()) {
        err << "kiosk bundle: the existing manifest cannot be read, so the next version is "
               "unknown:\n"
            << old.status().message() << "\n";
        return 1;
      }
      if (old->version == kMaxBundleVersion) {
        return RefuseAtMaximum(
            err, old_name + " is at version " + std::to_string(old->version) + ", the maximum");
      }
      previous_version = old->version;
      for (const auto& f : old->files) replaceable.insert(f.path);
    }
    auto existing = ListFilesRecursive(store, out_dir);
    if (!existing.ok()) {
      err << "kiosk bundle: " << existing.status().message() << "\n";
      return 1;
    }
    for (const auto& path : *existing) {
      if (!replaceable.count(path)) {
        err << "kiosk bundle: " << (out_dir / path).string()
            << " is not part of a previous bundle; use an empty or new OUT_DIR\n";
        bad = true;
      }
    }
    if (bad) return 1;
  }
  // previous_version < kMaxBundleVersion here, so the + 1 cannot overflow.
  const int64_t version = requested_version.value_or(previous_version + 1);
  if (version <= previous_version) {
    err << "kiosk bundle: version " << version << " is not newer than " << out_dir.string()
        << "'s version " << previous_version << "; units would refuse it as a rollback\n";
    return 1;
  }

  Manifest manifest;
  manifest.version = version;
  manifest.published = clock.UnixSeconds();
  manifest.expires = manifest.published + expires_in_days * kSecondsPerDay;
  for (const auto& path : content) {
    auto data = store.ReadFile(src / path);
    if (!data.ok()) {
      err << "kiosk bundle: " << data.status().message() << "\n";
      return 1;
    }
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
  if (!s.ok()) {
    err << "kiosk bundle: writing " << out_dir.string() << ": " << s.message() << "\n";
    return 1;
  }
  out << "Built bundle v" << version << " in " << out_dir.string() << ": "
      << Count(manifest.files.size(), "file") << ", " << manifest.TotalFileBytes()
      << " bytes, expires " << FormatRfc3339Utc(*manifest.expires) << " (in "
      << Duration(*manifest.expires - manifest.published) << ").\n"
      << "Sign it with:\n"
      << "  minisign -S -s ~/.minisign/kiosk.key -m " << (out_dir / kManifestName).string()
      << " -t \"kiosk bundle v" << version << "\"\n"
      << "then publish every file of " << out_dir.string() << " (including " << kSignatureName
      << ").\n";
  return 0;
}

int Verify(const std::vector<std::string>& args, const BundleValidator& validate, FileStore& store,
           const Clock& clock, std::ostream& out, std::ostream& err) {
  std::vector<std::string> positional;
  std::optional<std::string> key_arg;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--key") {
      if (i + 1 >= args.size()) return Usage(err, "--key needs a public key file or base64 key");
      key_arg = args[++i];
    } else if (args[i].rfind("--", 0) == 0) {
      return Usage(err, "unknown option " + args[i]);
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.size() != 1) return Usage(err, "verify needs DIR");
  if (!key_arg) return Usage(err, "verify needs --key");
  std::string key_text = *key_arg;
  if (store.Exists(*key_arg)) {
    auto text = store.ReadFile(*key_arg);
    if (!text.ok()) {
      err << "kiosk bundle: " << text.status().message() << "\n";
      return 1;
    }
    key_text = *text;
  }
  auto key = ParseMinisignPublicKey(key_text);
  if (!key.ok()) {
    err << "kiosk bundle: --key " << *key_arg << ": " << key.status().message() << "\n";
    return 2;
  }
  const std::filesystem::path dir = positional[0];
  BundleCheck check = VerifyBundleDir(store, dir, {*key}, validate);
  std::vector<std::string> problems = check.problems;
  if (check.manifest && check.manifest->expires &&
      *check.manifest->expires <= clock.UnixSeconds()) {
    problems.push_back("manifest.json: expired at " + FormatRfc3339Utc(*check.manifest->expires) +
                       "; units refuse it");
  }
  if (!problems.empty()) {
    for (const auto& p : problems) err << dir.string() << ": " << p << "\n";
    err << dir.string() << ": " << problems.size() << " problem"
        << (problems.size() == 1 ? "" : "s") << "; units would refuse this bundle\n";
    return 1;
  }
  const auto& expires = check.manifest->expires;
  if (expires && *expires - clock.UnixSeconds() < kExpiryWarningSeconds) {
    err << dir.string() << ": warning: expires at " << FormatRfc3339Utc(*expires) << ", in "
        << Duration(*expires - clock.UnixSeconds())
        << "; units report their content as stale after that, and a unit installed after it "
           "cannot download it: build, sign and publish a new bundle before then\n";
  }
  out << dir.string() << ": OK: bundle v" << check.manifest->version << ", "
      << Count(check.manifest->files.size(), "file") << ", " << check.manifest->TotalFileBytes()
      << " bytes, published " << FormatRfc3339Utc(check.manifest->published) << ", signed by key "
      << KeyIdHex(check.signature->key_id)
      << " (trusted comment: " << check.signature->trusted_comment << ")\n";
  return 0;
}

}  // namespace

int RunBundleTool(const std::vector<std::string>& args, const BundleValidator& validate_content,
                  FileStore& store, const Clock& clock, std::ostream& out, std::ostream& err) {
  size_t first = (!args.empty() && args[0] == "bundle") ? 1 : 0;
  if (args.size() <= first) return Usage(err, "missing subcommand");
  const std::string& command = args[first];
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(first) + 1, args.end());
  if (command == "build") return Build(rest, validate_content, store, clock, out, err);
  if (command == "verify") return Verify(rest, validate_content, store, clock, out, err);
  if (command == "help" || command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  return Usage(err, "unknown subcommand \"" + command + "\"");
}

}  // namespace kiosk::update
