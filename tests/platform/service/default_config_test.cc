// The configuration the package installs as /etc/kiosk/kiosk.json (and the
// image copies to the boot partition as the venue's template) must parse and
// must mean exactly the built-in defaults: a venue that never edits it gets
// the same sign as one with no file at all.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "kiosk/core/config.h"
#include "kiosk/platform/fs/posix_file_store.h"

namespace kiosk {
namespace {

TEST_CASE("packaging/kiosk.json parses and equals the built-in defaults") {
  PosixFileStore disk;
  auto loaded =
      LoadConfigFile(disk, std::filesystem::path(KIOSK_SOURCE_DIR) / "packaging/kiosk.json");
  CHECK(loaded.problems == std::vector<std::string>{});
  CHECK(loaded.warnings == std::vector<std::string>{});
  const Config& c = loaded.config;
  const Config defaults;
  CHECK(c.display.layout == defaults.display.layout);
  CHECK(c.display.rotation_degrees == defaults.display.rotation_degrees);
  CHECK(c.display.width == defaults.display.width);
  CHECK(c.display.height == defaults.display.height);
  CHECK(c.display.crossfade_ms == defaults.display.crossfade_ms);
  CHECK(c.display.margin_percent == doctest::Approx(defaults.display.margin_percent));
  CHECK(c.updates.url == defaults.updates.url);
  CHECK(c.updates.poll_interval_s == defaults.updates.poll_interval_s);
  CHECK(c.updates.trusted_keys == defaults.updates.trusted_keys);
  CHECK(c.device_name == defaults.device_name);
  CHECK(c.venue_tags == defaults.venue_tags);
  CHECK(c.state_dir == defaults.state_dir);
  CHECK(c.status_file == defaults.status_file);
  CHECK(c.trust == defaults.trust);
  CHECK(c == defaults);  // and any field added later
}

}  // namespace
}  // namespace kiosk
