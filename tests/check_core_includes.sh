#!/bin/sh
# Keeps kiosk/core/ free of the outside world: decisions there are tested
# with fakes, so core must not include the platform adapters, the app wiring,
# SDL or curl (house style, kiosk/core vs kiosk/platform vs kiosk/app).
#
# Usage: tests/check_core_includes.sh CORE_DIR    check every file under it
#        tests/check_core_includes.sh --self-test check that each forbidden
#                                                 form is caught and an
#                                                 allowed one is not
# Exits 1 and prints file:line:include for every forbidden include.
set -eu

# An #include whose target starts with (optionally ../ or kiosk/) platform/ or
# app/, with SDL (SDL.h, SDL_ttf.h, SDL2/...), or with curl/.
forbidden='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((\.\./)*(kiosk/)?(platform|app)/|SDL|curl/)'

check() {
  found=$(grep -rnE --include='*.h' --include='*.cc' --include='*.hpp' \
    --include='*.cpp' "$forbidden" "$1" || true)
  if [ -n "$found" ]; then
    echo "kiosk/core must not include platform/, app/, SDL or curl:" >&2
    echo "$found" >&2
    return 1
  fi
  return 0
}

self_test() {
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  failures=0
  for bad in '#include "kiosk/platform/sdl_renderer.h"' \
    '#include "kiosk/app/paths.h"' '#include "../platform/x.h"' \
    '#include <SDL.h>' '#include <SDL2/SDL.h>' '#include <SDL_ttf.h>' \
    '#include "SDL_ttf.h"' '#include <curl/curl.h>' '  #  include <curl/easy.h>'; do
    printf '%s\n' "$bad" >"$dir/bad.h"
    if check "$dir" 2>/dev/null; then
      echo "self-test: not caught: $bad" >&2
      failures=1
    fi
  done
  printf '%s\n' '#include "kiosk/core/status.h"' '#include <nlohmann/json.hpp>' \
    '// SDL and curl live in kiosk/platform/' >"$dir/bad.h"
  if ! check "$dir"; then
    echo "self-test: allowed includes were rejected" >&2
    failures=1
  fi
  return $failures
}

if [ "${1:-}" = "--self-test" ]; then
  self_test
elif [ $# -eq 1 ] && [ -d "$1" ]; then
  check "$1"
else
  echo "usage: $0 CORE_DIR | --self-test" >&2
  exit 2
fi
