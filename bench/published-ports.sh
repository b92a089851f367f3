#!/usr/bin/env bash
# Published ports: throughput and connection rate through a published port, against a direct loopback connection
# to the same server from inside its network namespace, and against dockerd's userland proxy (docker-proxy).
#
#   bench/published-ports.sh [ROUNDS]     ROUNDS measured rounds per figure (default 5)
#
# Server: busybox httpd in a container (a 64 MiB file for throughput, a 2-byte file for the connection rate).
# Client: bench/published-ports-client.py (HTTP/1.0 GETs over raw sockets) on the host.
#   direct    the client in the container's network namespace (nsenter -n), to 127.0.0.1:80 there
#   bulwark   the client on the host, to the port bulwarkd publishes (-p 127.0.0.1::80; loopback-only container)
#   dockerd   the client on the host, to the port dockerd publishes on a user network (--iptables=false: every
#             connection goes through docker-proxy, its userland proxy), with its own direct baseline (the servers
#             run in different cgroups, so each proxy is compared with a direct connection to its own server)
# Prints medians and the ratio to direct (target: bulwark >= 80 % of direct). Never fails on a slow result.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS=${1:-5}
CONNS=300
IMAGE=bench/busybox:1
CLIENT="$(dirname "$0")/published-ports-client.py"
SERVE='mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=64 2>/dev/null && echo x > /www/small && exec httpd -f -p 80 -h /www'

echo "== published ports: bulwarkd proxy vs direct loopback vs dockerd userland proxy ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo "rounds: $ROUNDS downloads of 64 MiB per path; connection rate: $CONNS sequential HTTP/1.0 GETs per round"
echo
if [[ -z "$DOCKER_CLI" ]]; then
    echo "skip: no docker CLI found"
    exit 0
fi
bench_make_rootfs "$BENCH_TMP/rootfs"
bench_start_bulwarkd
bwd() { DOCKER_HOST="unix://$BW_SOCK" DOCKER_CONFIG="$BENCH_TMP/docker-config" "$DOCKER_CLI" "$@"; }
bwd import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
cid=$(bwd run -d -p 127.0.0.1::80 "$IMAGE" sh -c "$SERVE")
bench_on_exit "DOCKER_HOST=unix://$BW_SOCK $DOCKER_CLI rm -f $cid"
bw_addr=$(bwd port "$cid" 80)
bw_pid=$(bwd inspect -f '{{.State.Pid}}' "$cid")

wait_http() { # wait_http CMD...: until the server answers (it writes 64 MiB first)
    local i
    for ((i = 0; i < 600; i++)); do
        if "$@" connrate "${HOSTPORT%:*}" "${HOSTPORT##*:}" /small 1 >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
direct() { nsenter -t "$bw_pid" -n python3 "$CLIENT" "$@"; }
host() { python3 "$CLIENT" "$@"; }

HOSTPORT=127.0.0.1:80 wait_http direct

dk_reason=""
if bench_start_dockerd; then
    dk import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
    if dk network create bwbench >/dev/null 2>"$BENCH_TMP/dk-net.err" \
        && dkc=$(dk run -d --network bwbench -p 127.0.0.1::80 "$IMAGE" sh -c "$SERVE" 2>"$BENCH_TMP/dk-run.err"); then
        bench_on_exit "DOCKER_HOST=unix://$DK_SOCK $DOCKER_CLI rm -f $dkc; DOCKER_HOST=unix://$DK_SOCK $DOCKER_CLI network rm bwbench"
        dk_addr=$(dk port "$dkc" 80 | head -1)
        dk_pid=$(dk inspect -f '{{.State.Pid}}' "$dkc")
        if ! HOSTPORT=$dk_addr wait_http host; then
            dk_reason="dockerd's published port did not answer"
        fi
    else
        dk_reason="dockerd could not publish a port: $(cat "$BENCH_TMP/dk-net.err" "$BENCH_TMP/dk-run.err" 2>/dev/null | head -2 | tr '\n' ' ')"
    fi
else
    dk_reason="no dockerd could be started (install docker.io)"
fi
dk_direct() { nsenter -t "$dk_pid" -n python3 "$CLIENT" "$@"; }

PATHS=(direct bulwark)
[[ -z "$dk_reason" ]] && PATHS+=(dk_direct dockerd)
declare -A TPS CRS
run_path() { # run_path NAME MODE PATH COUNT
    case $1 in
        direct) direct "$2" 127.0.0.1 80 "$3" "$4" ;;
        bulwark) host "$2" "${bw_addr%:*}" "${bw_addr##*:}" "$3" "$4" ;;
        dk_direct) dk_direct "$2" 127.0.0.1 80 "$3" "$4" ;;
        dockerd) host "$2" "${dk_addr%:*}" "${dk_addr##*:}" "$3" "$4" ;;
    esac
}
# Rounds interleave the paths (order rotating), so a change in the machine's load hits every path alike.
for ((round = 0; round < ROUNDS; round++)); do
    for ((k = 0; k < ${#PATHS[@]}; k++)); do
        name=${PATHS[(k + round) % ${#PATHS[@]}]}
        TPS[$name]+="$(run_path "$name" throughput /big 1) "
        CRS[$name]+="$(run_path "$name" connrate /small "$CONNS") "
    done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A TP CR
for name in "${PATHS[@]}"; do
    TP[$name]=$(median <<<"${TPS[$name]}")
    CR[$name]=$(median <<<"${CRS[$name]}")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
printf '%-40s %10s %10s %15s %10s\n' "path" "MB/s" "vs direct" "connections/s" "vs direct"
row() { # row LABEL NAME BASELINE
    printf '%-40s %10s %10s %15s %10s\n' "$1" "${TP[$2]}" "$(ratio "${TP[$2]}" "${TP[$3]}")" "${CR[$2]}" "$(ratio "${CR[$2]}" "${CR[$3]}")"
}
row "bulwarkd: direct (client in the netns)" direct direct
row "bulwarkd: published port (proxy)" bulwark direct
if [[ -n "$dk_reason" ]]; then
    echo "dockerd: skipped: $dk_reason"
else
    row "dockerd: direct (client in the netns)" dk_direct dk_direct
    row "dockerd: published port (docker-proxy)" dockerd dk_direct
fi
