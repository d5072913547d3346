#!/usr/bin/env bash
# The Sluice image's entrypoint: writes server.properties from the environment, then execs
# sluice-broker (it becomes PID 1, so `docker stop`'s SIGTERM starts its controlled shutdown).
#
#   SLUICE_CFG_<KEY>=value   sets a server.properties key. KEY is the property name in capitals
#                            with each '.' written '_': SLUICE_CFG_BROKER_ID=1 -> broker.id=1,
#                            SLUICE_CFG_ZOOKEEPER_CONNECT -> zookeeper.connect. A literal '_' in a
#                            key is written '__' and a '-' is written '___'. An empty value is
#                            treated as unset.
#   SLUICE_CONFIG_FILE       where the file is written (default /etc/sluice/server.properties)
#   SLUICE_BROKER_BIN        what is executed with the file (default sluice-broker on PATH)
#
# broker.id and zookeeper.connect are required; log.dirs defaults to /var/lib/sluice/data (the
# image's volume). Arguments starting with '-' are passed on to sluice-broker (e.g. --override
# k=v); any other command (e.g. `sluice -b host:9092 cluster info`) is executed instead.
set -euo pipefail

die() { echo "sluice entrypoint: $*" >&2; exit 64; }

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then exec "$@"; fi

file=${SLUICE_CONFIG_FILE:-/etc/sluice/server.properties}
broker=${SLUICE_BROKER_BIN:-sluice-broker}

declare -A props=([log.dirs]=/var/lib/sluice/data)

# SLUICE_CFG_FOO___BAR__BAZ_QUX -> foo-bar_baz.qux
key_of() {
  local k=${1#SLUICE_CFG_}
  k=${k//___/$'\x01'}
  k=${k//__/$'\x02'}
  k=${k//_/.}
  k=${k//$'\x01'/-}
  k=${k//$'\x02'/_}
  printf '%s' "${k,,}"
}

while IFS= read -r name; do
  value=${!name}
  [ -n "$value" ] || continue
  case $value in *$'\n'* | *$'\r'*) die "$name: the value must be one line" ;; esac
  key=$(key_of "$name")
  case $key in '' | .* | *. | *..*) die "$name: '$key' is not a property name" ;; esac
  props[$key]=$value
done < <(compgen -e | grep '^SLUICE_CFG_' || true)

[ -n "${props[broker.id]:-}" ] || die "broker.id is not set: give it as SLUICE_CFG_BROKER_ID"
[ -n "${props[zookeeper.connect]:-}" ] ||
  die "zookeeper.connect is not set: give it as SLUICE_CFG_ZOOKEEPER_CONNECT (host:2181,.../chroot)"

mkdir -p "$(dirname "$file")"
tmp=$file.tmp.$$
{
  echo "# Written by the Sluice entrypoint from the SLUICE_CFG_* environment; edits are lost."
  for key in $(printf '%s\n' "${!props[@]}" | sort); do
    value=${props[$key]}
    printf '%s=%s\n' "$key" "${value//\\/\\\\}"   # properties files read '\' as an escape
  done
} >"$tmp" || die "cannot write $file"
mv -f "$tmp" "$file"
echo "sluice entrypoint: broker ${props[broker.id]}, zookeeper.connect=${props[zookeeper.connect]}, config $file" >&2

exec "$broker" "$file" "$@"
