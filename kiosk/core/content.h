// The content model: a bundle of multilingual slides, as read from slides.json
// (format documented in docs/content-format.md). Parsing is strict: unknown
// fields, wrong types and bad values are errors naming the file, the JSON path
// and what was expected. Parsing checks the schema only; whether the text fits
// the screen and meets contrast is checked by validate.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"
#include "kiosk/core/time_zone.h"

namespace kiosk {

// The name of the content file inside a bundle directory.
inline constexpr const char* kSlidesFileName = "slides.json";
inline constexpr int kContentFormat = 1;

struct Color {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Color&) const = default;
};

struct Theme {
  Color background{0x0B, 0x1F, 0x33};       // deep navy
  Color text{0xFF, 0xFF, 0xFF};             // body text
  Color accent{0xFF, 0xD5, 0x4A};           // titles
  Color band_background{0xFF, 0xD5, 0x4A};  // the help band
  Color band_text{0x00, 0x00, 0x00};
  bool operator==(const Theme&) const = default;
};

// One slide's words in one language.
struct SlideText {
  std::string title;
  std::vector<std::string> body;  // paragraphs, each wrapped on its own
};

// One daily window of a schedule, in seconds since local midnight: shown from
// `from` up to (not including) `until`. until == 86400 is "24:00". A window
// whose until is earlier than its from crosses midnight ("22:00"-"06:00") and
// belongs to the day it starts on (weekdays and dates apply to that day).
struct DailyWindow {
  int from = 0;
  int until = 86400;
  bool operator==(const DailyWindow&) const = default;
};

// When a slide, or a whole bundle, is shown, in the unit's local time
// (docs/content-format.md, "schedule"; schedule.h decides). Each part is
// optional and the parts combine with "and"; a part absent places no limit.
struct Schedule {
  std::optional<LocalTime> from;   // first day shown (date only)
  std::optional<LocalTime> until;  // last day shown, inclusive (date only)
  // Bit d set = shown on weekday d (0 = Monday ... 6 = Sunday).
  unsigned weekdays = 0x7F;
  std::vector<DailyWindow> hours;  // empty = all day
  bool operator==(const Schedule&) const = default;
};

// Texts keyed by language tag (language.h), in the bundle's order. A list,
// not a map: the order is the author's, and the fallback when a slide has
// none of the unit's languages.
using SlideTexts = std::vector<std::pair<std::string, SlideText>>;

// One picture on a slide (docs/content-format.md, "image"): a PNG or JPEG
// file of the bundle, and what it shows, in words, per language (a
// passer-by who cannot see it, the status file, the logs). image_check.h
// says which files a unit accepts.
struct SlideImage {
  std::string file;  // bundle-relative, '/'-separated, e.g. "images/poster.png"
  // Language tag -> description, in the file's order; one for each language
  // of the slide's text.
  std::vector<std::pair<std::string, std::string>> descriptions;
  // Not in the file: set by AttachImages (image_check.h) from the bytes that
  // were checked (and, in a signed bundle, verified against the manifest),
  // so what is drawn is what was checked. 0 / null until then.
  int width = 0, height = 0;
  std::shared_ptr<const std::string> bytes;
  // The description in tag, else the first one.
  const std::string& DescriptionFor(std::string_view tag) const;
  bool operator==(const SlideImage&) const = default;
};

// Longest image description, in code points: a caption, not an essay.
inline constexpr size_t kMaxImageDescription = 150;

struct Slide {
  std::string id;
  // At least one language; each tag once.
  SlideTexts texts;
  // Language-neutral lines (names of organisations, numbers) shown once,
  // below the languages, in as many columns as fit.
  std::vector<std::string> shared;
  // How long the slide stays on screen. Either given in the file or derived
  // from its reading time (see ReadingTime).
  Millis duration{0};
  bool duration_given = false;
  Theme theme;
  // Absent = shown whenever the bundle is.
  std::optional<Schedule> schedule;
  // At most one picture; absent = text only.
  std::optional<SlideImage> image;

  // The text in tag, or nullptr when the slide has none in it.
  const SlideText* text(std::string_view tag) const;
  SlideText* text(std::string_view tag);
  // Sets (or replaces) the text in tag; a new tag goes last.
  void SetText(std::string tag, SlideText text);
};

// How to reach help: shown on every frame, in the band.
struct Contact {
  std::string hotline;  // as displayed: "1-800-292-1168"
  std::string email;    // "HumanTrafficking@ottawapolice.ca"
  // The short line above the number, per language tag, in the bundle's
  // order; at least one.
  std::vector<std::pair<std::string, std::string>> labels;
  std::string QrPayload() const;  // "tel:+18002921168": opens the dialler, nothing else
  // The label in tag; a language without one gets the bundle's first label
  // (a band never goes without one). Empty only when there is no label.
  const std::string& LabelFor(std::string_view tag) const;
  // What the band says to do, per language tag, in the bundle's order:
  // the word before the number ("contact.call") and the caption under the
  // QR code ("contact.qr_caption"). A file without them keeps these.
  std::vector<std::pair<std::string, std::string>> call_labels = {{"fr", "Appelez"},
                                                                  {"en", "Call"}};
  std::vector<std::pair<std::string, std::string>> qr_captions = {{"fr", "Scannez pour appeler"},
                                                                  {"en", "Scan to call"}};
  // The call label and QR caption in tag; a language without its own gets
  // the first one (as LabelFor).
  const std::string& CallLabelFor(std::string_view tag) const;
  const std::string& QrCaptionFor(std::string_view tag) const;
  // A venue or partner logo: a PNG in the bundle, drawn in the band's logo
  // slot (FrameLayout::logo_slot). Empty = none (the built-in bundle: the
  // source gives no logo, and we do not invent one). Not read from
  // slides.json yet: the images work adds "contact.logo".
  std::string logo = {};
  // Other phone numbers and e-mail addresses slide text may show (a local
  // line, a partner's number): any other number or address in the text is a
  // `kiosk validate` error (contact_mentions.h).
  std::vector<std::string> other_contacts = {};
};

struct Bundle {
  int format = kContentFormat;
  std::string name;  // for logs and the status file
  Contact contact;
  Theme theme;
  std::vector<Slide> slides;
  // Absent = always; present, it limits every slide (and the slide's own
  // schedule limits it further).
  std::optional<Schedule> schedule;
};

// Which slide of a bundle, in which language(s): what one frame shows.
struct SlideView {
  size_t slide_index = 0;
  // The tags shown, each one the slide has: one (alone on the slide) or two
  // (a pair, at the same size, the first leading). Empty = the slide's own
  // first two languages, as the bundle orders them.
  std::vector<std::string> languages = {};
};

// The languages a unit with unit_languages (its order) shows a slide in: the
// unit's languages the slide has, in the unit's order; if the slide has none
// of them, the slide's own languages in the bundle's order, so a slide is
// never blank.
std::vector<std::string> LanguagesShown(const Slide& slide,
                                        const std::vector<std::string>& unit_languages);

// Reading time for a slide a passer-by reads in one language: a slow pace
// (kReadingWordsPerMinute) over the longest language's word count plus a
// settle time, never below kMinimumSlideDuration nor above
// kMaximumDerivedDuration.
inline constexpr int kReadingWordsPerMinute = 100;
inline constexpr Millis kSettleTime{3000};
inline constexpr Millis kMinimumSlideDuration{10000};
inline constexpr Millis kMaximumDerivedDuration{45000};
Millis ReadingTime(const Slide& slide);
size_t CountWords(const std::string& text);
// A language's words on a slide: its title's and its paragraphs'.
size_t CountWords(const SlideText& text);

// Parses slides.json text; file is used in messages.
Result<Bundle> ParseBundle(std::string_view text, const std::string& file);

class JsonErrors;
// One "schedule" object (docs/content-format.md) at JSON path `path`, as
// slides.json's are read (display.power in the configuration reads its
// windows with it too). Each problem goes to errors; nullopt when value is
// not an object.
std::optional<Schedule> ReadScheduleObject(JsonErrors& errors, const nlohmann::json& value,
                                           const std::string& path);
// Reads <dir>/slides.json through store and parses it. NotFound naming the
// path if it is missing; the store's error (path and reason) if it cannot be
// read.
Result<Bundle> LoadBundleDir(FileStore& store, const std::filesystem::path& dir);

// "#RRGGBB" -> Color.
std::optional<Color> ParseColor(std::string_view text);

}  // namespace kiosk
