#include "kiosk/core/image_check.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

namespace kiosk {
namespace {

uint32_t BigEndian32(std::string_view s, size_t at) {
  return (uint32_t{static_cast<unsigned char>(s[at])} << 24) |
         (uint32_t{static_cast<unsigned char>(s[at + 1])} << 16) |
         (uint32_t{static_cast<unsigned char>(s[at + 2])} << 8) |
         uint32_t{static_cast<unsigned char>(s[at + 3])};
}

uint16_t BigEndian16(std::string_view s, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(s[at]) << 8) |
                               static_cast<unsigned char>(s[at + 1]));
}

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1A\n", 8};

// What a file's first bytes say it is, for the message refusing it.
std::string OtherFormat(std::string_view b) {
  auto starts = [&b](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
  if (starts("GIF87a") || starts("GIF89a")) return "a GIF image";
  if (starts("BM")) return "a BMP image";
  if (starts("RIFF") && b.size() >= 12 && b.substr(8, 4) == "WEBP") return "a WebP image";
  if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) {
    return "a TIFF image";
  }
  if (starts("<svg") || starts("<?xml")) return "an SVG or XML file";
  if (starts("%PDF")) return "a PDF document";
  if (b.empty()) return "an empty file";
  return "not an image this player reads";
}

Result<ImageInfo> PngInfo(std::string_view b, const std::string& file) {
  // Signature, then the IHDR chunk first: length 13, "IHDR", width, height.
  if (b.size() < 8 + 8 + 13 || b.substr(12, 4) != "IHDR" || BigEndian32(b, 8) != 13) {
    return Status::Invalid(file +
                           ": a PNG file without its header (IHDR) chunk first; expected "
                           "a complete PNG image");
  }
  uint32_t w = BigEndian32(b, 16), h = BigEndian32(b, 20);
  // PNG allows up to 2^31 - 1 a side: clamp before they meet an int.
  ImageInfo info{ImageFormat::kPng, static_cast<int>(std::min<uint32_t>(w, 1u << 30)),
                 static_cast<int>(std::min<uint32_t>(h, 1u << 30))};
  return info;
}

Result<ImageInfo> JpegInfo(std::string_view b, const std::string& file) {
  // Segments after SOI: 0xFF, marker, then (for most) a 2-byte length that
  // counts itself. The frame header (SOF0-SOF15, less DHT C4, JPG C8 and
  // DAC CC) carries precision, height, width.
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) break;
    unsigned char marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      at += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) break;  // scan data or end before a frame
    uint16_t length = BigEndian16(b, at + 2);
    if (length < 2) break;
    bool frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (length < 7 || at + 9 > b.size()) break;
      ImageInfo info{ImageFormat::kJpeg, BigEndian16(b, at + 7), BigEndian16(b, at + 5)};
      return info;
    }
    at += 2 + length;
  }
  return Status::Invalid(file +
                         ": a JPEG file without a frame header (SOF) before its image "
                         "data; expected a complete JPEG image");
}

}  // namespace

Result<ImageInfo> InspectImage(std::string_view bytes, const std::string& file) {
  if (bytes.size() > kMaxImageFileBytes) {
    return Status::Invalid(file + ": " + std::to_string(bytes.size()) +
                           " bytes; expected an image file of at most " +
                           std::to_string(kMaxImageFileBytes >> 20) + " MiB (" +
                           std::to_string(kMaxImageFileBytes) + " bytes): compress or scale it");
  }
  Result<ImageInfo> info = Status::Internal("not read");
  if (bytes.substr(0, kPngSignature.size()) == kPngSignature) {
    info = PngInfo(bytes, file);
  } else if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") {
    info = JpegInfo(bytes, file);
  } else {
    return Status::Invalid(file + ": " + OtherFormat(bytes) +
                           "; expected a PNG or JPEG image (by the file's first bytes, whatever "
                           "its name)");
  }
  if (!info.ok()) return info;
  const int64_t pixels = int64_t{info->width} * info->height;
  if (info->width < 1 || info->height < 1 || info->width > kMaxImageSide ||
      info->height > kMaxImageSide || pixels > kMaxImagePixels) {
    char mpx[32];
    std::snprintf(mpx, sizeof mpx, "%.1f", static_cast<double>(pixels) / 1e6);
    return Status::Invalid(
        file + ": " + std::to_string(info->width) + "x" + std::to_string(info->height) +
        " pixels (" + mpx + " Mpx); expected at least 1 and at most " +
        std::to_string(kMaxImageSide) + " pixels a side and " +
        std::to_string(kMaxImagePixels / 1'000'000) + " Mpx in all (decoded, it would need " +
        std::to_string(pixels * 4 / 1'000'000) + " MB): scale it down");
  }
  return info;
}

namespace {

// Reads and checks slide i's image; the bytes and size on success, else
// appends the problem.
std::optional<std::pair<std::shared_ptr<const std::string>, ImageInfo>> ReadImage(
    const Bundle& bundle, size_t i, FileStore& store, const std::filesystem::path& dir,
    const std::map<std::string, std::string>* verified, std::vector<std::string>& problems) {
  const Slide& slide = bundle.slides[i];
  const std::string where =
      "slide \"" + slide.id + "\": $.slides[" + std::to_string(i) + "].image.file: ";
  const std::filesystem::path path = dir / slide.image->file;
  std::shared_ptr<const std::string> bytes;
  if (verified != nullptr) {
    auto found = verified->find(slide.image->file);
    if (found == verified->end()) {
      problems.push_back(where + path.string() +
                         ": not a file of the bundle (the manifest does not list it)");
      return std::nullopt;
    }
    bytes = std::make_shared<const std::string>(found->second);
  } else {
    auto read = store.ReadFile(path);
    if (!read.ok()) {
      problems.push_back(where + (read.status().code() == Status::Code::kNotFound
                                      ? path.string() + ": no such file in the bundle"
                                      : read.status().message()));
      return std::nullopt;
    }
    bytes = std::make_shared<const std::string>(std::move(*read));
  }
  auto info = InspectImage(*bytes, path.string());
  if (!info.ok()) {
    problems.push_back(where + info.status().message());
    return std::nullopt;
  }
  return std::make_pair(std::move(bytes), *info);
}

}  // namespace

std::vector<std::string> CheckImages(const Bundle& bundle, FileStore& store,
                                     const std::filesystem::path& dir) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    if (!bundle.slides[i].image || bundle.slides[i].image->file.empty()) continue;
    ReadImage(bundle, i, store, dir, nullptr, problems);
  }
  return problems;
}

Status AttachImages(Bundle& bundle, FileStore& store, const std::filesystem::path& dir,
                    const std::map<std::string, std::string>* verified) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < bundle.slides.size(); ++i) {
    auto& image = bundle.slides[i].image;
    if (!image || image->file.empty()) continue;
    if (auto read = ReadImage(bundle, i, store, dir, verified, problems)) {
      image->bytes = std::move(read->first);
      image->width = read->second.width;
      image->height = read->second.height;
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string all;
  for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
  return Status::Invalid(all);
}

}  // namespace kiosk
