#!/usr/bin/env bash
# Issue 4's benchmark, every figure from one run on one machine state, against three real
# sluice-broker processes on a private ZooKeeper (tickTime 500 ms, so that sessions expire close
# to their timeout; zookeeper.session.timeout.ms=6000):
#   1. produce throughput, one partition, librdkafka (bench/rdkafka_perf, linger.ms=5):
#      unreplicated (RF 1, acks=1) against replicated (RF 3, min.insync.replicas=2) with acks=1
#      and with acks=all, for 100-byte and 1 KiB records;
#   2. end-to-end latency produce() -> consumer poll (bench/rdkafka_latency, acks=all, RF 3,
#      100-byte records) at 1,000 records/s with linger.ms=0 and at a tenth of the acks=all peak
#      measured in 1 with linger.ms=1 (with linger.ms=0 that rate is one request per record);
#   3. kill -9 of a partition's leader -> the partition accepts writes again: the first acks=all
#      delivery after the kill, from a producer writing every 10 ms (bench/failover_probe.py);
#   4. SIGTERM of a broker -> its controlled shutdown done ("controlled shutdown succeeded" in its
#      log) and -> process exit, with $SHUTDOWN_PARTITIONS partitions of RF 2 in the cluster;
#   5. kill -9 of the controller with $FAILOVER_PARTITIONS partitions of RF 2 in the cluster ->
#      a new controller in /controller and -> every partition with a leader again.
# Usage: bench/replication_bench.sh [BUILD_DIR]
#   env: RUNS=3 COUNT_100=1000000 COUNT_1K=300000 SHUTDOWN_PARTITIONS=3000 FAILOVER_PARTITIONS=10000
set -euo pipefail

build=${1:-build}
bin=$build/bin
runs=${RUNS:-3}
count_100=${COUNT_100:-1000000}
count_1k=${COUNT_1K:-300000}
shutdown_partitions=${SHUTDOWN_PARTITIONS:-3000}
failover_partitions=${FAILOVER_PARTITIONS:-10000}
for tool in "$bin/rdkafka_perf" "$bin/rdkafka_latency" "$bin/sluice-broker" "$bin/sluice"; do
  [ -x "$tool" ] || { echo "replication_bench: $tool missing; build the rdkafka_perf rdkafka_latency sluice-broker sluice targets" >&2; exit 1; }
done
/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null ||
  { echo "replication_bench: python3-confluent-kafka missing (scripts/install-deps.sh)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"  # thousands of partitions: a log file and indexes each

work=$(mktemp -d /tmp/sluice-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/cluster_lib.sh
source "$(dirname "$0")/cluster_lib.sh"

now_ms() { date +%s%3N; }
leader_of() {  # topic partition
  "$bin/sluice" -b "$bootstrap" topic describe "$1" |
    awk -v p="$2" '$1 == "Partition:" && $2 == p { for (i = 1; i < NF; i++) if ($i == "Leader:") print $(i + 1) }'
}
led_by_count() {  # topic broker: partitions led by the broker or by none; "unknown" if describe fails
  local out
  out=$("$bin/sluice" -b "$bootstrap" topic describe "$1" 2>/dev/null) || { echo unknown; return; }
  awk -v b="$2" '$1 == "Partition:" { seen++; for (i = 1; i < NF; i++) if ($i == "Leader:" && ($(i + 1) == b || $(i + 1) == -1)) n++ }
                 END { if (seen == 0) print "unknown"; else print n + 0 }' <<<"$out"
}
unavailable_count() { "$bin/sluice" -b "$bootstrap" topic describe "$1" --unavailable 2>/dev/null | grep -c 'Partition:' || true; }
# Waits (bounded, 600 s) until broker $1's log has line $2; prints the time it was seen.
wait_log_line() {
  local deadline=$((SECONDS + 600))
  until grep -q "$2" "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.01
  done
  now_ms
}
settings="zookeeper.session.timeout.ms=6000
replica.lag.time.max.ms=10000
auto.leader.rebalance.enable=false"
# A fresh three-broker cluster in chroot $1 with topic "many" of $2 partitions (RF 2), waiting
# up to $3 seconds (each) until every partition is led, every replica has its log and no ISR
# lacks a replica.
cluster_with_topic() {
  start_cluster "$1" 3 "$settings"
  # Thousands of partitions take longer than the CLI's default 30 s request timeout to create.
  "$bin/sluice" -b "$bootstrap" --request-timeout-ms 600000 topic create many -p "$2" -r 2 >/dev/null
  wait_for "[ \"\$(unavailable_count many)\" = 0 ]" "$3"
  # Settled: every replica's log exists (followers create theirs from the LeaderAndIsr, which
  # takes a while at thousands of partitions) and every ISR is full again (a leader shrinks the
  # ISR of a follower that has not fetched within replica.lag.time.max.ms, and expands it after
  # the follower's first fetches). Killing a broker earlier measures those ISR writes racing the
  # new controller's, and a partition whose ISR was the killed broker alone stays offline.
  wait_for "[ \"\$(find \"$work/$1\" -maxdepth 3 -type d -name 'many-*' | wc -l)\" = $(($2 * 2)) ]" "$3"
  sleep 3
  wait_for "! \"$bin/sluice\" -b \"$bootstrap\" topic describe many --under-replicated | grep -q 'Partition:'" "$3"
}

export ZK_TICK_MS=500
echo "== $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), librdkafka $(pkg-config --modversion rdkafka)"
start_zookeeper
start_cluster throughput 3 "$settings"
"$bin/sluice" -b "$bootstrap" topic create unreplicated -p 1 -r 1 >/dev/null
"$bin/sluice" -b "$bootstrap" topic create replicated -p 1 -r 3 -c min.insync.replicas=2 >/dev/null
wait_for "[ \"\$(leader_of replicated 0)\" -ge 0 ] 2>/dev/null" 60

peak_all_100=0
for size_count in "100 $count_100" "1024 $count_1k"; do
  read -r size count <<<"$size_count"
  echo "== ${size}-byte records, one partition, linger.ms=5, $runs runs each (load $(cut -d' ' -f1 /proc/loadavg))"
  for _ in $(seq "$runs"); do
    "$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic unreplicated --count "$count" --size "$size" |
      sed 's/^/RF1 acks=1   /'
    "$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic replicated --count "$count" --size "$size" |
      sed 's/^/RF3 acks=1   /'
    line=$("$bin/rdkafka_perf" --bootstrap "$bootstrap" --topic replicated --count "$count" --size "$size" -X acks=all)
    echo "RF3 acks=all $line"
    if [ "$size" = 100 ]; then
      rate=$(sed -n 's/.*records_per_s=\([0-9]*\).*/\1/p' <<<"$line")
      [ "${rate:-0}" -gt "$peak_all_100" ] && peak_all_100=$rate
    fi
  done
done

echo "== end-to-end latency, RF 3, acks=all, 100-byte records: 1,000/s with linger.ms=0, and a tenth of the acks=all peak ($peak_all_100/s) with linger.ms=1"
rate=$((peak_all_100 / 10))
[ "$rate" -gt 0 ] || rate=1000
count=$((rate * 5))
[ "$count" -le 500000 ] || count=500000
for _ in $(seq "$runs"); do
  "$bin/rdkafka_latency" --bootstrap "$bootstrap" --topic replicated --rate 1000 --count 10000 | sed 's/^/linger.ms=0 /'
  "$bin/rdkafka_latency" --bootstrap "$bootstrap" --topic replicated --rate "$rate" --count "$count" -X linger.ms=1 |
    sed 's/^/linger.ms=1 /'
done

echo "== kill -9 of the leader -> the partition accepts acks=all writes again (session timeout 6 s)"
"$bin/sluice" -b "$bootstrap" topic create failover -p 1 -r 3 -c min.insync.replicas=2 >/dev/null
wait_for "[ \"\$(leader_of failover 0)\" -ge 0 ] 2>/dev/null" 60
for round in $(seq "$runs"); do
  /usr/bin/python3 "$(dirname "$0")/failover_probe.py" --bootstrap "$bootstrap" --topic failover --seconds 20 \
    >"$work/probe$round" 2>"$work/probe$round.err" &
  probe=$!
  sleep 5
  victim=$(leader_of failover 0)
  killed_at=$(now_ms)
  kill -9 "${cluster_pids[victim]}"
  wait "${cluster_pids[victim]}" 2>/dev/null || true
  wait "$probe" || true
  # The outage: the longest gap between consecutive successful deliveries from a second before the
  # kill on (the probe delivers one every ~10 ms while the leader lives).
  sort -n -k2 "$work/probe$round" | awk -v k="$killed_at" -v v="$victim" '
    $3 != "OK" { errors++; next }
    $2 >= k - 1000 { if (prev != "" && $2 - prev > gap) { gap = $2 - prev; resumed = $2 } prev = $2 }
    END { if (resumed == "") print "no write accepted after the kill";
          else printf "leader %d killed: writes accepted again %.0f ms after the kill (longest gap %.0f ms, %d failed deliveries)\n", v, resumed - k, gap, errors }'
  # The victim comes back (same config and data) before the next round.
  dir=$work/throughput/broker$victim
  "$bin/sluice-broker" "$dir/server.properties" >>"$dir/out" 2>&1 </dev/null &
  cluster_pids[victim]=$!
  pids+=($!)
  wait_for "port_open ${cluster_ports[victim]}" 60
  wait_for "\"$bin/sluice\" -b \"$bootstrap\" topic describe failover --under-replicated | grep -vq 'Partition:'" 120 || true
done
stop_cluster

echo "== SIGTERM -> controlled shutdown, $shutdown_partitions partitions of RF 2 over 3 brokers"
cluster_with_topic shutdown "$shutdown_partitions" 300
victim=0
led=$("$bin/sluice" -b "$bootstrap" topic describe many | grep -c "Leader: $victim	" || true)
start=$(now_ms)
kill -TERM "${cluster_pids[victim]}"
done_at=$(wait_log_line "$work/shutdown/broker$victim/out" "controlled shutdown succeeded")
wait "${cluster_pids[victim]}" || true
exited_at=$(now_ms)
echo "broker $victim leading $led partitions: controlled shutdown done after $((done_at - start)) ms, exited after $((exited_at - start)) ms"
stop_cluster

echo "== kill -9 of the controller, $failover_partitions partitions of RF 2 over 3 brokers (session timeout 6 s)"
cluster_with_topic controller "$failover_partitions" 600
controller=$("$bin/sluice" -b "$bootstrap" cluster info | sed -n 's/^Controller: \([0-9]*\).*/\1/p')
before=()
for ((id = 0; id < 3; id++)); do before[id]=$(grep -c 'is controller at epoch' "$work/controller/broker$id/out" || true); done
start=$(now_ms)
kill -9 "${cluster_pids[controller]}"
wait "${cluster_pids[controller]}" 2>/dev/null || true
live=
for ((id = 0; id < 3; id++)); do [ "$id" = "$controller" ] || live+=${live:+,}127.0.0.1:${cluster_ports[id]}; done
bootstrap=$live
# The new controller's "is controller" line marks when the old session ended (its /controller
# znode vanished with it): polled in the survivors' logs every 10 ms.
elected_at=
until [ -n "$elected_at" ]; do
  for ((id = 0; id < 3; id++)); do
    [ "$id" = "$controller" ] && continue
    if [ "$(grep -c 'is controller at epoch' "$work/controller/broker$id/out")" -gt "${before[id]:-0}" ]; then
      elected_at=$(now_ms)
    fi
  done
  [ -n "$elected_at" ] || sleep 0.01
  [ $(($(now_ms) - start)) -lt 120000 ] || { echo "no new controller within 120 s"; break; }
done
# Led again: no partition without a leader and none still led by the dead controller (a
# survivor's metadata names the dead leader until the new controller's UpdateMetadata).
wait_for "[ \"\$(led_by_count many "$controller")\" = 0 ]" 600
led_again_at=$(now_ms)
echo "controller $controller killed: a new controller elected after $((elected_at - start)) ms (session timeout 6000 ms, expired by ZooKeeper on 500 ms ticks), every partition led again after $((led_again_at - start)) ms: $((led_again_at - elected_at)) ms after the election (polling adds up to ~0.3 s)"
