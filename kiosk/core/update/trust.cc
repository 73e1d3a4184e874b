#include "kiosk/core/update/trust.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kiosk/core/json_fields.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/rfc3339.h"

namespace kiosk::update {
namespace {

KeyThreshold ParseKeys(const std::vector<std::string>& texts, int threshold,
                       const std::string& what, std::vector<std::string>& problems) {
  KeyThreshold keys;
  keys.threshold = std::max(threshold, 1);
  for (size_t i = 0; i < texts.size(); ++i) {
    auto key = ParseMinisignPublicKey(texts[i]);
    if (key.ok()) {
      keys.keys.push_back(*key);
    } else {
      problems.push_back(what + "[" + std::to_string(i) + "]: " + key.status().message());
    }
  }
  return keys;
}

}  // namespace

Result<RootDocument> ParseRootDocument(std::string_view text, const std::string& file) {
  auto json = ParseJsonText(text, file);
  if (!json.ok()) return json.status();
  JsonErrors errors(file);
  RootDocument root;
  try {
    ObjectReader r(errors, *json, "$");
    r.Integer("format", true, 1, 1);
    r.Enum("type", true, {"kiosk-root"});
    if (auto v = r.Integer("version", true, 1, int64_t{1} << 53)) root.version = *v;
    if (auto t = ReadTimeField(r, errors, "published", true)) root.published = *t;
    if (auto t = ReadTimeField(r, errors, "expires", true)) root.expires = *t;
    if (root.published != 0 && root.expires != 0 && root.expires <= root.published) {
      errors.Add(r.PathOf("expires"), "expected a time after \"published\"");
    }
    if (auto keys = r.StringArray("content_keys", true)) {
      root.content_key_texts = *keys;
      if (keys->empty()) errors.Add(r.PathOf("content_keys"), "expected at least one key");
      for (size_t i = 0; i < keys->size(); ++i) {
        auto key = ParseMinisignPublicKey((*keys)[i]);
        if (!key.ok()) {
          errors.Add(r.PathOf("content_keys") + "[" + std::to_string(i) + "]",
                     key.status().message());
        } else {
          for (const auto& other : root.content.keys) {
            if (other.key_id == key->key_id) {
              errors.Add(r.PathOf("content_keys") + "[" + std::to_string(i) + "]",
                         "duplicate key id " + KeyIdHex(key->key_id));
            }
          }
          root.content.keys.push_back(*key);
        }
      }
    }
    if (auto t = r.Integer("content_threshold", true, 1, 16)) {
      root.content.threshold = static_cast<int>(*t);
      if (!root.content_key_texts.empty() &&
          *t > static_cast<int64_t>(root.content_key_texts.size())) {
        errors.Add(r.PathOf("content_threshold"),
                   "expected at most the number of content_keys (" +
                       std::to_string(root.content_key_texts.size()) + "), got " +
                       std::to_string(*t));
      }
    }
    if (const auto* contact = r.Object("contact", true)) {
      ObjectReader c(errors, *contact, r.PathOf("contact"));
      if (auto v = c.String("hotline", true)) {
        if (!IsPhoneNumber(*v)) {
          errors.Add(
              c.PathOf("hotline"),
              "expected a North American number such as \"1-800-292-1168\", got \"" + *v + "\"");
        }
        root.contact.hotline = *v;
      }
      if (auto v = c.String("email", true)) {
        if (!IsEmailAddress(*v))
          errors.Add(c.PathOf("email"), "expected an e-mail address, got \"" + *v + "\"");
        root.contact.email = *v;
      }
      c.Finish();
    }
    if (auto v = r.Integer("content_version_floor", false, 0, int64_t{1} << 53)) {
      root.content_version_floor = *v;
    }
    r.Finish();
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(file + ": " + e.what());
  }
  if (!errors.empty()) return errors.ToStatus();
  return root;
}

std::string RootDocumentToJson(const RootDocument& root) {
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["type"] = "kiosk-root";
  j["version"] = root.version;
  j["published"] = FormatRfc3339Utc(root.published);
  j["expires"] = FormatRfc3339Utc(root.expires);
  j["content_keys"] = root.content_key_texts;
  j["content_threshold"] = root.content.threshold;
  j["contact"] = {{"hotline", root.contact.hotline}, {"email", root.contact.email}};
  if (root.content_version_floor > 0) j["content_version_floor"] = root.content_version_floor;
  return j.dump(2) + "\n";
}

Result<RootDocument> VerifyRootDocument(std::string_view text, std::string_view signature_text,
                                        const KeyThreshold& root_keys) {
  if (root_keys.keys.empty()) return Status::Invalid("no root key configured (trust.root_keys)");
  auto signed_by = VerifyMinisignThreshold(text, signature_text, root_keys);
  if (!signed_by.ok()) return signed_by.status().WithContext("root.json signature");
  return ParseRootDocument(text, "root.json");
}

std::string Trust::Describe() const {
  auto count = [](size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::string needed = count(static_cast<size_t>(content.threshold), "signature") + " needed";
  if (root_version) {
    return "root v" + std::to_string(*root_version) + ": " +
           count(content.keys.size(), "content key") + ", " + needed;
  }
  return std::string(uses_root() ? "no root document yet; " : "") +
         "updates.trusted_keys: " + count(content.keys.size(), "key") + ", " + needed;
}

std::vector<std::string> Trust::ContentKeyIds() const {
  std::vector<std::string> ids;
  for (const auto& k : content.keys) ids.push_back(KeyIdHex(k.key_id));
  return ids;
}

Trust TrustFromConfig(const UpdateConfig& updates, const TrustConfig& config) {
  Trust trust;
  trust.content = ParseKeys(updates.trusted_keys, 1, "updates.trusted_keys", trust.problems);
  trust.root =
      ParseKeys(config.root_keys, config.root_threshold, "trust.root_keys", trust.problems);
  trust.contact = config.contact;
  return trust;
}

Trust TrustWithRoot(const Trust& from_config, const RootDocument& root) {
  Trust trust = from_config;
  trust.content = root.content;
  trust.contact = root.contact;
  trust.root_version = root.version;
  trust.root_expires = root.expires;
  return trust;
}

bool SignersStillTrusted(const Trust& trust, const std::vector<std::string>& signer_key_ids) {
  const auto ids = trust.ContentKeyIds();
  int still = 0;
  for (const auto& signer : signer_key_ids) {
    if (std::find(ids.begin(), ids.end(), signer) != ids.end()) ++still;
  }
  return still >= std::max(trust.content.threshold, 1);
}

}  // namespace kiosk::update
