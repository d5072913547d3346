#!/usr/bin/env bash
# The README's run command, end to end on private ports and a temp dir: a ZooKeeper ensemble of
# three and three brokers start (sluice dev up) with the demo topic replicated three ways (leaders
# spread, min.insync.replicas=2 enforced), the tour kills a broker, sees its leaders move, consumes
# everything and restarts it; a rerun reuses what runs, stop, start again on the kept data, purge.
# Usage: quickstart_test.sh BIN_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Runs of free ports below the ephemeral range (tests/support/free_ports.py): nine for the
# ensemble (client, quorum and election ports), three for the brokers.
free_port_run() { /usr/bin/python3 "$root/tests/support/free_ports.py" "$1"; }
export SLUICE_BIN_DIR=$1 SLUICE_QUICKSTART_NO_BUILD=1
export SLUICE_QUICKSTART_DIR=$(mktemp -d /tmp/sluice-quickstart-XXXXXX)
export SLUICE_ZK_PORT=$(free_port_run 9) SLUICE_BROKER_PORT=$(free_port_run 3) SLUICE_HTTP_PORT=$(free_port_run 3)
dev() { "$SLUICE_BIN_DIR/sluice" dev "$@" --dir "$SLUICE_QUICKSTART_DIR"; }
qs=$root/scripts/quickstart.sh
trap '"$qs" purge >/dev/null 2>&1 || true' EXIT
fail() { echo "quickstart_test: $*" >&2; exit 1; }
# The demo's part of a run's output (the tour after it describes the topic with a broker down).
demo() { sed -n '/^== demo/,/^== tour/p' <<<"$1"; }
# The tour killed the leader of partition 0, saw another lead it, consumed all and restarted it.
check_tour() {
  local out=$1 what=$2 victim
  victim=$(grep -oE '^\$ sluice dev kill-broker [0-2]' <<<"$out" | awk '{print $5}')
  [ -n "$victim" ] || fail "$what: the tour killed no broker: $out"
  grep -q "broker $victim killed" <<<"$out" || fail "$what: kill-broker $victim: $out"
  grep -A4 "leads nothing" <<<"$out" | grep -qE "Leader: $victim\b" && fail "$what: broker $victim still leads: $out"
  grep -qE "consumed $3 records with broker $victim down" <<<"$out" || fail "$what: not every record came back: $out"
  grep -q "broker $victim started (pid [0-9]*) and registered" <<<"$out" || fail "$what: restart of $victim: $out"
}
# The describe output shows three replicas, a full ISR and a different leader per partition.
check_spread() {
  local out=$1 what=$2 leaders
  grep -q "ReplicationFactor: 3" <<<"$out" || fail "$what: not replicated three ways: $out"
  grep -q "min.insync.replicas=2" <<<"$out" || fail "$what: min.insync.replicas is not 2: $out"
  [ "$(grep -cE 'Isr: [0-2],[0-2],[0-2]$' <<<"$out")" = 3 ] || fail "$what: an ISR is not full: $out"
  leaders=$(grep -oE 'Leader: [0-9]+' <<<"$out" | sort -u | tr '\n' ' ')
  [ "$leaders" = "Leader: 0 Leader: 1 Leader: 2 " ] || fail "$what: leaders not spread over the brokers ($leaders): $out"
}

first=$("$qs" 2>&1) || fail "first run failed: $first"
grep -q "dev cluster up" <<<"$first" || fail "the cluster did not start: $first"
grep -q "bootstrap:   127.0.0.1:$SLUICE_BROKER_PORT,127.0.0.1:$((SLUICE_BROKER_PORT + 1))" <<<"$first" ||
  fail "no bootstrap list printed: $first"
check_spread "$(demo "$first")" "first run"
[ "$(demo "$first" | grep -c '(run ')" = 3 ] || fail "first run did not print its three records: $first"
grep -q '"offset":2' <<<"$first" || fail "first run did not consume offsets 0-2: $first"
check_tour "$first" "first run" 3
status=$("$qs" status)
[ "$(grep -c ': running (pid' <<<"$status")" = 6 ] || fail "status after start: $status"

# The tour ran once; the reruns skip it.
second=$(SLUICE_QUICKSTART_TOUR=0 "$qs" 2>&1) || fail "second run failed: $second"
grep -q "dev cluster already running in $SLUICE_QUICKSTART_DIR: 3 brokers, 3 ZooKeeper nodes" <<<"$second" ||
  fail "second run did not reuse the cluster: $second"
grep -q '"offset":5' <<<"$second" || fail "second run did not append after the first: $second"
grep -q "== tour" <<<"$second" && fail "SLUICE_QUICKSTART_TOUR=0 ran the tour: $second"

stopped=$("$qs" stop)
for id in 0 1 2; do grep -q "broker $id stopped" <<<"$stopped" || fail "stop did not stop broker $id: $stopped"; done
grep -q "zookeeper 3 stopped" <<<"$stopped" || fail "stop did not stop ZooKeeper: $stopped"
status=$("$qs" status)
[ "$(grep -c ': stopped (port' <<<"$status")" = 6 ] || fail "status after stop: $status"

third=$(SLUICE_QUICKSTART_TOUR=0 "$qs" 2>&1) || fail "restart failed: $third"
grep -q '"offset":8' <<<"$third" || fail "data was not kept across stop/start: $third"
check_spread "$(demo "$third")" "restart"

# min.insync.replicas=2 holds: with brokers 1 and 2 stopped, acks=all is refused.
for id in 1 2; do
  out=$(dev stop-broker "$id") || fail "stop-broker $id: $out"
done
# confluent-kafka without retries: our CLI would retry the retriable error until it times out.
refused=$(/usr/bin/python3 - "127.0.0.1:$SLUICE_BROKER_PORT" 2>&1 <<'PY'
import sys
from confluent_kafka import Producer
results = []
p = Producer({"bootstrap.servers": sys.argv[1], "acks": "all", "retries": 0, "message.timeout.ms": 20000})
p.produce("quickstart", key=b"user-1", value=b"alone", on_delivery=lambda err, msg: results.append(err))
p.flush(30)
print(results[0].name() if results and results[0] else "delivered" if results else "no report")
PY
) || fail "the producer script failed: $refused"
[ "$refused" = NOT_ENOUGH_REPLICAS ] || fail "acks=all with one in-sync replica: $refused"

purged=$("$qs" purge)
grep -q removed <<<"$purged" || fail "purge: $purged"
[ ! -e "$SLUICE_QUICKSTART_DIR" ] || fail "purge left $SLUICE_QUICKSTART_DIR"
echo "quickstart: ok"
