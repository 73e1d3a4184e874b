#include "kiosk/app/commands.h"

#include <SDL.h>

#include <algorithm>
#include <cstdio>

#include "kiosk/core/content.h"
#include "kiosk/core/image_check.h"
#include "kiosk/core/layout.h"
#include "kiosk/core/rotation.h"
#include "kiosk/core/schedule.h"
#include "kiosk/core/validate.h"
#include "kiosk/platform/compositor.h"
#include "kiosk/platform/fs/posix_file_store.h"
#include "kiosk/platform/ttf_fonts.h"

namespace kiosk {

Result<std::vector<std::filesystem::path>> RenderBundle(const RenderOptions& options) {
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, options.content_dir);
  if (!bundle.ok()) return bundle.status();
  if (Status images = AttachImages(*bundle, disk, options.content_dir); !images.ok()) {
    return images;
  }
  std::vector<size_t> not_shown;
  if (options.at) {
    std::string zone_problem;
    auto zone = UnitTimeZone(options.time_zone, &zone_problem);
    if (!zone_problem.empty()) return Status::Invalid(zone_problem);
    const int64_t instant = zone->InstantsReading(*options.at).front();
    auto shown = SlidesShownAt(*bundle, instant, *zone, /*clock_synchronized=*/true);
    if (shown == std::vector<size_t>{kBuiltinHelpSlide}) {
      bundle->slides = {BuiltinHelpSlide(bundle->theme)};
    } else {
      for (size_t i = 0; i < bundle->slides.size(); ++i) {
        if (std::find(shown.begin(), shown.end(), i) == shown.end()) not_shown.push_back(i);
      }
    }
  }
  auto fonts = FontSet::Open(options.data_dir / "fonts");
  if (!fonts.ok()) return fonts.status();
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return Status::Io(options.out_dir.string() + ": cannot create: " + ec.message());

  // A software renderer drawing into a plain surface: no window, no video
  // driver, and the same SDL drawing code the player uses.
  SurfacePtr target(SDL_CreateRGBSurfaceWithFormat(0, options.width, options.height, 32,
                                                   SDL_PIXELFORMAT_ARGB8888));
  if (!target) return Status::Internal(std::string("cannot allocate a frame: ") + SDL_GetError());
  SDL_Renderer* renderer = SDL_CreateSoftwareRenderer(target.get());
  if (renderer == nullptr)
    return Status::Internal(std::string("software renderer: ") + SDL_GetError());
  std::vector<std::filesystem::path> written;
  Status failure;
  {
    Compositor compositor(renderer, **fonts, options.width, options.height,
                          options.display.rotation_degrees);
    LayoutOptions layout_options;
    layout_options.margin_percent = options.display.margin_percent;
    size_t n = 0;
    const auto cycle =
        BuildCycle(*bundle, options.display.languages, options.display.layout, not_shown);
    // One type scale for the cycle, as the player chooses it.
    std::vector<SlideView> views;
    for (const auto& timed : cycle) views.push_back(timed.view);
    auto scale = ChooseTypeScale(*bundle, views, compositor.logical_width(),
                                 compositor.logical_height(), **fonts, layout_options);
    if (!scale.ok()) failure = scale.status();
    for (const auto& timed : cycle) {
      if (!failure.ok()) break;
      ++n;
      auto frame = LayoutFrame(*bundle, timed.view, compositor.logical_width(),
                               compositor.logical_height(), **fonts, *scale, layout_options);
      if (!frame.ok()) {
        failure = frame.status();
        break;
      }
      auto texture = compositor.RenderSlide(*frame);
      if (!texture.ok()) {
        failure = texture.status();
        break;
      }
      compositor.Draw(texture->get());
      auto pixels = compositor.ReadPixels();
      if (!pixels.ok()) {
        failure = pixels.status();
        break;
      }
      const Slide& slide = bundle->slides[timed.view.slide_index];
      char prefix[8];
      std::snprintf(prefix, sizeof prefix, "%02zu-", n);
      std::string name = prefix + slide.id;
      // A view of one language says which ("01-help-fr.png"); a pair does not.
      if (timed.view.languages.size() == 1) name += "-" + timed.view.languages.front();
      auto path = options.out_dir / (name + ".png");
      if (Status s = SavePng(pixels->get(), path.string()); !s.ok()) {
        failure = s;
        break;
      }
      written.push_back(path);
    }
  }
  SDL_DestroyRenderer(renderer);
  if (!failure.ok()) return failure;
  return written;
}

std::vector<std::string> FontProblems(const std::filesystem::path& data_dir) {
  auto fonts = FontSet::Open(data_dir / "fonts");
  if (!fonts.ok()) return {fonts.status().message()};
  return (*fonts)->problems();
}

namespace {

// CheckBundleDir with the sizes to check the fit at.
std::vector<std::string> CheckBundleDirAt(const std::filesystem::path& dir,
                                          const std::filesystem::path& data_dir,
                                          const std::vector<ScreenSize>& sizes,
                                          const PinnedContact& pinned,
                                          SubstituteFonts substitutes) {
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, dir);
  if (!bundle.ok()) {
    // One problem per line of the parser's report.
    std::vector<std::string> problems;
    const std::string& m = bundle.status().message();
    size_t start = 0;
    while (start < m.size()) {
      size_t end = m.find('\n', start);
      if (end == std::string::npos) end = m.size();
      problems.push_back(m.substr(start, end - start));
      start = end + 1;
    }
    return problems;
  }
  auto fonts = FontSet::Open(data_dir / "fonts");
  if (!fonts.ok()) return {fonts.status().message()};
  auto problems = ValidateBundle(*bundle, **fonts, sizes, {}, pinned);
  // Images are checked from their bytes, before anything decodes them.
  for (auto& p : CheckImages(*bundle, disk, dir)) problems.push_back(std::move(p));
  if (substitutes == SubstituteFonts::kProblem) {
    // First: every fit result after them was measured with the substitutes.
    const auto& font_problems = (*fonts)->problems();
    problems.insert(problems.begin(), font_problems.begin(), font_problems.end());
  }
  return problems;
}

Status AsStatus(const std::vector<std::string>& problems) {
  if (problems.empty()) return Status::Ok();
  std::string all = "content check failed (" + std::to_string(problems.size()) + " problem" +
                    (problems.size() == 1 ? "" : "s") + ")";
  for (const auto& p : problems) all += "\n" + p;
  return Status::Rejected(all);
}

}  // namespace

std::vector<std::string> CheckBundleDir(const std::filesystem::path& dir,
                                        const std::filesystem::path& data_dir, int extra_width,
                                        int extra_height, const PinnedContact& pinned,
                                        SubstituteFonts substitutes) {
  auto sizes = kSupportedSizes;
  if (extra_width > 0 && extra_height > 0) sizes.push_back({extra_width, extra_height});
  return CheckBundleDirAt(dir, data_dir, sizes, pinned, substitutes);
}

Status CheckContent(const std::filesystem::path& dir, const std::filesystem::path& data_dir,
                    int extra_width, int extra_height, const PinnedContact& pinned,
                    SubstituteFonts substitutes) {
  return AsStatus(CheckBundleDir(dir, data_dir, extra_width, extra_height, pinned, substitutes));
}

Status CheckContentForPanel(const std::filesystem::path& dir, const std::filesystem::path& data_dir,
                            int width, int height, const PinnedContact& pinned,
                            SubstituteFonts substitutes) {
  return AsStatus(CheckBundleDirAt(dir, data_dir, {{width, height}}, pinned, substitutes));
}

std::vector<std::string> ScheduleReport(const std::filesystem::path& dir) {
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, dir);
  if (!bundle.ok()) return {};
  std::vector<std::string> lines;
  for (const auto& w : ScheduleWarnings(*bundle)) lines.push_back("warning: " + w);
  lines.push_back("week timeline (the unit's local time; date ranges aside):");
  for (const auto& line : WeekTimeline(*bundle)) lines.push_back("  " + line);
  return lines;
}

std::vector<std::string> LineBreakReport(const std::filesystem::path& dir,
                                         const std::filesystem::path& data_dir) {
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, dir);
  if (!bundle.ok()) return {};
  auto fonts = FontSet::Open(data_dir / "fonts");
  if (!fonts.ok()) return {};
  std::vector<std::string> lines;
  for (const auto& w : TitleWarnings(*bundle, **fonts)) lines.push_back("warning: " + w);
  return lines;
}

std::vector<std::string> LanguageReport(const std::filesystem::path& dir,
                                        const std::vector<std::string>& unit_languages) {
  PosixFileStore disk;
  auto bundle = LoadBundleDir(disk, dir);
  if (!bundle.ok()) return {};
  std::vector<std::string> lines;
  for (const auto& w : LanguageWarnings(*bundle, unit_languages)) lines.push_back("warning: " + w);
  for (const auto& w : CopyWarnings(*bundle)) lines.push_back("warning: " + w);
  return lines;
}

}  // namespace kiosk
