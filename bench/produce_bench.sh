#!/usr/bin/env bash
# One run of the issue-3 benchmark, every figure from the same machine state:
#   1. loopback TCP bandwidth (iperf3, one stream, 5 s);
#   2. per record size (100 B, 1 KiB), acks=1, one partition:
#      librdkafka's in-memory mock broker (rdkafka_perf --mock),
#      sluice-broker with the same librdkafka producer, the same producer spreading its records
#      over a topic of 64 partitions (librdkafka's default partitioner: a random partition per
#      keyless record; line prefix "p64"), then librdkafka's consumer reading the
#      topic back from offset 0 (rdkafka_perf --consume; librdkafka's defaults, then a prefetch
#      queue big enough for the whole topic),
#      sluice-broker with `sluice perf produce`, then `sluice perf consume`;
#   3. sluice-broker's RSS (/proc/PID/status) leading one topic of 1,000 partitions, idle and
#      after 1 M 100-byte records spread over them.
# A private ZooKeeper (Debian's jar, own temp dir, free port) and real build/bin/sluice-broker
# processes; topics are created with `build/bin/sluice topic create`. Each broker start gets a
# fresh log dir and ZooKeeper chroot.
# Usage: bench/produce_bench.sh [BUILD_DIR]   (env: RUNS=3, COUNT_100=2000000, COUNT_1K=500000)
set -euo pipefail

build=${1:-build}
bin=$build/bin
runs=${RUNS:-3}
count_100=${COUNT_100:-2000000}
count_1k=${COUNT_1K:-500000}
for tool in "$bin/rdkafka_perf" "$bin/sluice-broker" "$bin/sluice"; do
  [ -x "$tool" ] || { echo "produce_bench: $tool missing; build targets rdkafka_perf sluice-broker sluice" >&2; exit 1; }
done
command -v iperf3 >/dev/null || { echo "produce_bench: iperf3 missing (scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/sluice-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/cluster_lib.sh
source "$(dirname "$0")/cluster_lib.sh"

# `sluice perf` summary (--json) as one line like rdkafka_perf's.
perf_line() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print("%s records=%d elapsed_s=%.3f records_per_s=%.0f MB_per_s=%.1f" % (sys.argv[1], j["records"], j["seconds"], j["records_per_sec"], j["bytes"] / j["seconds"] / 1e6))' "$1"; }

echo "== $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), librdkafka $(pkg-config --modversion rdkafka)"

echo "== loopback TCP (iperf3 -t 5, one stream)"
port=$(free_port)
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
iperf3 -c 127.0.0.1 -p "$port" -t 5 -f m | awk '/receiver/ {printf "iperf3 %s Mbit/s = %.0f MB/s\n", $7, $7 / 8}'

start_zookeeper
for size_count in "100 $count_100" "1024 $count_1k"; do
  read -r size count <<<"$size_count"
  echo "== ${size}-byte records, acks=1, linger.ms=5, one partition, $runs runs each (load $(cut -d' ' -f1 /proc/loadavg))"
  for _ in $(seq "$runs"); do "$bin/rdkafka_perf" --mock --count "$count" --size "$size" 2>/dev/null; done
  start_broker "sluice-$size"
  topic_create "rdkafka-$size" 1
  topic_create "perf-$size" 1
  for _ in $(seq "$runs"); do
    "$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic "rdkafka-$size" --count "$count" --size "$size"
  done
  topic_create "p64-$size" 64
  for _ in $(seq "$runs"); do
    "$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic "p64-$size" --partition -1 --count "$count" --size "$size" |
      sed 's/^/p64 /'
  done
  for _ in $(seq "$runs"); do
    "$bin/rdkafka_perf" --consume --bootstrap "$bootstrap" --topic "rdkafka-$size" --count "$count"
  done
  # The same with librdkafka's prefetch queue large enough to hold the whole topic: with the
  # defaults (queued.min.messages=100000) the consumer pauses fetching whenever it is full.
  for _ in $(seq "$runs"); do
    "$bin/rdkafka_perf" --consume --bootstrap "$bootstrap" --topic "rdkafka-$size" --count "$count" \
      -X queued.min.messages=10000000 -X queued.max.messages.kbytes=2000000 | sed 's/^consume/consume-bigqueue/'
  done
  for _ in $(seq "$runs"); do
    "$bin/sluice" -b "$bootstrap" perf produce "perf-$size" --records "$count" --record-size "$size" --acks 1 \
      --linger-ms 5 --batch-size 1000000 --json 2>/dev/null | perf_line "sluice-perf-produce"
  done
  for _ in $(seq "$runs"); do
    "$bin/sluice" -b "$bootstrap" perf consume "perf-$size" --records "$count" --json 2>/dev/null |
      perf_line "sluice-perf-consume"
  done
  echo "sluice-broker RSS after the runs: $(rss_mib "$broker_pid") MiB"
  stop_broker
done

echo "== RSS leading 1000 partitions"
start_broker sluice-1000
echo "started, no topic: $(rss_mib "$broker_pid") MiB"
topic_create rss-1000 1000
sleep 2
echo "leading 1000 partitions, idle: $(rss_mib "$broker_pid") MiB"
"$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic rss-1000 --partition -1 --count 1000000 --size 100
echo "after 1 M 100-byte records over the 1000 partitions: $(rss_mib "$broker_pid") MiB"
stop_broker
