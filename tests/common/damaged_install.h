// A data directory (content/ and fonts/ of the source tree) to damage the
// way a bad SD card or a half-finished copy does.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kiosk::testing {

// Copies content/ and fonts/ of the source tree into dir (KIOSK_DATA_DIR).
inline void CopyDataDir(const std::filesystem::path& dir) {
  const std::filesystem::path source = KIOSK_SOURCE_DIR;
  std::filesystem::copy(source / "content", dir / "content",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(source / "fonts", dir / "fonts", std::filesystem::copy_options::recursive);
}

inline std::vector<char> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Keeps the first half of the file: a copy cut short.
inline void TruncateToHalf(const std::filesystem::path& path) {
  auto size = std::filesystem::file_size(path);
  REQUIRE(size > 2);
  std::filesystem::resize_file(path, size / 2);
}

// Inverts a few bytes in the middle, keeping the size: bit rot.
inline void AlterInPlace(const std::filesystem::path& path) {
  auto bytes = ReadBytes(path);
  REQUIRE(bytes.size() > 64);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i)
    bytes[i] = static_cast<char>(~bytes[i]);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fontconfig configuration with no font directories: a system without
// fonts, for FONTCONFIG_FILE.
inline std::filesystem::path WriteFontlessFontconfig(const std::filesystem::path& dir) {
  auto path = dir / "fonts.conf";
  std::ofstream(path) << "<?xml version=\"1.0\"?>\n<fontconfig>\n  <cachedir>"
                      << (dir / "fc-cache").string() << "</cachedir>\n</fontconfig>\n";
  return path;
}

}  // namespace kiosk::testing
