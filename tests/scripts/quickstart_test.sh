#!/usr/bin/env bash
# The README's run command, end to end on private ports and a temp dir: three brokers start with
# the demo topic replicated three ways (leaders spread, min.insync.replicas=2 enforced), a rerun
# reuses what runs, stop, start again on the kept data, purge. Usage: quickstart_test.sh BIN_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Free ports below the ephemeral range (tests/support/free_ports.py); the run of three for the brokers.
free_port() { /usr/bin/python3 "$root/tests/support/free_ports.py"; }
free_port_run() { /usr/bin/python3 "$root/tests/support/free_ports.py" 3; }
export SLUICE_BIN_DIR=$1 SLUICE_QUICKSTART_NO_BUILD=1
export SLUICE_QUICKSTART_DIR=$(mktemp -d /tmp/sluice-quickstart-XXXXXX)
export SLUICE_ZK_PORT=$(free_port) SLUICE_BROKER_PORT=$(free_port_run)
qs=$root/scripts/quickstart.sh
trap '"$qs" purge >/dev/null 2>&1 || true' EXIT
fail() { echo "quickstart_test: $*" >&2; exit 1; }
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
for id in 0 1 2; do
  grep -q "broker $id serving on 127.0.0.1:$((SLUICE_BROKER_PORT + id))" <<<"$first" || fail "broker $id did not start: $first"
done
check_spread "$first" "first run"
[ "$(grep -c '(run ' <<<"$first")" = 3 ] || fail "first run did not print its three records: $first"
grep -q '"offset":2' <<<"$first" || fail "first run did not consume offsets 0-2: $first"
status=$("$qs" status)
[ "$(grep -c 'running' <<<"$status")" = 4 ] || fail "status after start: $status"

second=$("$qs" 2>&1) || fail "second run failed: $second"
for id in 0 1 2; do
  grep -q "broker $id already running" <<<"$second" || fail "second run did not reuse broker $id: $second"
done
grep -q '"offset":5' <<<"$second" || fail "second run did not append after the first: $second"

stopped=$("$qs" stop)
for id in 0 1 2; do grep -q "broker $id stopped" <<<"$stopped" || fail "stop did not stop broker $id: $stopped"; done
status=$("$qs" status)
[ "$(grep -c 'stopped' <<<"$status")" = 4 ] || fail "status after stop: $status"

third=$("$qs" 2>&1) || fail "restart failed: $third"
grep -q '"offset":8' <<<"$third" || fail "data was not kept across stop/start: $third"
check_spread "$third" "restart"

# min.insync.replicas=2 holds: with brokers 1 and 2 stopped, acks=all is refused.
for id in 1 2; do kill -TERM "$(cat "$SLUICE_QUICKSTART_DIR/broker$id.pid")"; done
for id in 1 2; do
  for _ in $(seq 150); do kill -0 "$(cat "$SLUICE_QUICKSTART_DIR/broker$id.pid")" 2>/dev/null || break; sleep 0.2; done
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
