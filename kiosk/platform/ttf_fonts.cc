#include "kiosk/platform/ttf_fonts.h"

#include <fontconfig/fontconfig.h>
#include <fribidi.h>
#include <malloc.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <mutex>

#include "kiosk/core/update/sha256.h"
#include "kiosk/platform/pinned_font_digests.h"

namespace kiosk {
namespace {

// SDL_ttf shares one FreeType library between all fonts. FreeType allows
// faces to be used from different threads, but creating and destroying them
// must be serialised: the render thread and the updater's validation each
// have their own FontSet and take this lock to open or close a face.
std::mutex g_face_lifecycle;

int FaceIndex(FontFace face) { return face == FontFace::kBold ? 1 : 0; }

// Decodes one UTF-8 code point at text[i], advancing i. Malformed bytes
// decode as U+FFFD so the fallback font shows a replacement, not a crash.
uint32_t NextCodePoint(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += n;
  return cp;
}

// What each Latin slot is, as a fontconfig pattern: the system font asked
// for when the pinned file is damaged (same family and weight). Script
// slots have none: their script falls back to DejaVu Sans instead.
constexpr const char* kSystemPattern[4] = {"Noto Sans", "Noto Sans:bold", "DejaVu Sans",
                                           "DejaVu Sans:bold"};
constexpr int kLatinSlots = 4;

// The scripts FontSet tells HarfBuzz apart. Common and inherited characters
// (digits, punctuation, spaces, combining marks) take their neighbour's.
enum class Script : uint8_t {
  kCommon,
  kInherited,
  kLatin,
  kGreek,
  kCyrillic,
  kHebrew,
  kArabic,
  kSyllabics,
  kOther
};

const char* ScriptTag(Script script) {
  switch (script) {
    case Script::kLatin:
      return "Latn";
    case Script::kGreek:
      return "Grek";
    case Script::kCyrillic:
      return "Cyrl";
    case Script::kHebrew:
      return "Hebr";
    case Script::kArabic:
      return "Arab";
    case Script::kSyllabics:
      return "Cans";
    case Script::kCommon:
      return "Zyyy";
    case Script::kInherited:
      return "Zinh";
    case Script::kOther:
      break;
  }
  return "Zzzz";
}

bool In(char32_t cp, char32_t first, char32_t last) { return cp >= first && cp <= last; }

// The Unicode script of cp for the blocks a sign uses (Scripts.txt, by
// block, with the common characters inside them); anything else is kOther
// or, for symbols and punctuation blocks, kCommon.
Script ScriptOf(char32_t cp) {
  if (cp < 0x80) {
    return In(cp, 'A', 'Z') || In(cp, 'a', 'z') ? Script::kLatin : Script::kCommon;
  }
  if (cp < 0x250) {
    if (cp == 0xAA || cp == 0xBA) return Script::kLatin;
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7) return Script::kCommon;
    return Script::kLatin;
  }
  if (In(cp, 0x250, 0x2AF) || In(cp, 0x1D00, 0x1D7F) || In(cp, 0x1E00, 0x1EFF) ||
      In(cp, 0x2C60, 0x2C7F) || In(cp, 0xA720, 0xA7FF) || In(cp, 0xAB30, 0xAB6F) ||
      In(cp, 0xFB00, 0xFB06) || In(cp, 0xFF21, 0xFF3A) || In(cp, 0xFF41, 0xFF5A)) {
    return Script::kLatin;
  }
  if (In(cp, 0x2B0, 0x2FF)) return Script::kCommon;  // spacing modifier letters
  if (In(cp, 0x300, 0x36F) || In(cp, 0x1AB0, 0x1AFF) || In(cp, 0x1DC0, 0x1DFF) ||
      In(cp, 0x20D0, 0x20FF) || In(cp, 0xFE00, 0xFE0F) || In(cp, 0xFE20, 0xFE2F) ||
      In(cp, 0x64B, 0x655) || cp == 0x670 || cp == 0x200C || cp == 0x200D) {
    return Script::kInherited;
  }
  if (In(cp, 0x370, 0x3FF)) return cp == 0x37E || cp == 0x387 ? Script::kCommon : Script::kGreek;
  if (In(cp, 0x1F00, 0x1FFF)) return Script::kGreek;
  if (In(cp, 0x400, 0x52F) || In(cp, 0x1C80, 0x1C8F) || In(cp, 0x2DE0, 0x2DFF) ||
      In(cp, 0xA640, 0xA69F)) {
    return Script::kCyrillic;
  }
  if (In(cp, 0x591, 0x5FF) || In(cp, 0xFB1D, 0xFB4F)) return Script::kHebrew;
  if (In(cp, 0x600, 0x6FF)) {
    bool common = cp == 0x60C || cp == 0x61B || cp == 0x61F || cp == 0x640 || cp == 0x6DD;
    return common ? Script::kCommon : Script::kArabic;
  }
  if (In(cp, 0x750, 0x77F) || In(cp, 0x870, 0x8FF) || In(cp, 0xFB50, 0xFDFF) ||
      In(cp, 0xFE70, 0xFEFE) || In(cp, 0x10E60, 0x10E7F) || In(cp, 0x1EE00, 0x1EEFF)) {
    return Script::kArabic;
  }
  if (In(cp, 0x1400, 0x167F) || In(cp, 0x18B0, 0x18FF) || In(cp, 0x11AB0, 0x11ABF)) {
    return Script::kSyllabics;
  }
  if (In(cp, 0x2000, 0x2BFF) || In(cp, 0x2E00, 0x2E7F) || In(cp, 0x3000, 0x3004) ||
      In(cp, 0xFE10, 0xFE1F) || In(cp, 0xFE30, 0xFE6F) || In(cp, 0xFEFF, 0xFF20) ||
      In(cp, 0xFF3B, 0xFF40) || In(cp, 0xFF5B, 0xFF65) || In(cp, 0xFFF0, 0xFFFF) ||
      In(cp, 0x1F000, 0x1FAFF)) {
    return Script::kCommon;
  }
  return Script::kOther;
}

// Whether cp may give the line a right-to-left level: right-to-left
// letters, Arabic digits and the explicit bidi controls. A line without
// any has every level 0, so FriBidi is skipped.
bool MayBeRightToLeft(char32_t cp) {
  return In(cp, 0x590, 0x8FF) || In(cp, 0xFB1D, 0xFDFF) || In(cp, 0xFE70, 0xFEFE) || cp == 0x200F ||
         In(cp, 0x202A, 0x202E) || In(cp, 0x2066, 0x2069) || In(cp, 0x10800, 0x10FFF) ||
         In(cp, 0x1E800, 0x1EFFF);
}

bool IsAsciiAlnum(char32_t cp) { return In(cp, '0', '9') || In(cp, 'A', 'Z') || In(cp, 'a', 'z'); }

// What joins the parts of a phone number, e-mail or web address.
bool IsTokenJoiner(char32_t cp) {
  return cp == '-' || cp == '.' || cp == '@' || cp == '_' || cp == '+' || cp == '/' || cp == ':';
}

// Spaces and controls: never undrawable (they draw nothing).
bool DrawsNothing(char32_t cp) {
  return cp <= 0x20 || In(cp, 0x7F, 0xA0) || cp == 0xAD || cp == 0x61C || cp == 0x1680 ||
         In(cp, 0x2000, 0x200F) || In(cp, 0x2028, 0x202F) || In(cp, 0x205F, 0x206F) ||
         cp == 0x3000 || cp == 0xFEFF || In(cp, 0xFFF9, 0xFFFB);
}

// Spaces join the run before them whatever font has them (as they always
// did), so a space between two words of one font does not split its run.
bool IsJoiningSpace(char32_t cp) { return cp == ' ' || cp == 0xA0 || cp == 0x202F; }

// What a substitute must draw: the hotline, the e-mail, Latin text and
// every French accent. A font lacking any of these would show boxes.
constexpr char32_t kRequiredGlyphs[] =
    U"0123456789@-.+ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    U"àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ";

// How many of fontconfig's ranked candidates are tried before giving up.
constexpr int kMaxSystemCandidates = 16;

const char* EmbeddedDigest(std::string_view file) {
  for (const auto& pinned : kPinnedFontDigests) {
    if (file == pinned.file) return pinned.sha256;
  }
  return nullptr;
}

// The whole file, or why not (without the path).
Result<std::vector<uint8_t>> ReadWholeFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("missing");
  auto size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) return Status::Io("unreadable");
  std::vector<uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in) return Status::Io("could not be read whole");
  return bytes;
}

// Scalable system font files fontconfig ranks best for pattern, best first.
// Only face 0 of a file is usable (SDL_ttf opens that one from memory).
std::vector<std::filesystem::path> SystemFontCandidates(const char* pattern) {
  std::vector<std::filesystem::path> files;
  // A config of our own: nothing global, so the render thread and the
  // updater's validation may both look up fonts.
  FcConfig* config = FcInitLoadConfigAndFonts();
  if (config == nullptr) return files;
  FcPattern* wanted = FcNameParse(reinterpret_cast<const FcChar8*>(pattern));
  if (wanted != nullptr) {
    FcConfigSubstitute(config, wanted, FcMatchPattern);
    FcDefaultSubstitute(wanted);
    FcResult result = FcResultNoMatch;
    FcFontSet* sorted = FcFontSort(config, wanted, /*trim=*/FcFalse, nullptr, &result);
    for (int i = 0; sorted != nullptr && i < sorted->nfont; ++i) {
      if (static_cast<int>(files.size()) >= kMaxSystemCandidates) break;
      FcPattern* font = sorted->fonts[i];
      FcBool scalable = FcFalse;
      FcChar8* file = nullptr;
      int index = 0;
      if (FcPatternGetBool(font, FC_SCALABLE, 0, &scalable) != FcResultMatch || !scalable) continue;
      if (FcPatternGetInteger(font, FC_INDEX, 0, &index) == FcResultMatch && index != 0) continue;
      if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch) continue;
      files.emplace_back(reinterpret_cast<const char*>(file));
    }
    if (sorted != nullptr) FcFontSetDestroy(sorted);
    FcPatternDestroy(wanted);
  }
  FcConfigDestroy(config);
  return files;
}

bool SameFile(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

// The pinned file of each slot.
constexpr const char* kSlotFiles[] = {FontSet::kRegularFile,          FontSet::kBoldFile,
                                      FontSet::kFallbackRegularFile,  FontSet::kFallbackBoldFile,
                                      FontSet::kArabicRegularFile,    FontSet::kArabicBoldFile,
                                      FontSet::kSyllabicsRegularFile, FontSet::kSyllabicsBoldFile};

}  // namespace

Result<std::unique_ptr<FontSet>> FontSet::Open(const std::filesystem::path& dir, Loading loading) {
  std::unique_lock<std::mutex> init_lock(g_face_lifecycle);
  if (TTF_WasInit() == 0 && TTF_Init() != 0) {
    return Status::Internal(std::string("TTF_Init failed: ") + TTF_GetError());
  }
  init_lock.unlock();
  std::unique_ptr<FontSet> set(new FontSet());
  set->dir_ = dir;
  // Noto Sans, regular and bold (slots 0 and 1), draw the hotline.
  const int now = loading == Loading::kAll ? kSlots : 2;
  // The bold files (odd slots) are read and checked on a second thread
  // beside the regular ones: hashing Noto Sans was the player's longest wait
  // before its first frame. The default policy runs it on this thread
  // instead when no thread can be started.
  auto bold = std::async([&dir, now] {
    std::vector<CheckedFile> checked;
    for (int slot = 1; slot < now; slot += 2) checked.push_back(ReadPinned(dir, slot));
    return checked;
  });
  std::vector<CheckedFile> regular;
  for (int slot = 0; slot < now; slot += 2) regular.push_back(ReadPinned(dir, slot));
  std::vector<CheckedFile> bolds = bold.get();
  for (int slot = 0; slot < now; ++slot) {
    set->loaded_[slot] = true;
    CheckedFile& file = slot % 2 == 0 ? regular[slot / 2] : bolds[slot / 2];
    if (Status s = set->LoadChecked(slot, std::move(file)); !s.ok()) return s;
  }
  return set;
}

void FontSet::LoadAll() {
  for (int slot = 0; slot < kSlots; ++slot) {
    if (!loaded_[slot]) LoadLater(slot);
  }
}

void FontSet::LoadLater(int slot) {
  loaded_[slot] = true;
  // Only DejaVu Sans can fail here: Noto Sans was loaded by Open, which
  // fails without it, and a damaged script font is a problem, not an error.
  if (Status s = LoadSlot(slot); !s.ok()) {
    problems_.push_back(s.message() + "; characters Noto Sans lacks are left undrawn");
  }
}

FontSet::CheckedFile FontSet::ReadPinned(const std::filesystem::path& dir, int slot) {
  CheckedFile checked;
  auto bytes = ReadWholeFile(dir / kSlotFiles[slot]);
  if (!bytes.ok()) {
    checked.damage = bytes.status().message();
    return checked;
  }
  // The bytes are in memory anyway; hashing them is what tells a truncated
  // or altered file from the one the build pinned.
  const char* digest = EmbeddedDigest(kSlotFiles[slot]);
  std::string_view view(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  if (digest == nullptr || update::Sha256Hex(view) != digest) {
    checked.damage = "sha256 mismatch (damaged or truncated)";
    return checked;
  }
  checked.bytes = std::move(*bytes);
  return checked;
}

Status FontSet::LoadSlot(int slot) { return LoadChecked(slot, ReadPinned(dir_, slot)); }

Status FontSet::LoadChecked(int slot, CheckedFile checked) {
  const auto path = dir_ / kSlotFiles[slot];
  std::string damage = std::move(checked.damage);  // empty: intact and loaded
  if (damage.empty() && !Use(slot, std::move(checked.bytes), /*check_glyphs=*/false)) {
    damage = std::string("cannot be loaded: ") + TTF_GetError();
  }
  if (damage.empty()) {
    sources_[slot] = path.string();
    return Status::Ok();
  }
  if (slot >= kLatinSlots) {
    // Not needed for the hotline: the Latin fonts carry on, and DejaVu
    // Sans draws this script's characters it has.
    problems_.push_back(path.string() + ": " + damage +
                        "; its script is drawn with DejaVu Sans instead");
    return Status::Ok();
  }
  std::string substitute;
  for (const auto& candidate : SystemFontCandidates(kSystemPattern[slot])) {
    if (SameFile(candidate, path)) continue;
    auto system_bytes = ReadWholeFile(candidate);
    if (system_bytes.ok() && Use(slot, std::move(*system_bytes), /*check_glyphs=*/true)) {
      substitute = candidate.string();
      sources_[slot] = substitute;
      break;
    }
  }
  if (substitute.empty()) {
    return Status::NotFound("font file " + path.string() + ": " + damage +
                            "; no usable system font matches \"" + kSystemPattern[slot] +
                            "\" either (install fonts-dejavu-core, or reinstall kiosk)");
  }
  problems_.push_back(path.string() + ": " + damage + "; using " + substitute + " from the system");
  return Status::Ok();
}

bool FontSet::Use(int slot, std::vector<uint8_t> bytes, bool check_glyphs) {
  files_[slot] = std::move(bytes);
  // Open it once now so a corrupt file is found at start-up, not as a blank
  // slide.
  TTF_Font* font = Font(slot, 32);
  bool usable = font != nullptr;
  for (size_t i = 0; usable && check_glyphs && kRequiredGlyphs[i] != 0; ++i) {
    usable = TTF_GlyphIsProvided32(font, static_cast<Uint32>(kRequiredGlyphs[i])) != 0;
  }
  if (!usable) {
    if (font != nullptr) {
      std::lock_guard<std::mutex> lock(g_face_lifecycle);
      TTF_CloseFont(font);
    }
    sized_.erase(slot << 16 | 32);
    files_[slot].clear();
  }
  return usable;
}

FontSet::~FontSet() {
  std::lock_guard<std::mutex> lock(g_face_lifecycle);
  for (auto& [key, font] : sized_) TTF_CloseFont(font);
}

TTF_Font* FontSet::Font(int slot, int px) {
  px = std::clamp(px, 1, 2000);
  int key = slot << 16 | px;
  if (auto it = sized_.find(key); it != sized_.end()) return it->second;
  // Left for later by Open(dir, kOnDemand): a character needs it now.
  if (!loaded_[slot]) {
    LoadLater(slot);
    return Font(slot, px);  // loading opened it at one size already
  }
  const auto& bytes = files_[slot];
  if (bytes.empty()) return nullptr;  // left out as damaged (see Open)
  SDL_RWops* rw = SDL_RWFromConstMem(bytes.data(), static_cast<int>(bytes.size()));
  TTF_Font* font = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_face_lifecycle);
    font = TTF_OpenFontRW(rw, /*freesrc=*/1, px);
  }
  if (font == nullptr) return nullptr;
  // Light hinting keeps glyph shapes faithful at large sizes and crisp at
  // small ones; the same on every machine since the font files are pinned
  // (a damaged install's substitutes are reported, see Open).
  TTF_SetFontHinting(font, TTF_HINTING_LIGHT);
  TTF_SetFontScriptName(font, "Latn");
  sized_.emplace(key, font);
  return font;
}

std::vector<FontSet::Run> FontSet::Runs(std::string_view utf8, FontFace face, int px) {
  // Decode once: code points and the byte where each starts.
  std::vector<char32_t> chars;
  std::vector<uint32_t> starts;
  chars.reserve(utf8.size());
  starts.reserve(utf8.size() + 1);
  bool any_right_to_left = false;
  for (size_t i = 0; i < utf8.size();) {
    starts.push_back(static_cast<uint32_t>(i));
    char32_t cp = NextCodePoint(utf8, i);
    any_right_to_left = any_right_to_left || MayBeRightToLeft(cp);
    chars.push_back(cp);
  }
  starts.push_back(static_cast<uint32_t>(utf8.size()));
  const size_t n = chars.size();

  // Embedding levels (UAX #9 up to L1); all 0 for a line that cannot have
  // any right-to-left character.
  std::vector<FriBidiLevel> levels(n, 0);
  if (any_right_to_left) {
    std::vector<FriBidiCharType> types(n);
    std::vector<FriBidiBracketType> brackets(n);
    const auto* text = reinterpret_cast<const FriBidiChar*>(chars.data());
    const auto length = static_cast<FriBidiStrIndex>(n);
    fribidi_get_bidi_types(text, length, types.data());
    fribidi_get_bracket_types(text, length, types.data(), brackets.data());
    // First strong character; LTR if none (FriBidi's default for ON).
    FriBidiParType direction = fribidi_get_par_direction(types.data(), length);
    // Phone numbers and e-mail addresses read left to right in any text:
    // UAX #9 alone shows "1-800-292-1168" after Arabic as
    // "1168-292-800-1" (the digits become Arabic numbers and the hyphens
    // neutral). Each such token is made one strong left-to-right word, as
    // if wrapped in LRI...PDI, so it gets an even level.
    for (size_t k = 0; k < n;) {
      if (!IsAsciiAlnum(chars[k])) {
        ++k;
        continue;
      }
      size_t end = k, last_alnum = k;
      while (end < n && (IsAsciiAlnum(chars[end]) || IsTokenJoiner(chars[end]))) {
        if (IsAsciiAlnum(chars[end])) last_alnum = end;
        ++end;
      }
      for (size_t j = k; j <= last_alnum; ++j) types[j] = FRIBIDI_TYPE_LTR;
      k = last_alnum + 1;
    }
    if (fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), length, &direction,
                                            levels.data()) == 0) {
      std::fill(levels.begin(), levels.end(), 0);
    } else {
      // L1: trailing spaces and controls take the paragraph's level.
      FriBidiLevel paragraph = FRIBIDI_DIR_TO_LEVEL(direction);
      for (size_t k = n; k > 0 && (FRIBIDI_IS_EXPLICIT_OR_BN_OR_WS(types[k - 1]) ||
                                   FRIBIDI_IS_ISOLATE(types[k - 1]));
           --k) {
        levels[k - 1] = paragraph;
      }
    }
  }

  // Scripts: a common or inherited character takes the script before it;
  // those at the start take the first strong script after them; a line
  // with none is Latin (as every line was before scripts were told apart).
  auto is_neutral = [](Script script) {
    return script == Script::kCommon || script == Script::kInherited;
  };
  std::vector<Script> own_scripts(n), scripts(n);
  Script previous = Script::kCommon;
  for (size_t k = 0; k < n; ++k) {
    own_scripts[k] = ScriptOf(chars[k]);
    if (!is_neutral(own_scripts[k])) previous = own_scripts[k];
    scripts[k] = is_neutral(own_scripts[k]) ? previous : own_scripts[k];
  }
  Script next = Script::kLatin;
  for (size_t k = n; k > 0; --k) {
    if (scripts[k - 1] == Script::kCommon) {
      scripts[k - 1] = next;
    } else {
      next = scripts[k - 1];
    }
  }

  // Fonts, opened only when a character asks for them.
  const int bold = FaceIndex(face);
  TTF_Font* fonts[kFamilies] = {};
  bool opened[kFamilies] = {};
  auto font_of = [&](int family) {
    if (!opened[family]) {
      fonts[family] = Font(2 * family + bold, px);
      opened[family] = true;
    }
    return fonts[family];
  };
  auto provides = [&](int family, char32_t cp) {
    TTF_Font* font = font_of(family);
    return font != nullptr && TTF_GlyphIsProvided32(font, static_cast<Uint32>(cp)) != 0;
  };
  // Families tried in order; the last resort is DejaVu Sans, which then
  // draws its "missing" box, as before.
  static constexpr int kArabicOrder[] = {kNaskh, kNoto, kDejaVu, kSyllabics};
  static constexpr int kSyllabicsOrder[] = {kSyllabics, kNoto, kDejaVu, kNaskh};
  static constexpr int kDefaultOrder[] = {kNoto, kDejaVu, kNaskh, kSyllabics};
  auto first_with = [&](const int(&order)[kFamilies], char32_t cp) {
    for (int family : order) {
      if (provides(family, cp)) return family;
    }
    return static_cast<int>(kDejaVu);
  };

  // Families: letters first, by their script; then the common and inherited
  // characters between them, left to right.
  std::vector<int> families(n, -1);
  for (size_t k = 0; k < n; ++k) {
    Script own = own_scripts[k];
    if (own == Script::kArabic) {
      families[k] = first_with(kArabicOrder, chars[k]);
    } else if (own == Script::kSyllabics) {
      families[k] = first_with(kSyllabicsOrder, chars[k]);
    } else if (!is_neutral(own)) {
      families[k] = first_with(kDefaultOrder, chars[k]);
    }
  }
  // Whether the neutral k stays in family's run: always for the script
  // fonts, and for the font drawing another script's letters (DejaVu Sans
  // when a script font is damaged); never for Latin text, whose neutrals
  // go back to Noto Sans as they always did.
  auto keeps = [&](int family, size_t k) {
    bool other_script = scripts[k] == Script::kArabic || scripts[k] == Script::kSyllabics ||
                        scripts[k] == Script::kHebrew;
    return family >= 0 && (family >= kNaskh || other_script) && provides(family, chars[k]);
  };
  for (size_t k = 0; k < n; ++k) {
    if (families[k] >= 0) continue;
    bool continues = k > 0 && levels[k] == levels[k - 1];
    int before = continues ? families[k - 1] : -1;
    bool latin_space = (before == kNoto || before == kDejaVu) && IsJoiningSpace(chars[k]);
    if (latin_space || keeps(before, k)) {
      families[k] = before;  // a space stays in its run, as it always did
    } else if (!continues) {
      // First of its level: the font of the letter it leads to.
      for (size_t j = k + 1; j < n && levels[j] == levels[k]; ++j) {
        if (is_neutral(own_scripts[j])) continue;
        if (keeps(families[j], k)) families[k] = families[j];
        break;
      }
    }
    if (families[k] < 0) families[k] = first_with(kDefaultOrder, chars[k]);
  }

  std::vector<Run> logical;
  for (size_t k = 0; k < n; ++k) {
    int slot = 2 * families[k] + bold;
    const char* script = ScriptTag(scripts[k]);
    std::string_view piece = utf8.substr(starts[k], starts[k + 1] - starts[k]);
    if (chars[k] == 0xFFFD && piece.size() != 3) piece = "\xEF\xBF\xBD";
    if (!logical.empty() && logical.back().slot == slot && logical.back().level == levels[k] &&
        logical.back().script == script) {
      logical.back().text.append(piece);
    } else {
      logical.push_back(Run{slot, font_of(families[k]), script, levels[k], std::string(piece)});
    }
  }

  // L2 over runs: from the highest level down to the lowest odd one,
  // reverse every stretch of runs at that level or higher.
  int highest = 0, lowest_odd = 1000;
  for (const auto& run : logical) {
    highest = std::max(highest, run.level);
    if (run.level % 2 == 1) lowest_odd = std::min(lowest_odd, run.level);
  }
  for (int level = highest; level >= lowest_odd; --level) {
    for (size_t k = 0; k < logical.size();) {
      if (logical[k].level < level) {
        ++k;
        continue;
      }
      size_t end = k;
      while (end < logical.size() && logical[end].level >= level) ++end;
      std::reverse(logical.begin() + static_cast<std::ptrdiff_t>(k),
                   logical.begin() + static_cast<std::ptrdiff_t>(end));
      k = end;
    }
  }
  return logical;
}

void FontSet::PrepareToShape(const Run& run) {
  TTF_SetFontScriptName(run.font, run.script);
  TTF_SetFontDirection(run.font, run.level % 2 == 1 ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
}

void FontSet::Trim() {
  {
    std::lock_guard<std::mutex> lock(g_face_lifecycle);
    for (auto& [key, font] : sized_) TTF_CloseFont(font);
  }
  sized_.clear();
  width_cache_.clear();
  // malloc keeps freed small blocks in the heap; hand them back.
  malloc_trim(0);
}

void FontSet::EvictIfFull() {
  // Bounded memory on a long run that lays out many sizes; reopening is
  // cheap. Only called on entry to a public method, so no handle a method
  // holds is ever closed under it.
  if (sized_.size() < 96 && width_cache_.size() < 50000) return;
  Trim();
}

int FontSet::Width(std::string_view utf8, FontFace face, int px) {
  EvictIfFull();
  std::string key;
  key.reserve(utf8.size() + 8);
  key += static_cast<char>('0' + FaceIndex(face));
  key += std::to_string(px);
  key += '|';
  key += utf8;
  if (auto it = width_cache_.find(key); it != width_cache_.end()) return it->second;
  int total = 0;
  for (const auto& run : Runs(utf8, face, px)) {
    if (run.font == nullptr) continue;
    PrepareToShape(run);
    int w = 0, h = 0;
    if (TTF_SizeUTF8(run.font, run.text.c_str(), &w, &h) == 0) total += w;
  }
  width_cache_.emplace(std::move(key), total);
  return total;
}

std::vector<FontSet::ShapedRun> FontSet::ShapedRuns(std::string_view utf8, FontFace face, int px) {
  EvictIfFull();
  std::vector<ShapedRun> shaped;
  for (const auto& run : Runs(utf8, face, px)) {
    int w = 0, h = 0;
    if (run.font != nullptr) {
      PrepareToShape(run);
      if (TTF_SizeUTF8(run.font, run.text.c_str(), &w, &h) != 0) w = 0;
    }
    shaped.push_back(ShapedRun{sources_[run.slot], run.script, run.level % 2 == 1, run.text, w});
  }
  return shaped;
}

std::u32string FontSet::Undrawable(std::string_view utf8, FontFace face) {
  EvictIfFull();
  // Glyph coverage does not depend on the size; any opened size will do.
  constexpr int kProbePx = 32;
  std::u32string missing;
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp = NextCodePoint(utf8, i);
    if (DrawsNothing(cp) || missing.find(cp) != std::u32string::npos) continue;
    bool drawable = false;
    for (int family = 0; family < kFamilies && !drawable; ++family) {
      TTF_Font* font = Font(2 * family + FaceIndex(face), kProbePx);
      drawable = font != nullptr && TTF_GlyphIsProvided32(font, static_cast<Uint32>(cp)) != 0;
    }
    if (!drawable) missing.push_back(cp);
  }
  return missing;
}

int FontSet::LineHeight(FontFace face, int px) {
  EvictIfFull();
  return TTF_FontLineSkip(Font(FaceIndex(face), px));
}

SurfacePtr FontSet::Render(std::string_view utf8, FontFace face, int px, Color color) {
  // Width and LineHeight may evict (close) every sized font: called before
  // Runs, whose handles must stay open while they are drawn.
  int width = std::max(1, Width(utf8, face, px));
  int primary_ascent = TTF_FontAscent(Font(FaceIndex(face), px));
  SDL_Color c{color.r, color.g, color.b, 255};
  // Each run on the primary font's baseline. Noto Naskh Arabic reaches
  // further below it than Noto Sans (its descent is about twice as deep),
  // so such a line is taller than LineHeight rather than cut off.
  struct Piece {
    SurfacePtr surface;
    SDL_Rect at;
  };
  std::vector<Piece> pieces;
  int height = LineHeight(face, px);
  auto runs = Runs(utf8, face, px);
  int x = 0;
  for (const auto& run : runs) {
    if (run.font == nullptr) continue;
    PrepareToShape(run);
    SurfacePtr piece(TTF_RenderUTF8_Blended(run.font, run.text.c_str(), c));
    if (!piece) continue;  // an all-space run renders to nothing
    SDL_Rect at{x, primary_ascent - TTF_FontAscent(run.font), piece->w, piece->h};
    x += piece->w;
    height = std::max(height, at.y + at.h);
    pieces.push_back(Piece{std::move(piece), at});
  }
  SurfacePtr line(SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888));
  if (!line) return nullptr;
  // Transparent canvas; runs are copied (not blended) since they never overlap.
  SDL_FillRect(line.get(), nullptr, SDL_MapRGBA(line->format, color.r, color.g, color.b, 0));
  for (auto& piece : pieces) {
    SDL_SetSurfaceBlendMode(piece.surface.get(), SDL_BLENDMODE_NONE);
    SDL_BlitSurface(piece.surface.get(), nullptr, line.get(), &piece.at);
  }
  return line;
}

}  // namespace kiosk
