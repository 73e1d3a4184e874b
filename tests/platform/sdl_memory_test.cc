// UseHugePagesForLargeSdlBuffers: SDL's large buffers are 2 MiB-aligned,
// asked for huge pages (the VMA's "hg" flag, whether or not the kernel then
// finds a free huge page), zeroed when SDL asks, and small ones unchanged.
#include "kiosk/platform/sdl_memory.h"

#include <SDL.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace kiosk {
namespace {

// The VmFlags of the mapping holding p, from /proc/self/smaps.
std::string VmFlagsAt(const void* p) {
  const auto at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = at >= lo && at < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool HasFlag(const std::string& vm_flags, const std::string& flag) {
  return (vm_flags + " ").find(" " + flag + " ") != std::string::npos;
}

}  // namespace

TEST_CASE("SDL's slide-sized buffers ask for huge pages; small ones stay on the heap") {
  UseHugePagesForLargeSdlBuffers();
  constexpr size_t kFrame = 1920 * 1080 * 4;  // a 1080p surface
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

  auto* frame = static_cast<uint8_t*>(SDL_calloc(1, kFrame));
  REQUIRE(frame != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(frame) % kHugePage == 0);
  CHECK(std::all_of(frame, frame + kFrame, [](uint8_t b) { return b == 0; }));
  std::memset(frame, 0xab, kFrame);
  const std::string flags = VmFlagsAt(frame);
  INFO("VmFlags: ", flags);
  CHECK(HasFlag(flags, "hg"));

  // A surface SDL makes itself (its pixels through SDL_SIMDAlloc).
  SDL_Surface* surface =
      SDL_CreateRGBSurfaceWithFormat(0, 1920, 1080, 32, SDL_PIXELFORMAT_ARGB8888);
  REQUIRE(surface != nullptr);
  CHECK(HasFlag(VmFlagsAt(surface->pixels), "hg"));
  SDL_FreeSurface(surface);

  // Growing keeps the contents.
  auto* bigger = static_cast<uint8_t*>(SDL_realloc(frame, 2 * kFrame));
  REQUIRE(bigger != nullptr);
  CHECK(bigger[0] == 0xab);
  CHECK(bigger[kFrame - 1] == 0xab);
  SDL_free(bigger);

  void* small = SDL_malloc(64);
  REQUIRE(small != nullptr);
  CHECK(!HasFlag(VmFlagsAt(small), "hg"));
  SDL_free(small);
  CHECK(SDL_calloc(SIZE_MAX / 2, 4) == nullptr);  // overflow: refused, not wrapped
}

}  // namespace kiosk
