// `kiosk bundle`: the administrator's side of remote updates.
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
// Exit codes: 0 ok, 1 problems found, 2 usage error.
// The logic lives here, in kiosk_update, so tests run it without the app's
// main(); kiosk/app/bundle_command.cc binds it to the real disk and clock.
//
// Threading: runs on the calling thread; no shared state.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "kiosk/core/clock.h"
#include "kiosk/core/file_store.h"
#include "kiosk/core/update/bundle_verify.h"

namespace kiosk::update {

// args are the words after "kiosk" ("bundle", "build", ...) or after
// "kiosk bundle" ("build", ...): a leading "bundle" is skipped.
int RunBundleTool(const std::vector<std::string>& args, const BundleValidator& validate_content,
                  FileStore& store, const Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace kiosk::update
