#include "kiosk/core/update/bundle_cache.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "kiosk/core/json_fields.h"
#include "kiosk/core/log.h"
#include "kiosk/core/update/rfc3339.h"

namespace kiosk::update {
namespace {

constexpr std::string_view kStagingPrefix = ".staging-v";

// "v42" -> 42; nullopt for anything else.
std::optional<int64_t> VersionFromDirName(std::string_view name) {
  if (name.size() < 2 || name[0] != 'v') return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), v);
  if (ec != std::errc() || end != name.data() + name.size() || v < 1) return std::nullopt;
  return v;
}

// True for "<name>.tmp-<pid>-<n>", the temporary name FileStore
// implementations give a file being written atomically
// (kiosk/platform/fs/posix_file_store.cc): left behind only when the writer
// was killed between creating and renaming it.
bool IsAtomicWriteTempName(std::string_view name) {
  constexpr std::string_view kTmp = ".tmp-";
  const size_t at = name.rfind(kTmp);
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view rest = name.substr(at + kTmp.size());
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  auto all_digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return all_digits(rest.substr(0, dash)) && all_digits(rest.substr(dash + 1));
}

std::optional<AppliedBundle> ReadApplied(ObjectReader& parent, JsonErrors& errors,
                                         std::string_view key) {
  const nlohmann::json* obj = parent.Object(key, false);
  if (obj == nullptr) return std::nullopt;
  ObjectReader r(errors, *obj, parent.PathOf(key));
  AppliedBundle applied;
  auto version = r.Integer("version", true, 1, INT64_MAX);
  auto at = r.String("applied_at", true);
  r.Finish();
  if (!version || !at) return std::nullopt;
  auto t = ParseRfc3339Utc(*at);
  if (!t) {
    errors.Add(r.PathOf("applied_at"), "expected an RFC 3339 UTC time");
    return std::nullopt;
  }
  applied.version = *version;
  applied.applied_at = *t;
  return applied;
}

}  // namespace

std::string CacheStateToJson(const CacheState& state) {
  nlohmann::ordered_json root;
  root["format"] = 1;
  auto applied = [](const AppliedBundle& a) {
    nlohmann::ordered_json j;
    j["version"] = a.version;
    j["applied_at"] = FormatRfc3339Utc(a.applied_at);
    return j;
  };
  if (state.current) root["current"] = applied(*state.current);
  if (state.previous) root["previous"] = applied(*state.previous);
  root["highest_applied_version"] = state.highest_applied_version;
  root["manifest_etag"] = state.manifest_etag;
  root["manifest_last_modified"] = state.manifest_last_modified;
  root["floor_signers"] = state.floor_signers;
  if (state.time_floor > 0) root["time_floor"] = FormatRfc3339Utc(state.time_floor);
  root["highest_root_version"] = state.highest_root_version;
  root["root_etag"] = state.root_etag;
  root["root_last_modified"] = state.root_last_modified;
  return root.dump(2) + "\n";
}

Result<CacheState> ParseCacheState(std::string_view text, const std::string& file) {
  auto json = ParseJsonText(text, file);
  if (!json.ok()) return json.status();
  JsonErrors errors(file);
  CacheState state;
  try {
    ObjectReader root(errors, *json, "$");
    root.Integer("format", true, 1, 1);
    state.current = ReadApplied(root, errors, "current");
    state.previous = ReadApplied(root, errors, "previous");
    if (auto v = root.Integer("highest_applied_version", true, 0, INT64_MAX)) {
      state.highest_applied_version = *v;
    }
    state.manifest_etag = root.String("manifest_etag", false).value_or("");
    state.manifest_last_modified = root.String("manifest_last_modified", false).value_or("");
    // Fields added later are optional, so older units' state.json still reads.
    state.floor_signers =
        root.StringArray("floor_signers", false).value_or(std::vector<std::string>{});
    if (auto t = root.String("time_floor", false)) {
      if (auto parsed = ParseRfc3339Utc(*t)) {
        state.time_floor = *parsed;
      } else {
        errors.Add(root.PathOf("time_floor"), "expected an RFC 3339 UTC time");
      }
    }
    state.highest_root_version =
        root.Integer("highest_root_version", false, 0, INT64_MAX).value_or(0);
    state.root_etag = root.String("root_etag", false).value_or("");
    state.root_last_modified = root.String("root_last_modified", false).value_or("");
    root.Finish();
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(file + ": " + e.what());
  }
  if (errors.empty() && state.current && state.current->version > state.highest_applied_version) {
    errors.Add("$.highest_applied_version", "is lower than the current version");
  }
  if (!errors.empty()) return errors.ToStatus();
  return state;
}

BundleCache::BundleCache(FileStore& store, std::filesystem::path state_dir)
    : store_(store), state_dir_(std::move(state_dir)) {}

std::filesystem::path BundleCache::BundleDir(int64_t version) const {
  return bundles_dir() / ("v" + std::to_string(version));
}

Status BundleCache::Open() {
  Status made = store_.MakeDirs(bundles_dir());
  if (!made.ok()) return made.WithContext("bundle cache");
  state_ = CacheState();
  shown_.reset();
  RemoveInterruptedWrites();
  auto text = store_.ReadFile(state_file());
  if (text.ok()) {
    auto parsed = ParseCacheState(*text, state_file().string());
    if (parsed.ok()) {
      state_ = *parsed;
    } else {
      // Atomic replacement means this should not happen short of a failing SD
      // card. Rebuilding from the directories keeps the rollback floor.
      LogError("bundle cache: " + parsed.status().message() +
               "; rebuilding the state from the cached bundle directories");
      RebuildStateFromDirectories();
    }
  } else if (text.status().code() != Status::Code::kNotFound) {
    return text.status().WithContext("bundle cache");
  } else {
    // No state.json. A fresh unit has no bundle directory either; if there
    // are some, state.json was deleted (by hand, by a cleanup script) or
    // lost. Starting as a fresh unit would delete them and drop the rollback
    // floor to 0, so an old signed bundle would be accepted again: rebuild
    // as for a corrupt state.json, and save it.
    RebuildStateFromDirectories();
    if (state_.current) {
      LogError("bundle cache: " + state_file().string() +
               " is missing but cached bundles exist; rebuilt the state from the cached bundle "
               "directories (current v" +
               std::to_string(state_.current->version) + ", rollback floor v" +
               std::to_string(state_.highest_applied_version) + ")");
      Status saved = WriteState(state_);
      if (!saved.ok()) LogWarning("bundle cache: saving the rebuilt state: " + saved.message());
    }
  }
  Status gc = CollectGarbage();
  if (!gc.ok()) LogWarning("bundle cache: cleaning up: " + gc.message());
  return Status::Ok();
}

void BundleCache::RebuildStateFromDirectories() {
  auto entries = store_.List(bundles_dir());
  if (!entries.ok()) return;
  std::vector<int64_t> versions;
  for (const auto& e : *entries) {
    if (auto v = VersionFromDirName(e.name); v && e.is_directory) versions.push_back(*v);
  }
  std::sort(versions.rbegin(), versions.rend());
  if (!versions.empty()) {
    state_.current = AppliedBundle{versions[0], 0};
    state_.highest_applied_version = versions[0];
  }
  if (versions.size() > 1) state_.previous = AppliedBundle{versions[1], 0};
  // The root document's floor lives in trust.json too: losing state.json
  // must not let an older root (one that trusted a revoked key) back in.
  if (auto root = LoadRoot()) {
    try {
      auto j = nlohmann::json::parse(root->text);
      if (j.is_object() && j.contains("version") && j["version"].is_number_integer()) {
        state_.highest_root_version =
            std::max(state_.highest_root_version, j["version"].get<int64_t>());
      }
    } catch (const nlohmann::json::exception&) {
      // Verified when it is loaded; an unreadable one keeps the floor at 0.
    }
  }
}

void BundleCache::RemoveInterruptedWrites() {
  auto entries = store_.List(state_dir_);
  if (!entries.ok()) return;
  for (const auto& e : *entries) {
    if (e.is_directory || !IsAtomicWriteTempName(e.name)) continue;
    const auto path = state_dir_ / e.name;
    Status s = store_.RemoveTree(path);
    if (s.ok()) {
      LogInfo("bundle cache: removed " + path.string() + " (left by an interrupted write)");
    } else {
      LogWarning("bundle cache: removing " + path.string() + ": " + s.message());
    }
  }
}

Status BundleCache::CollectGarbage() {
  auto entries = store_.List(bundles_dir());
  if (!entries.ok()) return entries.status();
  Status first_error;
  for (const auto& e : *entries) {
    auto v = VersionFromDirName(e.name);
    bool keep = v && e.is_directory &&
                ((state_.current && state_.current->version == *v) ||
                 (state_.previous && state_.previous->version == *v));
    if (keep) continue;
    LogDebug("bundle cache: removing " + (bundles_dir() / e.name).string());
    Status s = store_.RemoveTree(bundles_dir() / e.name);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

std::optional<CachedBundle> BundleCache::SelectAtStart(const KeyThreshold& trusted,
                                                       const BundleValidator& validator) {
  shown_.reset();
  const std::pair<const char*, std::optional<AppliedBundle>> candidates[] = {
      {"current", state_.current}, {"previous", state_.previous}};
  for (const auto& [role, applied] : candidates) {
    if (!applied) continue;
    const auto dir = BundleDir(applied->version);
    BundleCheck check = VerifyBundleDir(store_, dir, trusted, validator);
    if (!check.ok()) {
      LogError(std::string("bundle cache: ") + role + " bundle v" +
               std::to_string(applied->version) +
               " does not verify, not showing it: " + check.ToStatus().message());
      continue;
    }
    if (check.manifest->version != applied->version) {
      LogError(std::string("bundle cache: ") + role + " bundle directory v" +
               std::to_string(applied->version) + " holds a manifest of version " +
               std::to_string(check.manifest->version) + ", not showing it");
      continue;
    }
    LogInfo(std::string("bundle cache: showing the ") + role + " cached bundle v" +
            std::to_string(applied->version) + " (verified)");
    shown_ = applied;
    return CachedBundle{dir, *applied, std::move(*check.manifest)};
  }
  LogInfo(state_.current ? "bundle cache: no cached bundle verifies; showing the built-in content"
                         : "bundle cache: no cached bundle; showing the built-in content");
  return std::nullopt;
}

Result<std::filesystem::path> BundleCache::BeginStaging(int64_t version) {
  auto dir = bundles_dir() / (std::string(kStagingPrefix) + std::to_string(version));
  Status s = store_.RemoveTree(dir);
  if (s.ok()) s = store_.MakeDirs(dir);
  if (!s.ok()) return s.WithContext("bundle cache: staging v" + std::to_string(version));
  return dir;
}

Status BundleCache::WriteStagedFile(const std::filesystem::path& staging_dir,
                                    std::string_view relative_path, std::string_view data) {
  // The manifest's paths were checked when it was parsed; checking here too
  // keeps this function safe on its own (it writes where it is told).
  if (relative_path != kManifestName && relative_path != kSignatureName) {
    Status safe = CheckBundlePath(relative_path);
    if (!safe.ok()) return safe.WithContext(std::string(relative_path));
  }
  const auto path = staging_dir / std::string(relative_path);
  if (path.parent_path() != staging_dir) {
    Status s = store_.MakeDirs(path.parent_path());
    if (!s.ok()) return s;
  }
  return store_.WriteFileAtomic(path, data);
}

Result<std::filesystem::path> BundleCache::Commit(const std::filesystem::path& staging_dir,
                                                  int64_t version, int64_t applied_at,
                                                  const std::string& etag,
                                                  const std::string& last_modified, bool repair,
                                                  const std::vector<std::string>& signers) {
  const bool repairing = repair && version == state_.highest_applied_version &&
                         !(shown_ && shown_->version == version);
  if (version <= state_.highest_applied_version && !repairing) {
    return Status::Rejected("version " + std::to_string(version) +
                            " is not newer than applied version " +
                            std::to_string(state_.highest_applied_version) + " (rollback refused)");
  }
  const auto final_dir = BundleDir(version);
  // A directory of this version is the leftover of a commit whose state.json
  // write failed earlier in this run, or, when repairing, the copy that
  // failed to verify; neither is on screen.
  Status s = store_.RemoveTree(final_dir);
  if (s.ok()) s = store_.RenameDir(staging_dir, final_dir);
  if (!s.ok()) return s.WithContext("bundle cache: publishing v" + std::to_string(version));

  CacheState next = state_;
  next.current = AppliedBundle{version, applied_at};
  next.previous = shown_;
  next.highest_applied_version = version;
  next.manifest_etag = etag;
  next.manifest_last_modified = last_modified;
  next.floor_signers = signers;
  s = WriteState(next);
  if (!s.ok()) return s.WithContext("bundle cache: committing v" + std::to_string(version));
  state_ = next;
  shown_ = state_.current;
  Status gc = CollectGarbage();
  if (!gc.ok()) LogWarning("bundle cache: cleaning up: " + gc.message());
  return final_dir;
}

void BundleCache::Abandon(const std::filesystem::path& staging_dir) {
  Status s = store_.RemoveTree(staging_dir);
  if (!s.ok()) LogWarning("bundle cache: removing " + staging_dir.string() + ": " + s.message());
}

Status BundleCache::SaveValidators(const std::string& etag, const std::string& last_modified) {
  if (etag == state_.manifest_etag && last_modified == state_.manifest_last_modified) {
    return Status::Ok();  // spare the SD card a write
  }
  return ChangeState([&](CacheState& next) {
    next.manifest_etag = etag;
    next.manifest_last_modified = last_modified;
  });
}

Status BundleCache::ResetFloor(int64_t floor, int64_t time_floor) {
  Status s = ChangeState([&](CacheState& next) {
    next.highest_applied_version = floor;
    next.floor_signers.clear();
    // The time floor came from the same documents: a leaked key could have
    // pushed it into the future, where every honest bundle looks expired.
    next.time_floor = time_floor;
    // The bundles above the new floor were applied under the old one; the
    // newest was signed by the keys no longer trusted. Forget them (their
    // directories go), and the validators of their manifest, so that the
    // next poll downloads the manifest again instead of hearing "304".
    if (next.current && next.current->version > floor) next.current.reset();
    if (next.previous && next.previous->version > floor) next.previous.reset();
    if (!next.current) {
      next.current = next.previous;
      next.previous.reset();
    }
    next.manifest_etag.clear();
    next.manifest_last_modified.clear();
  });
  if (!s.ok()) return s;
  if (shown_ && !(state_.current && state_.current->version == shown_->version)) shown_.reset();
  Status gc = CollectGarbage();
  if (!gc.ok()) LogWarning("bundle cache: cleaning up: " + gc.message());
  return Status::Ok();
}

Status BundleCache::RaiseTimeFloor(int64_t t) {
  if (t <= state_.time_floor) return Status::Ok();
  return ChangeState([&](CacheState& next) { next.time_floor = t; });
}

std::optional<StoredRoot> BundleCache::LoadRoot() const {
  auto text = store_.ReadFile(root_file());
  if (!text.ok()) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(*text);
    StoredRoot root{j.at("root").get<std::string>(), j.at("signature").get<std::string>()};
    return root;
  } catch (const nlohmann::json::exception& e) {
    LogError("bundle cache: " + root_file().string() + ": unreadable (" + e.what() +
             "); the root document will be fetched again");
    return std::nullopt;
  }
}

Status BundleCache::SaveRoot(const StoredRoot& root, int64_t version, int64_t published,
                             const std::string& etag, const std::string& last_modified) {
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["root"] = root.text;
  j["signature"] = root.signature;
  Status s = store_.WriteFileAtomic(root_file(), j.dump(2) + "\n");
  if (!s.ok()) return s.WithContext("bundle cache: storing root v" + std::to_string(version));
  return ChangeState([&](CacheState& next) {
    next.highest_root_version = std::max(next.highest_root_version, version);
    next.time_floor = std::max(next.time_floor, published);
    next.root_etag = etag;
    next.root_last_modified = last_modified;
  });
}

Status BundleCache::SaveRootValidators(const std::string& etag, const std::string& last_modified) {
  if (etag == state_.root_etag && last_modified == state_.root_last_modified) return Status::Ok();
  return ChangeState([&](CacheState& next) {
    next.root_etag = etag;
    next.root_last_modified = last_modified;
  });
}

Status BundleCache::ChangeState(const std::function<void(CacheState&)>& change) {
  CacheState next = state_;
  change(next);
  Status s = WriteState(next);
  if (s.ok()) state_ = std::move(next);
  return s;
}

Status BundleCache::WriteState(const CacheState& state) {
  return store_.WriteFileAtomic(state_file(), CacheStateToJson(state));
}

}  // namespace kiosk::update
