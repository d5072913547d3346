#!/usr/bin/env bash
# Installs every Debian package Sluice's build, tests and tools need. Idempotent: installs only
# what is missing. Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

packages=(
  # build
  cmake ninja-build ccache g++ pkg-config
  # libraries (Boost 1.81: Outcome, and Asio 1.26; Debian's default Boost 1.74 is too old)
  libboost1.81-dev libspdlog-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  # ISA-L: CRC-32C with PCLMULQDQ/AVX-512 folding, twice our own crc32-instruction loop
  libisal-dev
  # coordination: the ZooKeeper C client and JSON for Kafka's znodes
  libzookeeper-mt-dev nlohmann-json3-dev
  # the sluice CLI's option parsing
  libcli11-dev
  # tests; clang's libFuzzer for the request-decoder fuzz run
  libgtest-dev libgmock-dev python3 clang libclang-rt-14-dev
  # client tests run against librdkafka's built-in mock cluster (test binary only)
  librdkafka-dev
  # interop tests: stock clients against our broker
  kcat python3-confluent-kafka python3-kafka
  # the codecs kafka-python compresses with (gzip is built in)
  python3-snappy python3-lz4 python3-zstandard
  # bench/produce_bench.sh: loopback TCP bandwidth
  iperf3
  # integration tests run a private ZooKeeper server from this package's jars (no service:
  # that would be `zookeeperd`); it needs a Java runtime
  zookeeper default-jre-headless
  # tests/scripts/compose_test.sh: validates docker-compose.yml and reads what it implies
  docker-compose python3-yaml
  # broker/tests/console_test.cc: the web console in a real headless browser (playwright-core
  # from npm drives this one; it downloads no browser of its own)
  chromium
)

# kafkajs interop tests run `npm ci`; a node from elsewhere (e.g. NodeSource, npm bundled) will do.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
