// Everything `kiosk validate` checks beyond the schema: that every slide fits
// every supported screen above the legibility floors, in both language
// layouts, and that every colour pair meets WCAG AAA contrast (7:1).
#pragma once

#include <string>
#include <vector>

#include "kiosk/core/content.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/text_measurer.h"

namespace kiosk {

struct ScreenSize {
  int width, height;
};

// The sizes a bundle must fit: common TVs both ways up, small panels, 4K.
inline const std::vector<ScreenSize> kSupportedSizes = {{1920, 1080}, {1080, 1920}, {1280, 720},
                                                        {800, 480},   {480, 800},   {3840, 2160}};

inline constexpr double kMinimumContrast = 7.0;

// WCAG 2 contrast ratio between two sRGB colours, from 1 to 21.
double ContrastRatio(Color a, Color b);

// Every problem, one sentence each, naming the slide (empty = valid).
std::vector<std::string> ValidateBundle(const Bundle& bundle, TextMeasurer& measurer,
                                        const std::vector<ScreenSize>& sizes = kSupportedSizes,
                                        const LayoutOptions& options = {});

}  // namespace kiosk
