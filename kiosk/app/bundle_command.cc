#include "kiosk/app/bundle_command.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <optional>

#include "kiosk/core/update/bundle_tool.h"
#include "kiosk/core/update/rfc3339.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {
namespace {

using update::kSecondsPerDay;

constexpr char kUsage[] =
    "usage: kiosk bundle build SRC_DIR OUT_DIR [--version N] [--expires-in DAYS]\n"
    "       kiosk bundle verify DIR --key PUBFILE_OR_BASE64\n";

// Parses a whole decimal integer in [min, max].
std::optional<int64_t> ParseInteger(const std::string& text, int64_t min, int64_t max) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
    return std::nullopt;
  }
  return n;
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

int Build(const std::vector<std::string>& args, const update::BundleValidator& validate,
          FileStore& store, const Clock& clock, std::ostream& out, std::ostream& err) {
  update::BuildOptions options;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--version") {
      if (i + 1 >= args.size()) return Usage(err, "--version needs a number");
      const std::string& v = args[++i];
      options.version = ParseInteger(v, 1, update::kMaxBundleVersion);
      if (!options.version) {
        return Usage(err, "--version expects an integer from 1 to " +
                              std::to_string(update::kMaxBundleVersion) +
                              " (the highest version every JSON reader keeps exact), got \"" + v +
                              "\"");
      }
    } else if (args[i] == "--expires-in") {
      if (i + 1 >= args.size()) return Usage(err, "--expires-in needs a number of days");
      const std::string& d = args[++i];
      auto days = ParseInteger(d, 1, update::kMaxExpiresInDays);
      if (!days) {
        return Usage(err, "--expires-in expects a number of days from 1 to " +
                              std::to_string(update::kMaxExpiresInDays) + ", got \"" + d + "\"");
      }
      options.expires_in_days = *days;
    } else if (args[i].rfind("--", 0) == 0) {
      return Usage(err, "unknown option " + args[i]);
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.size() != 2) return Usage(err, "build needs SRC_DIR and OUT_DIR");
  options.src = positional[0];
  options.out_dir = positional[1];
  if (std::filesystem::absolute(options.src).lexically_normal() ==
      std::filesystem::absolute(options.out_dir).lexically_normal()) {
    return Usage(err, "SRC_DIR and OUT_DIR must differ");
  }

  const update::BuildReport report = update::BuildBundle(options, validate, store, clock);
  for (const auto& note : report.notes) err << "kiosk bundle: note: " << note << "\n";
  if (!report.ok()) {
    for (const auto& problem : report.problems) err << "kiosk bundle: " << problem << "\n";
    return 1;
  }
  const update::Manifest& manifest = *report.manifest;
  const std::filesystem::path& out_dir = options.out_dir;
  out << "Built bundle v" << manifest.version << " in " << out_dir.string() << ": "
      << Count(manifest.files.size(), "file") << ", " << manifest.TotalFileBytes()
      << " bytes, expires " << update::FormatRfc3339Utc(*manifest.expires) << " (in "
      << Duration(*manifest.expires - manifest.published) << ").\n"
      << "Sign it with:\n"
      << "  minisign -S -s ~/.minisign/kiosk.key -m " << (out_dir / update::kManifestName).string()
      << " -t \"kiosk bundle v" << manifest.version << "\"\n"
      << "then publish every file of " << out_dir.string() << " (including "
      << update::kSignatureName << ").\n";
  return 0;
}

int Verify(const std::vector<std::string>& args, const update::BundleValidator& validate,
           FileStore& store, const Clock& clock, std::ostream& out, std::ostream& err) {
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
  // A file if there is one by that name, else the key itself.
  std::string key_text = *key_arg;
  if (store.Exists(*key_arg)) {
    auto text = store.ReadFile(*key_arg);
    if (!text.ok()) {
      err << "kiosk bundle: " << text.status().message() << "\n";
      return 1;
    }
    key_text = *text;
  }
  auto key = update::ParseMinisignPublicKey(key_text);
  if (!key.ok()) {
    err << "kiosk bundle: --key " << *key_arg << ": " << key.status().message() << "\n";
    return 2;
  }
  const std::filesystem::path dir = positional[0];
  const update::BundleVerifyReport report =
      update::VerifyBundleForPublishing(dir, *key, validate, store, clock);
  if (!report.ok()) {
    for (const auto& p : report.problems) err << dir.string() << ": " << p << "\n";
    err << dir.string() << ": " << Count(report.problems.size(), "problem")
        << "; units would refuse this bundle\n";
    return 1;
  }
  if (report.expires_soon_at) {
    err << dir.string() << ": warning: expires at "
        << update::FormatRfc3339Utc(*report.expires_soon_at) << ", in "
        << Duration(*report.expires_soon_at - report.now)
        << "; units report their content as stale after that, and a unit installed after it "
           "cannot download it: build, sign and publish a new bundle before then\n";
  }
  const update::Manifest& manifest = *report.check.manifest;
  out << dir.string() << ": OK: bundle v" << manifest.version << ", "
      << Count(manifest.files.size(), "file") << ", " << manifest.TotalFileBytes()
      << " bytes, published " << update::FormatRfc3339Utc(manifest.published) << ", signed by key "
      << update::KeyIdHex(report.check.signature->key_id)
      << " (trusted comment: " << report.check.signature->trusted_comment << ")\n";
  return 0;
}

}  // namespace

int RunBundleCommand(const std::vector<std::string>& args,
                     const update::BundleValidator& validate_content, FileStore& store,
                     const Clock& clock, std::ostream& out, std::ostream& err) {
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

int RunBundleCommand(const std::vector<std::string>& args,
                     const update::BundleValidator& validate_content) {
  PosixFileStore store;
  SystemClock clock;
  return RunBundleCommand(args, validate_content, store, clock, std::cout, std::cerr);
}

}  // namespace kiosk
