#!/usr/bin/env bash
# The README's run command: a local ZooKeeper and a cluster of three Sluice brokers, with a demo.
#   scripts/quickstart.sh          install what is missing, build, start (or reuse) the cluster,
#                                  create a replicated topic, produce and consume a few records
#   scripts/quickstart.sh status   what is running
#   scripts/quickstart.sh stop     stop the brokers (controlled shutdown) and ZooKeeper; data is kept
#   scripts/quickstart.sh purge    stop and delete the data
# Everything lives in $SLUICE_QUICKSTART_DIR (default .quickstart/ in the checkout). Ports:
# ZooKeeper $SLUICE_ZK_PORT (2181), brokers 0, 1 and 2 on $SLUICE_BROKER_PORT (9092), +1 and +2.
# ZooKeeper is Debian's package run as a plain process with its own data dir: no system service
# is touched. Running it again reuses what is already running. For tests: SLUICE_BIN_DIR (default
# build/bin) and SLUICE_QUICKSTART_NO_BUILD=1 (skip installing and building).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${SLUICE_QUICKSTART_DIR:-$root/.quickstart}
zk_port=${SLUICE_ZK_PORT:-2181}
broker_port=${SLUICE_BROKER_PORT:-9092}
topic=quickstart
brokers=(0 1 2)
bin=${SLUICE_BIN_DIR:-$root/build/bin}
sluice=$bin/sluice

say() { printf '\n== %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

port_of() { echo $((broker_port + $1)); }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
zk_serving() { [ "$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null)" = imok ]; }

# Waits up to $2 seconds for command $1 to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

stop_pid() {  # pidfile, name
  alive "$1" || { rm -f "$1"; return 0; }
  local pid; pid=$(cat "$1")
  kill -TERM "$pid"
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "$2 did not stop in 30 s: killed"; fi
  rm -f "$1"
  echo "$2 stopped"
}

start_zookeeper() {
  if alive "$dir/zookeeper.pid"; then echo "ZooKeeper already running (pid $(cat "$dir/zookeeper.pid"))"; return; fi
  port_open "$zk_port" && die "port $zk_port is taken by another program (set SLUICE_ZK_PORT)"
  mkdir -p "$dir/zookeeper/data"
  cat >"$dir/zookeeper/zoo.cfg" <<EOF
tickTime=2000
dataDir=$dir/zookeeper/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
EOF
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  nohup "$java" -Xmx128m -Dzookeeper.jmx.log4j.disable=true -cp /usr/share/java/zookeeper.jar \
    org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zookeeper/zoo.cfg" \
    >"$dir/zookeeper/zookeeper.log" 2>&1 </dev/null &
  echo $! >"$dir/zookeeper.pid"
  wait_for zk_serving 30 || die "ZooKeeper did not start; see $dir/zookeeper/zookeeper.log"
  echo "ZooKeeper serving on 127.0.0.1:$zk_port"
}

# Starts broker $1 on port_of $1 unless it runs; does not wait for it.
start_broker() {
  local id=$1 port
  port=$(port_of "$1")
  if alive "$dir/broker$id.pid"; then echo "broker $id already running (pid $(cat "$dir/broker$id.pid"))"; return; fi
  port_open "$port" && die "port $port is taken by another program (set SLUICE_BROKER_PORT)"
  mkdir -p "$dir/broker$id"
  cat >"$dir/broker$id/server.properties" <<EOF
broker.id=$id
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$dir/broker$id/logs
zookeeper.connect=127.0.0.1:$zk_port
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
# The last broker of a stopping cluster has no one to hand its leaders to: retry briefly.
controlled.shutdown.retry.backoff.ms=1000
EOF
  nohup "$bin/sluice-broker" "$dir/broker$id/server.properties" \
    >"$dir/broker$id/broker.log" 2>&1 </dev/null &
  echo $! >"$dir/broker$id.pid"
}

# Waits until broker $1 listens and answers.
wait_broker() {
  local id=$1 port
  port=$(port_of "$1")
  wait_for "port_open $port" 30 || die "broker $id did not start; see $dir/broker$id/broker.log"
  wait_for "'$sluice' -b 127.0.0.1:$port cluster info >/dev/null 2>&1" 30 ||
    die "broker $id does not answer; see $dir/broker$id/broker.log"
  echo "broker $id serving on 127.0.0.1:$port"
}

status() {
  if alive "$dir/zookeeper.pid"; then echo "ZooKeeper: running (pid $(cat "$dir/zookeeper.pid")), 127.0.0.1:$zk_port"
  else echo "ZooKeeper: stopped"; fi
  local id
  for id in "${brokers[@]}"; do
    if alive "$dir/broker$id.pid"; then
      echo "broker $id:  running (pid $(cat "$dir/broker$id.pid")), 127.0.0.1:$(port_of "$id")"
    else
      echo "broker $id:  stopped"
    fi
  done
}

stop_all() {
  local id
  # One after another: each controlled shutdown moves its leaders to the brokers still up.
  for id in "${brokers[@]}"; do stop_pid "$dir/broker$id.pid" "broker $id"; done
  stop_pid "$dir/broker.pid" "broker 0 (single-broker layout)"  # left by an older quickstart
  stop_pid "$dir/zookeeper.pid" ZooKeeper
}

case "${1:-up}" in
  status) status; exit 0 ;;
  stop) stop_all; exit 0 ;;
  purge) stop_all; rm -rf "$dir"; echo "removed $dir"; exit 0 ;;
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

say "start ZooKeeper and three brokers (in $dir)"
mkdir -p "$dir"
alive "$dir/broker.pid" && die "a single-broker quickstart runs from $dir: run 'scripts/quickstart.sh stop' first"
start_zookeeper
for id in "${brokers[@]}"; do start_broker "$id"; done
for id in "${brokers[@]}"; do wait_broker "$id"; done
bootstrap=127.0.0.1:$(port_of 0),127.0.0.1:$(port_of 1),127.0.0.1:$(port_of 2)
sluice_b() { "$sluice" -b "$bootstrap" "$@"; }
brokers_registered() { [ "$(sluice_b cluster info 2>/dev/null | grep -c '127\.0\.0\.1:')" -ge 3 ]; }
all_in_sync() {
  local out
  out=$(sluice_b topic describe "$topic" --under-replicated 2>/dev/null) && ! grep -q 'Partition:' <<<"$out"
}
leader_count() { sluice_b topic describe "$topic" 2>/dev/null | grep -oE 'Leader: [0-9]+' | sort -u | wc -l; }
wait_for brokers_registered 30 || die "the three brokers did not form a cluster; see $dir/broker*/broker.log"

say "demo: topic '$topic' (3 partitions, 3 replicas, min.insync.replicas=2), three records in and out"
sluice_b topic create "$topic" --partitions 3 --replication-factor 3 --config min.insync.replicas=2 2>/dev/null ||
  echo "topic '$topic' exists already"
# A broker that just started learns the topics from the controller's first UpdateMetadata; a
# restarted one catches up and rejoins the ISR.
wait_for "sluice_b topic describe $topic >/dev/null 2>&1" 30 ||
  die "topic '$topic' did not come online; see $dir/broker*/broker.log"
wait_for all_in_sync 60 || echo "(some replicas are still catching up)"
# After a restart the first broker up leads everything: give the preferred leaders back.
if [ "$(leader_count)" -lt 3 ]; then
  sluice_b cluster elect-leaders --type preferred --all >/dev/null 2>&1 || true
  wait_for '[ "$(leader_count)" -ge 3 ]' 30 || echo "(leaders are not spread yet)"
fi
sluice_b topic describe "$topic"
run_id=$(date +%s%N)
printf 'user-1:hello (run %s)\nuser-2:records with the same key stay in order (run %s)\nuser-1:bye (run %s)\n' \
  "$run_id" "$run_id" "$run_id" |
  sluice_b produce "$topic" --key-separator : --acks all
sluice_b consume "$topic" --from-beginning --format json --timeout-ms 3000 |
  grep -F "(run $run_id)" || die "the records just produced did not come back"

cat <<EOF

Sluice is running: ZooKeeper on 127.0.0.1:$zk_port, brokers 0, 1 and 2 on 127.0.0.1 ports $(port_of 0), $(port_of 1) and $(port_of 2).

  $sluice -b $bootstrap topic describe $topic
  echo hi | $sluice -b $bootstrap produce $topic --acks all
  $sluice -b $bootstrap consume $topic --from-beginning --timeout-ms 2000
  $sluice -b $bootstrap cluster info
  kcat -b $bootstrap -L                    # the cluster as librdkafka sees it
  kcat -b $bootstrap -C -t $topic -e       # consume everything
  /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$zk_port get /brokers/topics/$topic/partitions/0/state

Logs: $dir/broker{0,1,2}/broker.log, $dir/zookeeper/zookeeper.log
Stop: scripts/quickstart.sh stop   (data kept; scripts/quickstart.sh purge removes it)
EOF
