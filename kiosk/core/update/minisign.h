// Verification of minisign signatures (https://jedisct1.github.io/minisign/)
// with libsodium, so the unit trusts exactly the keys an administrator made
// with the stock minisign tool.
//
// Formats (all base64 is the standard alphabet with padding):
//   public key: base64("Ed" || key_id[8] || ed25519_public_key[32]), either
//     alone or as the second line of a .pub file whose first line is
//     "untrusted comment: ...".
//   signature file (.minisig), four lines:
//     untrusted comment: <anything, not authenticated>
//     base64(algorithm[2] || key_id[8] || signature[64])
//       algorithm "Ed": signature = Ed25519(message)           (legacy, -l)
//       algorithm "ED": signature = Ed25519(BLAKE2b-512(message)) (default)
//     trusted comment: <text>
//     base64(global_signature[64]) = Ed25519(signature[64] || text)
//
// Key ids are shown as minisign shows them: the 8 bytes read as a
// little-endian integer, in uppercase hex without leading zeros (up to 16
// digits), as in the .pub file's "untrusted comment: minisign public key ...".
//
// Stateless and thread-safe. Errors: Status::Invalid for a malformed key or
// signature file, Status::Unverified for everything cryptographic.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/status.h"

namespace kiosk::update {

using MinisignKeyId = std::array<unsigned char, 8>;

struct MinisignPublicKey {
  MinisignKeyId key_id{};
  std::array<unsigned char, 32> ed25519{};
};

struct MinisignSignature {
  bool prehashed = true;  // "ED" (BLAKE2b-512 of the message) or "Ed" (raw)
  MinisignKeyId key_id{};
  std::array<unsigned char, 64> signature{};
  std::string trusted_comment;  // text after "trusted comment: "
  std::array<unsigned char, 64> global_signature{};
};

// What a successful verification proved.
struct VerifiedSignature {
  MinisignKeyId key_id{};
  std::string trusted_comment;
};

// "1A2B3C4D5E6F7081", as minisign prints key ids (no leading zeros).
std::string KeyIdHex(const MinisignKeyId& key_id);

// Accepts the bare base64 line ("RWQ...") or the whole text of a .pub file.
Result<MinisignPublicKey> ParseMinisignPublicKey(std::string_view text);

// Parses each key; the Status names every key that failed (by position).
Result<std::vector<MinisignPublicKey>> ParseMinisignPublicKeys(
    const std::vector<std::string>& texts);

// Parses the text of a .minisig file (LF or CRLF line ends).
Result<MinisignSignature> ParseMinisignSignature(std::string_view text);

// Verifies that one of trusted_keys signed message, and that the trusted
// comment is authentic. Distinct failures, in the order they are checked:
//   Invalid     "malformed signature file: ..."
//   Unverified  "key id 1A2B... is not trusted"
//   Unverified  "signature does not verify (key id 1A2B...)"
//   Unverified  "trusted comment signature does not verify (key id 1A2B...)"
Result<VerifiedSignature> VerifyMinisign(std::string_view message,
                                         std::string_view signature_file_text,
                                         const std::vector<MinisignPublicKey>& trusted_keys);

// k-of-n: the keys that may sign and how many of them must (the two-person
// rule is threshold 2). threshold >= 1.
struct KeyThreshold {
  std::vector<MinisignPublicKey> keys;
  int threshold = 1;
};

// At most this many signatures in one signature file (more is refused
// unread: the file comes from the network).
inline constexpr size_t kMaxSignaturesPerFile = 16;

// A signature file may hold several minisign signatures one after another,
// each the usual four lines, so k-of-n needs nothing but the stock tool:
//   minisign -S -s alice.key -m manifest.json -x a.minisig   (and bob: b.minisig)
//   cat a.minisig b.minisig > manifest.json.minisig
// Returns each signature's text, in order. Invalid if the file is empty,
// holds more than kMaxSignaturesPerFile, or is not made of such blocks.
Result<std::vector<std::string>> SplitMinisignSignatures(std::string_view signature_file_text);

// Ok with the distinct keys that signed when at least `trusted.threshold`
// distinct keys of trusted.keys produced a valid signature (of message and
// of its trusted comment). Signatures by keys not in trusted.keys are ignored
// unless they leave the threshold unmet. With one signature and threshold 1
// the errors are VerifyMinisign's; otherwise Unverified "N of the M
// signatures needed verify" followed by each signature's reason.
Result<std::vector<VerifiedSignature>> VerifyMinisignThreshold(std::string_view message,
                                                               std::string_view signature_file_text,
                                                               const KeyThreshold& trusted);

}  // namespace kiosk::update
