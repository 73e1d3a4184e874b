# Install rules and the Debian package (CPack DEB): kiosk_<version>_<arch>.deb
# with /usr/bin/kiosk, the built-in content and pinned fonts, the systemd
# unit, a default /etc/kiosk/kiosk.json (a conffile) and maintainer scripts
# that create the `kiosk` system user and enable the service.
#
#   cmake --build build && (cd build && cpack -G DEB)      # amd64
#   scripts/build-arm64 --deb                                # arm64
# scripts/build-deb wraps both; scripts/test-deb installs, upgrades and
# purges the result in a clean Debian 12 root.

# Nothing to install until the player target exists (kiosk/app/main.cc).
if(NOT TARGET kiosk)
  message(STATUS "kiosk target not defined yet: no install rules, no package")
  return()
endif()

# Data: where the binary looks for it (KIOSK_DATA_DIR, absolute), installed
# relative to the prefix when it is under it so that DESTDIR and CPack work.
file(RELATIVE_PATH _kiosk_data_rel "${CMAKE_INSTALL_PREFIX}" "${KIOSK_DATA_DIR}")
if(_kiosk_data_rel MATCHES "^\\.\\./")
  set(_kiosk_data_rel "${KIOSK_DATA_DIR}")
endif()

install(TARGETS kiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
# content/ and fonts/ exactly as in the source tree (git does not keep an
# empty directory, so a missing one installs as an empty directory).
foreach(dir content fonts)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${dir})
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${_kiosk_data_rel}/${dir}
            COMPONENT kiosk)
  else()
    install(DIRECTORY DESTINATION ${_kiosk_data_rel}/${dir} COMPONENT kiosk)
  endif()
endforeach()
# Debian 12 reads units from /lib/systemd/system (usrmerge makes it the same
# directory as /usr/lib/systemd/system).
install(FILES ${PROJECT_SOURCE_DIR}/systemd/kiosk.service DESTINATION /lib/systemd/system
        COMPONENT kiosk)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/kiosk.json
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/kiosk COMPONENT kiosk)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
              ${PROJECT_SOURCE_DIR}/docs/deployment.md ${PROJECT_SOURCE_DIR}/docs/provisioning.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT kiosk)

# --- CPack ----------------------------------------------------------------
# The binary looks for its data at KIOSK_DATA_DIR, fixed at configure time,
# so a package is only made from a build configured for /usr.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "No .deb from this build: configure with -DCMAKE_INSTALL_PREFIX=/usr "
                 "(scripts/build-deb does)")
  return()
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# KIOSK_DEB_REVISION: the Debian revision (-1, -2, ...) of the same upstream
# version; scripts/test-deb builds a second one to test upgrades.
set(KIOSK_DEB_REVISION "1" CACHE STRING "Debian revision of the package")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${KIOSK_DEB_REVISION})
set(CPACK_PACKAGE_CONTACT "kiosk maintainers <kiosk@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Awareness signage player for the console (SDL2/KMSDRM)")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Awareness signage player for the console (SDL2/KMSDRM)\n\
Turns a Raspberry Pi (or any Debian 12 machine) behind a TV into a sign that\n\
rotates bilingual slides about human trafficking and always shows the\n\
hotline. Runs as the unprivileged user kiosk under systemd, with a watchdog.")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # kiosk_<version>-<rev>_<arch>.deb
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
if(NOT CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
  # The toolchain file sets arm64; otherwise ask dpkg for the host's.
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()

# Depends: the run-time list every machine installs from (one place to keep
# it), plus what the maintainer scripts and the unit use.
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/apt-runtime.txt _kiosk_runtime_lines)
set(_kiosk_depends "")
foreach(line IN LISTS _kiosk_runtime_lines)
  string(REGEX REPLACE "#.*" "" line "${line}")
  string(STRIP "${line}" line)
  if(line)
    list(APPEND _kiosk_depends "${line}")
  endif()
endforeach()
# adduser: postinst; util-linux: setterm in ExecStartPre; systemd: the unit.
list(APPEND _kiosk_depends adduser systemd util-linux)
list(JOIN _kiosk_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
