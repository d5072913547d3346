# Sluice broker image: sluice-broker and the sluice CLI on Debian 12, run as user `sluice`.
#   docker build -t sluice:local .
#   docker run -e SLUICE_CFG_BROKER_ID=1 -e SLUICE_CFG_ZOOKEEPER_CONNECT=zk:2181/sluice sluice:local
# Settings come from SLUICE_CFG_* variables (docker/entrypoint.sh, docs/deploy.md); data lives in
# the /var/lib/sluice volume.

# --- build: the packages of scripts/install-deps.sh (the one list, shared with CI), Release, Ninja
FROM debian:12 AS build
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN /src/scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
          -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF \
 && cmake --build /build --target sluice-broker sluice \
 && /src/docker/runtime-packages.sh /build/bin/sluice-broker /build/bin/sluice >/build/runtime-packages

# --- runtime: the shared libraries the two binaries load, nothing else
FROM debian:12
COPY --from=build /build/runtime-packages /tmp/runtime-packages
RUN apt-get update -qq \
 && xargs -a /tmp/runtime-packages apt-get install -y -qq --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice \
 && mkdir -p /var/lib/sluice/data /etc/sluice \
 && chown -R sluice:sluice /var/lib/sluice /etc/sluice
COPY --from=build /build/bin/sluice-broker /build/bin/sluice /usr/local/bin/
COPY docker/entrypoint.sh /usr/local/bin/sluice-entrypoint
USER sluice
WORKDIR /var/lib/sluice
VOLUME /var/lib/sluice
EXPOSE 9092
# Exec form: the entrypoint execs sluice-broker, which becomes PID 1 and gets docker stop's SIGTERM.
ENTRYPOINT ["/usr/local/bin/sluice-entrypoint"]
