# Third-party libraries, all from Debian packages (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# Boost 1.81: Outcome for Result<T>; Asio 1.26 arrives with the broker.
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(ZLIB REQUIRED)
find_package(Snappy CONFIG QUIET)
if(NOT TARGET Snappy::snappy)
  find_library(SNAPPY_LIBRARY snappy REQUIRED)
  add_library(Snappy::snappy UNKNOWN IMPORTED)
  set_target_properties(Snappy::snappy PROPERTIES IMPORTED_LOCATION "${SNAPPY_LIBRARY}")
endif()
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)

if(SLUICE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
