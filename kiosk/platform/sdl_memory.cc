#include "kiosk/platform/sdl_memory.h"

#include <SDL.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace kiosk {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// Panel-sized surfaces and textures; glyphs and strings stay on the heap.
constexpr size_t kLarge = size_t{1} << 20;

void* Allocate(size_t size) {
  if (size < kLarge) return std::malloc(size);
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, size) != 0) return nullptr;
  // The whole 2 MiB pages only: the tail stays on small pages, so the
  // buffer costs no more memory than it asked for. Refused (no THP): fine.
  (void)madvise(p, size / kHugePage * kHugePage, MADV_HUGEPAGE);
  return p;
}

void* AllocateZeroed(size_t count, size_t size) {
  size_t total = 0;
  if (__builtin_mul_overflow(count, size, &total)) return nullptr;
  if (total < kLarge) return std::calloc(count, size);
  void* p = Allocate(total);
  if (p != nullptr) std::memset(p, 0, total);
  return p;
}

void* Reallocate(void* p, size_t size) { return std::realloc(p, size); }

void Release(void* p) { std::free(p); }

}  // namespace

void UseHugePagesForLargeSdlBuffers() {
  SDL_SetMemoryFunctions(Allocate, AllocateZeroed, Reallocate, Release);
}

}  // namespace kiosk
