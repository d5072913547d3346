#!/usr/bin/env bash
# Instructions the broker spends per produced record: sluice-broker under valgrind's callgrind,
# a fixed produce load from rdkafka_perf (N 100-byte records in full batches of B records, acks=1,
# one partition), counters zeroed after a warm-up and dumped after the load. Instruction counts
# do not depend on the machine's load, so before/after figures compare across runs.
# Usage: bench/callgrind_produce.sh [BUILD_DIR] [OUT_DIR]
#   (env: COUNT=200000, BATCH=1000 records per batch, SIZE=100; OUT_DIR keeps callgrind.out.*)
set -euo pipefail

build=${1:-build}
bin=$build/bin
out=${2:-}
count=${COUNT:-200000}
batch=${BATCH:-1000}
size=${SIZE:-100}
command -v valgrind >/dev/null || { echo "callgrind_produce: valgrind missing" >&2; exit 1; }

work=$(mktemp -d /tmp/sluice-callgrind-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/cluster_lib.sh
source "$(dirname "$0")/cluster_lib.sh"

start_zookeeper
BROKER_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=$work/callgrind.out.%p" start_broker broker
topic_create cg 1
# Full batches of $batch records: linger long enough that only the record count closes a batch.
produce() {
  "$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic cg --count "$1" --size "$size" \
    -X batch.num.messages="$batch" -X linger.ms=2000 -X batch.size=100000000 >/dev/null
}
produce "$batch"
callgrind_control --zero "$broker_pid" >/dev/null
produce "$count"
callgrind_control --dump=produce "$broker_pid" >/dev/null
file=$(ls -t "$work"/callgrind.out.* | head -1)
total=$(callgrind_annotate "$file" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "records=$count batch=$batch size=$size instructions=$total per_record=$((total / count))"
callgrind_annotate --inclusive=no "$file" 2>/dev/null | sed -n '/^Ir/,$p' | head -40
if [ -n "$out" ]; then mkdir -p "$out"; cp "$file" "$out/"; fi
stop_broker
