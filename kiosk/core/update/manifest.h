// manifest.json: the signed list of a bundle's files (docs/bundle-format.md).
//
//   {"format": 1, "version": 42, "published": "2026-11-29T10:00:00Z",
//    "expires": "2027-01-01T00:00:00Z",            (optional)
//    "files": [{"path": "slides.json", "size": 1234, "sha256": "<64 hex>"}]}
//
// Stateless and thread-safe. Sizes are bytes, times Unix seconds (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/json_fields.h"
#include "kiosk/core/status.h"

namespace kiosk::update {

inline constexpr std::string_view kManifestName = "manifest.json";
inline constexpr std::string_view kSignatureName = "manifest.json.minisig";
// The player's content file; every bundle must carry it.
inline constexpr std::string_view kSlidesName = "slides.json";
inline constexpr int64_t kManifestFormat = 1;
// The highest bundle version, 2^53 - 1. Versions are JSON numbers, and many
// JSON readers (JavaScript, jq, dashboards reading the status file) hold
// numbers as IEEE doubles, which are exact only up to 2^53 - 1: above it two
// different versions can read as the same number. The bound also keeps
// `version + 1` far from int64 overflow. At one bundle a second it lasts
// 285 million years, so only a mistake or a stolen key ever reaches it.
inline constexpr int64_t kMaxBundleVersion = (int64_t{1} << 53) - 1;  // 9007199254740991
// The manifest and signature are fetched before anything is verified, so
// their sizes are capped by constants rather than by the manifest itself.
inline constexpr uint64_t kMaxManifestBytes = 1 << 20;
inline constexpr uint64_t kMaxSignatureBytes = 16 << 10;
// A single file may be up to 1 TiB as far as the format goes; the unit's
// UpdateConfig::max_bundle_bytes is the practical limit.
inline constexpr int64_t kMaxFileSize = int64_t{1} << 40;

struct ManifestFile {
  std::string path;  // relative, '/'-separated, checked by CheckBundlePath
  uint64_t size = 0;
  std::string sha256;  // 64 lowercase hex digits
};

struct Manifest {
  int64_t version = 0;  // 1 to kMaxBundleVersion
  int64_t published = 0;
  std::optional<int64_t> expires;
  std::vector<ManifestFile> files;

  uint64_t TotalFileBytes() const;
  const ManifestFile* Find(std::string_view path) const;
};

// Ok if path is a safe bundle-relative file path: 1 to 200 characters,
// segments of [A-Za-z0-9._-] separated by single '/', no segment starting
// with '.' (so no "..", no hidden files), no absolute path, no backslash,
// and not one of the names the bundle format reserves (manifest.json,
// manifest.json.minisig). The restricted alphabet also means paths go into
// URLs and file systems without any escaping.
Status CheckBundlePath(std::string_view path);

// Parses strictly: unknown fields, wrong types, a version outside 1 to
// kMaxBundleVersion, unsafe or duplicate paths
// (compared case-insensitively, for case-insensitive file systems) and a
// missing slides.json are all reported, each naming `file`, the JSON path and
// what was expected, one per line of a Status::Invalid.
Result<Manifest> ParseManifest(std::string_view text, const std::string& file = "manifest.json");

// Reads an RFC 3339 UTC time field ("2026-11-29T10:00:00Z") of a signed
// document, reporting a malformed one in errors.
std::optional<int64_t> ReadTimeField(ObjectReader& reader, JsonErrors& errors, std::string_view key,
                                     bool required);

// The canonical text of a manifest (2-space indented JSON, trailing newline).
std::string ManifestToJson(const Manifest& manifest);

}  // namespace kiosk::update
