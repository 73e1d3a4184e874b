// Start-up work SDL does for a desktop application that a sign never uses,
// turned off through the environment before SDL_Init reads it. Measured
// with callgrind on Xvfb at 1920x1080 (instructions before the first frame):
//
// - XCOMPOSEFILE=/dev/null: SDL's X11 driver opens an X input method
//   (XOpenIM), whose local method parses the locale's Compose table,
//   thousands of dead-key sequences: 49 M instructions, about 15 ms, for a
//   player that takes no typed text (Esc, the one key it reads in a window,
//   needs no compose sequence).
// - DBUS_SESSION_BUS_ADDRESS=disabled: when no session bus is known: SDL
//   connects to the session bus to inhibit the desktop's screen saver, and
//   libdbus, finding no address, forks and runs dbus-launch to start a new
//   bus. No screen saver listens on a bus started that way, so the inhibit
//   did nothing but cost a fork and up to a dozen exec attempts. A session
//   that has a bus (a desktop) keeps its address and the inhibit.
//
// Each variable is set only when the environment does not set it already:
// whoever starts the player can still choose.
#pragma once

namespace kiosk {

// Sets the variables above for this process (and its children). Call before
// SDL_Init, while no other thread reads the environment.
void PrepareSdlEnvironment();

}  // namespace kiosk
