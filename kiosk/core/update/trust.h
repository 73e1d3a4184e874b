// What a unit trusts, and the root document that changes it without anyone
// touching the unit (The Update Framework's root role, with minisign keys).
//
// A unit pins one or more offline ROOT keys in its configuration
// (trust.root_keys, trust.root_threshold). Administrators publish, beside
// the bundles, a root document signed by enough of those keys:
//
//   <url>/root.json          {"format": 1, "type": "kiosk-root", "version": 3,
//                             "published": "2026-11-29T10:00:00Z",
//                             "expires": "2027-11-29T10:00:00Z",
//                             "content_keys": ["RWQ...", "RWQ..."],
//                             "content_threshold": 1,
//                             "contact": {"hotline": "1-800-292-1168",
//                                         "email": "HumanTrafficking@ottawapolice.ca"},
//                             "content_version_floor": 0}        (optional)
//   <url>/root.json.minisig  one minisign signature per root key, one after
//                            another (cat a.minisig b.minisig > root.json.minisig)
//
// It names the keys that may sign bundles (k-of-n), the contact every screen
// shows in its band, and its own expiry. Rotating or revoking a content key,
// or changing the hotline, is one new root document; units take it at their
// next poll. Its version only goes up (an old root, which trusted a revoked
// key, cannot be replayed).
//
// A unit with no root keys (the configuration of firmware before this
// document existed) trusts updates.trusted_keys, one signature each, and
// shows the contact of trust.contact (default: the built-in contact). A unit
// with root keys uses the same settings until it has accepted its first root
// document (the migration path: docs/publishing.md).
//
// Stateless and thread-safe, except TrustStore, which is a thread-safe box.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/config.h"
#include "kiosk/core/pinned_contact.h"
#include "kiosk/core/status.h"
#include "kiosk/core/update/minisign.h"

namespace kiosk::update {

inline constexpr std::string_view kRootName = "root.json";
inline constexpr std::string_view kRootSignatureName = "root.json.minisig";
inline constexpr uint64_t kMaxRootBytes = 64 << 10;

struct RootDocument {
  int64_t version = 0;
  int64_t published = 0;
  int64_t expires = 0;
  KeyThreshold content;
  std::vector<std::string> content_key_texts;  // as written, for re-serialising
  PinnedContact contact;
  // The rollback floor a unit starts again from when the keys that signed its
  // current floor are no longer trusted (recovery from a leaked key).
  int64_t content_version_floor = 0;
};

// Strict, like every document here: file, JSON path and expectation named.
Result<RootDocument> ParseRootDocument(std::string_view text,
                                       const std::string& file = "root.json");
std::string RootDocumentToJson(const RootDocument& root);

// Verifies that enough root keys signed text, then parses it.
Result<RootDocument> VerifyRootDocument(std::string_view text, std::string_view signature_text,
                                        const KeyThreshold& root_keys);

// What the unit trusts at one moment.
struct Trust {
  KeyThreshold content;                 // keys that may sign bundles
  PinnedContact contact;                // what the band shows
  KeyThreshold root;                    // the configuration's root keys (empty = no root role)
  std::optional<int64_t> root_version;  // set when the trust comes from a root document
  std::optional<int64_t> root_expires;
  std::vector<std::string> problems;  // keys of the configuration that do not parse

  bool uses_root() const { return !root.keys.empty(); }
  // "root v3: 2 content keys, 1 signature needed" or "updates.trusted_keys: 1 key".
  std::string Describe() const;
  // Key ids of the content keys, as minisign prints them.
  std::vector<std::string> ContentKeyIds() const;
};

// The trust given by the configuration alone.
Trust TrustFromConfig(const UpdateConfig& updates, const TrustConfig& trust);
inline Trust TrustFromConfig(const Config& config) {
  return TrustFromConfig(config.updates, config.trust);
}
// The configuration's trust with an accepted root document applied.
Trust TrustWithRoot(const Trust& from_config, const RootDocument& root);

// True when at least `content.threshold` of signer_key_ids (minisign's hex
// ids) are still among trust.content's keys: the signatures that set a
// rollback floor still count.
bool SignersStillTrusted(const Trust& trust, const std::vector<std::string>& signer_key_ids);

// A thread-safe box for the current Trust: the updater's thread replaces it
// when it accepts a root document; the player reads it whenever it chooses
// what to show.
class TrustStore {
 public:
  explicit TrustStore(Trust initial)
      : current_(std::make_shared<const Trust>(std::move(initial))) {}
  std::shared_ptr<const Trust> Current() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Set(Trust trust) {
    auto next = std::make_shared<const Trust>(std::move(trust));
    std::lock_guard lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Trust> current_;
};

}  // namespace kiosk::update
