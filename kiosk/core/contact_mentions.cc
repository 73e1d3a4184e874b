#include "kiosk/core/contact_mentions.h"

#include <algorithm>

namespace kiosk {
namespace {

// One code point of the scanned text and where its bytes are.
struct CodePoint {
  char32_t value;
  size_t offset, length;
};

// Decodes UTF-8; a malformed byte becomes one U+FFFD, so a bad sequence
// cannot swallow the digits after it.
std::vector<CodePoint> Decode(std::string_view s) {
  std::vector<CodePoint> out;
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t length = b < 0x80           ? 1
                    : (b >> 5) == 0x6  ? 2
                    : (b >> 4) == 0xE  ? 3
                    : (b >> 3) == 0x1E ? 4
                                       : 0;
    char32_t value = 0xFFFD;
    if (length == 1) {
      value = b;
    } else if (length > 1 && i + length <= s.size()) {
      value = b & (0x7F >> length);
      for (size_t k = 1; k < length; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) {
          value = 0xFFFD;
          length = 1;
          break;
        }
        value = (value << 6) | (c & 0x3F);
      }
    } else {
      length = 1;
    }
    out.push_back({value, i, length});
    i += length;
  }
  return out;
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsSpaceSeparator(char32_t c) { return c == ' ' || c == 0x00A0 || c == 0x202F; }
// Hyphens, dots, and the dashes a word processor puts in their place (U+2012
// figure dash, U+2013 en dash, U+2212 minus): "1–800–292–1169" must not slip
// through as four short numbers.
bool IsDashSeparator(char32_t c) {
  return c == '-' || c == '.' || (c >= 0x2010 && c <= 0x2013) || c == 0x2212;
}

// Characters that make a digit run part of a word or code ("A1234567",
// "1234567@x.ca"), not a number to dial: ASCII letters and digits, '@', '_',
// and the Latin letters of French and English text (U+00C0-U+024F, less the
// signs × and ÷).
bool IsWordCharacter(char32_t c) {
  if (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@' || c == '_') {
    return true;
  }
  return c >= 0x00C0 && c <= 0x024F && c != 0x00D7 && c != 0x00F7;
}

// The separators between two digit groups of a phone number, starting at i:
// 1 to 3 characters, at most one space and one dash or dot, a ')' only first
// and a '(' only last ("-", " ", ") ", " (", ") -"). Returns where the next
// group starts, or 0 when the text at i does not join two groups.
size_t SkipGap(const std::vector<CodePoint>& cps, size_t i) {
  int spaces = 0, dashes = 0;
  size_t k = i;
  for (; k < cps.size() && k - i < 3 && !IsDigit(cps[k].value); ++k) {
    char32_t c = cps[k].value;
    if (IsSpaceSeparator(c)) {
      ++spaces;
    } else if (IsDashSeparator(c)) {
      ++dashes;
    } else if (c == ')') {
      if (k != i) return 0;
    } else if (c == '(') {
      if (k + 1 >= cps.size() || !IsDigit(cps[k + 1].value)) return 0;
    } else {
      return 0;
    }
    if (spaces > 1 || dashes > 1) return 0;
  }
  if (k == i || k >= cps.size() || !IsDigit(cps[k].value)) return 0;
  return k;
}

// Groups that are not a number to dial though long enough (see the header).
bool IsYearsDateOrQuantity(const std::vector<size_t>& groups, bool only_spaces) {
  if (std::all_of(groups.begin(), groups.end(), [](size_t g) { return g == 4; })) return true;
  auto short_group = [](size_t g) { return g == 1 || g == 2; };
  if (groups.size() == 3 &&
      ((groups[0] == 4 && short_group(groups[1]) && short_group(groups[2])) ||
       (short_group(groups[0]) && short_group(groups[1]) && groups[2] == 4))) {
    return true;
  }
  return only_spaces && groups.size() == 3 && short_group(groups[0]) && groups[1] == 3 &&
         groups[2] == 3;
}

void FindPhones(const std::vector<CodePoint>& cps, std::string_view text,
                std::vector<ContactMention>& out) {
  size_t i = 0;
  while (i < cps.size()) {
    if (!IsDigit(cps[i].value)) {
      ++i;
      continue;
    }
    size_t start = i;
    if (start > 0 && cps[start - 1].value == '(') --start;
    if (start > 0 && cps[start - 1].value == '+') --start;
    std::vector<size_t> groups;
    bool only_spaces = true;
    size_t end = i;
    for (;;) {
      size_t group_start = end;
      while (end < cps.size() && IsDigit(cps[end].value)) ++end;
      groups.push_back(end - group_start);
      size_t next = SkipGap(cps, end);
      if (next == 0) break;
      for (size_t k = end; k < next; ++k) only_spaces &= IsSpaceSeparator(cps[k].value);
      end = next;
    }
    i = end;
    size_t digits = 0;
    for (size_t g : groups) digits += g;
    bool in_word = (start > 0 && IsWordCharacter(cps[start - 1].value)) ||
                   (end < cps.size() && IsWordCharacter(cps[end].value));
    if (digits < 7 || in_word || IsYearsDateOrQuantity(groups, only_spaces)) continue;
    size_t from = cps[start].offset;
    size_t to = cps[end - 1].offset + cps[end - 1].length;
    out.push_back({ContactMention::Kind::kPhone, std::string(text.substr(from, to - from)), from});
  }
}

bool IsLocalCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._%+-").find(c) != std::string_view::npos;
}
bool IsDomainCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

void FindEmails(std::string_view text, std::vector<ContactMention>& out) {
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    size_t from = at;
    while (from > 0 && IsLocalCharacter(text[from - 1])) --from;
    size_t to = at + 1;
    while (to < text.size() && IsDomainCharacter(text[to])) ++to;
    while (to > at + 1 && (text[to - 1] == '.' || text[to - 1] == '-')) --to;
    if (from == at || to == at + 1) continue;  // "@handle", "name@"
    out.push_back({ContactMention::Kind::kEmail, std::string(text.substr(from, to - from)), from});
  }
}

bool IsEmailEntry(const std::string& entry) { return entry.find('@') != std::string::npos; }

}  // namespace

std::vector<ContactMention> FindContactMentions(std::string_view utf8) {
  std::vector<ContactMention> out;
  FindPhones(Decode(utf8), utf8, out);
  FindEmails(utf8, out);
  std::stable_sort(out.begin(), out.end(), [](const ContactMention& a, const ContactMention& b) {
    return a.offset < b.offset;
  });
  return out;
}

std::vector<std::string> CheckContactMentions(const Bundle& bundle) {
  const Contact& contact = bundle.contact;
  auto allowed = [&contact](const ContactMention& m) {
    bool phone = m.kind == ContactMention::Kind::kPhone;
    if (phone ? SamePhoneNumber(m.text, contact.hotline) : SameEmail(m.text, contact.email)) {
      return true;
    }
    return std::any_of(contact.other_contacts.begin(), contact.other_contacts.end(),
                       [&](const std::string& other) {
                         if (IsEmailEntry(other) == phone) return false;
                         return phone ? SamePhoneNumber(m.text, other) : SameEmail(m.text, other);
                       });
  };
  std::vector<std::string> problems;
  auto check = [&](const std::string& where, const std::string& text) {
    for (const auto& m : FindContactMentions(text)) {
      if (allowed(m)) continue;
      bool phone = m.kind == ContactMention::Kind::kPhone;
      problems.push_back(
          where + ": \"" + m.text + "\" is neither " +
          (phone ? "the hotline (" + contact.hotline + ")" : "the e-mail (" + contact.email + ")") +
          " nor listed in contact.other_contacts");
    }
  };
  for (const auto& [tag, label] : contact.labels) check("contact.label." + tag, label);
  for (const auto& [tag, label] : contact.call_labels) check("contact.call." + tag, label);
  for (const auto& [tag, caption] : contact.qr_captions) {
    check("contact.qr_caption." + tag, caption);
  }
  for (const auto& slide : bundle.slides) {
    std::string name = "slide \"" + slide.id + "\" (";
    for (const auto& [tag, t] : slide.texts) {
      std::string where = name + tag + ", ";
      check(where + "title)", t.title);
      for (size_t i = 0; i < t.body.size(); ++i) {
        check(where + "body[" + std::to_string(i) + "])", t.body[i]);
      }
    }
    for (size_t i = 0; i < slide.shared.size(); ++i) {
      check(name + "shared[" + std::to_string(i) + "])", slide.shared[i]);
    }
  }
  return problems;
}

std::vector<std::string> CheckPinnedContact(const Bundle& bundle, const PinnedContact& pinned) {
  std::vector<std::string> problems;
  if (!SamePhoneNumber(bundle.contact.hotline, pinned.hotline)) {
    problems.push_back(std::string(kSlidesFileName) + ": contact.hotline \"" +
                       bundle.contact.hotline + "\" differs from the unit's pinned hotline " +
                       pinned.hotline +
                       "; units refuse this bundle (to change the hotline, see "
                       "docs/publishing.md)");
  }
  if (!SameEmail(bundle.contact.email, pinned.email)) {
    problems.push_back(std::string(kSlidesFileName) + ": contact.email \"" + bundle.contact.email +
                       "\" differs from the unit's pinned e-mail " + pinned.email +
                       "; units refuse this bundle (to change the e-mail, see "
                       "docs/publishing.md)");
  }
  return problems;
}

}  // namespace kiosk
