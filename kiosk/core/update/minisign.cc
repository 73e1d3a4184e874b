#include "kiosk/core/update/minisign.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "kiosk/core/update/sha256.h"

namespace kiosk::update {
namespace {

constexpr std::string_view kUntrustedPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedPrefix = "trusted comment: ";

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits on '\n' and drops one trailing '\r' per line (files edited on Windows).
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// Decodes strict base64 (standard alphabet, padding) of exactly `size` bytes.
bool DecodeBase64Exact(std::string_view text, unsigned char* out, size_t size) {
  EnsureSodiumInitialized();
  // Decode into a larger buffer so a longer input is detected, not truncated.
  std::vector<unsigned char> buf(text.size() + 1);
  size_t decoded = 0;
  const char* end = nullptr;
  if (sodium_base642bin(buf.data(), buf.size(), text.data(), text.size(), /*ignore=*/nullptr,
                        &decoded, &end, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  if (end != text.data() + text.size() || decoded != size) return false;
  std::memcpy(out, buf.data(), size);
  return true;
}

}  // namespace

std::string KeyIdHex(const MinisignKeyId& key_id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  // minisign prints the id as a little-endian 64-bit number: last byte first.
  for (size_t i = key_id.size(); i-- > 0;) {
    out += kHex[key_id[i] >> 4];
    out += kHex[key_id[i] & 0xF];
  }
  // minisign prints it with "%" PRIX64, without leading zeros; so do we, so
  // the id matches the comment of the administrator's .pub file.
  const size_t first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

Result<MinisignPublicKey> ParseMinisignPublicKey(std::string_view text) {
  std::string_view b64 = Trim(text);
  if (b64.substr(0, kUntrustedPrefix.size()) == kUntrustedPrefix) {
    auto lines = Lines(b64);
    if (lines.size() < 2) {
      return Status::Invalid("minisign public key file has no key line after the comment");
    }
    b64 = Trim(lines[1]);
  }
  unsigned char raw[42];
  if (!DecodeBase64Exact(b64, raw, sizeof raw)) {
    return Status::Invalid(
        "not a minisign public key (expected base64 of 42 bytes, like "
        "\"RWQ...\")");
  }
  if (raw[0] != 'E' || raw[1] != 'd') {
    return Status::Invalid("minisign public key is not an Ed25519 key (algorithm is not \"Ed\")");
  }
  MinisignPublicKey key;
  std::memcpy(key.key_id.data(), raw + 2, key.key_id.size());
  std::memcpy(key.ed25519.data(), raw + 10, key.ed25519.size());
  return key;
}

Result<std::vector<MinisignPublicKey>> ParseMinisignPublicKeys(
    const std::vector<std::string>& texts) {
  std::vector<MinisignPublicKey> keys;
  std::string problems;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto key = ParseMinisignPublicKey(texts[i]);
    if (!key.ok()) {
      if (!problems.empty()) problems += '\n';
      problems += "trusted key " + std::to_string(i + 1) + ": " + key.status().message();
      continue;
    }
    keys.push_back(*key);
  }
  if (!problems.empty()) return Status::Invalid(problems);
  return keys;
}

Result<MinisignSignature> ParseMinisignSignature(std::string_view text) {
  auto malformed = [](const std::string& why) {
    return Status::Invalid("malformed signature file: " + why);
  };
  auto lines = Lines(text);
  // Trailing empty lines are harmless; anything else beyond four lines is not.
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() != 4) {
    return malformed("expected 4 lines, got " + std::to_string(lines.size()));
  }
  if (lines[0].substr(0, kUntrustedPrefix.size()) != kUntrustedPrefix) {
    return malformed("line 1 does not start with \"untrusted comment: \"");
  }
  unsigned char raw[74];
  if (!DecodeBase64Exact(Trim(lines[1]), raw, sizeof raw)) {
    return malformed("line 2 is not base64 of 74 bytes");
  }
  MinisignSignature sig;
  if (raw[0] == 'E' && raw[1] == 'd') {
    sig.prehashed = false;
  } else if (raw[0] == 'E' && raw[1] == 'D') {
    sig.prehashed = true;
  } else {
    return malformed("unknown signature algorithm (expected \"Ed\" or \"ED\")");
  }
  std::memcpy(sig.key_id.data(), raw + 2, sig.key_id.size());
  std::memcpy(sig.signature.data(), raw + 10, sig.signature.size());
  if (lines[2].substr(0, kTrustedPrefix.size()) != kTrustedPrefix) {
    return malformed("line 3 does not start with \"trusted comment: \"");
  }
  sig.trusted_comment = std::string(lines[2].substr(kTrustedPrefix.size()));
  if (!DecodeBase64Exact(Trim(lines[3]), sig.global_signature.data(),
                         sig.global_signature.size())) {
    return malformed("line 4 is not base64 of 64 bytes");
  }
  return sig;
}

Result<VerifiedSignature> VerifyMinisign(std::string_view message,
                                         std::string_view signature_file_text,
                                         const std::vector<MinisignPublicKey>& trusted_keys) {
  if (!EnsureSodiumInitialized()) return Status::Internal("libsodium failed to initialise");
  auto parsed = ParseMinisignSignature(signature_file_text);
  if (!parsed.ok()) return parsed.status();
  const MinisignSignature& sig = *parsed;
  const std::string key_hex = KeyIdHex(sig.key_id);

  auto key = std::find_if(trusted_keys.begin(), trusted_keys.end(),
                          [&](const MinisignPublicKey& k) { return k.key_id == sig.key_id; });
  if (key == trusted_keys.end()) {
    return Status::Unverified("key id " + key_hex + " is not trusted");
  }

  int verified = -1;
  if (sig.prehashed) {
    unsigned char digest[crypto_generichash_BYTES_MAX];  // BLAKE2b-512
    crypto_generichash(digest, sizeof digest,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       nullptr, 0);
    verified = crypto_sign_verify_detached(sig.signature.data(), digest, sizeof digest,
                                           key->ed25519.data());
  } else {
    verified = crypto_sign_verify_detached(sig.signature.data(),
                                           reinterpret_cast<const unsigned char*>(message.data()),
                                           message.size(), key->ed25519.data());
  }
  if (verified != 0) {
    return Status::Unverified("signature does not verify (key id " + key_hex + ")");
  }

  // The global signature binds the trusted comment to this signature.
  std::string global_message(reinterpret_cast<const char*>(sig.signature.data()),
                             sig.signature.size());
  global_message += sig.trusted_comment;
  if (crypto_sign_verify_detached(sig.global_signature.data(),
                                  reinterpret_cast<const unsigned char*>(global_message.data()),
                                  global_message.size(), key->ed25519.data()) != 0) {
    return Status::Unverified("trusted comment signature does not verify (key id " + key_hex + ")");
  }
  return VerifiedSignature{sig.key_id, sig.trusted_comment};
}

Result<std::vector<std::string>> SplitMinisignSignatures(std::string_view text) {
  std::vector<std::string> blocks;
  for (std::string_view line : Lines(text)) {
    if (line.substr(0, kUntrustedPrefix.size()) == kUntrustedPrefix) {
      if (blocks.size() == kMaxSignaturesPerFile) {
        return Status::Invalid("malformed signature file: more than " +
                               std::to_string(kMaxSignaturesPerFile) + " signatures");
      }
      blocks.emplace_back();
    } else if (blocks.empty()) {
      if (Trim(line).empty()) continue;
      return Status::Invalid(
          "malformed signature file: line 1 does not start with \"untrusted comment: \"");
    }
    blocks.back() += std::string(line) + "\n";
  }
  if (blocks.empty()) return Status::Invalid("malformed signature file: expected 4 lines, got 0");
  return blocks;
}

Result<std::vector<VerifiedSignature>> VerifyMinisignThreshold(std::string_view message,
                                                               std::string_view text,
                                                               const KeyThreshold& trusted) {
  auto blocks = SplitMinisignSignatures(text);
  if (!blocks.ok()) return blocks.status();
  const size_t needed = static_cast<size_t>(std::max(trusted.threshold, 1));
  std::vector<VerifiedSignature> signers;
  std::vector<Status> failures;
  for (const std::string& block : *blocks) {
    auto verified = VerifyMinisign(message, block, trusted.keys);
    if (!verified.ok()) {
      failures.push_back(verified.status());
      continue;
    }
    bool seen = std::any_of(signers.begin(), signers.end(), [&](const VerifiedSignature& s) {
      return s.key_id == verified->key_id;
    });
    if (!seen) signers.push_back(*verified);
  }
  if (signers.size() >= needed) return signers;
  if (needed == 1 && blocks->size() == 1) return failures.front();
  std::string why = std::to_string(signers.size()) + " of the " + std::to_string(needed) +
                    " signatures needed verify";
  for (const auto& s : signers) why += "; key id " + KeyIdHex(s.key_id) + ": verified";
  for (const auto& f : failures) why += "; " + f.message();
  for (const auto& f : failures) {
    if (f.code() == Status::Code::kInvalid) return Status::Invalid(why);
  }
  return Status::Unverified(why);
}

}  // namespace kiosk::update
