#include "kiosk/core/content.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/core/json_fields.h"
#include "kiosk/core/language.h"
#include "kiosk/core/pinned_contact.h"

namespace kiosk {

const SlideText* Slide::text(std::string_view tag) const {
  for (const auto& [language, text] : texts) {
    if (language == tag) return &text;
  }
  return nullptr;
}

SlideText* Slide::text(std::string_view tag) {
  return const_cast<SlideText*>(std::as_const(*this).text(tag));
}

void Slide::SetText(std::string tag, SlideText text) {
  for (auto& [language, existing] : texts) {
    if (language == tag) {
      existing = std::move(text);
      return;
    }
  }
  texts.emplace_back(std::move(tag), std::move(text));
}

const std::string& Contact::LabelFor(std::string_view tag) const {
  static const std::string kNone;
  for (const auto& [language, label] : labels) {
    if (language == tag) return label;
  }
  return labels.empty() ? kNone : labels.front().second;
}

namespace {

// The line in tag, else the first one (empty when there is none).
const std::string& LineFor(const std::vector<std::pair<std::string, std::string>>& lines,
                           std::string_view tag) {
  static const std::string kNone;
  for (const auto& [language, line] : lines) {
    if (language == tag) return line;
  }
  return lines.empty() ? kNone : lines.front().second;
}

}  // namespace

const std::string& Contact::CallLabelFor(std::string_view tag) const {
  return LineFor(call_labels, tag);
}

const std::string& Contact::QrCaptionFor(std::string_view tag) const {
  return LineFor(qr_captions, tag);
}

const std::string& SlideImage::DescriptionFor(std::string_view tag) const {
  return LineFor(descriptions, tag);
}

std::vector<std::string> LanguagesShown(const Slide& slide,
                                        const std::vector<std::string>& unit_languages) {
  std::vector<std::string> shown;
  for (const auto& tag : unit_languages) {
    if (slide.text(tag) != nullptr && std::find(shown.begin(), shown.end(), tag) == shown.end()) {
      shown.push_back(tag);
    }
  }
  if (shown.empty()) {
    for (const auto& [tag, text] : slide.texts) shown.push_back(tag);
  }
  return shown;
}

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

size_t CountWords(const SlideText& text) {
  size_t words = CountWords(text.title);
  for (const auto& p : text.body) words += CountWords(p);
  return words;
}

Millis ReadingTime(const Slide& slide) {
  size_t most = 0;
  for (const auto& [tag, t] : slide.texts) most = std::max(most, CountWords(t));
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

using OrderedJson = nlohmann::ordered_json;

// The keys of an object in the order the file gives them (nlohmann::json
// sorts them; the order of languages is the author's). ordered is the same
// object parsed with its order kept, or nullptr; then the sorted order.
std::vector<std::string> KeysInFileOrder(const nlohmann::json& object, const OrderedJson* ordered) {
  std::vector<std::string> keys;
  if (ordered != nullptr && ordered->is_object()) {
    for (auto it = ordered->begin(); it != ordered->end(); ++it) {
      if (object.contains(it.key()) &&
          std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
        keys.push_back(it.key());
      }
    }
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
  }
  return keys;
}

// The child of an ordered object, or nullptr.
const OrderedJson* Child(const OrderedJson* parent, const std::string& key) {
  if (parent == nullptr || !parent->is_object()) return nullptr;
  auto it = parent->find(key);
  return it == parent->end() ? nullptr : &*it;
}
const OrderedJson* Child(const OrderedJson* parent, size_t index) {
  if (parent == nullptr || !parent->is_array() || index >= parent->size()) return nullptr;
  return &(*parent)[index];
}

// Reports a key that is not a language tag; returns whether it is one.
bool CheckLanguageTag(JsonErrors& errors, const std::string& path, const std::string& tag) {
  if (IsLanguageTag(tag)) return true;
  errors.Add(path,
             "expected a language tag such as \"fr\", \"iu\" or \"sr-Latn\" (2 or 3 lowercase "
             "letters, then any \"-\" subtags of 2 to 8 letters or digits), got \"" +
                 tag + "\"");
  return false;
}

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

void ReadContact(JsonErrors& errors, const nlohmann::json& value, const OrderedJson* ordered,
                 const std::string& path, Contact& contact) {
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
  // A line per language tag: "label" (required), "call" and "qr_caption"
  // (optional: absent, the built-in French and English ones stay).
  auto read_per_language = [&](const char* key, bool required, const char* what,
                               const char* example,
                               std::vector<std::pair<std::string, std::string>>& into) {
    const auto* object = r.Object(key, required);
    if (object == nullptr) return;
    ObjectReader l(errors, *object, r.PathOf(key));
    if (object->empty()) {
      errors.Add(r.PathOf(key),
                 std::string("expected ") + what + " in at least one language, such as " + example);
    }
    into.clear();
    for (const auto& tag : KeysInFileOrder(*object, Child(ordered, key))) {
      if (!CheckLanguageTag(errors, l.PathOf(tag), tag)) continue;
      if (auto v = l.String(tag, true)) {
        CheckText(errors, l.PathOf(tag), *v);
        into.emplace_back(tag, *v);
      }
    }
    // Every key was read above (as a tag or refused as one): no Finish().
  };
  read_per_language("label", true, "a label",
                    "{\"fr\": \"Besoin d’aide ?\", \"en\": \"Need help?\"}", contact.labels);
  read_per_language("call", false, "a call label", "{\"fr\": \"Appelez\", \"en\": \"Call\"}",
                    contact.call_labels);
  read_per_language("qr_caption", false, "a caption",
                    "{\"fr\": \"Scannez pour appeler\", \"en\": \"Scan to call\"}",
                    contact.qr_captions);
  r.Finish();
}

// "YYYY-MM-DD", a real date from 1970 on.
std::optional<LocalTime> ParseDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  int field = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) {
      ++field;
    } else if (text[i] >= '0' && text[i] <= '9') {
      fields[field] = fields[field] * 10 + (text[i] - '0');
    } else {
      return std::nullopt;
    }
  }
  LocalTime date{fields[0], fields[1], fields[2]};
  if (date.year < 1970 || date.month < 1 || date.month > 12 || date.day < 1) return std::nullopt;
  // Day arithmetic normalises 2026-02-30 to 2026-03-02: not a date.
  if (AddDays(date, 0) != date) return std::nullopt;
  return date;
}

// "HH:MM" from "00:00" to "23:59" ("24:00" too when allow_24), as seconds
// since midnight.
std::optional<int> ParseClockTime(const std::string& text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24))) return std::nullopt;
  return (h * 60 + m) * 60;
}

constexpr const char* kWeekdayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// A "schedule" object (docs/content-format.md).
std::optional<Schedule> ReadSchedule(JsonErrors& errors, const nlohmann::json& value,
                                     const std::string& path) {
  ObjectReader r(errors, value, path);
  if (!r.is_object()) return std::nullopt;
  Schedule schedule;
  const bool any = r.Has("from") || r.Has("until") || r.Has("weekdays") || r.Has("hours");
  for (const char* key : {"from", "until"}) {
    if (auto text = r.String(key, false)) {
      auto date = ParseDate(*text);
      if (!date) {
        errors.Add(r.PathOf(key), "expected a date as \"YYYY-MM-DD\", got \"" + *text + "\"");
      } else {
        (std::string(key) == "from" ? schedule.from : schedule.until) = date;
      }
    }
  }
  if (schedule.from && schedule.until && *schedule.until < *schedule.from) {
    errors.Add(r.PathOf("until"), "expected a date on or after from (" +
                                      ToString(*schedule.from).substr(0, 10) + "), got \"" +
                                      ToString(*schedule.until).substr(0, 10) + "\"");
  }
  if (auto days = r.StringArray("weekdays", false)) {
    schedule.weekdays = 0;
    if (days->empty()) {
      errors.Add(r.PathOf("weekdays"),
                 "expected at least one of \"mon\" ... \"sun\" (leave weekdays out for every day)");
    }
    for (size_t i = 0; i < days->size(); ++i) {
      const std::string item_path = r.PathOf("weekdays") + "[" + std::to_string(i) + "]";
      int found = -1;
      for (int d = 0; d < 7; ++d) {
        if ((*days)[i] == kWeekdayNames[d]) found = d;
      }
      if (found < 0) {
        errors.Add(item_path,
                   "expected one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", "
                   "\"sun\", got \"" +
                       (*days)[i] + "\"");
      } else if (schedule.weekdays & (1u << found)) {
        errors.Add(item_path, "expected each weekday once, got \"" + (*days)[i] + "\" again");
      } else {
        schedule.weekdays |= 1u << found;
      }
    }
  }
  if (const auto* hours = r.Array("hours", false)) {
    if (hours->empty()) {
      errors.Add(r.PathOf("hours"),
                 "expected at least one {\"from\": \"HH:MM\", \"until\": \"HH:MM\"} (leave hours "
                 "out for all day)");
    }
    for (size_t i = 0; i < hours->size(); ++i) {
      ObjectReader w(errors, (*hours)[i], r.PathOf("hours") + "[" + std::to_string(i) + "]");
      DailyWindow window;
      bool complete = true;
      for (const char* key : {"from", "until"}) {
        const bool is_until = std::string(key) == "until";
        auto text = w.String(key, true);
        std::optional<int> at = text ? ParseClockTime(*text, is_until) : std::nullopt;
        if (text && !at) {
          errors.Add(w.PathOf(key), std::string("expected a time of day as \"HH:MM\" from ") +
                                        "\"00:00\" to " + (is_until ? "\"24:00\"" : "\"23:59\"") +
                                        ", got \"" + *text + "\"");
        }
        if (!at) complete = false;
        (is_until ? window.until : window.from) = at.value_or(0);
      }
      w.Finish();
      if (!complete) continue;
      if (window.from == window.until % 86400) {
        errors.Add(w.PathOf("until"),
                   "expected a time other than from (a window of no time, or of a whole day: "
                   "leave hours out for all day)");
        continue;
      }
      schedule.hours.push_back(window);
    }
  }
  r.Finish();
  if (!any) {
    errors.Add(path,
               "expected at least one of from, until, weekdays, hours (leave schedule out to show "
               "always)");
  }
  return schedule;
}

// A bundle-relative file path: segments of [A-Za-z0-9._-] separated by
// single '/', none starting with '.' (no "..", no hidden file), at most 200
// characters: what a manifest may list (docs/bundle-format.md).
bool IsBundleFilePath(const std::string& path) {
  if (path.empty() || path.size() > 200) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end == start || path[start] == '.') return false;
    for (size_t i = start; i < end; ++i) {
      char c = path[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// A slide's "image" object; the slide's texts are read first, so that a
// description is asked for in each of its languages.
std::optional<SlideImage> ReadSlideImage(JsonErrors& errors, const nlohmann::json& value,
                                         const OrderedJson* ordered, const std::string& path,
                                         const Slide& slide) {
  ObjectReader r(errors, value, path);
  if (!r.is_object()) return std::nullopt;
  SlideImage image;
  if (auto file = r.String("file", true)) {
    if (!IsBundleFilePath(*file)) {
      errors.Add(r.PathOf("file"),
                 "expected a file of the bundle such as \"images/poster.png\" (letters, digits, "
                 "'.', '_', '-' and '/' between folders; no segment starting with '.'), got \"" +
                     *file + "\"");
    } else {
      image.file = *file;
    }
  }
  if (const auto* description = r.Object("description", true)) {
    ObjectReader d(errors, *description, r.PathOf("description"));
    for (const auto& tag : KeysInFileOrder(*description, Child(ordered, "description"))) {
      if (!CheckLanguageTag(errors, d.PathOf(tag), tag)) continue;
      if (auto v = d.String(tag, true)) {
        CheckText(errors, d.PathOf(tag), *v);
        if (CodePoints(*v) > kMaxImageDescription) {
          errors.Add(d.PathOf(tag), "expected a short description (at most " +
                                        std::to_string(kMaxImageDescription) +
                                        " characters), got " + std::to_string(CodePoints(*v)));
        }
        image.descriptions.emplace_back(tag, *v);
      }
    }
    for (const auto& [tag, text] : slide.texts) {
      bool found = std::any_of(image.descriptions.begin(), image.descriptions.end(),
                               [&tag](const auto& entry) { return entry.first == tag; });
      if (!found && !description->contains(tag)) {
        errors.Add(r.PathOf("description"), "expected a description in \"" + tag +
                                                "\" too (the slide has \"" + tag + "\" text)");
      }
    }
  }
  r.Finish();
  return image;
}

// The slide's words: the "text" object keyed by language tag, or the older
// slide-level "fr" and "en" objects (both required then); not both forms.
void ReadSlideTexts(JsonErrors& errors, ObjectReader& s, const OrderedJson* ordered_slide,
                    Slide& slide) {
  const bool legacy = s.Has("fr") || s.Has("en");
  if (legacy && s.Has("text")) {
    errors.Add(s.path(),
               "expected either \"text\" (words keyed by language) or the older \"fr\" and "
               "\"en\", not both");
  }
  if (legacy) {
    for (const char* tag : {"fr", "en"}) {
      if (const auto* words = s.Object(tag, true)) {
        SlideText t;
        ReadSlideText(errors, *words, s.PathOf(tag), t);
        slide.SetText(tag, std::move(t));
      }
    }
    if (s.Has("text")) s.Object("text", false);  // reported above; not also "unknown"
    return;
  }
  const auto* text = s.Object("text", true);
  if (text == nullptr) return;
  const std::string path = s.PathOf("text");
  if (text->empty()) {
    errors.Add(path,
               "expected the slide's words in at least one language, such as "
               "{\"fr\": {\"title\": \"...\"}}");
  }
  for (const auto& tag : KeysInFileOrder(*text, Child(ordered_slide, "text"))) {
    if (!CheckLanguageTag(errors, path + "." + tag, tag)) continue;
    SlideText t;
    ReadSlideText(errors, text->at(tag), path + "." + tag, t);
    slide.SetText(tag, std::move(t));
  }
}

}  // namespace

std::optional<Schedule> ReadScheduleObject(JsonErrors& errors, const nlohmann::json& value,
                                           const std::string& path) {
  return ReadSchedule(errors, value, path);
}

Result<Bundle> ParseBundle(std::string_view text, const std::string& file) {
  auto json = ParseJsonText(text, file);
  if (!json.ok()) return json.status();
  // The same text again, keeping the order of keys: the order of languages
  // is the author's.
  const OrderedJson ordered = OrderedJson::parse(text.begin(), text.end(), nullptr, false);
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
    ReadContact(errors, *contact, Child(&ordered, "contact"), root.PathOf("contact"),
                bundle.contact);
  }
  if (const auto* theme = root.Object("theme", false)) {
    ReadTheme(errors, *theme, root.PathOf("theme"), bundle.theme);
  }
  if (const auto* schedule = root.Object("schedule", false)) {
    bundle.schedule = ReadSchedule(errors, *schedule, root.PathOf("schedule"));
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
      ReadSlideTexts(errors, s, Child(Child(&ordered, "slides"), i), slide);
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
      if (const auto* schedule = s.Object("schedule", false)) {
        slide.schedule = ReadSchedule(errors, *schedule, s.PathOf("schedule"));
      }
      if (const auto* image = s.Object("image", false)) {
        slide.image =
            ReadSlideImage(errors, *image, Child(Child(Child(&ordered, "slides"), i), "image"),
                           s.PathOf("image"), slide);
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

Result<Bundle> LoadBundleDir(FileStore& store, const std::filesystem::path& dir) {
  auto path = dir / kSlidesFileName;
  auto text = store.ReadFile(path);
  if (text.status().code() == Status::Code::kNotFound) {
    return Status::NotFound(path.string() +
                            ": no such file (a content directory holds its slides in it)");
  }
  // Any other failure: the store's message names the path and the reason.
  if (!text.ok()) return text.status();
  return ParseBundle(*text, path.string());
}

}  // namespace kiosk
