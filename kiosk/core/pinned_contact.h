// The contact a unit shows in its help band (hotline and e-mail) is one of
// the unit's own trust settings, never taken from content alone: a stolen
// signing key, a typo or a failing SD card must not put a wrong number on a
// screen. The default is the contact this firmware ships with; a unit's
// configuration (legacy) or its root-signed trust document may pin another
// (docs/bundle-format.md, "The pinned contact").
//
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace kiosk {

struct PinnedContact {
  std::string hotline = "1-800-292-1168";
  std::string email = "HumanTrafficking@ottawapolice.ca";
  bool operator==(const PinnedContact&) const = default;
};

// The contact this firmware ships with; content/slides.json carries the same.
inline PinnedContact BuiltinContact() { return PinnedContact{}; }

// The digits of a phone number in national form: "1-800-292-1168",
// "+1 800 292 1168" and "(800) 292-1168" all give "8002921168". Digits only
// (a leading country code 1 dropped from an 11-digit number); other text is
// ignored.
std::string PhoneDigits(std::string_view number);
// Same number, whatever the punctuation (compares PhoneDigits).
bool SamePhoneNumber(std::string_view a, std::string_view b);
// Same address, ignoring ASCII case (signs print HumanTrafficking@...).
bool SameEmail(std::string_view a, std::string_view b);

// The forms a hotline may be written in, in content and in a unit's
// configuration: a North American number as signs print it, "1-800-292-1168"
// or "613-236-1222" (so PhoneDigits always gives its 10 digits).
bool IsPhoneNumber(std::string_view v);
// local@domain.tld with the characters addresses on signs use.
bool IsEmailAddress(std::string_view v);

}  // namespace kiosk
