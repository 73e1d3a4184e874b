#include "kiosk/core/changed_area.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace kiosk {
namespace {

bool Empty(const Rect& r) { return r.w <= 0 || r.h <= 0; }

bool SameBox(const PlacedBox& a, const PlacedBox& b) {
  return a.rect == b.rect && a.color == b.color;
}

bool SameText(const PlacedText& a, const PlacedText& b) {
  return a.text == b.text && a.face == b.face && a.px == b.px && a.color == b.color &&
         a.box == b.box;
}

bool SameQr(const PlacedQr& a, const PlacedQr& b) {
  return a.tile == b.tile && a.module_px == b.module_px && a.quiet_modules == b.quiet_modules &&
         a.matrix.size == b.matrix.size && a.matrix.dark == b.matrix.dark;
}

// What a text covers: its line box, at least one pixel wide (an empty line
// is still drawn as a one-pixel transparent surface).
Rect Drawn(const PlacedText& t) { return Rect{t.box.x, t.box.y, std::max(t.box.w, 1), t.box.h}; }
Rect Drawn(const PlacedBox& b) { return b.rect; }

// Adds to *area every item of one list that has no equal in the other, and
// pairs the equal ones (each item of `theirs` used once, first unused match).
// Returns false when the shared items are not drawn in the same order in
// both lists: a pixel two of them cover could then differ.
template <typename T, typename Same>
bool AddUnshared(const std::vector<T>& mine, const std::vector<T>& theirs, Same same, Rect* area) {
  std::vector<bool> used(theirs.size(), false);
  std::optional<size_t> last_match;
  for (const T& item : mine) {
    std::optional<size_t> match;
    for (size_t j = 0; j < theirs.size(); ++j) {
      if (!used[j] && same(item, theirs[j])) {
        match = j;
        break;
      }
    }
    if (!match) {
      *area = Union(*area, Drawn(item));
      continue;
    }
    used[*match] = true;
    if (last_match && *match < *last_match) return false;
    last_match = match;
  }
  for (size_t j = 0; j < theirs.size(); ++j) {
    if (!used[j]) *area = Union(*area, Drawn(theirs[j]));
  }
  return true;
}

Rect Clip(const Rect& r, int width, int height) {
  int x0 = std::clamp(r.x, 0, width), y0 = std::clamp(r.y, 0, height);
  int x1 = std::clamp(r.right(), 0, width), y1 = std::clamp(r.bottom(), 0, height);
  if (x1 <= x0 || y1 <= y0) return Rect{};
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

}  // namespace

Rect Union(const Rect& a, const Rect& b) {
  if (Empty(a)) return Empty(b) ? Rect{} : b;
  if (Empty(b)) return a;
  int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  int x1 = std::max(a.right(), b.right()), y1 = std::max(a.bottom(), b.bottom());
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

Rect ChangedArea(const FrameLayout& a, const FrameLayout& b) {
  const Rect whole{0, 0, a.width, a.height};
  if (a.width != b.width || a.height != b.height || !(a.background == b.background)) return whole;
  Rect area;
  // Boxes are drawn before the QR code and the texts, so a shared box under
  // a changed text is still redrawn as part of that text's rectangle.
  if (!AddUnshared(a.boxes, b.boxes, SameBox, &area)) return whole;
  if (!SameQr(a.qr, b.qr)) area = Union(Union(area, a.qr.tile), b.qr.tile);
  // The image is drawn under the texts: a changed one is redrawn whole,
  // with whatever text lies on it.
  if (a.image != b.image) {
    if (a.image) area = Union(area, a.image->rect);
    if (b.image) area = Union(area, b.image->rect);
  }
  if (!AddUnshared(a.texts, b.texts, SameText, &area)) return whole;
  return Clip(area, a.width, a.height);
}

}  // namespace kiosk
