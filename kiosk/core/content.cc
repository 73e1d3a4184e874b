#include "kiosk/core/content.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/core/json_fields.h"
#include "kiosk/core/pinned_contact.h"

namespace kiosk {

const char* LanguageCode(Language language) { return language == Language::kFrench ? "fr" : "en"; }

std::string Contact::QrPayload() const {
  // tel: URI (RFC 3966) in global form: a North American number gets +1.
  std::string digits;
  for (char c : hotline) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() == 10) digits = "1" + digits;
  return "tel:+" + digits;
}

size_t CountWords(const std::string& text) {
  size_t words = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    bool space = c == ' ' || c == '\t' || c == '\n';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

Millis ReadingTime(const Slide& slide) {
  size_t most = 0;
  for (Language language : kLanguages) {
    const SlideText& t = slide.text(language);
    size_t words = CountWords(t.title);
    for (const auto& p : t.body) words += CountWords(p);
    most = std::max(most, words);
  }
  // Shared lines are names: a reader scans them rather than reads them; count
  // each as one word.
  most += slide.shared.size();
  Millis reading{static_cast<int64_t>(most) * 60'000 / kReadingWordsPerMinute};
  return std::clamp(reading + kSettleTime, kMinimumSlideDuration, kMaximumDerivedDuration);
}

std::optional<Color> ParseColor(std::string_view text) {
  if (text.size() != 7 || text[0] != '#') return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int v[6];
  for (int i = 0; i < 6; ++i) {
    v[i] = hex(text[static_cast<size_t>(i) + 1]);
    if (v[i] < 0) return std::nullopt;
  }
  return Color{static_cast<uint8_t>(v[0] * 16 + v[1]), static_cast<uint8_t>(v[2] * 16 + v[3]),
               static_cast<uint8_t>(v[4] * 16 + v[5])};
}

namespace {

// Text that people read must not be empty or only spaces, and must not carry
// control characters (they render as boxes).
void CheckText(JsonErrors& errors, const std::string& path, const std::string& text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return c == ' '; })) {
    errors.Add(path, "expected text, got an empty string");
    return;
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) {
      errors.Add(path,
                 "contains a control character (line breaks come from the layout; "
                 "use separate body paragraphs)");
      return;
    }
  }
}

void ReadTheme(JsonErrors& errors, const nlohmann::json& value, const std::string& path,
               Theme& theme) {
  ObjectReader r(errors, value, path);
  struct Field {
    const char* key;
    Color* target;
  } fields[] = {{"background", &theme.background},
                {"text", &theme.text},
                {"accent", &theme.accent},
                {"band_background", &theme.band_background},
                {"band_text", &theme.band_text}};
  for (auto& f : fields) {
    if (auto s = r.String(f.key, false)) {
      if (auto c = ParseColor(*s)) {
        *f.target = *c;
      } else {
        errors.Add(r.PathOf(f.key), "expected a colour as \"#RRGGBB\", got \"" + *s + "\"");
      }
    }
  }
  r.Finish();
}

void ReadSlideText(JsonErrors& errors, const nlohmann::json& value, const std::string& path,
                   SlideText& text) {
  ObjectReader r(errors, value, path);
  if (auto title = r.String("title", true)) {
    CheckText(errors, r.PathOf("title"), *title);
    text.title = *title;
  }
  if (auto body = r.StringArray("body", false)) {
    for (size_t i = 0; i < body->size(); ++i) {
      CheckText(errors, r.PathOf("body") + "[" + std::to_string(i) + "]", (*body)[i]);
    }
    text.body = *body;
  }
  r.Finish();
}

void ReadContact(JsonErrors& errors, const nlohmann::json& value, const std::string& path,
                 Contact& contact) {
  ObjectReader r(errors, value, path);
  if (auto v = r.String("hotline", true)) {
    if (!IsPhoneNumber(*v)) {
      errors.Add(r.PathOf("hotline"),
                 "expected a North American number such as \"1-800-292-1168\", got \"" + *v + "\"");
    } else {
      contact.hotline = *v;
    }
  }
  if (auto v = r.String("email", true)) {
    if (!IsEmailAddress(*v)) {
      errors.Add(r.PathOf("email"), "expected an e-mail address, got \"" + *v + "\"");
    } else {
      contact.email = *v;
    }
  }
  if (auto others = r.StringArray("other_contacts", false)) {
    for (size_t i = 0; i < others->size(); ++i) {
      const std::string& v = (*others)[i];
      bool email = v.find('@') != std::string::npos;
      if (email ? !IsEmailAddress(v) : !IsPhoneNumber(v)) {
        errors.Add(r.PathOf("other_contacts") + "[" + std::to_string(i) + "]",
                   "expected a North American number such as \"613-236-1222\" or an e-mail "
                   "address, got \"" +
                       v + "\"");
      }
    }
    contact.other_contacts = *others;
  }
  if (const auto* label = r.Object("label", true)) {
    ObjectReader l(errors, *label, r.PathOf("label"));
    if (auto v = l.String("fr", true)) {
      CheckText(errors, l.PathOf("fr"), *v);
      contact.label_fr = *v;
    }
    if (auto v = l.String("en", true)) {
      CheckText(errors, l.PathOf("en"), *v);
      contact.label_en = *v;
    }
    l.Finish();
  }
  r.Finish();
}

}  // namespace

Result<Bundle> ParseBundle(std::string_view text, const std::string& file) {
  auto json = ParseJsonText(text, file);
  if (!json.ok()) return json.status();
  JsonErrors errors(file);
  Bundle bundle;
  ObjectReader root(errors, *json, "$");
  if (auto format = root.Integer("format", true, 1, 1000)) {
    if (*format != kContentFormat) {
      errors.Add(root.PathOf("format"), "expected format " + std::to_string(kContentFormat) +
                                            " (this player's), got " + std::to_string(*format));
    }
  }
  if (auto name = root.String("name", true)) bundle.name = *name;
  if (const auto* contact = root.Object("contact", true)) {
    ReadContact(errors, *contact, root.PathOf("contact"), bundle.contact);
  }
  if (const auto* theme = root.Object("theme", false)) {
    ReadTheme(errors, *theme, root.PathOf("theme"), bundle.theme);
  }
  if (const auto* slides = root.Array("slides", true)) {
    if (slides->empty()) errors.Add(root.PathOf("slides"), "expected at least one slide");
    for (size_t i = 0; i < slides->size(); ++i) {
      std::string path = root.PathOf("slides") + "[" + std::to_string(i) + "]";
      ObjectReader s(errors, (*slides)[i], path);
      Slide slide;
      slide.theme = bundle.theme;
      if (auto id = s.String("id", true)) {
        slide.id = *id;
        for (const auto& other : bundle.slides) {
          if (other.id == *id) errors.Add(s.PathOf("id"), "duplicate slide id \"" + *id + "\"");
        }
      }
      if (const auto* fr = s.Object("fr", true))
        ReadSlideText(errors, *fr, s.PathOf("fr"), slide.fr);
      if (const auto* en = s.Object("en", true))
        ReadSlideText(errors, *en, s.PathOf("en"), slide.en);
      if (auto shared = s.StringArray("shared", false)) {
        for (size_t k = 0; k < shared->size(); ++k) {
          CheckText(errors, s.PathOf("shared") + "[" + std::to_string(k) + "]", (*shared)[k]);
        }
        slide.shared = *shared;
      }
      if (auto seconds = s.Integer("duration_s", false, 5, 600)) {
        slide.duration = Millis(*seconds * 1000);
        slide.duration_given = true;
      }
      if (const auto* theme = s.Object("theme", false)) {
        ReadTheme(errors, *theme, s.PathOf("theme"), slide.theme);
      }
      s.Finish();
      if (!slide.duration_given) slide.duration = ReadingTime(slide);
      bundle.slides.push_back(std::move(slide));
    }
  }
  root.Finish();
  if (!errors.empty()) return errors.ToStatus();
  return bundle;
}

Result<Bundle> LoadBundleDir(const std::filesystem::path& dir) {
  auto path = dir / kSlidesFileName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot be read (missing?)");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseBundle(text.str(), path.string());
}

}  // namespace kiosk
