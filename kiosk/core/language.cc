#include "kiosk/core/language.h"

#include <algorithm>
#include <cctype>

namespace kiosk {
namespace {

// Primary subtags of languages whose usual script is right to left.
constexpr std::string_view kRightToLeftLanguages[] = {"ar", "arc", "ckb", "dv",  "fa",  "he",  "iw",
                                                      "ji", "ks",  "lrc", "mzn", "nqo", "pnb", "ps",
                                                      "sd", "syr", "ug",  "ur",  "yi"};
// ISO 15924 scripts written right to left.
constexpr std::string_view kRightToLeftScripts[] = {"Adlm", "Arab", "Hebr", "Mand", "Nkoo",
                                                    "Rohg", "Samr", "Syrc", "Thaa"};

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// "arab" and "ARAB" name the same script as "Arab" (tags are case-insensitive).
bool SameScript(std::string_view subtag, std::string_view script) {
  return subtag.size() == script.size() &&
         std::equal(subtag.begin(), subtag.end(), script.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

bool IsLanguageTag(std::string_view tag) {
  size_t dash = tag.find('-');
  std::string_view primary = tag.substr(0, dash);
  if (primary.size() < 2 || primary.size() > 3 ||
      !std::all_of(primary.begin(), primary.end(), IsAsciiLower)) {
    return false;
  }
  while (dash != std::string_view::npos) {
    size_t start = dash + 1;
    dash = tag.find('-', start);
    std::string_view subtag =
        tag.substr(start, dash == std::string_view::npos ? dash : dash - start);
    if (subtag.size() < 2 || subtag.size() > 8 ||
        !std::all_of(subtag.begin(), subtag.end(), IsAsciiAlnum)) {
      return false;
    }
  }
  return true;
}

bool IsRightToLeft(std::string_view tag) {
  if (!IsLanguageTag(tag)) return false;
  size_t dash = tag.find('-');
  std::string_view primary = tag.substr(0, dash);
  // The script subtag is the first subtag of four letters after the primary
  // one (BCP 47: language[-extlang][-Script][-region]...).
  while (dash != std::string_view::npos) {
    size_t start = dash + 1;
    dash = tag.find('-', start);
    std::string_view subtag =
        tag.substr(start, dash == std::string_view::npos ? dash : dash - start);
    if (subtag.size() == 4 && std::all_of(subtag.begin(), subtag.end(), [](char c) {
          return std::isalpha(static_cast<unsigned char>(c)) != 0;
        })) {
      return std::any_of(std::begin(kRightToLeftScripts), std::end(kRightToLeftScripts),
                         [&](std::string_view script) { return SameScript(subtag, script); });
    }
  }
  return std::find(std::begin(kRightToLeftLanguages), std::end(kRightToLeftLanguages), primary) !=
         std::end(kRightToLeftLanguages);
}

}  // namespace kiosk
