// SDL's memory, with slide-sized buffers on transparent huge pages.
//
// Every slide the player draws lives in SDL surfaces and textures of a
// whole panel (8 MiB at 1080p), allocated fresh (main.cc keeps them out of
// the heap so they go back to the system). Touching a fresh 8 MiB buffer
// takes 2,048 page faults; with 2 MiB pages it takes 4. Where the kernel
// offers transparent huge pages on request (madvise mode, Debian's default)
// the buffers ask for them; elsewhere nothing changes. Only whole 2 MiB
// pages inside a buffer are asked for, so no buffer grows in memory.
#pragma once

namespace kiosk {

// Routes SDL's (and SDL_ttf's, SDL_image's) allocations through malloc,
// asking for huge pages for buffers of 1 MiB and more. Call before any other
// SDL call (SDL frees with the functions it allocated with).
void UseHugePagesForLargeSdlBuffers();

}  // namespace kiosk
