// `kiosk fleet`: the administrator's view of every unit, over the fleet's
// MQTT broker (docs/fleet-admin.md; topics in docs/fleet.md).
//
//   kiosk fleet [list] [--tag T]          every unit: online or offline and
//                                         since when, version shown, stale,
//                                         last check, last error, display
//   kiosk fleet outdated [--newest N] [--tag T]
//                                         units not showing the newest version
//                                         seen in the fleet (or N); exit 1 if any
//   kiosk fleet check-now UNIT|--tag T|--all
//   kiosk fleet reload UNIT|--tag T|--all
//                                         send the command, wait for replies,
//                                         print who answered what; exit 1 if a
//                                         unit asked (a named one, or an online
//                                         one of the tag or fleet) did not
//                                         answer, or answered other than
//                                         started/done
//   kiosk fleet screenshot UNIT --out FILE.png
//                                         the frame on UNIT's screen, written
//                                         atomically; exit 1 if none came
// Connection options (or --config admin.json with the same fields, flags
// winning): --broker mqtts://HOST[:PORT], --username NAME, --password-file
// FILE, --ca-file PEM. --wait SEC (how long to collect the retained messages,
// default 1), --timeout SEC (how long to wait for replies, default 10).
//
// This file is the command line only; the message model is
// kiosk/core/fleet_view.h, the MQTT session kiosk/platform/fleet/mqtt_admin.h.
//
// Returns the process exit code: 0 ok, 1 failed (broker unreachable, not
// authorised, unknown unit, no answer), 2 usage error.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"

namespace kiosk {

// args: the words after "kiosk", starting with "fleet" (or after
// "kiosk fleet"). Files (config, password, screenshot) go through store;
// times shown are relative to clock.
int RunFleetCommand(const std::vector<std::string>& args, FileStore& store, const Clock& clock,
                    std::ostream& out, std::ostream& err);

// On the real disk, the system clock, stdout and stderr.
int RunFleetCommand(const std::vector<std::string>& args);

}  // namespace kiosk
