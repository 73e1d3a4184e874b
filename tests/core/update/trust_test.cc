// The trust hierarchy with a scripted server, a fake clock and the in-memory
// store: k-of-n signatures, root documents (accepted, replayed, forged,
// expired), recovery from a leaked key that pushed the version floor to the
// maximum, and expiry judged by time the unit can vouch for.
#include "kiosk/core/update/trust.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "kiosk/core/update/rfc3339.h"
#include "kiosk/core/update/updater.h"
#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using testing::BundleFiles;
using testing::FakeFetcher;
using testing::Publisher;
using testing::TestSigner;

const std::string kBase = "https://signs.example.org/kiosk";
const std::filesystem::path kState = "/var/lib/kiosk";
const std::filesystem::path kStatus = "/run/kiosk/status.json";
constexpr int64_t kPublished = 1'780'000'000;

BundleFiles FilesOf(int64_t version) {
  return {{"slides.json", "{\"v\": " + std::to_string(version) + "}"}};
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string Cat(const std::vector<std::string>& signatures) {
  std::string all;
  for (const auto& s : signatures) all += s;
  return all;
}

RootDocument RootOf(int64_t version, const std::vector<const TestSigner*>& content,
                    int threshold = 1, PinnedContact contact = BuiltinContact()) {
  RootDocument root;
  root.version = version;
  root.published = kPublished + version;
  root.expires = kPublished + 365 * 86400;
  for (const auto* k : content) root.content_key_texts.push_back(k->PublicKeyBase64());
  root.content.threshold = threshold;
  root.contact = std::move(contact);
  return root;
}

// A unit whose configuration pins one root key, polling a scripted server.
struct Unit {
  MemoryFileStore store;
  FakeFetcher server;
  FakeClock clock{Millis(1'000'000), kPublished + 1000};
  TestSigner root_key;
  TestSigner content_key;
  Publisher publisher{server, kBase, content_key};
  std::vector<int64_t> applied;
  int trust_changes = 0;
  std::unique_ptr<Updater> updater;

  UpdaterOptions Options() {
    UpdaterOptions o;
    o.updates.url = kBase;
    o.updates.poll_interval_s = 300;
    o.trust.root_keys = {root_key.PublicKeyBase64()};
    o.state_dir = kState;
    o.status_file = kStatus;
    return o;
  }
  void Boot(std::optional<UpdaterOptions> options = std::nullopt) {
    updater = std::make_unique<Updater>(
        options ? *options : Options(), server, store, clock, nullptr,
        [this](const std::filesystem::path&, int64_t version) { applied.push_back(version); },
        [] { return 0.5; });
    updater->set_on_trust_changed([this] { ++trust_changes; });
    updater->Start();
  }
  void PublishRoot(const RootDocument& root, const std::vector<const TestSigner*>& signers) {
    const std::string text = RootDocumentToJson(root);
    std::vector<std::string> sigs;
    for (const auto* s : signers) sigs.push_back(s->Sign(text));
    server.Serve(kBase + "/root.json", text,
                 "\"" + std::to_string(std::hash<std::string>{}(text)) + "\"");
    server.Serve(kBase + "/root.json.minisig", Cat(sigs));
  }
  // A bundle signed by `signer`, published at `published`.
  void PublishBundle(int64_t version, const TestSigner& signer, int64_t published = kPublished,
                     std::optional<int64_t> expires = std::nullopt) {
    Manifest m = testing::ManifestFor(version, FilesOf(version), expires, published);
    publisher.PublishText(ManifestToJson(m), FilesOf(version),
                          "\"v" + std::to_string(version) + "\"", &signer);
  }
  PollOutcome Poll() { return updater->PollOnce(); }
  nlohmann::json StatusFile() {
    auto text = store.ReadFile(kStatus);
    REQUIRE(text.ok());
    return nlohmann::json::parse(*text);
  }
};

TEST_CASE("k-of-n: concatenated minisign signatures, each key counted once") {
  TestSigner alice, bob, mallory;
  const std::string message = "manifest bytes";
  KeyThreshold two_of_two{{}, 2};
  for (const auto* k : {&alice, &bob}) {
    two_of_two.keys.push_back(*ParseMinisignPublicKey(k->PublicKeyBase64()));
  }
  auto both = VerifyMinisignThreshold(message, alice.Sign(message) + bob.Sign(message), two_of_two);
  REQUIRE_MESSAGE(both.ok(), both.status().message());
  CHECK(both->size() == 2);

  auto one = VerifyMinisignThreshold(message, alice.Sign(message), two_of_two);
  REQUIRE_FALSE(one.ok());
  CHECK(Contains(one.status().message(), "1 of the 2 signatures needed verify"));
  // The same key twice is one signer, not two.
  auto twice = VerifyMinisignThreshold(message, alice.Sign(message) + alice.Sign(message, "again"),
                                       two_of_two);
  CHECK_FALSE(twice.ok());
  // A stranger's signature does not make up the count.
  auto stranger =
      VerifyMinisignThreshold(message, alice.Sign(message) + mallory.Sign(message), two_of_two);
  REQUIRE_FALSE(stranger.ok());
  CHECK(Contains(stranger.status().message(), "is not trusted"));
  // One good signature among junk is enough for threshold 1.
  KeyThreshold one_of_two = two_of_two;
  one_of_two.threshold = 1;
  CHECK(
      VerifyMinisignThreshold(message, mallory.Sign(message) + bob.Sign(message), one_of_two).ok());
  // Hostile files: too many blocks, garbage.
  std::string many;
  for (size_t i = 0; i <= kMaxSignaturesPerFile; ++i) many += alice.Sign(message);
  CHECK(Contains(VerifyMinisignThreshold(message, many, one_of_two).status().message(),
                 "more than 16 signatures"));
  CHECK_FALSE(VerifyMinisignThreshold(message, "garbage\n", one_of_two).ok());
  CHECK_FALSE(VerifyMinisignThreshold(message, "", one_of_two).ok());
}

TEST_CASE("root document: strict parsing names the field") {
  TestSigner k;
  RootDocument root = RootOf(3, {&k});
  auto parsed = ParseRootDocument(RootDocumentToJson(root));
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  CHECK(parsed->version == 3);
  CHECK(parsed->content.keys.size() == 1);
  CHECK(parsed->contact == BuiltinContact());

  auto bad = [&](const std::string& from, const std::string& to) {
    std::string text = RootDocumentToJson(root);
    text.replace(text.find(from), from.size(), to);
    auto r = ParseRootDocument(text);
    REQUIRE_FALSE(r.ok());
    return r.status().message();
  };
  CHECK(Contains(bad("\"1-800-292-1168\"", "\"1-800-292-116\""), "$.contact.hotline"));
  CHECK(Contains(bad("\"content_threshold\": 1", "\"content_threshold\": 2"),
                 "$.content_threshold: expected at most the number of content_keys (1)"));
  CHECK(Contains(bad("\"kiosk-root\"", "\"kiosk-bundle\""), "$.type"));
  CHECK(Contains(bad("\"version\": 3", "\"version\": 3, \"extra\": 1"), "$.extra"));
  CHECK(Contains(bad(k.PublicKeyBase64(), "RWQnotakey"), "$.content_keys[0]"));
}

TEST_CASE("trust: a unit with root keys takes its content keys and contact from the root") {
  Unit unit;
  unit.Boot();
  CHECK(unit.updater->trust()->content.keys.empty());  // no root yet, no trusted_keys
  PinnedContact contact{"1-800-292-1168", "Help@example.org"};
  unit.PublishRoot(RootOf(1, {&unit.content_key}, 1, contact), {&unit.root_key});
  unit.PublishBundle(1, unit.content_key);
  auto outcome = unit.Poll();
  // The bundle's slides.json is not a real one and no validator runs here;
  // what matters is that the root came first and made the key trusted.
  REQUIRE_MESSAGE(outcome.result == PollResult::kApplied, outcome.error.message());
  CHECK(unit.trust_changes == 1);
  CHECK(unit.updater->trust()->root_version == 1);
  CHECK(unit.updater->trust()->contact == contact);
  CHECK(unit.StatusFile()["trust"] == "root v1: 1 content key, 1 signature needed");

  // After a restart the stored root is trusted without the network.
  unit.server.Clear();
  unit.Boot();
  CHECK(unit.updater->trust()->root_version == 1);
  CHECK(unit.updater->trust()->contact == contact);
  CHECK(unit.updater->cache_state().current->version == 1);
}

TEST_CASE("trust: forged, replayed and expired root documents are refused") {
  Unit unit;
  unit.Boot();
  TestSigner thief;
  unit.PublishRoot(RootOf(1, {&thief}), {&thief});  // not signed by the root key
  auto forged = unit.Poll();
  REQUIRE(forged.result == PollResult::kFailed);
  CHECK(Contains(forged.error.message(),
                 "root.json signature: key id " + thief.KeyIdHex() + " is not trusted"));
  CHECK_FALSE(unit.updater->trust()->root_version.has_value());

  unit.PublishRoot(RootOf(2, {&unit.content_key}), {&unit.root_key});
  unit.PublishBundle(1, unit.content_key);
  REQUIRE(unit.Poll().result == PollResult::kApplied);
  // An older root (which might trust a key revoked since) is a rollback.
  unit.PublishRoot(RootOf(1, {&thief}), {&unit.root_key});
  auto replayed = unit.Poll();
  REQUIRE(replayed.result == PollResult::kFailed);
  CHECK(Contains(
      replayed.error.message(),
      "root.json: version 1 is older than the accepted root version 2 (rollback refused)"));
  // The same version with other content is refused too.
  RootDocument changed = RootOf(2, {&thief});
  unit.PublishRoot(changed, {&unit.root_key});
  auto same_version = unit.Poll();
  REQUIRE(same_version.result == PollResult::kFailed);
  CHECK(Contains(same_version.error.message(), "a new root document needs a new version"));
  CHECK(unit.updater->trust()->ContentKeyIds() ==
        std::vector<std::string>{unit.content_key.KeyIdHex()});

  // Expired, by a synchronised clock.
  RootDocument old = RootOf(3, {&unit.content_key});
  old.expires = unit.clock.UnixSeconds() - 1;
  old.published = old.expires - 100;
  unit.PublishRoot(old, {&unit.root_key});
  auto expired = unit.Poll();
  REQUIRE(expired.result == PollResult::kFailed);
  CHECK(Contains(expired.error.message(), "root.json v3 expired at"));
  // A root the root key signed but that is missing from the server.
  unit.server.Remove(kBase + "/root.json");
  auto missing = unit.Poll();
  REQUIRE(missing.result == PollResult::kFailed);
  CHECK(Contains(missing.error.message(), "root.json: HTTP 404"));
}

TEST_CASE("trust: two root keys of which both must sign") {
  Unit unit;
  TestSigner second_root;
  UpdaterOptions o = unit.Options();
  o.trust.root_keys.push_back(second_root.PublicKeyBase64());
  o.trust.root_threshold = 2;
  unit.Boot(o);
  unit.PublishRoot(RootOf(1, {&unit.content_key}), {&unit.root_key});
  auto one = unit.Poll();
  REQUIRE(one.result == PollResult::kFailed);
  CHECK(Contains(one.error.message(), "1 of the 2 signatures needed verify"));
  unit.PublishRoot(RootOf(1, {&unit.content_key}), {&unit.root_key, &second_root});
  unit.PublishBundle(1, unit.content_key);
  auto both = unit.Poll();
  CHECK_MESSAGE(both.result == PollResult::kApplied, both.error.message());
}

TEST_CASE("trust: content signed by 2 of 3 content keys (the two-person rule)") {
  Unit unit;
  unit.Boot();
  TestSigner bob, carol;
  unit.PublishRoot(RootOf(1, {&unit.content_key, &bob, &carol}, 2), {&unit.root_key});
  unit.PublishBundle(1, unit.content_key);  // one signature only
  auto lone = unit.Poll();
  REQUIRE(lone.result == PollResult::kFailed);
  CHECK(Contains(lone.error.message(), "manifest signature: 1 of the 2 signatures needed verify"));

  Manifest m = testing::ManifestFor(1, FilesOf(1), std::nullopt, kPublished);
  const std::string text = ManifestToJson(m);
  unit.server.Serve(kBase + "/manifest.json", text, "\"v1-two\"");
  unit.server.Serve(kBase + "/manifest.json.minisig",
                    unit.content_key.Sign(text) + carol.Sign(text));
  auto two = unit.Poll();
  CHECK_MESSAGE(two.result == PollResult::kApplied, two.error.message());
  CHECK(unit.updater->cache_state().floor_signers ==
        std::vector<std::string>{unit.content_key.KeyIdHex(), carol.KeyIdHex()});
}

TEST_CASE("a leaked key's far-future version: rotating the key in the root resets the floor") {
  Unit unit;
  unit.Boot();
  unit.PublishRoot(RootOf(1, {&unit.content_key}), {&unit.root_key});
  unit.PublishBundle(4, unit.content_key);
  REQUIRE(unit.Poll().result == PollResult::kApplied);

  // The thief has the content key: the highest version there is.
  unit.PublishBundle(kMaxBundleVersion, unit.content_key);
  REQUIRE(unit.Poll().result == PollResult::kApplied);
  CHECK(unit.updater->cache_state().highest_applied_version == kMaxBundleVersion);
  // Every honest version is now a rollback.
  TestSigner new_key;
  unit.PublishBundle(5, unit.content_key);
  auto locked = unit.Poll();
  REQUIRE(locked.result == PollResult::kFailed);
  CHECK(Contains(locked.error.message(), "rollback refused"));

  // The administrators sign a new root naming only a new content key, and
  // publish the next honest version with it.
  unit.PublishRoot(RootOf(2, {&new_key}), {&unit.root_key});
  unit.PublishBundle(5, new_key);
  auto recovered = unit.Poll();
  REQUIRE_MESSAGE(recovered.result == PollResult::kApplied, recovered.error.message());
  CHECK(unit.applied.back() == 5);
  CHECK(unit.updater->cache_state().highest_applied_version == 5);
  CHECK(unit.updater->cache_state().floor_signers == std::vector<std::string>{new_key.KeyIdHex()});
  // The thief's key signs nothing any more, whatever the version.
  unit.PublishBundle(kMaxBundleVersion, unit.content_key);
  auto thief = unit.Poll();
  REQUIRE(thief.result == PollResult::kFailed);
  CHECK(Contains(thief.error.message(), "is not trusted"));
  // And old honest versions stay rollbacks from the new floor on.
  unit.PublishBundle(3, new_key);
  CHECK(Contains(unit.Poll().error.message(), "rollback refused"));

  // After restarts, and even with state.json lost, the old root (which
  // trusted the leaked key) is a rollback: its floor is in trust.json too.
  for (bool lose_state : {false, true}) {
    CAPTURE(lose_state);
    if (lose_state) REQUIRE(unit.store.RemoveTree(kState / "state.json").ok());
    unit.Boot();
    CHECK(unit.updater->trust()->root_version == 2);
    unit.PublishRoot(RootOf(1, {&unit.content_key}), {&unit.root_key});
    unit.PublishBundle(kMaxBundleVersion, unit.content_key);
    auto replay = unit.Poll();
    REQUIRE(replay.result == PollResult::kFailed);
    CHECK(Contains(replay.error.message(), "older than the accepted root version 2"));
    CHECK(unit.applied.back() == 5);
  }
}

TEST_CASE("after a key is revoked, the server's 304 does not hide that its manifest is refused") {
  Unit unit;
  unit.Boot();
  unit.PublishRoot(RootOf(1, {&unit.content_key}), {&unit.root_key});
  unit.PublishBundle(7, unit.content_key);
  REQUIRE(unit.Poll().result == PollResult::kApplied);
  // The root now names another key, but the server still has the old
  // bundle (same ETag): the unit must fetch it again and say why it refuses.
  TestSigner new_key;
  unit.PublishRoot(RootOf(2, {&new_key}), {&unit.root_key});
  auto outcome = unit.Poll();
  REQUIRE(outcome.result == PollResult::kFailed);
  CHECK(Contains(outcome.error.message(), "is not trusted"));
  CHECK(unit.StatusFile()["last_check_result"] == "failed");
}

TEST_CASE(
    "a leaked key on a unit without root keys: removing it from the config resets the floor") {
  Unit unit;
  UpdaterOptions o = unit.Options();
  o.trust.root_keys.clear();
  o.updates.trusted_keys = {unit.content_key.PublicKeyBase64()};
  unit.Boot(o);
  unit.PublishBundle(kMaxBundleVersion, unit.content_key);
  REQUIRE(unit.Poll().result == PollResult::kApplied);

  TestSigner new_key;
  o.updates.trusted_keys = {new_key.PublicKeyBase64()};
  unit.Boot(o);  // the edited configuration, after SIGHUP or a restart
  CHECK(unit.updater->cache_state().highest_applied_version == 0);
  unit.PublishBundle(2, new_key);
  auto outcome = unit.Poll();
  CHECK_MESSAGE(outcome.result == PollResult::kApplied, outcome.error.message());
}

TEST_CASE("a unit from before floor signers were recorded still recovers") {
  Unit unit;
  UpdaterOptions o = unit.Options();
  o.trust.root_keys.clear();
  o.updates.trusted_keys = {unit.content_key.PublicKeyBase64()};
  unit.Boot(o);
  unit.PublishBundle(kMaxBundleVersion, unit.content_key);
  REQUIRE(unit.Poll().result == PollResult::kApplied);
  // Erase the record, as older firmware wrote state.json.
  auto state = nlohmann::json::parse(*unit.store.ReadFile(kState / "state.json"));
  state.erase("floor_signers");
  REQUIRE(unit.store.WriteFileAtomic(kState / "state.json", state.dump()).ok());
  TestSigner new_key;
  o.updates.trusted_keys = {new_key.PublicKeyBase64()};
  unit.Boot(o);
  CHECK(unit.updater->cache_state().highest_applied_version == 0);
}

TEST_CASE("freshness: expiry is judged by time the unit can vouch for") {
  Unit unit;
  UpdaterOptions o = unit.Options();
  o.trust.root_keys.clear();
  o.updates.trusted_keys = {unit.content_key.PublicKeyBase64()};
  unit.Boot(o);
  const int64_t t = unit.clock.UnixSeconds();
  unit.PublishBundle(1, unit.content_key, /*published=*/t);
  REQUIRE(unit.Poll().result == PollResult::kApplied);
  CHECK(unit.updater->cache_state().time_floor == t);

  // The Pi reboots without a battery: its clock is years behind and not
  // synchronised. A bundle that expired before something it already
  // accepted was published is still known to be expired.
  unit.clock.SetSynchronized(false);
  unit.clock.SetUnixSeconds(1'000'000'000);
  unit.Boot(o);
  unit.PublishBundle(2, unit.content_key, /*published=*/t - 200, /*expires=*/t - 100);
  auto replay = unit.Poll();
  REQUIRE(replay.result == PollResult::kFailed);
  CHECK(Contains(replay.error.message(), "bundle v2 expired at"));
  CHECK(unit.StatusFile()["clock_synchronized"] == false);
  // One that may still be valid is not refused on the word of a bad clock.
  unit.PublishBundle(3, unit.content_key, /*published=*/t + 10, /*expires=*/t + 20);
  CHECK(unit.Poll().result == PollResult::kApplied);

  // A synchronised clock refuses what was published in its future (a key
  // thief pushing the time floor ahead would make every bundle look
  // expired), and reports the shown bundle stale once it expires.
  unit.clock.SetSynchronized(true);
  unit.clock.SetUnixSeconds(t + 1000);
  unit.PublishBundle(4, unit.content_key, /*published=*/t + 10 * 86400);
  auto future = unit.Poll();
  REQUIRE(future.result == PollResult::kFailed);
  CHECK(Contains(future.error.message(), "in the future"));
  auto status = unit.StatusFile();
  CHECK(status["stale"] == true);
  CHECK(Contains(status["stale_reasons"][0].get<std::string>(), "content v3 expired at"));
}

TEST_CASE("freshness: a server frozen on 304 is found out when the content expires") {
  Unit unit;
  UpdaterOptions o = unit.Options();
  o.trust.root_keys.clear();
  o.updates.trusted_keys = {unit.content_key.PublicKeyBase64()};
  unit.Boot(o);
  const int64_t t = unit.clock.UnixSeconds();
  unit.PublishBundle(1, unit.content_key, t, t + 30 * 86400);
  REQUIRE(unit.Poll().result == PollResult::kApplied);
  CHECK(unit.StatusFile()["stale"] == false);
  for (int day = 1; day <= 31; ++day) {
    unit.clock.Advance(Millis(86'400'000));
    auto outcome = unit.Poll();  // the server keeps answering 304
    REQUIRE(outcome.result == PollResult::kUnchanged);
  }
  auto status = unit.StatusFile();
  CHECK(status["last_check_result"] == "unchanged");
  CHECK(status["stale"] == true);
  CHECK(Contains(status["stale_reasons"][0].get<std::string>(), "content v1 expired at"));
}

}  // namespace
}  // namespace kiosk::update
