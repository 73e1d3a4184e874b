// minisign verification against signatures made by the real minisign binary
// (both the default prehashed "ED" mode and legacy "Ed"), and the test signer
// cross-checked the other way round with `minisign -V`.
#include "kiosk/core/update/minisign.h"

#include <doctest/doctest.h>

#include "tests/core/update/test_support.h"

namespace kiosk::update {
namespace {

using testing::ReadText;
using testing::Sh;
using testing::TempDir;
using testing::WriteText;

// A key pair made by `minisign -G -W` (no password) in its own directory.
struct MinisignKey {
  TempDir dir;
  std::string pub() const { return (dir.path() / "k.pub").string(); }
  std::string sec() const { return (dir.path() / "k.sec").string(); }
  MinisignKey() { REQUIRE(Sh("minisign -G -W -p " + pub() + " -s " + sec() + " </dev/null") == 0); }
  std::string PublicFileText() const { return ReadText(pub()); }
  std::string PublicLine() const {
    std::string t = PublicFileText();
    size_t a = t.find('\n') + 1;
    return t.substr(a, t.find('\n', a) - a);
  }
  MinisignPublicKey Key() const {
    auto k = ParseMinisignPublicKey(PublicFileText());
    REQUIRE(k.ok());
    return *k;
  }
  // Signs file and returns the .minisig text.
  std::string Sign(const std::filesystem::path& file, const std::string& comment,
                   bool legacy) const {
    REQUIRE(Sh("minisign -S " + std::string(legacy ? "-l " : "") + "-s " + sec() + " -m " +
               file.string() + " -t '" + comment + "' </dev/null") == 0);
    return ReadText(file.string() + ".minisig");
  }
};

// Replaces the trusted comment line of a .minisig text.
std::string WithTrustedComment(const std::string& sig, const std::string& comment) {
  size_t start = sig.find("trusted comment: ", sig.find('\n'));
  size_t end = sig.find('\n', start);
  return sig.substr(0, start) + "trusted comment: " + comment + sig.substr(end);
}

TEST_CASE("minisign: signatures made by the minisign binary verify, in both modes") {
  MinisignKey key;
  TempDir work;
  const auto file = work.path() / "manifest.json";
  const std::string message = "{\"format\": 1, \"version\": 7}\n";
  WriteText(file, message);
  for (bool legacy : {false, true}) {
    CAPTURE(legacy);
    const std::string sig = key.Sign(file, "kiosk bundle v7", legacy);
    auto parsed = ParseMinisignSignature(sig);
    REQUIRE(parsed.ok());
    CHECK(parsed->prehashed == !legacy);

    auto verified = VerifyMinisign(message, sig, {key.Key()});
    REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
    CHECK(verified->trusted_comment == "kiosk bundle v7");
    CHECK(KeyIdHex(verified->key_id) == KeyIdHex(key.Key().key_id));

    SUBCASE("tampered message") {
      std::string tampered = message;
      tampered[3] ^= 1;
      auto r = VerifyMinisign(tampered, sig, {key.Key()});
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Status::Code::kUnverified);
      CHECK(r.status().message().find("signature does not verify") == 0);
    }
    SUBCASE("tampered trusted comment") {
      auto r = VerifyMinisign(message, WithTrustedComment(sig, "kiosk bundle v9"), {key.Key()});
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Status::Code::kUnverified);
      CHECK(r.status().message().find("trusted comment signature does not verify") == 0);
    }
    SUBCASE("wrong key: the signer is not among the trusted keys") {
      MinisignKey other;
      auto r = VerifyMinisign(message, sig, {other.Key()});
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Status::Code::kUnverified);
      CHECK(r.status().message() == "key id " + KeyIdHex(key.Key().key_id) + " is not trusted");
      // With both keys trusted it verifies again.
      CHECK(VerifyMinisign(message, sig, {other.Key(), key.Key()}).ok());
    }
    SUBCASE("a key with the right id but other key bytes does not verify") {
      MinisignKey other;
      MinisignPublicKey forged = other.Key();
      forged.key_id = key.Key().key_id;
      auto r = VerifyMinisign(message, sig, {forged});
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().find("signature does not verify") == 0);
    }
  }
}

TEST_CASE("minisign: the minisign binary prints the key id we print") {
  MinisignKey key;
  // The .pub file's untrusted comment ends with the id as minisign prints it.
  const std::string text = key.PublicFileText();
  const std::string first_line = text.substr(0, text.find('\n'));
  CHECK(first_line.substr(first_line.rfind(' ') + 1) == KeyIdHex(key.Key().key_id));
}

TEST_CASE("minisign: key ids print like minisign's, leading zeros dropped") {
  CHECK(KeyIdHex({0x81, 0x70, 0x6F, 0x5E, 0x4D, 0x3C, 0x2B, 0x1A}) == "1A2B3C4D5E6F7081");
  CHECK(KeyIdHex({0x4E, 0xD5, 0x49, 0x8C, 0xF5, 0xE8, 0x0C, 0x09}) == "90CE8F58C49D54E");
  CHECK(KeyIdHex({0, 0, 0, 0, 0, 0, 0, 0}) == "0");
}

TEST_CASE("minisign: public keys as a bare line or a whole .pub file") {
  MinisignKey key;
  auto from_line = ParseMinisignPublicKey(key.PublicLine());
  auto from_file = ParseMinisignPublicKey(key.PublicFileText());
  auto from_padded = ParseMinisignPublicKey("  " + key.PublicLine() + "\r\n");
  REQUIRE(from_line.ok());
  REQUIRE(from_file.ok());
  REQUIRE(from_padded.ok());
  CHECK(from_line->key_id == from_file->key_id);
  CHECK(from_line->ed25519 == from_file->ed25519);
  CHECK(from_padded->ed25519 == from_file->ed25519);

  for (const std::string bad :
       {"", "RWQ", "not base64 at all!!", "untrusted comment: only a comment",
        // 42 bytes but algorithm "XX"
        "WFgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    CAPTURE(bad);
    auto r = ParseMinisignPublicKey(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalid);
  }
  auto keys = ParseMinisignPublicKeys({key.PublicLine(), "garbage"});
  REQUIRE_FALSE(keys.ok());
  CHECK(keys.status().message().find("trusted key 2") != std::string::npos);
}

TEST_CASE("minisign: malformed signature files are Invalid, not crashes") {
  testing::TestSigner signer;
  auto key = ParseMinisignPublicKey(signer.PublicKeyBase64());
  REQUIRE(key.ok());
  const std::string good = signer.Sign("hello");
  REQUIRE(VerifyMinisign("hello", good, {*key}).ok());
  // CRLF line ends are fine.
  std::string crlf;
  for (char c : good) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(VerifyMinisign("hello", crlf, {*key}).ok());

  auto lines = [&] {
    std::vector<std::string> out;
    size_t s = 0;
    while (s < good.size()) {
      size_t e = good.find('\n', s);
      out.push_back(good.substr(s, e - s));
      s = e + 1;
    }
    return out;
  }();
  REQUIRE(lines.size() == 4);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "expected 4 lines"},
      {lines[0] + "\n" + lines[1] + "\n", "expected 4 lines"},
      {"comment\n" + lines[1] + "\n" + lines[2] + "\n" + lines[3], "line 1"},
      {lines[0] + "\n" + lines[1].substr(4) + "\n" + lines[2] + "\n" + lines[3], "line 2"},
      {lines[0] + "\n" + lines[1] + "\ncomment: x\n" + lines[3], "line 3"},
      {lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n" + lines[3] + "AAAA", "line 4"},
      {lines[0] + "\n" +
           // base64 of "EX" followed by 72 zero bytes: right size, unknown algorithm
           "RVgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
           "AAAAAAAAAAAAAAAA=\n" +
           lines[2] + "\n" + lines[3],
       "algorithm"},
      {good + "extra line\n", "expected 4 lines"},
  };
  for (const auto& [text, why] : cases) {
    CAPTURE(text);
    auto r = VerifyMinisign("hello", text, {*key});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalid);
    CHECK(r.status().message().find("malformed signature file") == 0);
    CHECK(r.status().message().find(why) != std::string::npos);
  }
}

TEST_CASE("minisign: the test signer's output verifies with the minisign binary") {
  // The updater tests sign with TestSigner; this proves it writes real
  // minisign signatures, in both modes.
  testing::TestSigner signer;
  TempDir work;
  const auto file = work.path() / "m.json";
  WriteText(file, "signed by the test signer\n");
  WriteText(work.path() / "k.pub", signer.PublicKeyFile());
  for (bool prehashed : {true, false}) {
    CAPTURE(prehashed);
    WriteText(file.string() + ".minisig",
              signer.Sign("signed by the test signer\n", "comment here", prehashed));
    std::string output;
    CHECK(Sh("minisign -V -p " + (work.path() / "k.pub").string() + " -m " + file.string(),
             &output) == 0);
    CHECK(output.find("comment here") != std::string::npos);
    // And a tampered file does not.
    WriteText(file, "signed by the test signer!\n");
    CHECK(Sh("minisign -V -p " + (work.path() / "k.pub").string() + " -m " + file.string()) != 0);
    WriteText(file, "signed by the test signer\n");
  }
}

}  // namespace
}  // namespace kiosk::update
