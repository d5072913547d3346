#!/usr/bin/env bash
# Issue 5's benchmark against three real sluice-broker processes on a private ZooKeeper:
#   1. offset commits: partitions committed per second through synchronous OffsetCommit requests
#      naming 1, 10 and 100 partitions each (one ZooKeeper multi per request), from one
#      confluent-kafka consumer (bench/group_probe.py commits);
#   2. rebalance time of a 10-member group when one member leaves (LeaveGroup): from close() to
#      every remaining member holding its new assignment, with librdkafka's default heartbeat
#      (3000 ms: members learn of the rebalance from a heartbeat) and with 500 ms.
# Usage: bench/group_bench.sh [BUILD_DIR]    env: RUNS=3 SECONDS_PER_RUN=10
set -euo pipefail

build=${1:-build}
bin=$build/bin
runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-10}
for tool in "$bin/sluice-broker" "$bin/sluice"; do
  [ -x "$tool" ] || { echo "group_bench: $tool missing; build the sluice-broker and sluice targets" >&2; exit 1; }
done
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
# shellcheck source=bench/cluster_lib.sh
. "$here/cluster_lib.sh"

start_zookeeper
start_cluster groups 3 "group.initial.rebalance.delay.ms=0"
"$bin/sluice" -b "$bootstrap" topic create commits --partitions 100 --replication-factor 3 >/dev/null
"$bin/sluice" -b "$bootstrap" topic create members --partitions 20 --replication-factor 3 >/dev/null

echo "== offset commits (synchronous OffsetCommit, ${seconds} s per run)"
for per in 1 10 100; do
  for ((run = 1; run <= runs; run++)); do
    /usr/bin/python3 "$here/group_probe.py" commits "$bootstrap" commits 100 "$per" "$seconds"
  done
done

echo "== rebalance of a 10-member group when one leaves"
for hb in 3000 500; do
  for ((run = 1; run <= runs; run++)); do
    /usr/bin/python3 "$here/group_probe.py" rebalance "$bootstrap" members 10 "$hb"
  done
done
stop_cluster
