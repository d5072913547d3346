#!/usr/bin/env bash
# Builds the protocol request fuzzer with clang (ASan + UBSan + libFuzzer) and runs it.
# Usage: scripts/fuzz.sh [SECONDS] [BUILD_DIR]   (defaults: 60, /tmp/build-fuzz)
set -euo pipefail

seconds="${1:-60}"
build_dir="${2:-/tmp/build-fuzz}"
source_dir="$(cd "$(dirname "$0")/.." && pwd)"

CC=clang CXX=clang++ cmake -S "$source_dir" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=ON \
  -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
# fuzzer-no-link everywhere: the decoder lives in sluice_protocol, and libFuzzer only sees the
# coverage of code compiled with it (the fuzz target alone gave it a dozen edges).
cmake --build "$build_dir" --target protocol_request_fuzzer

corpus="$build_dir/fuzz-corpus/request"
mkdir -p "$corpus"
# Seeds: an ApiVersions v3 request as librdkafka sends it, and a Metadata v1 request.
printf '\x00\x12\x00\x03\x00\x00\x00\x01\x00\x07rdkafka\x00\x0blibrdkafka\x062.0.2\x00' \
  >"$corpus/api_versions_v3"
printf '\x00\x03\x00\x01\x00\x00\x00\x02\x00\x07rdkafka\x00\x00\x00\x01\x00\x04test' \
  >"$corpus/metadata_v1"

"$build_dir/bin/protocol_request_fuzzer" -max_total_time="$seconds" -max_len=4096 \
  -rss_limit_mb=1024 -malloc_limit_mb=64 "$corpus"
