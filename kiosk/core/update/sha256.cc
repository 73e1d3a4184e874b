#include "kiosk/core/update/sha256.h"

#include <sodium.h>

#include <array>

namespace kiosk::update {

bool EnsureSodiumInitialized() {
  // sodium_init() is itself thread-safe and idempotent; the static only saves
  // the call. It returns 1 when already initialised.
  static const bool initialized = sodium_init() >= 0;
  return initialized;
}

std::string Sha256Hex(std::string_view bytes) {
  EnsureSodiumInitialized();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace kiosk::update
