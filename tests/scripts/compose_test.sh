#!/usr/bin/env bash
# docker-compose.yml and docker/entrypoint.sh without a Docker engine: (1) `docker-compose config`
# accepts the file; (2) what it implies holds together: three brokers with ids 1, 2 and 3, one
# zookeeper.connect naming the three ZooKeeper services of the ensemble under the /sluice chroot,
# each broker listening on, advertising, health-checking and publishing the same port; (3) the
# entrypoint, run natively with broker 1's environment, writes the server.properties expected of
# it, and the real sluice-broker started through it (against a private ZooKeeper and a free port)
# registers under the chroot and stops cleanly on SIGTERM; (4) the entrypoint refuses a missing
# broker.id or zookeeper.connect with one line and a non-zero exit; (5) the server.properties the
# entrypoint writes for each compose broker has the shape of those `sluice dev up --brokers 3
# --zookeepers 3 --chroot /sluice` writes (and the dev cluster tests exercise): same keys, one
# PLAINTEXT listener advertised as itself, three ZooKeeper nodes under the same chroot, distinct
# ids, an HTTP listener. Usage: compose_test.sh BIN_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$1" && pwd)
entrypoint=$root/docker/entrypoint.sh
work=$(mktemp -d /tmp/sluice-compose-test-XXXXXX)
pids=()
dev_dir=$work/dev
cleanup() {
  if [ -f "$dev_dir/cluster.state" ]; then
    "$bin/sluice" dev down --purge --dir "$dev_dir" >/dev/null 2>&1 ||
      sed -n 's/^.*\.pid=\([1-9][0-9]*\)$/\1/p' "$dev_dir/cluster.state" | xargs -r kill -KILL 2>/dev/null || true
  fi
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "compose_test: $*" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=../../bench/cluster_lib.sh
source "$root/bench/cluster_lib.sh"   # free_port, port_open, wait_for, start_zookeeper

command -v docker-compose >/dev/null || fail "docker-compose is missing (scripts/install-deps.sh installs it)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is missing (scripts/install-deps.sh installs it)"

# (1) The file as Compose reads it, with the default advertised host.
env -u SLUICE_ADVERTISED_HOST docker-compose -f "$root/docker-compose.yml" config >"$work/config.yml" 2>"$work/config.err" ||
  fail "docker-compose config refused docker-compose.yml: $(cat "$work/config.err")"

# (2) Checks the configuration and writes broker 1's environment to broker1.env (one VAR=value a line).
/usr/bin/python3 - "$work/config.yml" "$work/broker1.env" <<'PY' || fail "docker-compose.yml is inconsistent (above)"
import re, sys, yaml

config = yaml.safe_load(open(sys.argv[1]))
services = config["services"]
errors = []
def check(ok, message):
    if not ok: errors.append(message)

def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}

def published(svc):
    out = {}
    for p in svc.get("ports") or []:
        if isinstance(p, dict):
            out[int(p["target"])] = int(p["published"])
        else:
            host, _, target = str(p).rpartition(":")
            out[int(target)] = int(host.rpartition(":")[2])
    return out

def port_of(listeners, what):
    m = re.fullmatch(r"PLAINTEXT://([^:,]*):(\d+)", listeners)
    check(m is not None, f"{what}: '{listeners}' is not one PLAINTEXT://host:port listener")
    return (m.group(1), int(m.group(2))) if m else (None, None)

# The ZooKeeper ensemble: three nodes, ids 1-3, each listing all three with the ";2181" client port.
zks = {name: svc for name, svc in services.items() if str(svc.get("image", "")).startswith("zookeeper:")}
check(len(zks) == 3, f"expected 3 ZooKeeper services, found {sorted(zks)}")
expected_servers = None
for name, svc in sorted(zks.items()):
    env = env_of(svc)
    servers = dict(re.findall(r"server\.(\d+)=([^:\s]+):2888:3888;2181", env.get("ZOO_SERVERS", "")))
    check(set(servers.values()) == set(zks), f"{name}: ZOO_SERVERS does not name the three nodes: {env.get('ZOO_SERVERS')}")
    check(servers.get(env.get("ZOO_MY_ID", "")) == name, f"{name}: ZOO_MY_ID {env.get('ZOO_MY_ID')} is not its own server line")
    expected_servers = expected_servers or servers
    check(servers == expected_servers, f"{name}: ZOO_SERVERS differs from the other nodes")
    check(svc.get("healthcheck", {}).get("test"), f"{name}: no health check")
    check(any(str(v).endswith(":/data") or ":/data:" in str(v) for v in svc.get("volumes") or []) or
          any(isinstance(v, dict) and v.get("target") == "/data" for v in svc.get("volumes") or []),
          f"{name}: no volume for /data")

# The brokers: services that set SLUICE_CFG_BROKER_ID.
brokers = {name: svc for name, svc in services.items() if "SLUICE_CFG_BROKER_ID" in env_of(svc)}
ids = sorted(int(env_of(svc)["SLUICE_CFG_BROKER_ID"]) for svc in brokers.values())
check(ids == [1, 2, 3], f"broker ids are {ids}, expected 1, 2 and 3")
connects = {env_of(svc).get("SLUICE_CFG_ZOOKEEPER_CONNECT") for svc in brokers.values()}
check(len(connects) == 1, f"the brokers disagree on zookeeper.connect: {connects}")
connect = connects.pop() if len(connects) == 1 else ""
hosts, _, chroot = connect.partition("/")
check(chroot == "sluice", f"zookeeper.connect '{connect}' does not use the /sluice chroot")
check(sorted(hosts.split(",")) == sorted(f"{zk}:2181" for zk in zks),
      f"zookeeper.connect '{connect}' does not name the three ZooKeeper services")
volume_names = set(config.get("volumes") or {})
ports_seen = set()
for name, svc in sorted(brokers.items()):
    env = env_of(svc)
    _, port = port_of(env.get("SLUICE_CFG_LISTENERS", ""), f"{name} listeners")
    host, advertised = port_of(env.get("SLUICE_CFG_ADVERTISED_LISTENERS", ""), f"{name} advertised.listeners")
    check(host == "127.0.0.1", f"{name}: advertises '{host}', expected 127.0.0.1 by default")
    check(port == advertised, f"{name}: listens on {port} but advertises {advertised}")
    check(port not in ports_seen, f"{name}: port {port} is used by another broker")
    ports_seen.add(port)
    # Brokers share the namespace of the service that publishes their ports (one advertised
    # address serves clients on the host and the other brokers).
    net = svc.get("network_mode", "")
    check(net.startswith("service:"), f"{name}: network_mode is '{net}', expected service:<namespace holder>")
    holder = services.get(net.partition(":")[2], {})
    check(published(holder).get(port) == advertised,
          f"{name}: port {port} is not published as host port {advertised} by {net}")
    test = svc.get("healthcheck", {}).get("test", [])
    check(f"127.0.0.1:{port}" in test and "sluice" in test, f"{name}: health check {test} does not ask this broker")
    deps = svc.get("depends_on", {})
    for zk in zks:
        check(isinstance(deps, dict) and deps.get(zk, {}).get("condition") == "service_healthy",
              f"{name}: does not wait for {zk} to be healthy")
    vols = [str(v) for v in svc.get("volumes") or []]
    check(any(v.split(":")[0] in volume_names and ":/var/lib/sluice" in v for v in vols),
          f"{name}: no named volume at /var/lib/sluice: {vols}")
    check(not any("LOG_DIR" in k for k in env), f"{name}: overrides log.dirs away from the image volume")

if errors:
    for e in errors: print("compose_test:", e, file=sys.stderr)
    sys.exit(1)
for svc in brokers.values():
    env = env_of(svc)
    with open(sys.argv[2].replace("broker1", "broker" + env["SLUICE_CFG_BROKER_ID"]), "w") as out:
        for k, v in sorted(env.items()):
            out.write(f"{k}={v}\n")
PY

mapfile -t broker1_env <"$work/broker1.env"
value_of() { sed -n "s/^$1=//p" "$work/broker1.env"; }

# (3a) Broker 1's exact environment: the file it writes (sluice-broker replaced by `true`).
env -i PATH="$PATH" "${broker1_env[@]}" SLUICE_CFG_SOME__KEY=x SLUICE_CONFIG_FILE="$work/dry/server.properties" \
  SLUICE_BROKER_BIN=true "$entrypoint" 2>"$work/dry.err" || fail "entrypoint failed: $(cat "$work/dry.err")"
props=$work/dry/server.properties
expect_line() { grep -qxF "$1" "$props" || fail "server.properties lacks '$1': $(cat "$props")"; }
expect_line "broker.id=1"
expect_line "zookeeper.connect=$(value_of SLUICE_CFG_ZOOKEEPER_CONNECT)"
expect_line "listeners=$(value_of SLUICE_CFG_LISTENERS)"
expect_line "advertised.listeners=$(value_of SLUICE_CFG_ADVERTISED_LISTENERS)"
expect_line "default.replication.factor=$(value_of SLUICE_CFG_DEFAULT_REPLICATION_FACTOR)"
expect_line "log.dirs=/var/lib/sluice/data"
expect_line "some_key=x"   # '__' is a literal underscore
[ "$(grep -vc '^#' "$props")" = $(($(grep -c '^SLUICE_CFG_' "$work/broker1.env") + 2)) ] ||
  fail "server.properties has keys nobody asked for: $(cat "$props")"

# (3b) The same environment with ZooKeeper, port and data dir moved to private ones: the real
# broker accepts the file, registers under the chroot and shuts down cleanly on SIGTERM.
start_zookeeper
port=$(free_port)
chroot=/$(value_of SLUICE_CFG_ZOOKEEPER_CONNECT | cut -d/ -f2-)
env -i PATH="$bin:/usr/bin:/bin" "${broker1_env[@]}" \
  SLUICE_CFG_ZOOKEEPER_CONNECT="127.0.0.1:$zk_port$chroot" \
  SLUICE_CFG_LISTENERS="PLAINTEXT://127.0.0.1:$port" \
  SLUICE_CFG_ADVERTISED_LISTENERS="PLAINTEXT://127.0.0.1:$port" \
  SLUICE_CFG_HTTP_LISTENER="127.0.0.1:0" \
  SLUICE_CFG_LOG_DIRS="$work/data" \
  SLUICE_CONFIG_FILE="$work/real/server.properties" \
  "$entrypoint" >"$work/broker.out" 2>&1 </dev/null &
broker_pid=$!
pids+=("$broker_pid")
if ! wait_for "! kill -0 $broker_pid 2>/dev/null || '$bin/sluice' -b 127.0.0.1:$port cluster info >/dev/null 2>&1" 60 ||
   ! kill -0 "$broker_pid" 2>/dev/null; then
  fail "sluice-broker did not start through the entrypoint: $(tail -5 "$work/broker.out")"
fi
[ "$(cat "/proc/$broker_pid/comm")" = sluice-broker ] || fail "the entrypoint did not exec sluice-broker"
registered() {
  /usr/share/zookeeper/bin/zkCli.sh -server "127.0.0.1:$zk_port" get "$chroot/brokers/ids/1" 2>/dev/null |
    grep -q "\"PLAINTEXT://127.0.0.1:$port\""
}
wait_for registered 60 || fail "broker 1 did not register at $chroot/brokers/ids/1: $(tail -5 "$work/broker.out")"
[ -d "$work/data" ] || fail "log.dirs was not used"
kill -TERM "$broker_pid"
for _ in $(seq 300); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$broker_pid" 2>/dev/null && fail "sluice-broker did not stop within 60 s of SIGTERM"
rc=0; wait "$broker_pid" || rc=$?
[ "$rc" = 0 ] || fail "sluice-broker exited $rc after SIGTERM: $(tail -5 "$work/broker.out")"

# (4) Missing required keys: one line, non-zero exit, no broker started.
refuses() {  # what, env...
  local what=$1 rc=0; shift
  env -i PATH="$PATH" "$@" SLUICE_CONFIG_FILE="$work/refused/server.properties" SLUICE_BROKER_BIN=false \
    "$entrypoint" >"$work/refused.out" 2>"$work/refused.err" || rc=$?
  [ "$rc" != 0 ] || fail "the entrypoint accepted a missing $what"
  [ "$(wc -l <"$work/refused.err")" = 1 ] || fail "missing $what: not one line: $(cat "$work/refused.err")"
  grep -q "$what" "$work/refused.err" || fail "missing $what: the message does not name it: $(cat "$work/refused.err")"
  [ ! -e "$work/refused/server.properties" ] || fail "missing $what: a server.properties was written anyway"
}
refuses broker.id SLUICE_CFG_ZOOKEEPER_CONNECT=zookeeper-1:2181/sluice
refuses broker.id SLUICE_CFG_ZOOKEEPER_CONNECT=zookeeper-1:2181/sluice SLUICE_CFG_BROKER_ID=
refuses zookeeper.connect SLUICE_CFG_BROKER_ID=1
# (5) Compose against the dev cluster. The entrypoint's file for each compose broker, then a real
# `sluice dev up` with a ZooKeeper ensemble of three under the same chroot, on free ports.
for id in 1 2 3; do
  mapfile -t broker_env <"$work/broker$id.env"
  env -i PATH="$PATH" "${broker_env[@]}" SLUICE_CONFIG_FILE="$work/compose/$id.properties" SLUICE_BROKER_BIN=true \
    "$entrypoint" 2>"$work/dry.err" || fail "entrypoint failed for broker $id: $(cat "$work/dry.err")"
done
free_run() { /usr/bin/python3 "$root/tests/support/free_ports.py" "$1"; }
"$bin/sluice" dev up --brokers 3 --zookeepers 3 --chroot /sluice --dir "$dev_dir" --zookeeper-port "$(free_run 9)" \
  --broker-port "$(free_run 3)" --http-port "$(free_run 3)" >"$work/dev-up.out" 2>&1 ||
  fail "sluice dev up failed: $(tail -5 "$work/dev-up.out")"
/usr/bin/python3 - "$work/compose" "$dev_dir" <<'PY' || fail "docker-compose.yml and the dev cluster disagree (above)"
import glob, os, re, sys

def props(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out

compose = [props(p) for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.properties")))]
dev = [props(p) for p in sorted(glob.glob(os.path.join(sys.argv[2], "broker*", "server.properties")))]
errors = []
def check(ok, message):
    if not ok: errors.append(message)
check(len(compose) == 3 and len(dev) == 3, f"{len(compose)} compose and {len(dev)} dev brokers, expected 3 each")

# Keys that differ by design: the dev cluster shortens the ZooKeeper session and the controlled
# shutdown retry so a killed local broker leaves quickly; compose keeps Kafka's defaults there and
# asks for min.insync.replicas=2, which would block acks=all on a dev cluster of fewer brokers.
# log.dirs is a path of each. Every other key must be in both.
DEV_ONLY = {"zookeeper.session.timeout.ms", "controlled.shutdown.retry.backoff.ms"}
COMPOSE_ONLY = {"min.insync.replicas"}
IGNORED = {"log.dirs"}
for c in compose:
    for d in dev:
        extra_dev = set(d) - set(c) - DEV_ONLY - IGNORED
        extra_compose = set(c) - set(d) - COMPOSE_ONLY - IGNORED
        check(not extra_dev and not extra_compose,
              f"keys only in dev: {sorted(extra_dev)}, only in compose: {sorted(extra_compose)}")
# Settings that are not per host or per broker have the same value.
for key in ("num.partitions", "default.replication.factor"):
    values = {p.get(key) for p in compose + dev}
    check(len(values) == 1, f"{key} differs: {values}")

def shape(name, brokers, listen_host):
    # ids: dev counts from 0 (as Kafka's quickstart), compose from 1 (matching the ZooKeeper
    # services' myid and the 19092/29092/39092 ports): distinct and consecutive in both.
    ids = sorted(int(p.get("broker.id", "-1")) for p in brokers)
    check(len(set(ids)) == 3 and ids == list(range(ids[0], ids[0] + 3)), f"{name}: broker ids {ids}")
    chroots, ports, http_ports = set(), set(), set()
    for p in brokers:
        b = f"{name} broker {p.get('broker.id')}"
        lm = re.fullmatch(r"PLAINTEXT://([^:,]+):(\d+)", p.get("listeners", ""))
        am = re.fullmatch(r"PLAINTEXT://([^:,]+):(\d+)", p.get("advertised.listeners", ""))
        check(lm and am, f"{b}: not one PLAINTEXT listener advertised as one: {p.get('listeners')} / {p.get('advertised.listeners')}")
        if lm and am:
            # Hosts differ by design: dev binds loopback, a container binds every interface; both
            # advertise 127.0.0.1 by default. The port is the one advertised.
            check(lm.group(1) == listen_host, f"{b}: listens on host {lm.group(1)}, expected {listen_host}")
            check(am.group(1) == "127.0.0.1", f"{b}: advertises host {am.group(1)}")
            check(lm.group(2) == am.group(2), f"{b}: listens on port {lm.group(2)}, advertises {am.group(2)}")
            ports.add(lm.group(2))
        zm = re.fullmatch(r"((?:[^:,/]+:\d+,){2}[^:,/]+:\d+)(/.*)", p.get("zookeeper.connect", ""))
        check(zm, f"{b}: zookeeper.connect '{p.get('zookeeper.connect')}' does not name three nodes and a chroot")
        if zm:
            check(len(set(zm.group(1).split(","))) == 3, f"{b}: zookeeper.connect repeats a node")
            chroots.add(zm.group(2))
        hm = re.fullmatch(r"([^:]+):(\d+)", p.get("http.listener", ""))
        check(hm, f"{b}: no host:port http.listener: {p.get('http.listener')}")
        if hm:
            check(hm.group(1) == listen_host, f"{b}: HTTP on host {hm.group(1)}, expected {listen_host}")
            http_ports.add(hm.group(2))
    check(len(ports) == 3 and len(http_ports) == 3, f"{name}: brokers share a port: {ports} {http_ports}")
    return chroots

dev_chroots = shape("dev", dev, "127.0.0.1")
compose_chroots = shape("compose", compose, "0.0.0.0")
check(dev_chroots == compose_chroots == {"/sluice"}, f"chroots: dev {dev_chroots}, compose {compose_chroots}")
if errors:
    for e in dict.fromkeys(errors): print("compose_test:", e, file=sys.stderr)
    sys.exit(1)
PY
"$bin/sluice" dev down --purge --dir "$dev_dir" >"$work/dev-down.out" 2>&1 ||
  fail "sluice dev down failed: $(cat "$work/dev-down.out")"
echo "compose: ok"
