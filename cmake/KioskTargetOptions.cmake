# Per-target compile options (never global flags), as fmt does.
function(kiosk_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor
                                           -Wold-style-cast -Wnull-dereference)
  if(KIOSK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(KIOSK_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(KIOSK_FUZZ)
    # Coverage instrumentation in every library, so the fuzzer sees the parsers.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

# Fails the configure step if a target links any of the forbidden libraries:
# the core must stay free of SDL and curl so it can be tested with fakes.
function(kiosk_forbid_links target)
  get_target_property(libs ${target} LINK_LIBRARIES)
  foreach(lib IN LISTS libs)
    foreach(bad IN LISTS ARGN)
      if(lib MATCHES "${bad}")
        message(FATAL_ERROR "${target} must not link ${lib}: the core stays free of ${bad}")
      endif()
    endforeach()
  endforeach()
endfunction()
