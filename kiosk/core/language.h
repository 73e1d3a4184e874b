// Languages are data: a slide carries text in any number of languages, each
// named by a BCP 47 tag ("fr", "en", "iu", "ar", "sr-Latn"), and the unit's
// settings say which of them it shows, in which order (config.h). This file
// holds what the code needs to know about a tag by itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

// The languages a unit shows when its settings name none.
inline const std::vector<std::string> kDefaultLanguages = {"fr", "en"};

// Whether tag has the shape this player accepts: a primary language subtag of
// 2 or 3 lowercase letters, then any number of "-" subtags of 2 to 8 letters
// or digits (^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$). Only the shape is checked,
// not the IANA registry: a venue may need a language this build has never
// heard of.
bool IsLanguageTag(std::string_view tag);

// Whether text in tag is written right to left: a right-to-left primary
// language (Arabic, Persian, Hebrew, Urdu, Yiddish, Pashto, Sindhi, Central
// Kurdish, Dhivehi, Uyghur, ...) unless a script subtag says otherwise, and
// any language written in a right-to-left script ("-Arab", "-Hebr", "-Thaa",
// "-Syrc", ...). "sd-Deva" and "ug-Cyrl" are left to right; "pa-Arab" is
// right to left. A tag of the wrong shape is left to right.
bool IsRightToLeft(std::string_view tag);

}  // namespace kiosk
