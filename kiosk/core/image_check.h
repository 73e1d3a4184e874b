// What a slide's image may be, decided from its bytes before any decoder sees
// them: a unit has little memory, and a decoder trusts the header it reads.
// A 40 KB PNG can declare 60000x60000 pixels (14 GB decoded), and a file
// named .png can be a GIF or anything else. So, from the file's own bytes:
//   - at most kMaxImageFileBytes;
//   - PNG or JPEG by its magic bytes (the name's extension is not looked at);
//   - its width and height, read from the PNG IHDR chunk or the JPEG frame
//     header (SOFn), each 1 to kMaxImageSide and together at most
//     kMaxImagePixels.
// `kiosk validate`, `kiosk bundle build` and the unit (on every downloaded
// bundle, and before it decodes a shown one) run these checks.
//
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/status.h"

namespace kiosk {

inline constexpr uint64_t kMaxImageFileBytes = uint64_t{4} << 20;  // 4 MiB
// 16 Mpx is 64 MB decoded at 4 bytes a pixel: a 4K poster fits (8.3 Mpx).
inline constexpr int64_t kMaxImagePixels = 16'000'000;
inline constexpr int kMaxImageSide = 8192;

enum class ImageFormat { kPng, kJpeg };

struct ImageInfo {
  ImageFormat format = ImageFormat::kPng;
  int width = 0, height = 0;
};

// The format and size of an image file's bytes, or Invalid naming `file` and
// saying what was expected, e.g.
//   images/map.png: a GIF image; expected PNG or JPEG (by its first bytes)
//   images/map.png: 60000x60000 pixels (3600 Mpx); expected at most 16 Mpx
//   (8192 pixels a side): scale it down
Result<ImageInfo> InspectImage(std::string_view bytes, const std::string& file);

// One problem per slide image of bundle (in content directory dir) that is
// missing or that InspectImage refuses, each naming the slide, its JSON path
// ($.slides[i].image.file), the file and what was expected.
std::vector<std::string> CheckImages(const Bundle& bundle, FileStore& store,
                                     const std::filesystem::path& dir);

// Reads each slide image of bundle once: from verified (bundle-relative path
// -> the bytes whose SHA-256 the signed manifest vouched for) when given,
// else through store from dir; checks it with InspectImage; and sets the
// image's bytes, width and height, so the frame draws exactly the bytes that
// were checked, and the file is never read again. Invalid with one problem
// per line, as CheckImages words them.
Status AttachImages(Bundle& bundle, FileStore& store, const std::filesystem::path& dir,
                    const std::map<std::string, std::string>* verified = nullptr);

}  // namespace kiosk
