#!/usr/bin/env bash
# Rate limits: time of a download between two containers on a network without a limit and on networks with
# com.bulwark.network.rate.ingress / .rate.egress, and the tc counters of the bucket that shaped it.
#
#   bench/network-rate-limit.sh [MIB] [RATE]     MIB downloaded per round (default 1), RATE the limit (default 2mbit)
#
# Server: busybox httpd in one container; client: busybox wget in another, same network (no egress involved).
# Prints seconds per download and the effective payload rate. Never fails on a slow result.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

MIB=${1:-1}
RATE=${2:-2mbit}
IMAGE=bench/busybox:1
SERVE="mkdir -p /w && dd if=/dev/zero of=/w/f bs=1M count=$MIB 2>/dev/null && exec httpd -f -p 8080 -h /w"

echo "== network rate limits: ${MIB} MiB download, unlimited vs $RATE ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
if [[ -z "$DOCKER_CLI" ]]; then
    echo "skip: no docker CLI found"
    exit 0
fi
bench_make_rootfs "$BENCH_TMP/rootfs"
bench_start_bulwarkd
bwd() { DOCKER_HOST="unix://$BW_SOCK" DOCKER_CONFIG="$BENCH_TMP/docker-config" "$DOCKER_CLI" "$@"; }
bwd import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null

for opt in "" "com.bulwark.network.rate.ingress=$RATE" "com.bulwark.network.rate.egress=$RATE"; do
    net="rl$RANDOM"
    if [[ -n "$opt" ]]; then bwd network create -o "$opt" "$net" >/dev/null; else bwd network create "$net" >/dev/null; fi
    bench_on_exit "DOCKER_HOST=unix://$BW_SOCK $DOCKER_CLI network rm $net"
    srv=$(bwd run -d --network "$net" --name "s$net" "$IMAGE" sh -c "$SERVE")
    cli=$(bwd run -d --network "$net" --name "c$net" "$IMAGE" sleep 600)
    bench_on_exit "DOCKER_HOST=unix://$BW_SOCK $DOCKER_CLI rm -f $srv $cli"
    # Inside the client: wait for the server, then time one download with /proc/uptime (10 ms resolution, no exec overhead).
    secs=$(bwd exec "$cli" sh -c "until wget -q -O /dev/null http://s$net:8080/f 2>/dev/null; do sleep 0.1; done;
        read a _ < /proc/uptime; wget -q -O /dev/null http://s$net:8080/f; read b _ < /proc/uptime; echo \$a \$b")
    secs=$(echo "$secs" | awk '{ printf "%.2f", $2 - $1 }')
    # Effective rate of the payload (1 MiB = 8.39 Mbit); a download under the uptime clock's 10 ms shows as ">".
    rate=$(awk -v s="$secs" -v m="$MIB" 'BEGIN { if (s < 0.01) printf "> %.0f", m * 8.388608 / 0.01; else printf "%.2f", m * 8.388608 / s }')
    printf '%-45s %6s s   %s Mbit/s\n' "${opt:-unlimited}" "$secs" "$rate"
    bwd rm -f "$srv" "$cli" >/dev/null
    bwd network rm "$net" >/dev/null
done
