#include "kiosk/core/qr.h"

#include <qrencode.h>

#include <memory>

namespace kiosk {

Result<QrMatrix> EncodeQr(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return Status::Internal("QR encoding of \"" + text + "\" failed");
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<size_t>(m.size * m.size));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;
  return m;
}

}  // namespace kiosk
