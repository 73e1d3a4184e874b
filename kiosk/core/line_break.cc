#include "kiosk/core/line_break.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kiosk/core/contact_mentions.h"

namespace kiosk {
namespace {

// Length in bytes of the UTF-8 sequence starting with byte c.
size_t Utf8Length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;  // stray continuation byte: advance one so we never loop
}

bool StartsWith(std::string_view s, size_t at, std::string_view prefix) {
  return s.substr(at, prefix.size()) == prefix;
}

// Marks that belong to the word before them: a line never starts with one.
bool ClosingMarkAt(std::string_view s, size_t at) {
  if (at >= s.size()) return false;
  char c = s[at];
  return c == '?' || c == '!' || c == ':' || c == ';' || StartsWith(s, at, "\xC2\xBB") ||
         StartsWith(s, at, "\xE2\x80\xBA");
}

// Marks that belong to the word after them (« ‹), ending at byte end.
bool OpeningMarkBefore(std::string_view s, size_t end) {
  return (end >= 2 && s.substr(end - 2, 2) == "\xC2\xAB") ||
         (end >= 3 && s.substr(end - 3, 3) == "\xE2\x80\xB9");
}

// No-break spaces, as UTF-8, at byte at; returns their length or 0.
size_t GlueSpaceAt(std::string_view s, size_t at) {
  for (std::string_view glue : {"\xC2\xA0", "\xE2\x80\xAF", "\xE2\x81\xA0", "\xEF\xBB\xBF"}) {
    if (StartsWith(s, at, glue)) return glue.size();
  }
  return 0;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// An extension ("poste 5005", "ext. 5005", "extension 5005", "x 5005") starting
// at byte at, at the start of a word: returns its end (after the last digit),
// or 0 when there is none.
size_t ExtensionEnd(std::string_view s, size_t at) {
  if (at > 0 && IsAsciiAlnum(s[at - 1])) return 0;
  for (std::string_view keyword : {"extension", "poste", "ext.", "ext", "x"}) {
    if (at + keyword.size() > s.size()) continue;
    bool same = true;
    for (size_t k = 0; k < keyword.size() && same; ++k) same = Lower(s[at + k]) == keyword[k];
    if (!same) continue;
    size_t j = at + keyword.size();
    size_t spaces = j;
    while (j < s.size()) {
      if (s[j] == ' ') {
        ++j;
      } else if (size_t n = GlueSpaceAt(s, j)) {
        j += n;
      } else {
        break;
      }
    }
    if (j == spaces || j >= s.size() || s[j] < '0' || s[j] > '9') continue;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    return j;
  }
  return 0;
}

// What the scan of a paragraph finds: which ordinary spaces are glue, and
// which bytes lie in a span no line may split (not even after a hyphen).
struct Scan {
  std::vector<bool> glued;       // per byte: an ordinary space that is not a break
  std::vector<bool> protected_;  // per byte: inside a number, address or URL
};

Scan ScanParagraph(std::string_view s) {
  Scan scan{std::vector<bool>(s.size(), false), std::vector<bool>(s.size(), false)};
  auto protect = [&](size_t from, size_t to) {
    for (size_t i = from; i < to && i < s.size(); ++i) {
      scan.protected_[i] = true;
      if (s[i] == ' ') scan.glued[i] = true;
    }
  };
  // Spaces next to marks that belong to a word.
  for (size_t i = 0; i < s.size();) {
    if (s[i] != ' ') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && s[end] == ' ') ++end;
    if (ClosingMarkAt(s, end) || OpeningMarkBefore(s, i)) {
      for (size_t k = i; k < end; ++k) scan.glued[k] = true;
    }
    i = end;
  }
  for (const auto& mention : FindContactMentions(s)) {
    size_t end = mention.offset + mention.text.size();
    protect(mention.offset, end);
    if (mention.kind != ContactMention::Kind::kPhone) continue;
    // "613-236-1222, poste 5005": the extension stays with its number.
    size_t j = end;
    if (j < s.size() && s[j] == ',') ++j;
    while (j < s.size() && s[j] == ' ') ++j;
    if (size_t ext = ExtensionEnd(s, j)) protect(end, ext);
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (size_t ext = ExtensionEnd(s, i)) {
      protect(i, ext);
      i = ext;
    }
  }
  // URLs run to the next ordinary space.
  for (std::string_view start : {"http://", "https://", "www."}) {
    for (size_t at = s.find(start); at != std::string_view::npos; at = s.find(start, at + 1)) {
      size_t end = s.find(' ', at);
      protect(at, end == std::string_view::npos ? s.size() : end);
    }
  }
  return scan;
}

struct Word {
  std::string text;
  bool is_protected = false;
};

std::vector<Word> SplitWords(std::string_view s) {
  Scan scan = ScanParagraph(s);
  std::vector<Word> words;
  Word word;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || (s[i] == ' ' && !scan.glued[i])) {
      if (!word.text.empty()) words.push_back(std::move(word));
      word = Word{};
      continue;
    }
    // A glued space at a word's start or end (a stray space before "?" at
    // the paragraph's end) stays: the author wrote it.
    word.text += s[i];
    word.is_protected |= scan.protected_[i];
  }
  return words;
}

// What lines are made of: whole words, or pieces of a word too wide for a
// line (joined to the piece before without a space).
struct Piece {
  std::string text;
  bool space_before = true;  // false: the rest of the word before
};

// Splits text into the largest runs of characters that fit max_width.
void SplitCharacters(std::string_view text, bool space_before, int max_width, FontFace face, int px,
                     TextMeasurer& m, std::vector<Piece>& out) {
  std::string chunk;
  for (size_t i = 0; i < text.size();) {
    size_t n = std::min(Utf8Length(static_cast<unsigned char>(text[i])), text.size() - i);
    std::string next = chunk + std::string(text.substr(i, n));
    if (!chunk.empty() && m.Width(next, face, px) > max_width) {
      out.push_back(Piece{std::move(chunk), space_before});
      space_before = false;
      chunk = std::string(text.substr(i, n));
    } else {
      chunk = std::move(next);
    }
    i += n;
  }
  if (!chunk.empty()) out.push_back(Piece{std::move(chunk), space_before});
}

// Hyphens and dashes a long word may break after: '-', U+2010 hyphen,
// U+2013 en dash, U+2014 em dash (not U+2011, the non-breaking hyphen).
size_t HyphenAt(std::string_view s, size_t at) {
  if (s[at] == '-') return 1;
  for (std::string_view dash : {"\xE2\x80\x90", "\xE2\x80\x93", "\xE2\x80\x94"}) {
    if (StartsWith(s, at, dash)) return dash.size();
  }
  return 0;
}

std::vector<Piece> MakePieces(const std::vector<Word>& words, int max_width, FontFace face, int px,
                              TextMeasurer& m, bool* broke_word) {
  std::vector<Piece> pieces;
  for (const auto& word : words) {
    if (m.Width(word.text, face, px) <= max_width) {
      pieces.push_back(Piece{word.text, true});
      continue;
    }
    if (word.is_protected) {
      *broke_word = true;
      SplitCharacters(word.text, true, max_width, face, px, m, pieces);
      continue;
    }
    // After its hyphens and dashes first ("Montréal–" / "Toronto").
    std::vector<std::string> parts;
    std::string part;
    for (size_t i = 0; i < word.text.size();) {
      size_t hyphen = HyphenAt(word.text, i);
      size_t n = hyphen ? hyphen : Utf8Length(static_cast<unsigned char>(word.text[i]));
      part += word.text.substr(i, n);
      i += n;
      if (hyphen && i < word.text.size()) parts.push_back(std::move(part)), part.clear();
    }
    if (!part.empty()) parts.push_back(std::move(part));
    for (size_t k = 0; k < parts.size(); ++k) {
      if (m.Width(parts[k], face, px) <= max_width) {
        pieces.push_back(Piece{parts[k], k == 0});
      } else {
        *broke_word = true;
        SplitCharacters(parts[k], k == 0, max_width, face, px, m, pieces);
      }
    }
  }
  return pieces;
}

std::string Join(const std::vector<Piece>& pieces, size_t from, size_t to) {
  std::string line;
  for (size_t i = from; i < to; ++i) {
    if (i > from && pieces[i].space_before) line += ' ';
    line += pieces[i].text;
  }
  return line;
}

// Line starts (indices into pieces) of greedy filling; starts.back() is the
// first piece of the last line.
std::vector<size_t> GreedyStarts(const std::vector<Piece>& pieces, int max_width, FontFace face,
                                 int px, TextMeasurer& m) {
  std::vector<size_t> starts;
  if (pieces.empty()) return starts;
  starts.push_back(0);
  // Measuring every candidate line shapes the paragraph over and over (the
  // type-scale search does it at every size it tries). A line is about its
  // pieces' and spaces' widths added up; that sum decides when it is clearly
  // in or clearly out, and only a candidate near the edge is measured, so the
  // breaks are those of measuring every candidate. The sum can be off by the
  // side bearings at each piece's ends and by rounding: slack_per_piece
  // (half an em) for each piece on the line.
  const int space = m.Width(" ", face, px);
  const int slack_per_piece = px / 2 + 1;
  std::string line = pieces[0].text;
  int estimate = m.Width(pieces[0].text, face, px);
  int pieces_on_line = 1;
  for (size_t i = 1; i < pieces.size(); ++i) {
    std::string candidate = line + (pieces[i].space_before ? " " : "") + pieces[i].text;
    const int piece = m.Width(pieces[i].text, face, px);
    const int next = estimate + (pieces[i].space_before ? space : 0) + piece;
    const int slack = (pieces_on_line + 1) * slack_per_piece;
    bool fits;
    if (next + slack <= max_width) {
      fits = true;
    } else if (next - slack > max_width) {
      fits = false;
    } else {
      fits = m.Width(candidate, face, px) <= max_width;
    }
    if (fits) {
      line = std::move(candidate);
      estimate = next;
      ++pieces_on_line;
    } else {
      starts.push_back(i);
      line = pieces[i].text;
      estimate = piece;
      pieces_on_line = 1;
    }
  }
  return starts;
}

// A last line of one whole word takes the word before it along when both fit.
void AvoidLoneLastWord(const std::vector<Piece>& pieces, std::vector<size_t>& starts, int max_width,
                       FontFace face, int px, TextMeasurer& m) {
  if (starts.size() < 2) return;
  size_t last = starts.back(), previous = starts[starts.size() - 2];
  bool lone_word = last + 1 == pieces.size() && pieces[last].space_before;
  // The word moved must be whole, and the line above must keep a word.
  if (!lone_word || last - previous < 2 || !pieces[last - 1].space_before) return;
  if (m.Width(Join(pieces, last - 1, pieces.size()), face, px) <= max_width) starts.back() -= 1;
}

// Breaks into exactly `lines` lines (the greedy count: the fewest), each no
// wider than max_width, minimising the sum of squared slack (even lines),
// with a penalty on a last line of one whole word that outweighs any slack.
// Falls back to the greedy breaks if no such breaking exists.
std::vector<size_t> BalancedStarts(const std::vector<Piece>& pieces, size_t lines, int max_width,
                                   FontFace face, int px, TextMeasurer& m,
                                   std::vector<size_t> greedy) {
  const size_t n = pieces.size();
  if (lines < 2 || n <= lines) return greedy;
  // width[i][j]: pieces i..j-1 on one line; -1 = not measured (too wide).
  std::vector<std::vector<int64_t>> width(n, std::vector<int64_t>(n + 1, -1));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j <= n; ++j) {
      int w = m.Width(Join(pieces, i, j), face, px);
      if (w > max_width) break;  // wider lines only get wider
      width[i][j] = w;
    }
  }
  const int64_t kInfinite = std::numeric_limits<int64_t>::max() / 4;
  const int64_t lone_penalty = int64_t{4} * (int64_t{max_width} + 1) * (int64_t{max_width} + 1) *
                               static_cast<int64_t>(lines);
  // cost[l][j]: the best l lines holding pieces 0..j-1; from[l][j]: where the
  // last of them starts.
  std::vector<std::vector<int64_t>> cost(lines + 1, std::vector<int64_t>(n + 1, kInfinite));
  std::vector<std::vector<size_t>> from(lines + 1, std::vector<size_t>(n + 1, 0));
  cost[0][0] = 0;
  for (size_t l = 1; l <= lines; ++l) {
    for (size_t j = 1; j <= n; ++j) {
      for (size_t i = l - 1; i < j; ++i) {
        if (cost[l - 1][i] >= kInfinite || width[i][j] < 0) continue;
        int64_t slack = max_width - width[i][j];
        int64_t c = cost[l - 1][i] + slack * slack;
        if (l == lines && j == n && j - i == 1 && pieces[i].space_before) c += lone_penalty;
        // Ties go to the later break: longer lines first, as titles are set.
        if (c <= cost[l][j]) {
          cost[l][j] = c;
          from[l][j] = i;
        }
      }
    }
  }
  if (cost[lines][n] >= kInfinite) return greedy;
  std::vector<size_t> starts(lines);
  size_t j = n;
  for (size_t l = lines; l >= 1; --l) {
    starts[l - 1] = from[l][j];
    j = from[l][j];
  }
  return starts;
}

}  // namespace

std::vector<std::string> UnbreakableRuns(std::string_view paragraph) {
  std::vector<std::string> runs;
  for (auto& word : SplitWords(paragraph)) runs.push_back(std::move(word.text));
  return runs;
}

BrokenLines BreakLines(std::string_view paragraph, int max_width, FontFace face, int px,
                       TextMeasurer& measurer, LineBreakStyle style) {
  BrokenLines out;
  std::vector<Piece> pieces =
      MakePieces(SplitWords(paragraph), max_width, face, px, measurer, &out.broke_word);
  std::vector<size_t> starts = GreedyStarts(pieces, max_width, face, px, measurer);
  if (style == LineBreakStyle::kBalanced) {
    starts = BalancedStarts(pieces, starts.size(), max_width, face, px, measurer, starts);
  } else {
    AvoidLoneLastWord(pieces, starts, max_width, face, px, measurer);
  }
  for (size_t k = 0; k < starts.size(); ++k) {
    size_t end = k + 1 < starts.size() ? starts[k + 1] : pieces.size();
    out.lines.push_back(Join(pieces, starts[k], end));
  }
  return out;
}

}  // namespace kiosk
