#include "kiosk/core/content.h"

#include <doctest/doctest.h>

#include <string>

#include "kiosk/core/file_store.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {
namespace {

std::string Minimal(const std::string& slides_json, const std::string& extra = "") {
  return R"({"format": 1, "name": "t", )" + extra + R"(
    "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                "label": {"fr": "Aide", "en": "Help"}},
    "slides": )" +
         slides_json + "}";
}

const char* kOneSlide =
    R"([{"id": "a", "fr": {"title": "Bonjour", "body": ["Un deux trois."]},
                    "en": {"title": "Hello", "body": ["One two three."]}}])";

bool Mentions(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("the built-in bundle parses and has the hotline, e-mail and both languages") {
  PosixFileStore disk;
  auto b = LoadBundleDir(disk, std::string(KIOSK_SOURCE_DIR) + "/content");
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  CHECK(b->contact.hotline == "1-800-292-1168");
  CHECK(b->contact.email == "HumanTrafficking@ottawapolice.ca");
  CHECK(b->contact.QrPayload() == "tel:+18002921168");
  CHECK(b->slides.size() >= 8);
  for (const auto& s : b->slides) {
    REQUIRE(s.text("fr") != nullptr);
    REQUIRE(s.text("en") != nullptr);
    CHECK_FALSE(s.text("fr")->title.empty());
    CHECK_FALSE(s.text("en")->title.empty());
    CHECK(s.duration >= kMinimumSlideDuration);
  }
}

TEST_CASE("a minimal bundle parses with the default theme") {
  auto b = ParseBundle(Minimal(kOneSlide), "slides.json");
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  CHECK(b->slides[0].theme == Theme{});
  CHECK(b->slides[0].duration == kMinimumSlideDuration);  // a few words: the floor
  CHECK_FALSE(b->slides[0].duration_given);
}

TEST_CASE("reading time grows with the longer language and is capped") {
  Slide s;
  s.SetText("fr", SlideText{"titre", {}});
  s.SetText("en", SlideText{"title", {}});
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word ";
  s.text("en")->body = {words};  // 41 words in English, 1 in French
  // 41 words at 100 words a minute = 24.6 s, plus the 3 s settle time.
  CHECK(ReadingTime(s) == Millis(27600));
  for (int i = 0; i < 5; ++i) s.text("en")->body.push_back(words);
  CHECK(ReadingTime(s) == kMaximumDerivedDuration);
}

TEST_CASE("schema errors name the file, the JSON path and what was expected") {
  SUBCASE("wrong type") {
    auto b = ParseBundle(Minimal(R"([{"id": 3, "fr": {"title": "x"}, "en": {"title": "y"}}])"),
                         "c/slides.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "c/slides.json: $.slides[0].id: expected a string, got an integer"));
  }
  SUBCASE("missing language") {
    auto b = ParseBundle(Minimal(R"([{"id": "a", "fr": {"title": "x"}}])"), "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "$.slides[0].en: required field is missing"));
  }
  SUBCASE("unknown field") {
    auto b = ParseBundle(
        Minimal(R"([{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}, "colour": 1}])"),
        "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "$.slides[0].colour: unknown field"));
  }
  SUBCASE("bad hotline and e-mail") {
    std::string text = R"({"format": 1, "name": "t",
      "contact": {"hotline": "1-800-TRAFFIC", "email": "nobody",
                  "label": {"fr": "Aide", "en": "Help"}},
      "slides": [{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}}]})";
    auto b = ParseBundle(text, "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "$.contact.hotline: expected a North American number"));
    CHECK(Mentions(b.status(), "$.contact.email: expected an e-mail address"));
  }
  SUBCASE("band label in no language, or under a bad tag, or not text") {
    std::string text = R"({"format": 1, "name": "t",
      "contact": {"hotline": "1-800-292-1168", "email": "a@b.ca", "label": {}},
      "slides": [{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}}]})";
    auto b = ParseBundle(text, "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(
        Mentions(b.status(), "s.json: $.contact.label: expected a label in at least one language"));
    std::string bad = R"({"format": 1, "name": "t",
      "contact": {"hotline": "1-800-292-1168", "email": "a@b.ca",
                  "label": {"French": "Aide", "en": 3}},
      "slides": [{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}}]})";
    auto c = ParseBundle(bad, "s.json");
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.status(),
                   "s.json: $.contact.label.French: expected a language tag such as \"fr\""));
    CHECK(Mentions(c.status(), "s.json: $.contact.label.en: expected a string, got an integer"));
  }
  SUBCASE("bad colour") {
    auto b = ParseBundle(Minimal(kOneSlide, R"("theme": {"text": "white"},)"), "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "$.theme.text: expected a colour as \"#RRGGBB\", got \"white\""));
  }
  SUBCASE("duplicate ids, empty text, control characters") {
    auto b = ParseBundle(Minimal(R"([
        {"id": "a", "fr": {"title": " "}, "en": {"title": "y"}},
        {"id": "a", "fr": {"title": "x"}, "en": {"title": "y\u0007"}}])"),
                         "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "$.slides[1].id: duplicate slide id \"a\""));
    CHECK(Mentions(b.status(), "$.slides[0].fr.title: expected text, got an empty string"));
    CHECK(Mentions(b.status(), "$.slides[1].en.title: contains a control character"));
  }
  SUBCASE("no slides, future format, out-of-range duration") {
    auto b = ParseBundle(R"({"format": 2, "name": "t",
      "contact": {"hotline": "1-800-292-1168", "email": "a@b.ca", "label": {"fr": "A", "en": "H"}},
      "slides": []})",
                         "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "$.format: expected format 1"));
    CHECK(Mentions(b.status(), "$.slides: expected at least one slide"));
    auto d = ParseBundle(
        Minimal(R"([{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}, "duration_s": 1}])"),
        "s.json");
    REQUIRE_FALSE(d.ok());
    CHECK(Mentions(d.status(), "$.slides[0].duration_s: expected an integer from 5 to 600, got 1"));
  }
  SUBCASE("not JSON at all") {
    auto b = ParseBundle("slides: yes", "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "s.json: line 1"));
  }
}

TEST_CASE("the text form carries any languages, in the file's order") {
  std::string text = R"({"format": 1, "name": "t",
    "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                "label": {"iu": "ᐃᑲᔪᕐᓂᖅ", "fr": "Aide", "ar": "مساعدة"}},
    "slides": [{"id": "a", "text": {
        "fr": {"title": "Bonjour", "body": ["Un deux trois."]},
        "iu": {"title": "ᐊᐃ"},
        "ar": {"title": "مرحبا", "body": ["واحد اثنان ثلاثة أربعة خمسة."]},
        "sr-Latn": {"title": "Zdravo"}}}]})";
  auto parsed = ParseBundle(text, "s.json");
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  const Slide& slide = parsed->slides[0];
  std::vector<std::string> tags;
  for (const auto& [tag, t] : slide.texts) tags.push_back(tag);
  // The file's order, not the alphabet's.
  CHECK(tags == std::vector<std::string>{"fr", "iu", "ar", "sr-Latn"});
  REQUIRE(slide.text("ar") != nullptr);
  CHECK(slide.text("ar")->body.size() == 1);
  CHECK(slide.text("en") == nullptr);
  std::vector<std::string> label_tags;
  for (const auto& [tag, label] : parsed->contact.labels) label_tags.push_back(tag);
  CHECK(label_tags == std::vector<std::string>{"iu", "fr", "ar"});
  CHECK(parsed->contact.LabelFor("ar") == "مساعدة");
  // A language without a label gets the bundle's first.
  CHECK(parsed->contact.LabelFor("sr-Latn") == "ᐃᑲᔪᕐᓂᖅ");
}

TEST_CASE("the band's call label and QR caption: per language, French and English by default") {
  const std::string contact_start =
      R"({"format": 1, "name": "t",
    "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                "label": {"fr": "Aide", "en": "Help"})";
  const std::string slides = R"(},
    "slides": [{"id": "a", "text": {"fr": {"title": "Bonjour"}, "en": {"title": "Hello"}}}]})";
  auto defaults = ParseBundle(contact_start + slides, "s.json");
  REQUIRE_MESSAGE(defaults.ok(), defaults.status().message());
  CHECK(defaults->contact.CallLabelFor("fr") == "Appelez");
  CHECK(defaults->contact.CallLabelFor("en") == "Call");
  CHECK(defaults->contact.QrCaptionFor("fr") == "Scannez pour appeler");
  CHECK(defaults->contact.QrCaptionFor("en") == "Scan to call");
  // A language without its own: the first one.
  CHECK(defaults->contact.CallLabelFor("iu") == "Appelez");

  auto own = ParseBundle(contact_start +
                             R"(, "call": {"en": "Phone", "iu": "ᐃᑲᔪᕐᓂᖅ"},
                "qr_caption": {"en": "Point your camera here"})" +
                             slides,
                         "s.json");
  REQUIRE_MESSAGE(own.ok(), own.status().message());
  // Given, they replace the defaults (no French is left over).
  CHECK(own->contact.call_labels ==
        std::vector<std::pair<std::string, std::string>>{{"en", "Phone"}, {"iu", "ᐃᑲᔪᕐᓂᖅ"}});
  CHECK(own->contact.CallLabelFor("fr") == "Phone");
  CHECK(own->contact.QrCaptionFor("iu") == "Point your camera here");

  auto bad = ParseBundle(
      contact_start + R"(, "call": {}, "qr_caption": {"French": "x", "en": 3})" + slides, "s.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(Mentions(bad.status(),
                 "s.json: $.contact.call: expected a call label in at least one "
                 "language"));
  CHECK(Mentions(bad.status(), "$.contact.qr_caption.French"));
  CHECK(Mentions(bad.status(), "$.contact.qr_caption.en: expected a string"));
}

TEST_CASE("the older fr/en form still reads; mixing both forms or bad tags are errors") {
  auto legacy = ParseBundle(Minimal(kOneSlide), "s.json");
  REQUIRE_MESSAGE(legacy.ok(), legacy.status().message());
  std::vector<std::string> tags;
  for (const auto& [tag, t] : legacy->slides[0].texts) tags.push_back(tag);
  CHECK(tags == std::vector<std::string>{"fr", "en"});
  CHECK(legacy->slides[0].text("en")->title == "Hello");
  CHECK(legacy->slides[0].text("fr")->body == std::vector<std::string>{"Un deux trois."});

  auto both = ParseBundle(Minimal(R"([{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"},
                   "text": {"iu": {"title": "z"}}}])"),
                          "c/slides.json");
  REQUIRE_FALSE(both.ok());
  CHECK(Mentions(both.status(), "c/slides.json: $.slides[0]: expected either \"text\""));
  CHECK_FALSE(Mentions(both.status(), "unknown field"));

  for (const char* bad :
       {"FR", "f", "fran\u00e7ais", "fr_CA", "fr-", "fr-C", "fr-toolongtag", "abcd"}) {
    CAPTURE(bad);
    auto b = ParseBundle(
        Minimal(std::string(R"([{"id": "a", "text": {")") + bad + R"(": {"title": "x"}}}])"),
        "s.json");
    REQUIRE_FALSE(b.ok());
    CHECK(Mentions(b.status(), "s.json: $.slides[0].text."));
    CHECK(Mentions(b.status(), "expected a language tag such as"));
  }
  auto empty = ParseBundle(Minimal(R"([{"id": "a", "text": {}}])"), "s.json");
  REQUIRE_FALSE(empty.ok());
  CHECK(Mentions(empty.status(), "$.slides[0].text: expected the slide's words in at least one"));
  auto none = ParseBundle(Minimal(R"([{"id": "a"}])"), "s.json");
  REQUIRE_FALSE(none.ok());
  CHECK(Mentions(none.status(), "$.slides[0].text: required field is missing"));
  auto bad_words =
      ParseBundle(Minimal(R"([{"id": "a", "text": {"iu": {"title": ""}, "ar": 3}}])"), "s.json");
  REQUIRE_FALSE(bad_words.ok());
  CHECK(Mentions(bad_words.status(), "$.slides[0].text.iu.title: expected text"));
  CHECK(Mentions(bad_words.status(), "$.slides[0].text.ar: expected an object, got an integer"));
}

TEST_CASE("reading time follows the longest of any number of languages") {
  Slide s;
  s.SetText("fr", SlideText{"titre", {}});
  s.SetText("en", SlideText{"title", {}});
  const Millis two = ReadingTime(s);
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word ";
  s.SetText("iu", SlideText{"title", {words}});
  s.SetText("ar", SlideText{"عنوان", {}});  // the longest is not the last
  CHECK(ReadingTime(s) == Millis(27600));
  CHECK(ReadingTime(s) > two);
}

TEST_CASE("a missing slides.json is NotFound naming the path") {
  MemoryFileStore store;
  REQUIRE(store.MakeDirs("/var/lib/kiosk/bundles/v1").ok());
  auto b = LoadBundleDir(store, "/var/lib/kiosk/bundles/v1");
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == Status::Code::kNotFound);
  CHECK(b.status().message() ==
        "/var/lib/kiosk/bundles/v1/slides.json: no such file (a content directory holds its "
        "slides in it)");
}

TEST_CASE("a slides.json that cannot be read is the store's error, naming the path") {
  MemoryFileStore store;
  REQUIRE(store.MakeDirs("/media/usb").ok());
  REQUIRE(store.WriteFileAtomic("/media/usb/slides.json", Minimal(kOneSlide)).ok());
  REQUIRE(LoadBundleDir(store, "/media/usb").ok());
  store.FailReadsUnder("/media/usb");
  auto b = LoadBundleDir(store, "/media/usb");
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == Status::Code::kIo);
  CHECK(Mentions(b.status(), "/media/usb/slides.json"));
}

TEST_CASE("colours and QR payloads") {
  CHECK(ParseColor("#0B1F33") == Color{0x0B, 0x1F, 0x33});
  CHECK_FALSE(ParseColor("#0B1F3"));
  CHECK_FALSE(ParseColor("0B1F33A"));
  CHECK_FALSE(ParseColor("#GG0000"));
  Contact local{"613-236-1222", "a@b.ca", {}};
  CHECK(local.QrPayload() == "tel:+16132361222");
}

}  // namespace kiosk

namespace kiosk {

TEST_CASE("hotline and e-mail forms") {
  auto with = [](const std::string& hotline, const std::string& email) {
    return ParseBundle(R"({"format": 1, "name": "t",
      "contact": {"hotline": ")" +
                           hotline + R"(", "email": ")" + email + R"(",
                  "label": {"fr": "A", "en": "H"}},
      "slides": [{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}}]})",
                       "s.json")
        .ok();
  };
  CHECK(with("1-800-292-1168", "HumanTrafficking@ottawapolice.ca"));
  CHECK(with("613-236-1222", "a.b+c@x-y.example.org"));
  CHECK_FALSE(with("1-800-292-11680", "a@b.ca"));
  CHECK_FALSE(with("2-800-292-1168", "a@b.ca"));
  CHECK_FALSE(with("800 292 1168", "a@b.ca"));
  CHECK_FALSE(with("1-800-292-1168", "a@b"));
  CHECK_FALSE(with("1-800-292-1168", "a@@b.ca"));
  CHECK_FALSE(with("1-800-292-1168", "a b@c.ca"));
  CHECK_FALSE(with("1-800-292-1168", "@c.ca"));
}

}  // namespace kiosk
