#include "kiosk/core/pinned_contact.h"

namespace kiosk {

std::string PhoneDigits(std::string_view number) {
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() == 11 && digits[0] == '1') digits.erase(0, 1);
  return digits;
}

bool SamePhoneNumber(std::string_view a, std::string_view b) {
  std::string da = PhoneDigits(a);
  return !da.empty() && da == PhoneDigits(b);
}

bool SameEmail(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Hand-written rather than std::regex, which GCC 12 cannot compile cleanly
// under the sanitizers with -Werror.
bool IsPhoneNumber(std::string_view v) {
  if (v.size() == 14 && v.substr(0, 2) == "1-") v.remove_prefix(2);
  if (v.size() != 12) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    bool dash = i == 3 || i == 7;
    if (dash ? v[i] != '-' : (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

bool IsEmailAddress(std::string_view v) {
  auto at = v.find('@');
  if (at == std::string_view::npos || at == 0 || v.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  auto local = v.substr(0, at), domain = v.substr(at + 1);
  auto is_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  for (char c : local) {
    if (!is_alnum(c) && std::string_view("._%+-").find(c) == std::string_view::npos) return false;
  }
  auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) return false;
  for (size_t i = 0; i < domain.size(); ++i) {
    char c = domain[i];
    bool tld = i > dot;
    if (tld ? !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            : !(is_alnum(c) || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace kiosk
