// Where a paragraph may break into lines, and where it breaks, as a typesetter
// would: a sign whose number wraps as "poste / 5005" or whose French question
// mark starts a line reads as a mistake, and a wrong-looking number is not
// dialled.
//
// Break opportunities are ordinary spaces (U+0020) only, and not all of them.
// Never a break:
//   - at a no-break space (U+00A0, U+202F, U+2060, U+FEFF): they are glue,
//     kept in the line as written;
//   - before ? ! : ; » › or after « ‹, even at an ordinary space (French puts
//     a space there, and the mark belongs to the word before or after it);
//   - inside a phone number or an e-mail address (FindContactMentions), a URL
//     ("http://", "https://", "www."), or an extension with its number
//     ("poste 5005", "ext. 5005", "x 5005"), which stays on the line of the
//     phone number before it ("613-236-1222, poste 5005").
// A word wider than the line breaks after a hyphen or dash inside it when
// that is enough (not inside a protected span); only when nothing else fits
// is it split between characters (never inside a UTF-8 sequence), and the
// result says so (broke_word) so the layout can prefer a smaller size.
//
// Pure computation; one thread at a time per measurer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/text_measurer.h"

namespace kiosk {

enum class LineBreakStyle {
  // Fill each line as far as it goes (body text), except that a last line
  // of one word takes the word before it along when that fits: no "Inc."
  // or "Gate" alone under a name.
  kGreedy,
  // Titles: the fewest lines greedy filling needs, with breaks chosen so the
  // lines are as even as possible and the last line is not a single word
  // wherever another choice of breaks exists.
  kBalanced,
};

struct BrokenLines {
  std::vector<std::string> lines;
  bool broke_word = false;  // some word was split between characters
};

// Breaks paragraph into lines no wider than max_width (measured at px in
// face), except a single character wider than the line.
BrokenLines BreakLines(std::string_view paragraph, int max_width, FontFace face, int px,
                       TextMeasurer& measurer, LineBreakStyle style = LineBreakStyle::kGreedy);

// The paragraph's unbreakable runs, in order: what lies between two break
// opportunities, as the lines would carry it. A line is a sequence of these
// joined by single spaces (or a piece of one too wide for any line).
std::vector<std::string> UnbreakableRuns(std::string_view paragraph);

}  // namespace kiosk
