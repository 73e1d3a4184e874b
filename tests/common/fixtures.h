// Small bundles and reference renders shared by the player tests.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "kiosk/app/commands.h"

namespace kiosk::testing {

// Runs a shell command; its exit status as std::system gives it.
inline int Sh(const std::string& command) { return std::system(command.c_str()); }

// A whole file as text ("" if it cannot be read).
inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The public key line of a minisign .pub file (its second line, "RWQ..."):
// what kiosk.json's trusted_keys holds.
inline std::string KeyLine(const std::filesystem::path& pub) {
  std::string text = Slurp(pub);
  std::string line = text.substr(text.find('\n') + 1);
  return line.substr(0, line.find('\n'));
}

// A one-slide bundle in dir whose slide (5 s) reads `title` in both
// languages, so two titles give two different frames.
inline void WriteOneSlideBundle(const std::filesystem::path& dir, const std::string& title) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "slides.json") << R"({"format": 1, "name": ")" << title << R"(",
    "contact": {"hotline": "1-800-292-1168", "email": "HumanTrafficking@ottawapolice.ca",
                "label": {"fr": "Aide", "en": "Help"}},
    "slides": [{"id": "only", "duration_s": 5,
                "fr": {"title": "Titre )"
                                     << title << R"("}, "en": {"title": ")" << title << R"("}}]})";
}

// Renders the first slide of the bundle in content at 800x480 (the size the
// player tests run at) into out; returns the PNG's path.
inline std::filesystem::path RenderFirstSlide(const std::filesystem::path& content,
                                              const std::filesystem::path& out) {
  RenderOptions options;
  options.content_dir = content;
  options.data_dir = KIOSK_SOURCE_DIR;
  options.out_dir = out;
  options.width = 800;
  options.height = 480;
  auto written = RenderBundle(options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  return (*written)[0];
}

}  // namespace kiosk::testing
