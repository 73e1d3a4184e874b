#include "kiosk/core/update/updater.h"

#include <algorithm>

#include "kiosk/core/log.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"
#include "kiosk/core/update/poll_schedule.h"
#include "kiosk/core/update/rfc3339.h"
#include "kiosk/core/update/sha256.h"

namespace kiosk::update {
namespace {

// "manifest.json: HTTP 404" for an answer the caller cannot use.
Status HttpError(std::string_view name, const FetchResponse& answer) {
  return Status::Network(std::string(name) + ": HTTP " + std::to_string(answer.http_status));
}

}  // namespace

UpdaterOptions UpdaterOptions::FromConfig(const Config& config) {
  UpdaterOptions o;
  o.updates = config.updates;
  o.trust = config.trust;
  o.device_name = config.device_name;
  o.venue_tags = config.venue_tags;
  o.state_dir = config.state_dir;
  o.status_file = config.status_file;
  return o;
}

const char* PollResultName(PollResult result) {
  switch (result) {
    case PollResult::kDisabled:
      return "disabled";
    case PollResult::kApplied:
      return "applied";
    case PollResult::kUnchanged:
      return "unchanged";
    case PollResult::kUpToDate:
      return "up_to_date";
    case PollResult::kFailed:
      return "failed";
    case PollResult::kAborted:
      return "aborted";
  }
  return "failed";
}

Updater::Updater(UpdaterOptions options, Fetcher& fetcher, FileStore& store, const Clock& clock,
                 BundleValidator validator, OnBundleApplied on_applied, RandomSource random)
    : options_(std::move(options)),
      fetcher_(fetcher),
      store_(store),
      clock_(clock),
      validator_(std::move(validator)),
      on_applied_(std::move(on_applied)),
      random_(std::move(random)),
      default_random_(std::random_device{}()),
      cache_(store, options_.state_dir),
      trust_(Trust{}) {
  if (!random_) {
    random_ = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(default_random_); };
  }
  // A key that does not parse is reported, but the others still work: one
  // typo must not stop a unit that has a good key too.
  config_trust_ = TrustFromConfig(options_.updates, options_.trust);
  trust_.Set(config_trust_);
  if (options_.updates.poll_interval_s < 1) options_.updates.poll_interval_s = 1;
  status_.device_name = options_.device_name;
  status_.venue_tags = options_.venue_tags;
  status_.updates_enabled = !options_.updates.url.empty();
}

std::optional<CachedBundle> Updater::Start() {
  started_at_ = clock_.Monotonic();
  next_poll_at_ = started_at_;
  for (const auto& problem : config_trust_.problems) LogError("updates: " + problem);
  cache_status_ = cache_.Open();
  std::optional<CachedBundle> shown;
  if (!cache_status_.ok()) {
    LogError("updates: " + cache_status_.message() + "; showing the built-in content");
  } else {
    LoadStoredRoot();
    EnforceFloorSigners();
    shown = cache_.SelectAtStart(trust()->content, validator_);
  }
  if (shown) {
    status_.source = ContentSource::kCache;
    status_.version = shown->applied.version;
    status_.applied_at = shown->applied.applied_at;
    status_.expires = shown->manifest.expires;
    status_.published = shown->manifest.published;
  }
  if (status_.updates_enabled) {
    status_.next_poll = clock_.UnixSeconds();
    LogInfo("updates: checking " + UrlOf(kManifestName) + " every " +
            std::to_string(options_.updates.poll_interval_s) + " s");
  } else {
    LogInfo("updates: off (no update URL configured)");
  }
  RefreshStale();
  WriteStatus();
  return shown;
}

std::optional<int64_t> Updater::HonestNow() const {
  const int64_t floor = cache_.state().time_floor;
  if (clock_.WallClockSynchronized()) return std::max(clock_.UnixSeconds(), floor);
  if (floor > 0) return floor;
  return std::nullopt;
}

void Updater::AcceptTrust(Trust trust) {
  LogInfo("trust: " + trust.Describe() + "; contact " + trust.contact.hotline + ", " +
          trust.contact.email);
  trust_.Set(std::move(trust));
  EnforceFloorSigners();
}

void Updater::LoadStoredRoot() {
  if (!config_trust_.uses_root()) return;
  auto stored = cache_.LoadRoot();
  if (!stored) {
    LogInfo("trust: " + config_trust_.Describe());
    return;
  }
  // Verified again against the root keys configured now: a unit whose root
  // keys were changed by hand trusts only what those keys signed.
  auto root = VerifyRootDocument(stored->text, stored->signature, config_trust_.root);
  if (!root.ok()) {
    LogError("trust: the stored root document does not verify (" + root.status().message() +
             "); trusting the configuration until root.json is fetched again");
    return;
  }
  if (root->version < cache_.state().highest_root_version) {
    LogError("trust: the stored root document is v" + std::to_string(root->version) +
             ", older than the accepted v" + std::to_string(cache_.state().highest_root_version) +
             "; trusting the configuration until root.json is fetched again");
    return;
  }
  root_ = *root;
  AcceptTrust(TrustWithRoot(config_trust_, *root));
}

void Updater::EnforceFloorSigners() {
  if (!cache_status_.ok()) return;
  CacheState state = cache_.state();
  if (state.highest_applied_version == 0) return;
  if (state.floor_signers.empty()) {
    // state.json from firmware that did not record signers: the floor's
    // cached bundle says who signed it (its signature is checked before it
    // is shown; here only the key ids matter).
    if (!state.current || state.current->version != state.highest_applied_version) return;
    auto sig = store_.ReadFile(cache_.BundleDir(state.current->version) / kSignatureName);
    if (!sig.ok()) return;
    auto blocks = SplitMinisignSignatures(*sig);
    if (!blocks.ok()) return;
    for (const auto& block : *blocks) {
      if (auto parsed = ParseMinisignSignature(block); parsed.ok()) {
        state.floor_signers.push_back(KeyIdHex(parsed->key_id));
      }
    }
    if (state.floor_signers.empty()) return;
  }
  auto current = trust();
  if (SignersStillTrusted(*current, state.floor_signers)) return;
  const int64_t floor = root_ ? root_->content_version_floor : 0;
  std::string signers;
  for (const auto& id : state.floor_signers) signers += (signers.empty() ? "" : ", ") + id;
  LogError("updates: the rollback floor v" + std::to_string(state.highest_applied_version) +
           " was set by key " + signers + ", which is no longer trusted (" + current->Describe() +
           "); the floor starts again at v" + std::to_string(floor));
  Status s = cache_.ResetFloor(floor, root_ ? root_->published : 0);
  if (!s.ok()) LogError("updates: resetting the rollback floor: " + s.message());
}

Status Updater::CheckPublishedTime(const char* what, int64_t published) const {
  // A day of slack for clocks a little behind. Only a synchronised clock can
  // say a time is in the future; an unsynchronised one (a Pi at boot) may be
  // years behind.
  constexpr int64_t kSlack = 24 * 3600;
  if (clock_.WallClockSynchronized() && published > clock_.UnixSeconds() + kSlack) {
    return Status::Rejected(std::string(what) + " is published at " + FormatRfc3339Utc(published) +
                            ", in the future (now " + FormatRfc3339Utc(clock_.UnixSeconds()) + ")");
  }
  return Status::Ok();
}

Status Updater::CheckRoot() {
  const CacheState& state = cache_.state();
  FetchRequest request;
  request.url = UrlOf(kRootName);
  request.max_body_bytes = kMaxRootBytes;
  if (root_) {
    request.if_none_match = state.root_etag;
    request.if_modified_since = state.root_last_modified;
  }
  const bool conditional = !request.if_none_match.empty() || !request.if_modified_since.empty();
  auto answer = fetcher_.Fetch(request);
  if (!answer.ok()) return answer.status().WithContext(std::string(kRootName));
  if (answer->http_status == 304 && conditional) return Status::Ok();
  if (answer->http_status != 200) {
    return Status::Network(std::string(kRootName) + ": HTTP " +
                           std::to_string(answer->http_status) +
                           " (this unit has root keys: the root document must be published "
                           "beside the bundles)");
  }
  FetchRequest sig_request;
  sig_request.url = UrlOf(kRootSignatureName);
  sig_request.max_body_bytes = kMaxSignatureBytes;
  auto sig = fetcher_.Fetch(sig_request);
  if (!sig.ok()) return sig.status().WithContext(std::string(kRootSignatureName));
  if (sig->http_status != 200) return HttpError(kRootSignatureName, *sig);
  auto root = VerifyRootDocument(answer->body, sig->body, config_trust_.root);
  if (!root.ok()) return root.status();
  const int64_t root_floor = std::max(state.highest_root_version, root_ ? root_->version : 0);
  if (root->version < root_floor) {
    return Status::Rejected("root.json: version " + std::to_string(root->version) +
                            " is older than the accepted root version " +
                            std::to_string(root_floor) + " (rollback refused)");
  }
  if (root_ && root->version == root_->version) {
    if (answer->body != cache_.LoadRoot().value_or(StoredRoot{}).text) {
      return Status::Rejected("root.json: version " + std::to_string(root->version) +
                              " differs from the accepted document of the same version (a new "
                              "root document needs a new version)");
    }
    Status saved = cache_.SaveRootValidators(answer->etag, answer->last_modified);
    if (!saved.ok()) LogWarning("updates: saving root.json validators: " + saved.message());
    return Status::Ok();
  }
  if (Status s = CheckPublishedTime("root.json", root->published); !s.ok()) return s;
  if (auto now = HonestNow(); now && root->expires <= *now) {
    return Status::Rejected("root.json v" + std::to_string(root->version) + " expired at " +
                            FormatRfc3339Utc(root->expires) + " (now " + FormatRfc3339Utc(*now) +
                            ")");
  }
  Status saved = cache_.SaveRoot(StoredRoot{answer->body, sig->body}, root->version,
                                 root->published, answer->etag, answer->last_modified);
  if (!saved.ok()) return saved;
  LogInfo("trust: accepted root document v" + std::to_string(root->version));
  root_ = *root;
  AcceptTrust(TrustWithRoot(config_trust_, *root));
  if (on_trust_changed_) on_trust_changed_();
  return Status::Ok();
}

std::string Updater::UrlOf(std::string_view name) const {
  std::string base = options_.updates.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + std::string(name);
}

PollOutcome Updater::PollOnce() {
  PollOutcome outcome;
  if (!status_.updates_enabled) {
    outcome.result = PollResult::kDisabled;
    // Nothing to do; look again in an interval in case a caller polls anyway.
    outcome.next_delay = Millis(int64_t{options_.updates.poll_interval_s} * 1000);
    next_poll_at_ = clock_.Monotonic() + outcome.next_delay;
    RefreshStale();
    WriteStatus();
    return outcome;
  }
  // An exception escaping here would end the worker thread and the program
  // (and blank the screen); a poll that fails is merely retried.
  try {
    auto checked = Check();
    if (checked.ok()) {
      outcome.result = *checked;
    } else {
      outcome.result = PollResult::kFailed;
      outcome.error = checked.status();
    }
  } catch (const std::exception& e) {
    outcome.result = PollResult::kFailed;
    outcome.error = Status::Internal(std::string("unexpected exception: ") + e.what());
  } catch (...) {
    outcome.result = PollResult::kFailed;
    outcome.error = Status::Internal("unexpected exception");
  }
  // The fetcher was retired under this poll: whatever failed, the server is
  // not to blame, and the updater is going away.
  if (outcome.result == PollResult::kFailed && aborting_.load()) {
    outcome.result = PollResult::kAborted;
  }
  Finish(outcome);
  return outcome;
}

void Updater::AbortPoll() {
  aborting_.store(true);
  fetcher_.Abort();
}

Result<PollResult> Updater::Check() {
  if (!cache_status_.ok()) {
    // Retry opening: the state directory may have become writable (remount).
    cache_status_ = cache_.Open();
    if (!cache_status_.ok()) return cache_status_;
  }
  if (config_trust_.uses_root()) {
    if (Status s = CheckRoot(); !s.ok()) return s;
  }
  const std::shared_ptr<const Trust> trust = this->trust();
  if (trust->content.keys.empty()) {
    return Status::Invalid(config_trust_.problems.empty()
                               ? "no trusted key configured; refusing every bundle"
                               : "no usable trusted key (" + config_trust_.problems.front() + ")");
  }

  FetchRequest request;
  request.url = UrlOf(kManifestName);
  request.max_body_bytes = kMaxManifestBytes;
  const CacheState& state = cache_.state();
  const std::optional<AppliedBundle>& shown = cache_.shown();
  // The validators describe the current bundle's manifest; send them only if
  // that bundle is the one on screen, so that a unit that fell back (its
  // current copy failed to verify) downloads the manifest again to repair.
  if (state.current && shown && shown->version == state.current->version) {
    request.if_none_match = state.manifest_etag;
    request.if_modified_since = state.manifest_last_modified;
  }
  const bool conditional = !request.if_none_match.empty() || !request.if_modified_since.empty();
  auto manifest_answer = fetcher_.Fetch(request);
  if (!manifest_answer.ok()) return manifest_answer.status().WithContext("manifest.json");
  if (manifest_answer->http_status == 304) {
    if (!conditional) {
      return Status::Network("manifest.json: HTTP 304 to a request that was not conditional");
    }
    return PollResult::kUnchanged;
  }
  if (manifest_answer->http_status != 200) return HttpError(kManifestName, *manifest_answer);

  FetchRequest sig_request;
  sig_request.url = UrlOf(kSignatureName);
  sig_request.max_body_bytes = kMaxSignatureBytes;
  auto sig_answer = fetcher_.Fetch(sig_request);
  if (!sig_answer.ok()) return sig_answer.status().WithContext("manifest.json.minisig");
  if (sig_answer->http_status != 200) return HttpError(kSignatureName, *sig_answer);

  auto verified = VerifyMinisignThreshold(manifest_answer->body, sig_answer->body, trust->content);
  if (!verified.ok()) return verified.status().WithContext("manifest signature");
  std::vector<std::string> signers;
  for (const auto& v : *verified) signers.push_back(KeyIdHex(v.key_id));

  auto manifest = ParseManifest(manifest_answer->body, "manifest.json");
  if (!manifest.ok()) return manifest.status();

  if (shown && manifest->version == shown->version &&
      manifest->version == state.highest_applied_version) {
    Status saved = cache_.SaveValidators(manifest_answer->etag, manifest_answer->last_modified);
    if (!saved.ok()) LogWarning("updates: saving the manifest validators: " + saved.message());
    return PollResult::kUpToDate;
  }
  if (manifest->version < state.highest_applied_version) {
    return Status::Rejected("version " + std::to_string(manifest->version) +
                            " is not newer than applied version " +
                            std::to_string(state.highest_applied_version) + " (rollback refused)");
  }
  if (Status s = CheckPublishedTime("manifest.json", manifest->published); !s.ok()) return s;
  // Expiry is judged by time the unit can vouch for: a clock that is not
  // synchronised never accepts what is known to be expired (the time floor),
  // and never refuses on its own say-so.
  if (auto now = HonestNow(); now && manifest->expires && *manifest->expires <= *now) {
    return Status::Rejected("bundle v" + std::to_string(manifest->version) + " expired at " +
                            FormatRfc3339Utc(*manifest->expires) + " (now " +
                            FormatRfc3339Utc(*now) + ")");
  }
  const uint64_t total =
      manifest->TotalFileBytes() + manifest_answer->body.size() + sig_answer->body.size();
  if (total > options_.updates.max_bundle_bytes) {
    return Status::Rejected("bundle v" + std::to_string(manifest->version) + " is " +
                            std::to_string(total) + " bytes, more than max_bundle_bytes " +
                            std::to_string(options_.updates.max_bundle_bytes));
  }
  // The floor's own version, not on screen (the up-to-date case is above):
  // the same signed bundle again is not a rollback, and re-applying it
  // repairs a unit whose cached copy failed to verify at start.
  const bool repair = manifest->version == state.highest_applied_version;
  if (repair) {
    LogWarning("updates: re-applying v" + std::to_string(manifest->version) +
               " because its cached copy did not verify");
  }
  return Apply(*manifest, manifest_answer->body, sig_answer->body, *manifest_answer, signers);
}

Result<PollResult> Updater::Apply(const Manifest& manifest, const std::string& manifest_text,
                                  const std::string& signature_text,
                                  const FetchResponse& manifest_answer,
                                  const std::vector<std::string>& signers) {
  auto staging = cache_.BeginStaging(manifest.version);
  if (!staging.ok()) return staging.status();
  // Every exit below that is not a commit removes the staging directory.
  auto fail = [&](Status s) -> Result<PollResult> {
    cache_.Abandon(*staging);
    return s;
  };
  Status s = cache_.WriteStagedFile(*staging, kManifestName, manifest_text);
  if (s.ok()) s = cache_.WriteStagedFile(*staging, kSignatureName, signature_text);
  if (!s.ok()) return fail(s);

  for (const ManifestFile& file : manifest.files) {
    FetchRequest request;
    request.url = UrlOf(file.path);
    request.max_body_bytes = file.size;
    auto answer = fetcher_.Fetch(request);
    if (!answer.ok()) return fail(answer.status().WithContext(file.path));
    if (answer->http_status != 200) return fail(HttpError(file.path, *answer));
    if (answer->body.size() != file.size) {
      return fail(Status::Unverified(file.path + ": size mismatch (expected " +
                                     std::to_string(file.size) + " bytes, got " +
                                     std::to_string(answer->body.size()) + ")"));
    }
    const std::string actual = Sha256Hex(answer->body);
    if (actual != file.sha256) {
      return fail(Status::Unverified(file.path + ": sha256 mismatch (expected " + file.sha256 +
                                     ", got " + actual + ")"));
    }
    s = cache_.WriteStagedFile(*staging, file.path, answer->body);
    if (!s.ok()) return fail(s);
  }

  {
    Status valid = RunValidator(validator_, *staging);
    if (!valid.ok()) {
      return fail(Status::Rejected("bundle v" + std::to_string(manifest.version) +
                                   " content validation: " + valid.message()));
    }
  }
  const int64_t now = clock_.UnixSeconds();
  auto committed = cache_.Commit(
      *staging, manifest.version, now, manifest_answer.etag, manifest_answer.last_modified,
      /*repair=*/manifest.version == cache_.state().highest_applied_version, signers);
  if (!committed.ok()) return fail(committed.status());
  Status raised = cache_.RaiseTimeFloor(manifest.published);
  if (!raised.ok()) LogWarning("updates: saving the time floor: " + raised.message());

  status_.source = ContentSource::kNetwork;
  status_.version = manifest.version;
  status_.applied_at = now;
  status_.expires = manifest.expires;
  status_.published = manifest.published;
  LogInfo("updates: applied bundle v" + std::to_string(manifest.version) + " (" +
          std::to_string(manifest.files.size()) + " files, " +
          std::to_string(manifest.TotalFileBytes()) + " bytes)");
  if (on_applied_) on_applied_(*committed, manifest.version);
  return PollResult::kApplied;
}

void Updater::Finish(PollOutcome& outcome) {
  const Millis interval(int64_t{options_.updates.poll_interval_s} * 1000);
  if (outcome.result == PollResult::kAborted) {
    // Neither a failure nor a check: the status file keeps the last real
    // one, and the next updater (after a reload) polls at once anyway.
    LogInfo("updates: check abandoned: " + outcome.error.message());
    outcome.next_delay = interval;
    next_poll_at_ = clock_.Monotonic() + outcome.next_delay;
    return;
  }
  const int64_t now = clock_.UnixSeconds();
  status_.last_check = now;
  status_.last_check_result = PollResultName(outcome.result);
  if (outcome.result == PollResult::kFailed) {
    ++status_.consecutive_failures;
    status_.last_error_time = now;
    status_.last_error_reason = outcome.error.message();
    LogWarning("updates: check failed, keeping the current content: " + outcome.error.message());
  } else {
    status_.consecutive_failures = 0;
    status_.last_success = now;
    last_success_mono_ = clock_.Monotonic();
    LogDebug(std::string("updates: check ok: ") + PollResultName(outcome.result));
  }
  outcome.next_delay = NextPollDelay(interval, status_.consecutive_failures, random_());
  next_poll_at_ = clock_.Monotonic() + outcome.next_delay;
  status_.next_poll = now + (outcome.next_delay.count() + 999) / 1000;
  RefreshStale();
  WriteStatus();
}

void Updater::RefreshStale() {
  // Content expiry is added when the status is written (StaleReasons), so
  // that it is judged on what is on screen; the rest is about checks.
  std::vector<std::string> reasons;
  status_.honest_now = HonestNow();
  const std::optional<int64_t>& now = status_.honest_now;
  if (now && root_ && root_->expires <= *now) {
    reasons.push_back("root document v" + std::to_string(root_->version) + " expired at " +
                      FormatRfc3339Utc(root_->expires) + "; publish a new root.json");
  }
  if (status_.updates_enabled) {
    // No successful check for three intervals (since start if none yet).
    const Millis since = clock_.Monotonic() - last_success_mono_.value_or(started_at_);
    if (since >= Millis(int64_t{options_.updates.poll_interval_s} * 3000)) {
      reasons.push_back("no successful check for " + std::to_string(since.count() / 1000) +
                        " s (3 poll intervals)");
    }
  }
  status_.clock_synchronized = clock_.WallClockSynchronized();
  status_.stale_reasons = std::move(reasons);
  status_.stale = !StaleReasons(status_).empty();
  status_.trust = trust()->Describe();
  status_.problems = config_trust_.problems;
}

void Updater::WriteStatus() {
  if (status_sink_) {
    status_sink_(status_);
    return;
  }
  if (options_.status_file.empty()) return;
  Status s = WriteUnitStatus(store_, options_.status_file, status_);
  if (!s.ok()) LogWarning("updates: " + s.message());
}

}  // namespace kiosk::update
