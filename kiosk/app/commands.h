// The `kiosk render` and `kiosk validate` commands, and the content check the
// updater runs on every downloaded bundle.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/config.h"
#include "kiosk/core/pinned_contact.h"
#include "kiosk/core/status.h"
#include "kiosk/core/time_zone.h"

namespace kiosk {

struct RenderOptions {
  std::filesystem::path content_dir;  // a bundle directory (holds slides.json)
  std::filesystem::path out_dir;
  std::filesystem::path data_dir;   // fonts/
  int width = 1920, height = 1080;  // the panel
  DisplayConfig display;            // layout mode, rotation, margin
  // With a value: only what the unit shows when its (synchronised) clock
  // reads this local time in time_zone (schedule.h), which is the built-in
  // help slide ("<NN>-builtin-help.png") when no slide is scheduled then.
  // A local time that the zone skips (spring forward) is the instant the
  // clock jumps past it.
  std::optional<LocalTime> at;
  std::string time_zone;  // an IANA name; empty = the system's zone
};

// Writes every view of the rotation as <out>/<NN>-<slide id>[-<tag>].png
// (the language tag of a view that shows one language: "-fr", "-iu"), pixel for pixel the frame the
// player shows on a software renderer. Returns the files written, or the first problem.
Result<std::vector<std::filesystem::path>> RenderBundle(const RenderOptions& options);

// What a content check does when the pinned fonts are damaged and FontSet
// substituted system fonts (FontSet::problems()).
enum class SubstituteFonts {
  // Each substitution is a problem: an administrator's check must measure
  // with the fonts units have, not with whatever this machine offers.
  kProblem,
  // Measure with the substitutes: on a unit that shows its slides in them,
  // they are the fonts that matter.
  kAccept,
};

// The pinned-font problems of data_dir/fonts (FontSet::problems(), or why
// no font could be opened at all). Empty = the pinned fonts are intact.
std::vector<std::string> FontProblems(const std::filesystem::path& data_dir);

// Everything wrong with the bundle in dir: schema, the contact against the
// pinned one and the numbers and addresses in its text, fit at every
// supported size (plus extra_size when non-zero), contrast, and damaged
// pinned fonts unless substitutes are accepted. Empty = valid.
std::vector<std::string> CheckBundleDir(const std::filesystem::path& dir,
                                        const std::filesystem::path& data_dir, int extra_width = 0,
                                        int extra_height = 0,
                                        const PinnedContact& pinned = BuiltinContact(),
                                        SubstituteFonts substitutes = SubstituteFonts::kProblem);

// CheckBundleDir as a Status: Ok, or Rejected listing every problem. The
// check the updater runs on each downloaded bundle before applying it, and
// `kiosk bundle` runs before an administrator signs one. Thread-safe (each
// call opens its own fonts). The updater passes kAccept (see player.cc).
Status CheckContent(const std::filesystem::path& dir, const std::filesystem::path& data_dir,
                    int extra_width = 0, int extra_height = 0,
                    const PinnedContact& pinned = BuiltinContact(),
                    SubstituteFonts substitutes = SubstituteFonts::kProblem);

// CheckContent with the fit checked at this panel's size (width x height)
// only, not at every supported size: what the player checks of its cached
// bundle before the first frame. The bundle passed the full check when it
// was applied; the other sizes matter to whoever publishes it, not to this
// screen, and cost six times the layouts (seconds on a Pi) before anything
// is shown.
Status CheckContentForPanel(const std::filesystem::path& dir, const std::filesystem::path& data_dir,
                            int width, int height, const PinnedContact& pinned,
                            SubstituteFonts substitutes = SubstituteFonts::kProblem);

// What `kiosk validate` says about the schedules of the bundle in dir: a
// "warning: ..." line for each time nothing would show (ScheduleWarnings),
// then the week's timeline (WeekTimeline). Warnings do not make a bundle
// invalid. Empty when slides.json does not parse (its problems say why).
std::vector<std::string> ScheduleReport(const std::filesystem::path& dir);

// What `kiosk validate` says about the line breaks of the bundle in dir,
// measured with the fonts under data_dir: a "warning: ..." line per slide,
// language and supported size whose title ends in a one-word line
// (TitleWarnings). Empty when slides.json does not parse or the fonts do not
// open (CheckBundleDir says why).
std::vector<std::string> LineBreakReport(const std::filesystem::path& dir,
                                         const std::filesystem::path& data_dir);

// What `kiosk validate` says about the words of the bundle in dir for a unit
// showing unit_languages: a "warning: ..." line per slide lacking some of
// them (LanguageWarnings), then per slide too long for a poster and for a
// cycle too long (CopyWarnings). Empty when slides.json does not parse.
std::vector<std::string> LanguageReport(const std::filesystem::path& dir,
                                        const std::vector<std::string>& unit_languages);

}  // namespace kiosk
