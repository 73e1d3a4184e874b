// manifest.json parsing, bundle paths, RFC 3339 times and SHA-256.
#include "kiosk/core/update/manifest.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "kiosk/core/update/rfc3339.h"
#include "kiosk/core/update/sha256.h"

namespace kiosk::update {
namespace {

const std::string kHashA(64, 'a');

nlohmann::json GoodManifest() {
  return {{"format", 1},
          {"version", 42},
          {"published", "2026-11-29T10:00:00Z"},
          {"files",
           {{{"path", "slides.json"}, {"size", 1234}, {"sha256", kHashA}},
            {{"path", "images/poster-fr.png"}, {"size", 0}, {"sha256", std::string(64, 'b')}}}}};
}

// The message of a refused manifest (fails the test if it was accepted).
std::string Refusal(const nlohmann::json& manifest) {
  auto r = ParseManifest(manifest.dump());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalid);
  return r.status().message();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_CASE("sha256: known vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex(std::string("a\0b", 3)) != Sha256Hex("ab"));
}

TEST_CASE("rfc3339: format and strict parse") {
  CHECK(FormatRfc3339Utc(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339Utc(1'780'000'000) == "2026-05-28T20:26:40Z");
  CHECK(ParseRfc3339Utc("2026-11-29T10:00:00Z") == 1'795'946'400);
  CHECK(ParseRfc3339Utc("2024-02-29T23:59:59Z").has_value());
  for (int64_t t :
       {int64_t{0}, int64_t{951'782'400}, int64_t{1'795'946'400}, int64_t{4'102'444'799}}) {
    CHECK(ParseRfc3339Utc(FormatRfc3339Utc(t)) == t);
  }
  for (const char* bad : {"", "2026-11-29", "2026-11-29T10:00:00", "2026-11-29T10:00:00+01:00",
                          "2026-11-29T10:00:00.5Z", "2026-11-29 10:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-29T24:00:00Z",
                          "1969-12-31T23:59:59Z", "2026-1a-29T10:00:00Z", "2026-11-29t10:00:00z"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseRfc3339Utc(bad).has_value());
  }
}

TEST_CASE("manifest: a good manifest parses, and round-trips through ManifestToJson") {
  auto m = ParseManifest(GoodManifest().dump());
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  CHECK(m->version == 42);
  CHECK(m->published == 1'795'946'400);
  CHECK_FALSE(m->expires.has_value());
  REQUIRE(m->files.size() == 2);
  CHECK(m->files[1].path == "images/poster-fr.png");
  CHECK(m->TotalFileBytes() == 1234);
  CHECK(m->Find("slides.json") != nullptr);
  CHECK(m->Find("nope") == nullptr);

  auto with_expiry = GoodManifest();
  with_expiry["expires"] = "2027-01-01T00:00:00Z";
  auto e = ParseManifest(with_expiry.dump());
  REQUIRE(e.ok());
  REQUIRE(e->expires.has_value());
  auto again = ParseManifest(ManifestToJson(*e));
  REQUIRE(again.ok());
  CHECK(again->expires == e->expires);
  CHECK(again->files.size() == 2);
  CHECK(ManifestToJson(*again) == ManifestToJson(*e));
}

TEST_CASE("manifest: refusals name the file, the JSON path and the expectation") {
  CHECK(Contains(Refusal(nlohmann::json::array()), "manifest.json: $: expected an object"));
  {
    auto j = GoodManifest();
    j["format"] = 2;
    CHECK(Contains(Refusal(j), "manifest.json: $.format: expected 1"));
  }
  {
    auto j = GoodManifest();
    j["version"] = 0;
    CHECK(Contains(Refusal(j), "$.version: expected an integer from 1"));
  }
  {
    auto j = GoodManifest();
    j["version"] = "43";
    CHECK(Contains(Refusal(j), "$.version: expected an integer, got a string"));
  }
  {
    auto j = GoodManifest();
    j["version"] = 42.5;
    CHECK(Contains(Refusal(j), "$.version: expected an integer"));
  }
  {
    auto j = GoodManifest();
    j.erase("published");
    CHECK(Contains(Refusal(j), "$.published: required field is missing"));
  }
  {
    auto j = GoodManifest();
    j["published"] = "2026-11-29T11:00:00+01:00";
    CHECK(Contains(Refusal(j), "$.published: expected an RFC 3339 UTC time"));
  }
  {
    auto j = GoodManifest();
    j["expires"] = "2026-11-29T09:00:00Z";
    CHECK(Contains(Refusal(j), "$.expires: expected a time after \"published\""));
  }
  {
    auto j = GoodManifest();
    j["signature"] = "x";
    CHECK(Contains(Refusal(j), "$.signature: unknown field"));
  }
  {
    auto j = GoodManifest();
    j["files"][0]["mode"] = 755;
    CHECK(Contains(Refusal(j), "$.files[0].mode: unknown field"));
  }
  {
    auto j = GoodManifest();
    j["files"][0]["sha256"] = std::string(64, 'A');
    CHECK(Contains(Refusal(j), "$.files[0].sha256: expected 64 lowercase hexadecimal digits"));
  }
  {
    auto j = GoodManifest();
    j["files"][0]["sha256"] = std::string(63, 'a');
    CHECK(Contains(Refusal(j), "$.files[0].sha256"));
  }
  {
    auto j = GoodManifest();
    j["files"][0]["size"] = -1;
    CHECK(Contains(Refusal(j), "$.files[0].size: expected an integer from 0"));
  }
  {
    auto j = GoodManifest();
    j["files"] = nlohmann::json::array();
    CHECK(Contains(Refusal(j), "$.files: expected at least one file"));
  }
  {
    auto j = GoodManifest();
    j["files"].erase(0);
    CHECK(Contains(Refusal(j), "$.files: must list \"slides.json\""));
  }
  {
    auto j = GoodManifest();
    j["files"].push_back({{"path", "Slides.JSON"}, {"size", 1}, {"sha256", kHashA}});
    CHECK(Contains(Refusal(j), "$.files[2].path: duplicate path \"Slides.JSON\""));
  }
  CHECK(Contains(ParseManifest("{\"format\": 1,}").status().message(), "manifest.json: line 1"));
  // Every problem is reported, not just the first.
  auto j = GoodManifest();
  j["version"] = -3;
  j["extra"] = true;
  const std::string all = Refusal(j);
  CHECK(Contains(all, "$.version"));
  CHECK(Contains(all, "$.extra"));
}

TEST_CASE("manifest: versions stop at 2^53-1, exact in every JSON reader") {
  CHECK(kMaxBundleVersion == 9'007'199'254'740'991);
  auto j = GoodManifest();
  j["version"] = kMaxBundleVersion;
  auto at_max = ParseManifest(j.dump());
  REQUIRE_MESSAGE(at_max.ok(), at_max.status().message());
  CHECK(at_max->version == kMaxBundleVersion);
  CHECK(ParseManifest(ManifestToJson(*at_max))->version == kMaxBundleVersion);

  const std::string expected =
      "manifest.json: $.version: expected an integer from 1 to 9007199254740991, got ";
  j["version"] = kMaxBundleVersion + 1;
  CHECK(Contains(Refusal(j), expected + "9007199254740992"));
  j["version"] = INT64_MAX;  // what a `kiosk bundle build` could once be fooled into
  CHECK(Contains(Refusal(j), expected + "9223372036854775807"));
  j["version"] = UINT64_MAX;
  CHECK(Contains(Refusal(j), expected + "18446744073709551615"));
}

TEST_CASE("manifest: unsafe paths are refused") {
  for (const char* good : {"slides.json", "images/a.png", "a/b/c-d_e.1.webp", "A9"}) {
    CAPTURE(good);
    CHECK(CheckBundlePath(good).ok());
  }
  for (const char* bad :
       {"",          "/etc/passwd",   "../slides.json", "images/../../x",        "..",
        ".",         "./slides.json", ".hidden",        "images/.htaccess",      "a//b",
        "images/",   "a\\b",          "C:/x",           "with space.png",        "caf\xc3\xa9.png",
        "a%2e%2e/b", "x\ny",          "manifest.json",  "manifest.json.minisig", "q?x=1",
        "frag#1"}) {
    CAPTURE(bad);
    CHECK_FALSE(CheckBundlePath(bad).ok());
    auto j = GoodManifest();
    j["files"].push_back({{"path", bad}, {"size", 1}, {"sha256", kHashA}});
    auto r = ParseManifest(j.dump());
    CHECK_FALSE(r.ok());
  }
  CHECK_FALSE(CheckBundlePath(std::string(201, 'a')).ok());
  auto j = GoodManifest();
  j["files"][1]["path"] = "../../etc/cron.d/x";
  CHECK(Contains(Refusal(j), "$.files[1].path: unsafe path \"../../etc/cron.d/x\""));
}

}  // namespace
}  // namespace kiosk::update
