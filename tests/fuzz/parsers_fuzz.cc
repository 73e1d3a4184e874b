// Fuzz target for everything the unit parses from outside: slides.json,
// kiosk.json, manifest.json and .minisig files. Each input goes to every
// parser; none may crash, hang or trip a sanitizer, whatever the bytes.
//
// With -DKIOSK_FUZZ=ON (clang) this is a libFuzzer target:
//   build/tests/fuzz/parsers_fuzz tests/fuzz/corpus
// Otherwise it is built with a main() that replays every file of the corpus
// directories given on the command line, which CTest runs on every build.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kiosk/core/config.h"
#include "kiosk/core/content.h"
#include "kiosk/core/update/manifest.h"
#include "kiosk/core/update/minisign.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)kiosk::ParseBundle(text, "fuzz/slides.json");
  (void)kiosk::ParseConfig(text, "fuzz/kiosk.json");
  (void)kiosk::update::ParseManifest(text, "fuzz/manifest.json");
  (void)kiosk::update::ParseMinisignSignature(text);
  (void)kiosk::update::ParseMinisignPublicKey(text);
  return 0;
}

#ifndef KIOSK_LIBFUZZER
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

int main(int argc, char** argv) {
  size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      std::string data = bytes.str();
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++files;
    }
  }
  std::printf("replayed %zu corpus files\n", files);
  return files > 0 ? 0 : 1;
}
#endif
