#include "kiosk/core/contact_mentions.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "fake_measurer.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {
namespace {

// The texts of the mentions found in text, in order.
std::vector<std::string> Found(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& m : FindContactMentions(text)) out.push_back(m.text);
  return out;
}

Bundle WithBody(std::vector<std::string> fr_body, std::vector<std::string> en_body) {
  Bundle b;
  b.contact = Contact{
      "1-800-292-1168", "HumanTrafficking@ottawapolice.ca", {{"fr", "Aide"}, {"en", "Help"}}};
  Slide s;
  s.id = "help";
  s.SetText("fr", SlideText{"Vous voulez en sortir ?", std::move(fr_body)});
  s.SetText("en", SlideText{"Want to get out?", std::move(en_body)});
  s.duration = Millis(10'000);
  b.slides.push_back(s);
  return b;
}

bool Has(const std::vector<std::string>& problems, const std::string& text) {
  return std::find(problems.begin(), problems.end(), text) != problems.end();
}

}  // namespace

TEST_CASE("contact mentions: the ways a phone number is written are all found, whole") {
  CHECK(Found("Composez le 1-800-292-1168, où que vous soyez.") ==
        std::vector<std::string>{"1-800-292-1168"});
  CHECK(Found("Dial 1 800 292 1168.") == std::vector<std::string>{"1 800 292 1168"});
  CHECK(Found("Composez le 1\u00A0800\u00A0292\u00A01168") ==
        std::vector<std::string>{"1\u00A0800\u00A0292\u00A01168"});
  CHECK(Found("Call +1 (800) 292-1168 now") == std::vector<std::string>{"+1 (800) 292-1168"});
  CHECK(Found("Local: (613) 236-1222") == std::vector<std::string>{"(613) 236-1222"});
  CHECK(Found("Local: 613.236.1222.") == std::vector<std::string>{"613.236.1222"});
  CHECK(Found("Local: 613\u2011236\u20111222") ==
        std::vector<std::string>{"613\u2011236\u20111222"});
  CHECK(Found("Local: 613\u202F236\u20101222") ==
        std::vector<std::string>{"613\u202F236\u20101222"});
  CHECK(Found("Ligne locale : 613-236-1222, poste 5005") ==
        std::vector<std::string>{"613-236-1222"});
  CHECK(Found("Local line: 613-236-1222, ext. 5005") == std::vector<std::string>{"613-236-1222"});
  CHECK(Found("Seven digits: 292-1168") == std::vector<std::string>{"292-1168"});
  CHECK(Found("18002921169") == std::vector<std::string>{"18002921169"});
  // En dashes from a word processor, and a stray invalid byte, hide nothing.
  CHECK(Found("Dial 1\u2013800\u2013292\u20131169") ==
        std::vector<std::string>{"1\u2013800\u2013292\u20131169"});
  CHECK(Found("\xFF"
              "1-800-292-1169\xC3") == std::vector<std::string>{"1-800-292-1169"});
  CHECK(Found("1-800-292-1168 ou 1-800-292-1169") ==
        std::vector<std::string>{"1-800-292-1168", "1-800-292-1169"});
  auto mentions = FindContactMentions("Appelez le 1-800-292-1168");
  REQUIRE(mentions.size() == 1);
  CHECK(mentions[0].kind == ContactMention::Kind::kPhone);
  CHECK(mentions[0].offset == 11);
}

TEST_CASE("contact mentions: years, counts, dates, quantities and codes are not phone numbers") {
  CHECK(Found("De 2019 à 2021").empty());
  CHECK(Found("From 2019-2021").empty());
  CHECK(Found("From 2019\u20132021").empty());  // en dash
  CHECK(Found("2019-2020-2021").empty());
  CHECK(Found("L’Unité a enquêté sur 98 affaires et porté 349 accusations.").empty());
  CHECK(Found("The Unit worked on 98 human trafficking cases and laid 349 charges.").empty());
  CHECK(Found("aged 12 to 25").empty());
  CHECK(Found("En cas d’urgence, composez le 911.").empty());
  CHECK(Found("poste 5005").empty());
  CHECK(Found("Mis à jour le 2026-03-15").empty());
  CHECK(Found("Mis à jour le 15.03.2026").empty());
  CHECK(Found("1\u202F000\u202F000 $ saisis").empty());
  CHECK(Found("12 500 000 people").empty());
  CHECK(Found("Dossier A1234567").empty());
  CHECK(Found("Dossier 1234567B").empty());
  CHECK(Found("n°é1234567").empty());
  // Long enough and not of those shapes: found, so a typo cannot hide.
  CHECK(Found("1 800 292 116") == std::vector<std::string>{"1 800 292 116"});
  CHECK(Found("613 236 122") == std::vector<std::string>{"613 236 122"});
}

TEST_CASE("contact mentions: e-mail addresses are found without the sentence around them") {
  CHECK(Found("Ou écrivez à HumanTrafficking@ottawapolice.ca.") ==
        std::vector<std::string>{"HumanTrafficking@ottawapolice.ca"});
  CHECK(Found("Courriel : (aide@example.org)") == std::vector<std::string>{"aide@example.org"});
  CHECK(Found("Suivez @OttawaPolice").empty());
  // A typo in the domain is still an address, so it is checked.
  CHECK(Found("Email HumanTrafficking@ottawapolice,ca") ==
        std::vector<std::string>{"HumanTrafficking@ottawapolice"});
  auto mentions = FindContactMentions("a@b.ca, 1-800-292-1168");
  REQUIRE(mentions.size() == 2);
  CHECK(mentions[0].kind == ContactMention::Kind::kEmail);
  CHECK(mentions[1].kind == ContactMention::Kind::kPhone);
}

TEST_CASE("contact mentions: a one-digit typo is named with its slide, language and field") {
  auto problems = CheckContactMentions(
      WithBody({"Composez le 1-800-292-1169."}, {"Dial 1-800-292-1168.", "Call 1-800-292-1186"}));
  CHECK(problems == std::vector<std::string>{
                        R"(slide "help" (fr, body[0]): "1-800-292-1169" is neither the hotline )"
                        R"((1-800-292-1168) nor listed in contact.other_contacts)",
                        R"(slide "help" (en, body[1]): "1-800-292-1186" is neither the hotline )"
                        R"((1-800-292-1168) nor listed in contact.other_contacts)"});
}

TEST_CASE("contact mentions: titles, shared lines and the band's labels are checked too") {
  Bundle b = WithBody({}, {});
  b.slides[0].text("en")->title = "Call 613-236-1223";
  b.slides[0].shared = {"CORATH", "Voice Found 613 555 0100"};
  b.contact.labels = {{"fr", "Besoin d’aide ? 1-800-292-1169"},
                      {"en", "Write to help@example.org"}};
  auto problems = CheckContactMentions(b);
  CHECK(problems.size() == 4);
  CHECK(Has(problems, R"(contact.label.fr: "1-800-292-1169" is neither the hotline )"
                      R"((1-800-292-1168) nor listed in contact.other_contacts)"));
  CHECK(Has(problems,
            R"(contact.label.en: "help@example.org" is neither the e-mail )"
            R"((HumanTrafficking@ottawapolice.ca) nor listed in contact.other_contacts)"));
  CHECK(Has(problems, R"(slide "help" (en, title): "613-236-1223" is neither the hotline )"
                      R"((1-800-292-1168) nor listed in contact.other_contacts)"));
  CHECK(Has(problems, R"(slide "help" (shared[1]): "613 555 0100" is neither the hotline )"
                      R"((1-800-292-1168) nor listed in contact.other_contacts)"));
}

TEST_CASE("contact mentions: the hotline in any form and declared numbers are accepted") {
  Bundle b = WithBody(
      {"Composez le +1 (800) 292-1168 ou le 613.236.1222, poste 5005."},
      {"Dial 1 800 292 1168 or (613) 236-1222, ext. 5005.", "Or write to partner@example.org"});
  auto undeclared = CheckContactMentions(b);
  CHECK(undeclared.size() == 3);
  CHECK(Has(undeclared, R"(slide "help" (fr, body[0]): "613.236.1222" is neither the hotline )"
                        R"((1-800-292-1168) nor listed in contact.other_contacts)"));
  b.contact.other_contacts = {"613-236-1222", "partner@example.org"};
  CHECK(CheckContactMentions(b).empty());
  // A declared number covers that number only: a typo in it is still caught.
  b.slides[0].text("en")->body[0] = "Dial (613) 236-1221";
  CHECK(CheckContactMentions(b) ==
        std::vector<std::string>{
            R"(slide "help" (en, body[0]): "(613) 236-1221" is neither the hotline )"
            R"((1-800-292-1168) nor listed in contact.other_contacts)"});
}

TEST_CASE("contact mentions: e-mail addresses compare without case") {
  Bundle b = WithBody({"Écrivez à humantrafficking@OTTAWAPOLICE.CA"},
                      {"Email HumanTrafficking@ottawapolice.com"});
  CHECK(CheckContactMentions(b) ==
        std::vector<std::string>{
            R"(slide "help" (en, body[0]): "HumanTrafficking@ottawapolice.com" is neither the )"
            R"(e-mail (HumanTrafficking@ottawapolice.ca) nor listed in contact.other_contacts)"});
}

TEST_CASE("contact mentions: the built-in content passes, because it declares its local line") {
  PosixFileStore disk;
  auto b = LoadBundleDir(disk, std::string(KIOSK_SOURCE_DIR) + "/content");
  REQUIRE_MESSAGE(b.ok(), b.status().message());
  CHECK(CheckContactMentions(*b).empty());
  CHECK(CheckPinnedContact(*b, BuiltinContact()).empty());
  // The check reads the real text: without the declaration the local line in
  // both languages of the "contact" slide is refused.
  b->contact.other_contacts.clear();
  CHECK(CheckContactMentions(*b) ==
        std::vector<std::string>{
            R"(slide "contact" (fr, body[0]): "613-236-1222" is neither the hotline )"
            R"((1-800-292-1168) nor listed in contact.other_contacts)",
            R"(slide "contact" (en, body[0]): "613-236-1222" is neither the hotline )"
            R"((1-800-292-1168) nor listed in contact.other_contacts)"});
}

TEST_CASE("pinned contact: a changed hotline or e-mail is refused against the pinned one") {
  Bundle b = WithBody({}, {});
  CHECK(CheckPinnedContact(b, BuiltinContact()).empty());
  b.contact.email = "humantrafficking@ottawapolice.ca";  // same address
  CHECK(CheckPinnedContact(b, BuiltinContact()).empty());
  b.contact.hotline = "1-800-555-0100";
  b.contact.email = "help@example.org";
  CHECK(CheckPinnedContact(b, BuiltinContact()) ==
        std::vector<std::string>{
            R"(slides.json: contact.hotline "1-800-555-0100" differs from the unit's pinned )"
            R"(hotline 1-800-292-1168; units refuse this bundle (to change the hotline, see )"
            R"(docs/publishing.md))",
            R"(slides.json: contact.email "help@example.org" differs from the unit's pinned )"
            R"(e-mail HumanTrafficking@ottawapolice.ca; units refuse this bundle (to change )"
            R"(the e-mail, see docs/publishing.md))"});
  // A unit that pins another contact accepts that one only.
  PinnedContact other{"1-800-555-0100", "help@example.org"};
  CHECK(CheckPinnedContact(b, other).empty());
  CHECK(CheckPinnedContact(WithBody({}, {}), other).size() == 2);
}

TEST_CASE("validate: the contact checks come first and use the pinned contact") {
  MonospaceMeasurer m;
  Bundle b = WithBody({"Composez le 1-800-292-1169."}, {"Dial 1-800-292-1168."});
  auto problems = ValidateBundle(b, m, {{1920, 1080}});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(R"(slide "help" (fr, body[0]): "1-800-292-1169")") == 0);
  b.slides[0].text("fr")->body[0] = "Composez le 1-800-292-1168.";
  CHECK(ValidateBundle(b, m, {{1920, 1080}}).empty());
  PinnedContact other{"1-800-555-0100", "HumanTrafficking@ottawapolice.ca"};
  problems = ValidateBundle(b, m, {{1920, 1080}}, {}, other);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].find("slides.json: contact.hotline \"1-800-292-1168\" differs") == 0);
}

TEST_CASE("contact.other_contacts: optional, each a phone number or an e-mail address") {
  auto parse = [](const std::string& others) {
    return ParseBundle(R"({"format": 1, "name": "t",
      "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                  )" + others +
                           R"(
                  "label": {"fr": "Aide", "en": "Help"}},
      "slides": [{"id": "a", "fr": {"title": "x"}, "en": {"title": "y"}}]})",
                       "s.json");
  };
  auto none = parse("");
  REQUIRE_MESSAGE(none.ok(), none.status().message());
  CHECK(none->contact.other_contacts.empty());
  auto some = parse(R"("other_contacts": ["613-236-1222", "partner@example.org"],)");
  REQUIRE_MESSAGE(some.ok(), some.status().message());
  CHECK(some->contact.other_contacts ==
        std::vector<std::string>{"613-236-1222", "partner@example.org"});
  auto bad = parse(R"("other_contacts": ["613-236-1222", "236-1222", "partner@"],)");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find(
            R"($.contact.other_contacts[1]: expected a North American number such as )"
            R"("613-236-1222" or an e-mail address, got "236-1222")") != std::string::npos);
  CHECK(bad.status().message().find(R"($.contact.other_contacts[2]: expected)") !=
        std::string::npos);
  auto wrong_type = parse(R"("other_contacts": "613-236-1222",)");
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.status().message().find("$.contact.other_contacts") != std::string::npos);
}

}  // namespace kiosk
