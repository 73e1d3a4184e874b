// Phone numbers and e-mail addresses in the text people read. A signed bundle
// can carry a wrong number in a slide as easily as in contact.hotline (a typo,
// a stolen key), and a person in danger dials what the screen shows: every
// number and address in the text must be the contact or one the bundle
// declares (contact.other_contacts), and the contact must be the unit's
// pinned one. `kiosk validate`, `kiosk bundle build` and the unit (on every
// downloaded bundle) run these checks through ValidateBundle.
//
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/pinned_contact.h"

namespace kiosk {

struct ContactMention {
  enum class Kind { kPhone, kEmail };
  Kind kind;
  std::string text;   // as written, e.g. "+1 (800) 292-1168"
  size_t offset = 0;  // byte offset in the scanned text
  bool operator==(const ContactMention&) const = default;
};

// Every phone-number-like and e-mail-like span in UTF-8 text, in text order.
//
// A phone number is a run of digit groups joined by short separators (space,
// U+00A0, U+202F, '-', '.', U+2010-U+2013, U+2212, ')' and '(' around an area
// code; a leading '+' or '('), 7 digits or more in all, with no letter, digit, '@'
// or '_' right before or after it. Kept out, because they are not phone
// numbers and signs print them: years and year ranges (only 4-digit groups:
// "2019-2021"), dates ("2026-03-15", "15.03.2026") and quantities with
// thousands separators below 100 million ("1 000 000", "12 500 000").
// Shorter runs ("911", "poste 5005", "349 accusations") are not numbers to
// dial by this rule.
//
// An e-mail address is local@domain: the characters addresses use on either
// side of an '@', neither side empty (a typo such as "name@domain,ca" is still
// found, as "name@domain"). A trailing '.' or '-' ends the sentence, not the
// address.
std::vector<ContactMention> FindContactMentions(std::string_view utf8);

// One problem per phone number not the same number (SamePhoneNumber) as
// contact.hotline or one of contact.other_contacts, and per e-mail address not
// the same address (SameEmail) as contact.email or one of other_contacts, in
// every text people read: each slide's titles and body paragraphs in both
// languages, its shared lines, and the band's labels. Each names the slide,
// language and field, and the text:
//   slide "help" (fr, body[0]): "1-800-292-1169" is neither the hotline
//   (1-800-292-1168) nor listed in contact.other_contacts
std::vector<std::string> CheckContactMentions(const Bundle& bundle);

// One problem per contact field (hotline, e-mail) that differs from the
// unit's pinned contact; a unit refuses such a bundle.
std::vector<std::string> CheckPinnedContact(const Bundle& bundle, const PinnedContact& pinned);

}  // namespace kiosk
