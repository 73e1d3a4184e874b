// The bundles a unit has applied, kept under the state directory so that a
// restart shows the last network content without the network:
//
//   <state_dir>/state.json          which bundle is current (the commit point)
//   <state_dir>/bundles/v<N>/       one directory per kept bundle: current and
//                                   previous (the last-known-good)
//   <state_dir>/bundles/.staging-v<N>/  a bundle being written
//
// Applying a bundle: BeginStaging, WriteStagedFile for each file (each one
// written and fsync'd), Commit = rename the staging directory to v<N> (parent
// fsync'd), then replace state.json atomically, then delete what is neither
// current nor previous. state.json is the only commit point: a power cut
// before its rename leaves the old state.json naming old, complete
// directories; after it, the new directory is complete on disk already. So
// the unit always restarts on the old bundle or the new one, never a mix.
// Open() removes staging leftovers, directories state.json does not name and
// temporary files of interrupted atomic writes. Without state.json, the
// bundle directories themselves say what was committed (see Open).
//
// state.json also keeps the rollback floor (the highest version ever applied,
// which only goes up) and the manifest's HTTP validators (ETag,
// Last-Modified) so a restart still sends conditional requests.
//
// Threading: not thread-safe; owned by the updater's worker thread (or used
// before it starts). Times are Unix seconds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"
#include "kiosk/core/update/bundle_verify.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"

namespace kiosk::update {

struct AppliedBundle {
  int64_t version = 0;
  int64_t applied_at = 0;
};

struct CacheState {
  std::optional<AppliedBundle> current;
  std::optional<AppliedBundle> previous;
  // The rollback floor: a bundle must have a higher version to be applied.
  int64_t highest_applied_version = 0;
  // Validators of the manifest.json answer that led to `current`.
  std::string manifest_etag;
  std::string manifest_last_modified;
  // Key ids (minisign hex) that signed the bundle that set the floor. When
  // fewer of them than the threshold are still trusted (a leaked key was
  // revoked), the floor they set no longer counts: see Updater.
  std::vector<std::string> floor_signers;
  // The latest `published` time of any signed document this unit accepted:
  // real time is at least this, whatever a clock without a battery says.
  int64_t time_floor = 0;
  // The highest root document version accepted (its own rollback floor) and
  // the validators of the root.json answer that led to it.
  int64_t highest_root_version = 0;
  std::string root_etag;
  std::string root_last_modified;
};

// A root document as accepted, kept so that a restart trusts what the last
// run trusted without the network.
struct StoredRoot {
  std::string text;       // root.json, verbatim
  std::string signature;  // root.json.minisig, verbatim
};

// A cached bundle that verified and can be shown.
struct CachedBundle {
  std::filesystem::path dir;
  AppliedBundle applied;
  Manifest manifest;
};

class BundleCache {
 public:
  BundleCache(FileStore& store, std::filesystem::path state_dir);

  // Creates the layout if needed, removes temporary files of interrupted
  // atomic writes from the state directory, reads state.json and removes
  // staging leftovers and bundles that are neither current nor previous.
  // A corrupt state.json is logged and rebuilt from the directory names (the
  // highest is current and the rollback floor, the next previous); so is a
  // missing one when bundle directories exist, and the rebuilt state.json is
  // written. No state.json and no bundle directory = a fresh unit. Io if the
  // state directory is unusable; the unit then runs on built-in content.
  Status Open();

  const CacheState& state() const { return state_; }
  // The bundle on screen: chosen by SelectAtStart or last committed.
  const std::optional<AppliedBundle>& shown() const { return shown_; }
  std::filesystem::path BundleDir(int64_t version) const;
  std::filesystem::path state_file() const { return state_dir_ / "state.json"; }
  std::filesystem::path root_file() const { return state_dir_ / "trust.json"; }

  // What to show at start: current if it re-verifies (signature against
  // trusted_keys, every file's size and hash, no stray file, validator),
  // else previous, else nullopt (the caller shows the built-in content).
  // Logs the choice and why. Remembers the choice as last-known-good.
  std::optional<CachedBundle> SelectAtStart(const KeyThreshold& trusted,
                                            const BundleValidator& validator);
  std::optional<CachedBundle> SelectAtStart(const std::vector<MinisignPublicKey>& trusted_keys,
                                            const BundleValidator& validator) {
    return SelectAtStart(KeyThreshold{trusted_keys, 1}, validator);
  }

  // Creates an empty staging directory for version and returns it.
  Result<std::filesystem::path> BeginStaging(int64_t version);
  // Writes one file of the staged bundle (relative_path checked again here,
  // parent directories created).
  Status WriteStagedFile(const std::filesystem::path& staging_dir, std::string_view relative_path,
                         std::string_view data);
  // Publishes the staged bundle as current; the bundle shown until now
  // becomes previous. Returns the bundle's final directory. version must be
  // above the rollback floor, or equal to it when `repair` is set and the
  // floor's bundle is not the one shown (its cached copy failed to verify).
  // signers: the key ids that signed it (they own the new floor).
  Result<std::filesystem::path> Commit(const std::filesystem::path& staging_dir, int64_t version,
                                       int64_t applied_at, const std::string& etag,
                                       const std::string& last_modified, bool repair = false,
                                       const std::vector<std::string>& signers = {});
  // Deletes a staging directory that will not be committed (best effort).
  void Abandon(const std::filesystem::path& staging_dir);
  // Records new validators for the current manifest.
  Status SaveValidators(const std::string& etag, const std::string& last_modified);

  // Lowers the rollback floor to `floor`, forgets its signers and sets the
  // time floor to time_floor: only for when the keys that set the floor are
  // no longer trusted. Cached bundles above the new floor are forgotten
  // (they were applied under the old one), and so are the manifest's
  // validators.
  Status ResetFloor(int64_t floor, int64_t time_floor);
  // Raises time_floor to t if t is later (no write otherwise).
  Status RaiseTimeFloor(int64_t t);

  // The accepted root document (<state_dir>/trust.json, replaced
  // atomically with its signature in one file). nullopt if none.
  std::optional<StoredRoot> LoadRoot() const;
  // Stores an accepted root document and raises highest_root_version.
  Status SaveRoot(const StoredRoot& root, int64_t version, int64_t published,
                  const std::string& etag, const std::string& last_modified);
  // Records new validators for root.json (an unchanged root).
  Status SaveRootValidators(const std::string& etag, const std::string& last_modified);

 private:
  std::filesystem::path bundles_dir() const { return state_dir_ / "bundles"; }
  Status WriteState(const CacheState& state);
  // Writes state_ as `change` alters it, and adopts it only once it is on
  // disk: a failed write leaves state_ as it was.
  Status ChangeState(const std::function<void(CacheState&)>& change);
  void RebuildStateFromDirectories();
  // Deletes the temporary files of atomic writes (e.g. state.json.tmp-<pid>-<n>)
  // that a kill or power cut left in the state directory.
  void RemoveInterruptedWrites();
  Status CollectGarbage();

  FileStore& store_;
  std::filesystem::path state_dir_;
  CacheState state_;
  // The version on screen (selected at start or last committed); it becomes
  // `previous` at the next commit.
  std::optional<AppliedBundle> shown_;
};

// state.json text and back (exposed for tests and `kiosk bundle`).
std::string CacheStateToJson(const CacheState& state);
Result<CacheState> ParseCacheState(std::string_view text, const std::string& file);

}  // namespace kiosk::update
