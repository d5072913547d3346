#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test.
#   scripts/test.sh                 everything: Release build + ASan/UBSan build, all tests
#   SLUICE_SANITIZE=0 scripts/test.sh   skip the sanitizer build (faster local runs)
#   SLUICE_FUZZ_SECONDS=N               fuzz the request decoder N seconds (default 30; 0 skips)
# Exits non-zero on any failure; failing tests print their full output.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
# ccache: hash paths relative to the checkout, so every clone (CI's, a worktree) shares the cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
step() { printf '\n== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "module layering"
scripts/check-layering.sh

step "build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"

step "tests (Release)"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if [ "${SLUICE_SANITIZE:-1}" != "0" ]; then
  step "build (ASan + UBSan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON \
    -DSLUICE_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  step "tests (ASan + UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900
fi

if [ "${SLUICE_FUZZ_SECONDS:-30}" != "0" ]; then
  step "fuzz the request decoder (${SLUICE_FUZZ_SECONDS:-30} s)"
  scripts/fuzz.sh "${SLUICE_FUZZ_SECONDS:-30}" build-fuzz
fi

step "all tests passed"
