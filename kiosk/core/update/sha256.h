// SHA-256 digests as lowercase hex, the form manifest.json carries.
//
// Stateless and thread-safe (libsodium is initialised on first use).
#pragma once

#include <string>
#include <string_view>

namespace kiosk::update {

// Lowercase hex SHA-256 of bytes (64 characters).
std::string Sha256Hex(std::string_view bytes);

// Calls sodium_init() once; every function of this library that uses
// libsodium calls it, so callers never need to. Returns false only if
// libsodium cannot initialise (no usable entropy source), which callers treat
// as an internal error.
bool EnsureSodiumInitialized();

}  // namespace kiosk::update
