// The updater: polls the published bundle, proves an administrator signed it,
// and applies it atomically through the bundle cache. One poll = PollOnce();
// UpdaterThread (updater_thread.h) runs polls on a worker thread.
//
// A poll:
//   1. GET <url>/manifest.json, conditional (If-None-Match/If-Modified-Since
//      from state.json). 304 = unchanged, nothing else crosses the wire.
//   2. GET <url>/manifest.json.minisig; verify with the trusted keys. Nothing
//      from the network is parsed before this succeeds.
//   3. Parse the manifest; same version as shown = up to date (validators
//      saved); version <= rollback floor = refused, except the floor's own
//      version when its cached copy failed to verify at start (a repair: the
//      same signed version again is not a rollback); expired = refused; total
//      size > UpdateConfig::max_bundle_bytes = refused.
//   4. GET every listed file with max_body_bytes = its size; check size and
//      SHA-256; write it to a staging directory. Only listed files are
//      fetched, so a bundle is exactly the manifest's files.
//   5. Run the injected validator on the staging directory; commit; call
//      on_applied(bundle_dir, version).
// Any failure keeps the current content, is logged, lands in the status file
// with its reason, and schedules a retry with backoff (poll_schedule.h).
// Refusals do not store the answer's validators, so the next poll fetches the
// manifest again and the reason stays visible until the server is fixed.
//
// A poll cut short by AbortPoll() (the updater is being stopped: SIGHUP,
// SIGTERM) is not a failure of the server: it is logged, but neither counted
// nor reported in the status file, and it leaves the cache as it was.
//
// Threading: not thread-safe, except AbortPoll(). Construct and Start() on
// any thread, then call PollOnce() from one thread at a time (the
// UpdaterThread's worker).
// Callbacks run on the thread that calls PollOnce(). Times: Clock::Monotonic
// for scheduling, Clock::UnixSeconds for what is reported and for `expires`.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/config.h"
#include "kiosk/core/fetcher.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"
#include "kiosk/core/update/bundle_cache.h"
#include "kiosk/core/update/bundle_verify.h"
#include "kiosk/core/update/status_report.h"
#include "kiosk/core/update/trust.h"

namespace kiosk::update {

struct UpdaterOptions {
  UpdateConfig updates;  // url (empty = updates off), interval, keys, size cap
  TrustConfig trust;     // root keys and the pinned contact
  std::string device_name;
  std::vector<std::string> venue_tags;
  std::filesystem::path state_dir = "/var/lib/kiosk";
  std::filesystem::path status_file = "/run/kiosk/status.json";

  static UpdaterOptions FromConfig(const Config& config);
};

// Called after a bundle is committed, with its directory in the cache (valid
// until the next-but-one commit) and its version. Must not block: post the
// switch to the render thread and return.
using OnBundleApplied =
    std::function<void(const std::filesystem::path& bundle_dir, int64_t version)>;
// Returns a number in [0, 1); used only for poll jitter.
using RandomSource = std::function<double()>;

enum class PollResult {
  kDisabled,   // no URL configured
  kApplied,    // a new bundle was applied
  kUnchanged,  // 304 Not Modified
  kUpToDate,   // 200, but the version is the one already applied
  kFailed,     // network, HTTP, verification or policy failure; see error
  kAborted,    // cut short by AbortPoll(); not counted, not reported
};
const char* PollResultName(PollResult result);

struct PollOutcome {
  PollResult result = PollResult::kFailed;
  Status error;  // non-ok iff result is kFailed or kAborted
  Millis next_delay{0};
};

class Updater {
 public:
  // fetcher, store and clock must outlive the Updater. validator may be null
  // (no content checks); on_applied may be null. random null = a seeded
  // std::mt19937_64.
  Updater(UpdaterOptions options, Fetcher& fetcher, FileStore& store, const Clock& clock,
          BundleValidator validator, OnBundleApplied on_applied, RandomSource random = nullptr);

  // Opens the cache (cleaning leftovers) and returns the cached bundle to
  // show now, or nullopt for the built-in content; writes the status file and
  // schedules the first poll immediately. Call once, before PollOnce().
  std::optional<CachedBundle> Start();

  // One complete poll; never throws (an exception from a callback or
  // std::bad_alloc becomes a failed poll). Writes the status file.
  PollOutcome PollOnce();

  // The one thread-safe member: retires the fetcher (Fetcher::Abort), so a
  // poll in progress on another thread ends within moments, and any later
  // poll at once. For stopping the updater; it polls no more afterwards.
  // A poll that fails after this is the abort's doing, whatever its reason:
  // it ends as PollResult::kAborted and leaves the status as it was.
  void AbortPoll();

  // Monotonic time at which the next poll is due.
  Millis next_poll_at() const { return next_poll_at_; }
  const UnitStatus& status() const { return status_; }
  const CacheState& cache_state() const { return cache_.state(); }

  // What the unit trusts now (configuration plus the accepted root
  // document). Thread-safe: the player reads it whenever it chooses content.
  std::shared_ptr<const Trust> trust() const { return trust_.Current(); }
  // Called (on the polling thread) after a new root document changed the
  // trust: what is on screen must be verified again now. Set before Start().
  void set_on_trust_changed(std::function<void()> callback) {
    on_trust_changed_ = std::move(callback);
  }
  // Instead of writing the status file itself, hand every status to sink
  // (the player merges it with what is on screen). Set before Start().
  void set_status_sink(std::function<void(const UnitStatus&)> sink) {
    status_sink_ = std::move(sink);
  }

  // The time the unit can vouch for, for expiry: the wall clock if it is
  // synchronised (never below the time floor), else the time floor (the
  // latest publication time of anything accepted); nullopt = unknown.
  std::optional<int64_t> HonestNow() const;

 private:
  // Everything that can refuse a bundle; Ok(result) or the reason.
  Result<PollResult> Check();
  Result<PollResult> Apply(const Manifest& manifest, const std::string& manifest_text,
                           const std::string& signature_text, const FetchResponse& manifest_answer,
                           const std::vector<std::string>& signers);
  // Root documents: the stored one at start, the published one at each poll.
  void LoadStoredRoot();
  Status CheckRoot();
  void AcceptTrust(Trust trust);
  // Drops the rollback floor when the keys that set it are no longer trusted.
  void EnforceFloorSigners();
  // Refuses signed times that a synchronised clock knows are in the future.
  Status CheckPublishedTime(const char* what, int64_t published) const;
  std::string UrlOf(std::string_view name) const;
  void Finish(PollOutcome& outcome);
  void RefreshStale();
  void WriteStatus();

  UpdaterOptions options_;
  Fetcher& fetcher_;
  FileStore& store_;
  const Clock& clock_;
  BundleValidator validator_;
  OnBundleApplied on_applied_;
  RandomSource random_;
  std::mt19937_64 default_random_;

  BundleCache cache_;
  // Non-ok until Start() opened the cache, or if it could not be opened.
  Status cache_status_ = Status::Internal("bundle cache: not opened (Start() not called)");
  Trust config_trust_;  // from the configuration alone
  TrustStore trust_;
  std::optional<RootDocument> root_;  // the accepted root document
  std::function<void()> on_trust_changed_;
  std::function<void(const UnitStatus&)> status_sink_;
  Millis started_at_{0};
  std::optional<Millis> last_success_mono_;
  Millis next_poll_at_{0};
  UnitStatus status_;
  std::atomic<bool> aborting_{false};  // set by AbortPoll() on any thread
};

}  // namespace kiosk::update
