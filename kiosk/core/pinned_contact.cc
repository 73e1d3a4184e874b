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

}  // namespace kiosk
