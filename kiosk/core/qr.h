// QR code matrices (libqrencode), so the band can carry a code that opens the
// phone's dialler on the hotline. The payload is the tel: URI only: no URL,
// nothing that could track who scanned it.
#pragma once

#include <string>
#include <vector>

#include "kiosk/core/status.h"

namespace kiosk {

struct QrMatrix {
  int size = 0;               // modules per side
  std::vector<uint8_t> dark;  // size*size, row-major, 1 = dark module
  bool IsDark(int x, int y) const { return dark[static_cast<size_t>(y * size + x)] != 0; }
};

// Encodes text with error correction level M (tolerates some glare).
Result<QrMatrix> EncodeQr(const std::string& text);

}  // namespace kiosk
