#!/usr/bin/env bash
# The README's run command: a ZooKeeper ensemble of three and a cluster of three Sluice brokers
# started by `sluice dev up`, then a demo and a short tour of failover.
#   scripts/quickstart.sh          install what is missing, build, start (or reuse) the cluster,
#                                  create a replicated topic, produce and consume a few records,
#                                  then kill a broker, watch its leaders move, consume everything
#                                  back and restart it
#   scripts/quickstart.sh status   what is running (sluice dev status)
#   scripts/quickstart.sh stop     stop the brokers (controlled shutdown) and ZooKeeper; data is kept
#   scripts/quickstart.sh purge    stop and delete the data (sluice dev down --purge)
# Everything lives in $SLUICE_QUICKSTART_DIR (default .quickstart/ in the checkout). Ports:
# ZooKeeper clients on $SLUICE_ZK_PORT (2181), +1 and +2 (the ensemble's peer ports follow: +3 to
# +8); brokers 0, 1 and 2 on $SLUICE_BROKER_PORT (9092), +1 and +2, their HTTP (metrics, the web
# console) on $SLUICE_HTTP_PORT (9644), +1 and +2. ZooKeeper is Debian's package
# run as plain processes with their own data dirs: no system service is touched. Running it again
# reuses what is already running. For tests: SLUICE_BIN_DIR (default build/bin),
# SLUICE_QUICKSTART_NO_BUILD=1 (skip installing and building) and SLUICE_QUICKSTART_TOUR=0 (skip the tour).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${SLUICE_QUICKSTART_DIR:-$root/.quickstart}
zk_port=${SLUICE_ZK_PORT:-2181}
broker_port=${SLUICE_BROKER_PORT:-9092}
http_port=${SLUICE_HTTP_PORT:-9644}
topic=quickstart
bin=${SLUICE_BIN_DIR:-$root/build/bin}
sluice=$bin/sluice

say() { printf '\n== %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }
dev() { "$sluice" dev "$@" --dir "$dir"; }

# Waits up to $2 seconds for command $1 to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

case "${1:-up}" in
  status) dev status; exit 0 ;;
  stop) dev down; exit 0 ;;
  purge)
    if [ -e "$dir/cluster.state" ]; then dev down --purge; else rm -rf "$dir"; echo "removed $dir"; fi
    exit 0 ;;
  up) ;;
  *) die "unknown command '$1' (use: up, status, stop, purge)" ;;
esac

if [ "${SLUICE_QUICKSTART_NO_BUILD:-0}" != 1 ]; then
  say "dependencies"
  scripts/install-deps.sh
  say "build"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target sluice sluice-broker
fi

say "start a ZooKeeper ensemble of three and three brokers (in $dir)"
# An older quickstart kept pid files here instead of a dev cluster state file.
for old in "$dir"/zookeeper.pid "$dir"/broker*.pid; do
  if [ -f "$old" ] && kill -0 "$(cat "$old")" 2>/dev/null; then
    die "an older quickstart still runs from $dir (pid file $old): stop it, or set SLUICE_QUICKSTART_DIR"
  fi
done
dev up --brokers 3 --zookeepers 3 --zookeeper-port "$zk_port" --broker-port "$broker_port" --http-port "$http_port"
bootstrap=127.0.0.1:$broker_port,127.0.0.1:$((broker_port + 1)),127.0.0.1:$((broker_port + 2))
sluice_b() { "$sluice" -b "$bootstrap" "$@"; }
all_in_sync() {
  local out
  out=$(sluice_b topic describe "$topic" --under-replicated 2>/dev/null) && ! grep -q 'Partition:' <<<"$out"
}
leaders() { sluice_b topic describe "$topic" 2>/dev/null | grep -oE 'Leader: -?[0-9]+' | awk '{print $2}'; }
leader_count() { leaders | grep -v -- - | sort -u | wc -l; }
spread_leaders() {
  [ "$(leader_count)" -ge 3 ] && return
  sluice_b cluster elect-leaders --type preferred --all >/dev/null 2>&1 || true
  wait_for '[ "$(leader_count)" -ge 3 ]' 30 || echo "(leaders are not spread yet)"
}

say "demo: topic '$topic' (3 partitions, 3 replicas, min.insync.replicas=2), three records in and out"
sluice_b topic create "$topic" --partitions 3 --replication-factor 3 --config min.insync.replicas=2 2>/dev/null ||
  echo "topic '$topic' exists already"
# A broker that just started learns the topics from the controller's first UpdateMetadata; a
# restarted one catches up and rejoins the ISR.
wait_for "sluice_b topic describe $topic >/dev/null 2>&1" 30 ||
  die "topic '$topic' did not come online; see $dir/broker*/broker.log"
wait_for all_in_sync 60 || echo "(some replicas are still catching up)"
# After a restart the first broker up leads everything: give the preferred leaders back.
spread_leaders
sluice_b topic describe "$topic"
run_id=$(date +%s%N)
printf 'user-1:hello (run %s)\nuser-2:records with the same key stay in order (run %s)\nuser-1:bye (run %s)\n' \
  "$run_id" "$run_id" "$run_id" |
  sluice_b produce "$topic" --key-separator : --acks all
sluice_b consume "$topic" --from-beginning --format json --timeout-ms 3000 |
  grep -F "(run $run_id)" || die "the records just produced did not come back"

if [ "${SLUICE_QUICKSTART_TOUR:-1}" = 1 ]; then
  say "tour: kill the leader of partition 0, watch its leaders move, consume everything, restart it"
  victim=$(leaders | sed -n 1p)
  [ -n "$victim" ] && [ "$victim" -ge 0 ] || die "partition 0 has no leader"
  echo "\$ sluice dev kill-broker $victim"
  dev kill-broker "$victim"
  # The controller acts once the killed broker's ZooKeeper session expires (6 s in a dev cluster).
  led_by_victim() { leaders | grep -x -- "$victim" >/dev/null; }
  wait_for '! led_by_victim' 60 || die "the leaders of broker $victim did not move; see $dir/broker*/broker.log"
  echo "\$ sluice topic describe $topic    # broker $victim leads nothing and has left every ISR"
  sluice_b topic describe "$topic"
  echo "\$ sluice consume $topic --from-beginning    # with two replicas of three up, nothing is missing"
  total=$(sluice_b consume "$topic" --from-beginning --timeout-ms 3000 | wc -l)
  echo "consumed $total records with broker $victim down"
  echo "\$ sluice dev start-broker $victim"
  dev start-broker "$victim"
  wait_for all_in_sync 60 || echo "(broker $victim is still catching up)"
  spread_leaders
  echo "\$ sluice topic describe $topic    # back in every ISR and leading its preferred partition again"
  sluice_b topic describe "$topic"
fi

cat <<EOF

Sluice is running: ZooKeeper on 127.0.0.1 ports $zk_port-$((zk_port + 2)), brokers 0, 1 and 2 on 127.0.0.1 ports $broker_port, $((broker_port + 1)) and $((broker_port + 2)).
The web console: http://127.0.0.1:$http_port/ (any broker: $http_port + broker id).

  $sluice -b $bootstrap topic describe $topic
  echo hi | $sluice -b $bootstrap produce $topic --acks all
  $sluice -b $bootstrap consume $topic --from-beginning --timeout-ms 2000
  $sluice -b $bootstrap cluster info
  $sluice dev status --dir $dir          # processes, controller, registered brokers
  $sluice dev kill-broker 1 --dir $dir   # then: dev start-broker 1
  kcat -b $bootstrap -L                    # the cluster as librdkafka sees it
  kcat -b $bootstrap -C -t $topic -e       # consume everything
  /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$zk_port get /brokers/topics/$topic/partitions/0/state

Logs: $dir/broker{0,1,2}/broker.log, $dir/zookeeper{1,2,3}/zookeeper.log
Stop: scripts/quickstart.sh stop   (data kept; scripts/quickstart.sh purge removes it)
EOF
