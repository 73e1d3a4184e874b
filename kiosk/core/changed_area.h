// Where two frames differ: the part of the screen a transition from one to
// the other has to redraw. Every slide carries the same help band (hotline,
// e-mail, QR code) and often the same background around its text, so a
// crossfade only needs to blend the rest.
//
// Pure computation on FrameLayouts, on the contract of the compositor
// (kiosk/platform/compositor.h): a frame is its background, then its boxes
// in order, then the QR tile and modules, then its texts in order, each
// drawn inside its own rectangle (a text inside its line box, at least one
// pixel wide) and the same way wherever it appears. Units: pixels of the
// logical (upright) frame.
#pragma once

#include "kiosk/core/layout.h"

namespace kiosk {

// The smallest rectangle outside which frames a and b have the same pixels.
// Empty (w == 0 or h == 0) when they are identical everywhere; the whole
// frame when their sizes or backgrounds differ, or when the parts they share
// are drawn in another order (one could cover the other differently).
Rect ChangedArea(const FrameLayout& a, const FrameLayout& b);

// The smallest rectangle that holds both (an empty one adds nothing).
Rect Union(const Rect& a, const Rect& b);

}  // namespace kiosk
