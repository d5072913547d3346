#!/usr/bin/env bash
# One run of the produce benchmark (issue 3), every figure from the same machine state:
#   1. loopback TCP bandwidth (iperf3, one stream, 5 s);
#   2. librdkafka's in-memory mock broker (rdkafka_perf --mock), 100-byte and 1 KiB records;
#   3. Sluice, same producer and settings (acks=1, one partition);
#   4. Sluice's RSS leading 1,000 partitions, idle and after 1 M records spread over them;
#   5. `sluice perf produce`, once that CLI exists.
# sluice-broker cannot host topics until it is wired to ZooKeeper, so (3) and (4) run
# build/bin/hosted_broker: the same KafkaServer, made leader directly as the test fixture does.
# Usage: bench/produce_bench.sh [BUILD_DIR]   (env: RUNS=3, COUNT_100=3000000, COUNT_1K=1000000)
set -euo pipefail

build=${1:-build}
bin=$build/bin
runs=${RUNS:-3}
count_100=${COUNT_100:-3000000}
count_1k=${COUNT_1K:-1000000}
for tool in "$bin/rdkafka_perf" "$bin/hosted_broker"; do
  [ -x "$tool" ] || { echo "produce_bench: $tool missing; build targets rdkafka_perf hosted_broker" >&2; exit 1; }
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts hosted_broker with $1 partitions in $work/$2; sets broker_pid and broker_port.
start_broker() {
  mkdir -p "$work/$2"
  "$bin/hosted_broker" --log-dir "$work/$2" --partitions "$1" >"$work/$2/out" 2>"$work/$2/err" &
  broker_pid=$!
  pids+=("$broker_pid")
  for _ in $(seq 1 300); do
    broker_port=$(grep -E '^listening [0-9]+$' "$work/$2/out" | cut -d' ' -f2 || true)
    [ -n "$broker_port" ] && return 0
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "produce_bench: hosted_broker did not start:" >&2
  cat "$work/$2/err" >&2
  exit 1
}
stop_broker() { kill -TERM "$broker_pid"; wait "$broker_pid" || true; }
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

echo "== $(date -u +%FT%TZ) $(nproc) cores, librdkafka $(pkg-config --modversion rdkafka)"

echo "== loopback TCP (iperf3 -t 5, one stream)"
port=$(free_port)
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
iperf3 -c 127.0.0.1 -p "$port" -t 5 -f m | awk '/receiver/ {printf "iperf3 %s Mbit/s = %.0f MB/s\n", $7, $7 / 8}'

for size_count in "100 $count_100" "1024 $count_1k"; do
  read -r size count <<<"$size_count"
  echo "== ${size}-byte records, acks=1, one partition, $runs runs each"
  for _ in $(seq "$runs"); do "$bin/rdkafka_perf" --mock --count "$count" --size "$size" 2>/dev/null; done
  start_broker 1 "sluice-$size"
  for _ in $(seq "$runs"); do "$bin/rdkafka_perf" --bootstrap "127.0.0.1:$broker_port" --count "$count" --size "$size"; done
  echo "sluice RSS after the runs: $(rss_mib "$broker_pid") MiB"
  stop_broker
done

echo "== RSS leading 1000 partitions"
start_broker 1000 "sluice-1000"
echo "idle: $(rss_mib "$broker_pid") MiB"
"$bin/rdkafka_perf" --bootstrap "127.0.0.1:$broker_port" --partition -1 --count 1000000 --size 100
echo "after 1 M 100-byte records over the 1000 partitions: $(rss_mib "$broker_pid") MiB"
stop_broker

echo "== sluice perf produce"
if [ -x "$bin/sluice" ] && "$bin/sluice" perf produce --help >/dev/null 2>&1; then
  echo "TODO: run sluice perf produce with the settings above once its flags are final"
else
  echo "not built yet (tools/ has no perf subcommand here)"
fi
