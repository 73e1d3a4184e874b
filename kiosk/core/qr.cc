#include "kiosk/core/qr.h"

#include <qrencode.h>

#include <memory>
#include <optional>

namespace kiosk {

Result<QrMatrix> EncodeQr(const std::string& text) {
  // The layout asks for the same code many times while it searches for a
  // type scale (a dozen band layouts per size tried): encoding costs about
  // a million instructions, a copy of the last one almost nothing.
  thread_local std::string last_text;
  thread_local std::optional<QrMatrix> last;
  if (last && last_text == text) return *last;
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return Status::Internal("QR encoding of \"" + text + "\" failed");
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<size_t>(m.size * m.size));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;
  last_text = text;
  last = m;
  return m;
}

}  // namespace kiosk
