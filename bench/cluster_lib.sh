# Sourced by the bench scripts: a private ZooKeeper (Debian's jar, its own dir under $work, a free
# port, no system service) and sluice-broker processes with a fresh log dir and ZooKeeper chroot
# each. The caller sets $work (a temp dir), $bin (build/bin), the array pids=() and an EXIT trap
# that kills "${pids[@]}".

free_port() { /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../tests/support/free_ports.py"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
zk_serving() { [ "$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null)" = imok ]; }
wait_for() {  # command, seconds
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# Sets zk_port. ZK_TICK_MS sets tickTime (default 2000): ZooKeeper expires sessions on tick
# boundaries, so a failover measured against the session timeout wants a short tick.
start_zookeeper() {
  [ -r /usr/share/java/zookeeper.jar ] || { echo "bench: /usr/share/java/zookeeper.jar missing" >&2; exit 1; }
  zk_port=$(free_port)
  mkdir -p "$work/zookeeper/data"
  cat >"$work/zookeeper/zoo.cfg" <<EOF
tickTime=${ZK_TICK_MS:-2000}
dataDir=$work/zookeeper/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
EOF
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx128m -XX:+UseSerialGC -Dzookeeper.jmx.log4j.disable=true \
    -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.ZooKeeperServerMain "$work/zookeeper/zoo.cfg" \
    >"$work/zookeeper/out" 2>&1 </dev/null &
  pids+=($!)
  wait_for zk_serving 60 || { echo "bench: ZooKeeper did not start:" >&2; tail "$work/zookeeper/out" >&2; exit 1; }
}

# Starts sluice-broker (prefixed by the words of $BROKER_WRAPPER, e.g. valgrind) with log dir and
# chroot $1; sets broker_pid and bootstrap.
start_broker() {
  local dir=$work/$1 port
  port=$(free_port)
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<EOF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$dir/logs
zookeeper.connect=127.0.0.1:$zk_port/$1
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
${BROKER_PROPERTIES:-}
EOF
  # shellcheck disable=SC2086
  ${BROKER_WRAPPER:-} "$bin/sluice-broker" "$dir/server.properties" >"$dir/out" 2>&1 </dev/null &
  broker_pid=$!
  pids+=("$broker_pid")
  bootstrap=127.0.0.1:$port
  if ! wait_for "port_open $port && '$bin/sluice' -b $bootstrap cluster info >/dev/null 2>&1" 120; then
    echo "bench: sluice-broker did not start:" >&2
    tail "$dir/out" >&2
    exit 1
  fi
}
stop_broker() { kill -TERM "$broker_pid"; wait "$broker_pid" || true; }
topic_create() {  # name, partitions
  "$bin/sluice" -b "$bootstrap" topic create "$1" --partitions "$2" --replication-factor 1 >/dev/null
}

# Starts brokers 0..$2-1 sharing chroot $1 (a cluster), each with its own dir under $work/$1 and
# the extra server.properties lines of $3 (newline-separated); sets cluster_pids[], cluster_ports[]
# and bootstrap (every broker). Waits until each answers and the cluster names a controller.
start_cluster() {
  local chroot=$1 n=$2 extra=${3:-} id dir
  cluster_pids=()
  cluster_ports=()
  bootstrap=
  for ((id = 0; id < n; id++)); do
    cluster_ports+=("$(free_port)")
    bootstrap+=${bootstrap:+,}127.0.0.1:${cluster_ports[id]}
  done
  for ((id = 0; id < n; id++)); do
    dir=$work/$chroot/broker$id
    mkdir -p "$dir"
    cat >"$dir/server.properties" <<PROPS
broker.id=$id
listeners=PLAINTEXT://127.0.0.1:${cluster_ports[id]}
log.dirs=$dir/logs
zookeeper.connect=127.0.0.1:$zk_port/$chroot
auto.create.topics.enable=false
$extra
PROPS
    "$bin/sluice-broker" "$dir/server.properties" >"$dir/out" 2>&1 </dev/null &
    cluster_pids+=($!)
    pids+=($!)
  done
  for ((id = 0; id < n; id++)); do
    if ! wait_for "port_open ${cluster_ports[id]}" 120; then
      echo "bench: broker $id did not start:" >&2
      tail "$work/$chroot/broker$id/out" >&2
      exit 1
    fi
  done
  wait_for "'$bin/sluice' -b $bootstrap cluster info 2>/dev/null | grep -q 'Controller: [0-9]'" 60 ||
    { echo "bench: no controller elected" >&2; exit 1; }
}

# SIGTERM to every broker start_cluster started, and waits for them.
stop_cluster() {
  local pid
  for pid in "${cluster_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${cluster_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
