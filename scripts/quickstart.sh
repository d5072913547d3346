#!/usr/bin/env bash
# The README's run command: a local ZooKeeper and one Sluice broker, with a demo.
#   scripts/quickstart.sh          install what is missing, build, start (or reuse) the cluster,
#                                  create a topic, produce and consume a few records
#   scripts/quickstart.sh status   what is running
#   scripts/quickstart.sh stop     stop the broker (cleanly) and ZooKeeper; data is kept
#   scripts/quickstart.sh purge    stop and delete the data
# Everything lives in $SLUICE_QUICKSTART_DIR (default .quickstart/ in the checkout). Ports:
# ZooKeeper $SLUICE_ZK_PORT (2181), broker $SLUICE_BROKER_PORT (9092). ZooKeeper is Debian's
# package run as a plain process with its own data dir: no system service is touched.
# Running it again reuses what is already running. For tests: SLUICE_BIN_DIR (default build/bin)
# and SLUICE_QUICKSTART_NO_BUILD=1 (skip installing and building).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${SLUICE_QUICKSTART_DIR:-$root/.quickstart}
zk_port=${SLUICE_ZK_PORT:-2181}
broker_port=${SLUICE_BROKER_PORT:-9092}
topic=quickstart
bin=${SLUICE_BIN_DIR:-$root/build/bin}
sluice=$bin/sluice

say() { printf '\n== %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

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
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "$2 did not stop in 20 s: killed"; fi
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

start_broker() {
  if alive "$dir/broker.pid"; then echo "broker already running (pid $(cat "$dir/broker.pid"))"; return; fi
  port_open "$broker_port" && die "port $broker_port is taken by another program (set SLUICE_BROKER_PORT)"
  mkdir -p "$dir/broker"
  cat >"$dir/broker/server.properties" <<EOF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$broker_port
log.dirs=$dir/broker/logs
zookeeper.connect=127.0.0.1:$zk_port
num.partitions=3
default.replication.factor=1
EOF
  nohup "$bin/sluice-broker" "$dir/broker/server.properties" \
    >"$dir/broker/broker.log" 2>&1 </dev/null &
  echo $! >"$dir/broker.pid"
  wait_for "port_open $broker_port" 30 || die "the broker did not start; see $dir/broker/broker.log"
  wait_for "'$sluice' -b 127.0.0.1:$broker_port cluster info >/dev/null 2>&1" 30 ||
    die "the broker does not answer; see $dir/broker/broker.log"
  echo "broker 0 serving on 127.0.0.1:$broker_port"
}

status() {
  if alive "$dir/zookeeper.pid"; then echo "ZooKeeper: running (pid $(cat "$dir/zookeeper.pid")), 127.0.0.1:$zk_port"
  else echo "ZooKeeper: stopped"; fi
  if alive "$dir/broker.pid"; then echo "broker 0:  running (pid $(cat "$dir/broker.pid")), 127.0.0.1:$broker_port"
  else echo "broker 0:  stopped"; fi
}

case "${1:-up}" in
  status) status; exit 0 ;;
  stop) stop_pid "$dir/broker.pid" "broker 0"; stop_pid "$dir/zookeeper.pid" ZooKeeper; exit 0 ;;
  purge) stop_pid "$dir/broker.pid" "broker 0"; stop_pid "$dir/zookeeper.pid" ZooKeeper; rm -rf "$dir"; echo "removed $dir"; exit 0 ;;
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

say "start ZooKeeper and a broker (in $dir)"
mkdir -p "$dir"
start_zookeeper
start_broker

say "demo: topic '$topic', three records in, three records out"
"$sluice" -b "127.0.0.1:$broker_port" topic create "$topic" --partitions 3 --replication-factor 1 2>/dev/null ||
  echo "topic '$topic' exists already"
# A broker that just started learns the topics from the controller's first UpdateMetadata.
wait_for "'$sluice' -b 127.0.0.1:$broker_port topic describe $topic >/dev/null 2>&1" 30 ||
  die "topic '$topic' did not come online; see $dir/broker/broker.log"
"$sluice" -b "127.0.0.1:$broker_port" topic describe "$topic"
run_id=$(date +%s%N)
printf 'user-1:hello (run %s)\nuser-2:records with the same key stay in order (run %s)\nuser-1:bye (run %s)\n' \
  "$run_id" "$run_id" "$run_id" |
  "$sluice" -b "127.0.0.1:$broker_port" produce "$topic" --key-separator : --acks all
"$sluice" -b "127.0.0.1:$broker_port" consume "$topic" --from-beginning --format json --timeout-ms 3000 |
  grep -F "(run $run_id)" || die "the records just produced did not come back"

cat <<EOF

Sluice is running: ZooKeeper on 127.0.0.1:$zk_port, broker 0 on 127.0.0.1:$broker_port.

  $sluice -b 127.0.0.1:$broker_port topic list
  echo hi | $sluice -b 127.0.0.1:$broker_port produce $topic
  $sluice -b 127.0.0.1:$broker_port consume $topic --from-beginning --timeout-ms 2000
  kcat -b 127.0.0.1:$broker_port -L                    # the cluster as librdkafka sees it
  kcat -b 127.0.0.1:$broker_port -C -t $topic -e       # consume everything
  /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$zk_port ls /brokers/ids
  /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$zk_port get /brokers/topics/$topic

Logs: $dir/broker/broker.log, $dir/zookeeper/zookeeper.log
Stop: scripts/quickstart.sh stop   (data kept; scripts/quickstart.sh purge removes it)
EOF
