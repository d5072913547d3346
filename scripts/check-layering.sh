#!/usr/bin/env bash
# Fails when a module #includes a module above it. The allowed edges (README.md):
#   protocol -> (nothing); storage -> protocol; client -> protocol;
#   coordination -> protocol, client; broker -> all below; tools -> client, storage, protocol.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [protocol]="protocol"
  [storage]="storage protocol"
  [client]="client protocol"
  [coordination]="coordination protocol client"
  [broker]="broker coordination storage client protocol"
  [tools]="tools client storage protocol"
)
modules="protocol storage client coordination broker tools"

bad=0
for m in $modules; do
  [ -d "$m" ] || continue
  # tools/tests run the CLI against the in-process broker of broker/tests: tests may link any
  # module, the tools module itself may not.
  exclude=()
  [ "$m" = tools ] && exclude=(--exclude-dir=tests)
  while IFS= read -r hit; do
    file=${hit%%:*}
    dep=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"${hit#*:}")
    case " $modules " in *" $dep "*) ;; *) continue ;; esac
    case " ${allowed[$m]} " in
      *" $dep "*) ;;
      *) echo "layering: $file includes $dep/, but $m may use only: ${allowed[$m]}"; bad=1 ;;
    esac
  done < <(grep -rnoE '#include "[a-z_]+/[^"]+"' "$m" "${exclude[@]}" --include='*.h' --include='*.cc' || true)
done

# Only coordination/ talks to ZooKeeper's C client.
if grep -rlE '#include [<"]zookeeper' --include='*.h' --include='*.cc' \
     protocol storage client broker tools 2>/dev/null; then
  echo "layering: only coordination/ may include zookeeper.h"; bad=1
fi
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
