// `kiosk bundle`: the administrator's commands for remote content updates.
//
//   kiosk bundle build SRC_DIR OUT_DIR [--version N] [--expires-in DAYS]
//       Copies SRC_DIR's files (slides.json and any images) into OUT_DIR,
//       writes OUT_DIR/manifest.json (sizes, SHA-256, version = N, or OUT_DIR's
//       previous version + 1, or 1; published = now; expires = published +
//       DAYS, default 30, 1 to 3650), checks the content with the player's
//       validator first, and prints the expiry and the minisign command to
//       sign. Versions stop at kMaxBundleVersion: an OUT_DIR already there
//       (or beyond it) is refused, never wrapped around.
//   kiosk bundle verify DIR --key PUBFILE_OR_BASE64
//       Checks the signature, every file's size and hash, stray files, expiry
//       and the validator; prints every problem. Exit 1 if there is any. A
//       bundle expiring within 7 days gets a warning (exit 0).
//
// This file is the command line only (arguments, messages, exit codes); the
// decisions are kiosk::update::BuildBundle and VerifyBundleForPublishing
// (kiosk/core/update/bundle_tool.h).
//
// args: the words after "kiosk", starting with "bundle" (or after
// "kiosk bundle"). validate_content: the player's own checks of a content
// directory (slides.json parses, images decode); Ok to accept, otherwise a
// Status whose message lists the problems. Returns the process exit code:
// 0 ok, 1 problems found, 2 usage error.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/update/bundle_verify.h"

namespace kiosk {

// On the given disk and clock, writing to out and err (tests).
int RunBundleCommand(const std::vector<std::string>& args,
                     const update::BundleValidator& validate_content, FileStore& store,
                     const Clock& clock, std::ostream& out, std::ostream& err);

// On the real disk (PosixFileStore), the system clock, stdout and stderr.
int RunBundleCommand(const std::vector<std::string>& args,
                     const update::BundleValidator& validate_content);

}  // namespace kiosk
