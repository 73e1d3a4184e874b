// Everything `kiosk validate` checks beyond the schema: that the contact is
// the unit's pinned one and every phone number and e-mail address in the text
// is the contact or a declared one (contact_mentions.h), that the fonts can
// draw every character of the text, that every slide fits every supported
// screen above the legibility floors in each of its languages alone and in
// each pair of them, and that every colour pair meets WCAG AAA contrast (7:1).
#pragma once

#include <string>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/pinned_contact.h"
#include "kiosk/core/text_measurer.h"

namespace kiosk {

struct ScreenSize {
  int width, height;
};

// The sizes a bundle must fit: common TVs both ways up, small panels, 4K.
inline const std::vector<ScreenSize> kSupportedSizes = {{1920, 1080}, {1080, 1920}, {1280, 720},
                                                        {800, 480},   {480, 800},   {3840, 2160}};

inline constexpr double kMinimumContrast = 7.0;

// WCAG 2 contrast ratio between two sRGB colours, from 1 to 21.
double ContrastRatio(Color a, Color b);

// Every problem, one sentence each, naming the slide (empty = valid). The
// contact checks come first: a wrong number matters more than a long slide.
// pinned is the contact the unit shows (BuiltinContact() unless its trust
// settings pin another).
std::vector<std::string> ValidateBundle(const Bundle& bundle, TextMeasurer& measurer,
                                        const std::vector<ScreenSize>& sizes = kSupportedSizes,
                                        const LayoutOptions& options = {},
                                        const PinnedContact& pinned = BuiltinContact());

// Warnings (the bundle stays valid): one per slide, language and size in
// sizes where the slide's title, laid out in any view a unit may show (the
// language alone or beside another), ends in a line of a single word
// (UnbreakableRuns, line_break.h): the breaker avoids that wherever another
// break exists, so what is left needs other words. E.g.
//   slide "help" (fr, title) at 800x480: the last line is the single word
//   "sortir ?"; reword or shorten the title
// Layout failures are ValidateBundle's problems, not repeated here.
std::vector<std::string> TitleWarnings(const Bundle& bundle, TextMeasurer& measurer,
                                       const std::vector<ScreenSize>& sizes = kSupportedSizes,
                                       const LayoutOptions& options = {});

// Warnings (the bundle stays valid) for a unit showing unit_languages: one
// per slide lacking some of them, naming the slide and the missing tags, and
// saying what the unit shows instead (LanguagesShown).
std::vector<std::string> LanguageWarnings(const Bundle& bundle,
                                          const std::vector<std::string>& unit_languages);

// Poster length. A passer-by gives a sign two or three seconds and a
// bystander the length of a cycle: past kPosterWordLimit words in one
// language a slide reads as a page of prose, and past kCycleTarget a person
// waiting in a lobby does not see the whole rotation.
inline constexpr size_t kPosterWordLimit = 30;
inline constexpr Millis kCycleTarget{150'000};

// Warnings (the bundle stays valid): one per slide and language over
// kPosterWordLimit words (CountWords: title and body), naming slide, language
// and count; one when every slide shown once in turn takes longer than
// kCycleTarget, giving the cycle's length.
std::vector<std::string> CopyWarnings(const Bundle& bundle);

}  // namespace kiosk
