# Cross-compiles kiosk for 64-bit ARM (Raspberry Pi 3, 4, 400, Zero 2 W) on a
# Debian 12 amd64 host with multiarch arm64 -dev packages installed
# (packaging/apt-arm64.txt; scripts/build-arm64 does all of it).
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(KIOSK_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${KIOSK_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${KIOSK_TRIPLET}-g++)

# Multiarch: the arm64 libraries live in /usr/lib/aarch64-linux-gnu of the
# host itself, not in a sysroot, so no CMAKE_SYSROOT. Headers that differ per
# architecture are under /usr/include/aarch64-linux-gnu, which the cross gcc
# searches on its own. CMAKE_LIBRARY_ARCHITECTURE makes find_library and
# find_package look in the arm64 directories.
set(CMAKE_LIBRARY_ARCHITECTURE ${KIOSK_TRIPLET})

# pkg-config must report the arm64 .pc files: Debian's cross wrapper sets
# PKG_CONFIG_LIBDIR to the triplet's directories.
set(PKG_CONFIG_EXECUTABLE /usr/bin/${KIOSK_TRIPLET}-pkg-config CACHE FILEPATH "pkg-config for arm64")

# Programs (the compiler, qemu) come from the host; libraries and headers
# from the arm64 side. nlohmann_json and doctest ship architecture-
# independent CMake configs under /usr/share and /usr/lib/cmake.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# Tests and `kiosk render` run through qemu-user (binfmt is not registered on
# the build machines, so CTest calls the emulator explicitly).
find_program(KIOSK_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64)
if(KIOSK_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KIOSK_QEMU_AARCH64})
endif()

# The .deb's architecture.
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
