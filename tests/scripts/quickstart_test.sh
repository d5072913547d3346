#!/usr/bin/env bash
# The README's run command, end to end on private ports and a temp dir: start, run again (it must
# reuse what runs), stop, start again on the kept data, purge. Usage: quickstart_test.sh BIN_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SLUICE_BIN_DIR=$1 SLUICE_QUICKSTART_NO_BUILD=1
export SLUICE_QUICKSTART_DIR=$(mktemp -d /tmp/sluice-quickstart-XXXXXX)
export SLUICE_ZK_PORT=$(free_port) SLUICE_BROKER_PORT=$(free_port)
qs=$root/scripts/quickstart.sh
trap '"$qs" purge >/dev/null 2>&1 || true' EXIT
fail() { echo "quickstart_test: $*" >&2; exit 1; }

first=$("$qs" 2>&1) || fail "first run failed: $first"
[ "$(grep -c '(run ' <<<"$first")" = 3 ] || fail "first run did not print its three records: $first"
grep -q '"offset":2' <<<"$first" || fail "first run did not consume offsets 0-2: $first"
second=$("$qs" 2>&1) || fail "second run failed: $second"
grep -q "broker already running" <<<"$second" || fail "second run did not reuse the broker: $second"
grep -q '"offset":5' <<<"$second" || fail "second run did not append after the first: $second"
stopped=$("$qs" stop)
grep -q "broker 0 stopped" <<<"$stopped" || fail "stop did not stop the broker: $stopped"
status=$("$qs" status)
grep -q "broker 0:  stopped" <<<"$status" || fail "status after stop: $status"
third=$("$qs" 2>&1) || fail "restart failed: $third"
grep -q '"offset":8' <<<"$third" || fail "data was not kept across stop/start: $third"
purged=$("$qs" purge)
grep -q removed <<<"$purged" || fail "purge: $purged"
[ ! -e "$SLUICE_QUICKSTART_DIR" ] || fail "purge left $SLUICE_QUICKSTART_DIR"
echo "quickstart: ok"
