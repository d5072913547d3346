#!/usr/bin/env bash
# Prints, one a line, the Debian packages that hold the shared libraries the given binaries load:
# the Dockerfile's runtime stage installs exactly these, so it follows whatever the build links
# (scripts/install-deps.sh stays the one list of build packages). Usage: runtime-packages.sh BIN...
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: runtime-packages.sh BINARY..." >&2; exit 1; }
libs=$(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
for lib in $libs; do
  # Debian 12 merges /lib into /usr/lib; dpkg knows each file under one of the two names.
  alt=${lib#/usr}
  [ "$alt" != "$lib" ] || alt=/usr$lib
  owner=$(dpkg-query -S "$lib" 2>/dev/null || dpkg-query -S "$alt" 2>/dev/null) ||
    { echo "runtime-packages: no package holds $lib" >&2; exit 1; }
  echo "${owner%%:*}"
done | sort -u
