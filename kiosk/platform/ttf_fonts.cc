#include "kiosk/platform/ttf_fonts.h"

#include <fontconfig/fontconfig.h>
#include <malloc.h>

#include <algorithm>
#include <fstream>
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

// What each pinned slot is, as a fontconfig pattern: the system font asked
// for when the pinned file is damaged (same family and weight).
constexpr const char* kSystemPattern[4] = {"Noto Sans", "Noto Sans:bold", "DejaVu Sans",
                                           "DejaVu Sans:bold"};

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

}  // namespace

Result<std::unique_ptr<FontSet>> FontSet::Open(const std::filesystem::path& dir) {
  std::unique_lock<std::mutex> init_lock(g_face_lifecycle);
  if (TTF_WasInit() == 0 && TTF_Init() != 0) {
    return Status::Internal(std::string("TTF_Init failed: ") + TTF_GetError());
  }
  init_lock.unlock();
  std::unique_ptr<FontSet> set(new FontSet());
  const char* names[4] = {kRegularFile, kBoldFile, kFallbackRegularFile, kFallbackBoldFile};
  for (int slot = 0; slot < 4; ++slot) {
    auto path = dir / names[slot];
    std::string damage;  // empty: the pinned file is intact and loaded
    auto bytes = ReadWholeFile(path);
    if (!bytes.ok()) {
      damage = bytes.status().message();
    } else {
      // The bytes are in memory anyway; hashing them is what tells a
      // truncated or altered file from the one the build pinned.
      const char* digest = EmbeddedDigest(names[slot]);
      std::string_view view(reinterpret_cast<const char*>(bytes->data()), bytes->size());
      if (digest == nullptr || update::Sha256Hex(view) != digest) {
        damage = "sha256 mismatch (damaged or truncated)";
      } else if (!set->Use(slot, std::move(*bytes), /*check_glyphs=*/false)) {
        damage = std::string("cannot be loaded: ") + TTF_GetError();
      }
    }
    if (damage.empty()) continue;
    std::string substitute;
    for (const auto& candidate : SystemFontCandidates(kSystemPattern[slot])) {
      if (SameFile(candidate, path)) continue;
      auto system_bytes = ReadWholeFile(candidate);
      if (system_bytes.ok() && set->Use(slot, std::move(*system_bytes), /*check_glyphs=*/true)) {
        substitute = candidate.string();
        break;
      }
    }
    if (substitute.empty()) {
      return Status::NotFound("font file " + path.string() + ": " + damage +
                              "; no usable system font matches \"" + kSystemPattern[slot] +
                              "\" either (install fonts-dejavu-core, or reinstall kiosk)");
    }
    set->problems_.push_back(path.string() + ": " + damage + "; using " + substitute +
                             " from the system");
  }
  return set;
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
  const auto& bytes = files_[slot];
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
  TTF_Font* primary = Font(FaceIndex(face), px);
  TTF_Font* fallback = Font(2 + FaceIndex(face), px);
  std::vector<Run> runs;
  for (size_t i = 0; i < utf8.size();) {
    size_t start = i;
    uint32_t cp = NextCodePoint(utf8, i);
    // Spaces and punctuation both fonts have stay in the current run.
    bool neutral = cp == ' ' || cp == 0xA0 || cp == 0x202F;
    TTF_Font* font = (neutral || TTF_GlyphIsProvided32(primary, cp)) ? primary : fallback;
    if (neutral && !runs.empty()) font = runs.back().font;
    std::string_view piece = utf8.substr(start, i - start);
    if (cp == 0xFFFD && (piece.size() != 3)) piece = "\xEF\xBF\xBD";
    if (!runs.empty() && runs.back().font == font) {
      runs.back().text.append(piece);
    } else {
      runs.push_back(Run{font, std::string(piece)});
    }
  }
  return runs;
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
    int w = 0, h = 0;
    if (TTF_SizeUTF8(run.font, run.text.c_str(), &w, &h) == 0) total += w;
  }
  width_cache_.emplace(std::move(key), total);
  return total;
}

int FontSet::LineHeight(FontFace face, int px) {
  EvictIfFull();
  return TTF_FontLineSkip(Font(FaceIndex(face), px));
}

SurfacePtr FontSet::Render(std::string_view utf8, FontFace face, int px, Color color) {
  // Width and LineHeight may evict (close) every sized font: called before
  // Runs, whose handles must stay open while they are drawn.
  int width = std::max(1, Width(utf8, face, px));
  int height = LineHeight(face, px);
  auto runs = Runs(utf8, face, px);
  SurfacePtr line(SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888));
  if (!line) return nullptr;
  // Transparent canvas; runs are copied (not blended) since they never overlap.
  SDL_FillRect(line.get(), nullptr, SDL_MapRGBA(line->format, color.r, color.g, color.b, 0));
  int primary_ascent = TTF_FontAscent(Font(FaceIndex(face), px));
  int x = 0;
  SDL_Color c{color.r, color.g, color.b, 255};
  for (const auto& run : runs) {
    SurfacePtr piece(TTF_RenderUTF8_Blended(run.font, run.text.c_str(), c));
    if (!piece) continue;  // an all-space run renders to nothing
    SDL_SetSurfaceBlendMode(piece.get(), SDL_BLENDMODE_NONE);
    SDL_Rect dst{x, primary_ascent - TTF_FontAscent(run.font), piece->w, piece->h};
    SDL_BlitSurface(piece.get(), nullptr, line.get(), &dst);
    x += piece->w;
  }
  return line;
}

}  // namespace kiosk
