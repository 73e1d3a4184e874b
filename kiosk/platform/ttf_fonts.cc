#include "kiosk/platform/ttf_fonts.h"

#include <algorithm>

namespace kiosk {
namespace {

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

}  // namespace

Result<std::unique_ptr<FontSet>> FontSet::Open(const std::filesystem::path& dir) {
  if (TTF_WasInit() == 0 && TTF_Init() != 0) {
    return Status::Internal(std::string("TTF_Init failed: ") + TTF_GetError());
  }
  std::unique_ptr<FontSet> set(new FontSet());
  struct File {
    const char* name;
    TTF_Font** slot;
  } files[] = {{kRegularFile, &set->primary_[0]},
               {kBoldFile, &set->primary_[1]},
               {kFallbackRegularFile, &set->fallback_[0]},
               {kFallbackBoldFile, &set->fallback_[1]}};
  for (const auto& f : files) {
    auto path = dir / f.name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return Status::NotFound("font file " + path.string() + " is missing");
    }
    *f.slot = TTF_OpenFont(path.c_str(), 32);
    if (*f.slot == nullptr) {
      return Status::Io("font file " + path.string() + " cannot be loaded: " + TTF_GetError());
    }
    // Light hinting keeps glyph shapes faithful at large sizes and crisp at
    // small ones; the same on every machine since the font files are pinned.
    TTF_SetFontHinting(*f.slot, TTF_HINTING_LIGHT);
    TTF_SetFontScriptName(*f.slot, "Latn");
  }
  return set;
}

FontSet::~FontSet() {
  for (TTF_Font* f : {primary_[0], primary_[1], fallback_[0], fallback_[1]}) {
    if (f != nullptr) TTF_CloseFont(f);
  }
}

TTF_Font* FontSet::Sized(TTF_Font* font, int px) {
  TTF_SetFontSize(font, std::max(1, px));
  return font;
}

std::vector<FontSet::Run> FontSet::Runs(std::string_view utf8, FontFace face, int px) {
  TTF_Font* primary = Sized(primary_[FaceIndex(face)], px);
  TTF_Font* fallback = Sized(fallback_[FaceIndex(face)], px);
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

int FontSet::Width(std::string_view utf8, FontFace face, int px) {
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
  if (width_cache_.size() > 50000) width_cache_.clear();  // bound memory on long runs
  width_cache_.emplace(std::move(key), total);
  return total;
}

int FontSet::LineHeight(FontFace face, int px) {
  return TTF_FontLineSkip(Sized(primary_[FaceIndex(face)], px));
}

SurfacePtr FontSet::Render(std::string_view utf8, FontFace face, int px, Color color) {
  auto runs = Runs(utf8, face, px);
  int width = std::max(1, Width(utf8, face, px));
  int height = LineHeight(face, px);
  SurfacePtr line(SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888));
  if (!line) return nullptr;
  // Transparent canvas; runs are copied (not blended) since they never overlap.
  SDL_FillRect(line.get(), nullptr, SDL_MapRGBA(line->format, color.r, color.g, color.b, 0));
  int primary_ascent = TTF_FontAscent(primary_[FaceIndex(face)]);
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
