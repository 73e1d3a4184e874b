#include "kiosk/core/update/manifest.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/core/json_fields.h"
#include "kiosk/core/update/rfc3339.h"

namespace kiosk::update {
namespace {

bool IsLowerHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<int64_t> ReadTimeField(ObjectReader& reader, JsonErrors& errors, std::string_view key,
                                     bool required) {
  auto text = reader.String(key, required);
  if (!text) return std::nullopt;
  auto t = ParseRfc3339Utc(*text);
  if (!t) {
    errors.Add(
        reader.PathOf(key),
        "expected an RFC 3339 UTC time like \"2026-11-29T10:00:00Z\", got \"" + *text + "\"");
  }
  return t;
}

uint64_t Manifest::TotalFileBytes() const {
  uint64_t total = 0;
  for (const auto& f : files) total += f.size;
  return total;
}

const ManifestFile* Manifest::Find(std::string_view path) const {
  for (const auto& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

Status CheckBundlePath(std::string_view path) {
  if (path.empty() || path.size() > 200) {
    return Status::Invalid("path must be 1 to 200 characters long");
  }
  if (path.front() == '/') return Status::Invalid("path must be relative, not absolute");
  if (path == kManifestName || path == kSignatureName) {
    return Status::Invalid("path \"" + std::string(path) + "\" is reserved for the bundle itself");
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment.empty())
      return Status::Invalid("path has an empty segment (\"//\" or a trailing \"/\")");
    if (segment.front() == '.') {
      return Status::Invalid("path segment \"" + std::string(segment) +
                             "\" starts with '.' (no \"..\", no hidden files)");
    }
    for (char c : segment) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) {
        return Status::Invalid(std::string("path contains '") + c +
                               "' (allowed: letters, digits, '.', '_', '-' and '/' between "
                               "segments)");
      }
    }
    start = end + 1;
  }
  return Status::Ok();
}

Result<Manifest> ParseManifest(std::string_view text, const std::string& file) {
  auto json = ParseJsonText(text, file);
  if (!json.ok()) return json.status();
  JsonErrors errors(file);
  Manifest manifest;
  try {
    ObjectReader root(errors, *json, "$");
    if (auto format = root.Integer("format", true, 1, 1 << 30)) {
      if (*format != kManifestFormat) {
        errors.Add(root.PathOf("format"),
                   "expected 1 (the only format this unit reads), got " + std::to_string(*format));
      }
    }
    if (auto v = root.Integer("version", true, 1, kMaxBundleVersion)) manifest.version = *v;
    if (auto t = ReadTimeField(root, errors, "published", true)) manifest.published = *t;
    manifest.expires = ReadTimeField(root, errors, "expires", false);
    if (manifest.expires && manifest.published != 0 && *manifest.expires <= manifest.published) {
      errors.Add(root.PathOf("expires"), "expected a time after \"published\"");
    }
    if (const auto* files = root.Array("files", true)) {
      std::set<std::string> seen_lower;
      for (size_t i = 0; i < files->size(); ++i) {
        const std::string item_path = root.PathOf("files") + "[" + std::to_string(i) + "]";
        ObjectReader item(errors, (*files)[i], item_path);
        ManifestFile entry;
        bool good = item.is_object();
        if (auto p = item.String("path", true)) {
          Status safe = CheckBundlePath(*p);
          if (!safe.ok()) {
            errors.Add(item.PathOf("path"), "unsafe path \"" + *p + "\": " + safe.message());
            good = false;
          } else if (!seen_lower.insert(Lower(*p)).second) {
            errors.Add(item.PathOf("path"), "duplicate path \"" + *p + "\"");
            good = false;
          }
          entry.path = *p;
        } else {
          good = false;
        }
        if (auto s = item.Integer("size", true, 0, kMaxFileSize)) {
          entry.size = static_cast<uint64_t>(*s);
        } else {
          good = false;
        }
        if (auto h = item.String("sha256", true)) {
          if (!IsLowerHex64(*h)) {
            errors.Add(item.PathOf("sha256"),
                       "expected 64 lowercase hexadecimal digits, got \"" + *h + "\"");
            good = false;
          }
          entry.sha256 = *h;
        } else {
          good = false;
        }
        item.Finish();
        if (good) manifest.files.push_back(std::move(entry));
      }
      if (files->empty()) errors.Add(root.PathOf("files"), "expected at least one file");
    }
    root.Finish();
    if (errors.empty() && manifest.Find(kSlidesName) == nullptr) {
      errors.Add(root.PathOf("files"), "must list \"slides.json\" (the player's content file)");
    }
  } catch (const nlohmann::json::exception& e) {
    // ObjectReader checks types before converting, so this is a bug; keep it
    // from crossing the module boundary anyway.
    return Status::Internal(file + ": " + e.what());
  }
  if (!errors.empty()) return errors.ToStatus();
  return manifest;
}

std::string ManifestToJson(const Manifest& manifest) {
  nlohmann::ordered_json root;
  root["format"] = kManifestFormat;
  root["version"] = manifest.version;
  root["published"] = FormatRfc3339Utc(manifest.published);
  if (manifest.expires) root["expires"] = FormatRfc3339Utc(*manifest.expires);
  root["files"] = nlohmann::ordered_json::array();
  for (const auto& f : manifest.files) {
    nlohmann::ordered_json item;
    item["path"] = f.path;
    item["size"] = f.size;
    item["sha256"] = f.sha256;
    root["files"].push_back(std::move(item));
  }
  return root.dump(2) + "\n";
}

}  // namespace kiosk::update
