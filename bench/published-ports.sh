#!/usr/bin/env bash
# Published ports: throughput and connection rate through a published port, against a direct loopback connection
# to the same server from inside its network namespace, and against dockerd's userland proxy (docker-proxy).
#
#   bench/published-ports.sh [ROUNDS]                       ROUNDS measured rounds per figure (default 9)
#   BULWARKD_B=/other/bulwarkd bench/published-ports.sh     A/B: a second bulwarkd build side by side (its own
#                                                           container and direct baseline), rounds interleaved
#   SIZE_MIB=1024 SKIP_DOCKERD=1 CONNS=300                  download size, no dockerd, GETs per connection-rate figure
#   SKIP_REDIRECT=1                                         no second bulwarkd with --userland-proxy=false
#
# Server: busybox httpd in a container (a SIZE_MIB file for throughput, a 2-byte file for the connection rate).
# Client: bench/published-ports-client.py (HTTP/1.0 GETs over raw sockets) on the host.
#   direct    the client in the container's network namespace (nsenter -n), to 127.0.0.1:80 there
#   bulwark   the client on the host, to the port bulwarkd publishes (-p 127.0.0.1::80; loopback-only container)
#   redirect  the same with a bulwarkd started with --userland-proxy=false: the connect is redirected in the kernel to
#             the container's port link (one TCP connection, no proxy, no NAT), with its own direct baseline
#   dockerd   the client on the host, to the port dockerd publishes on a user network (--iptables=false: every
#             connection goes through docker-proxy, its userland proxy), with its own direct baseline (the servers
#             run in different cgroups, so each proxy is compared with a direct connection to its own server)
# One download is 1 GiB by default (~0.5 s at 2 GB/s), so the start of a connection (threads, the first MiB) does not
# dominate. Every round measures every path once, in rotating order, so a change in the machine's load hits all paths
# alike; a proxy's ratio is taken per round against its own direct baseline of the same round, and the table prints
# the median with the spread (min-max) of the per-round figures. Never fails on a slow result.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS=${1:-9}
CONNS=${CONNS:-300}
SIZE_MIB=${SIZE_MIB:-1024}
IMAGE=bench/busybox:1
CLIENT="$(dirname "$0")/published-ports-client.py"
SERVE="mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=$SIZE_MIB 2>/dev/null && echo x > /www/small && exec httpd -f -p 80 -h /www"
BULWARKD_B=${BULWARKD_B:-}

echo "== published ports: bulwarkd proxy vs direct loopback vs dockerd userland proxy ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo "rounds: $ROUNDS, each: one $SIZE_MIB MiB download and $CONNS sequential HTTP/1.0 GETs per path, paths in rotating order"
echo "A: $BULWARKD"
[[ -n "$BULWARKD_B" ]] && echo "B: $BULWARKD_B"
echo
if [[ -z "$DOCKER_CLI" ]]; then
    echo "skip: no docker CLI found"
    exit 0
fi
bench_make_rootfs "$BENCH_TMP/rootfs"

declare -A ADDR PIDS
start_bulwark() { # start_bulwark KEY BINARY DIR: a daemon and its server container; sets ADDR[KEY] PIDS[KEY]
    BULWARKD=$2 bench_start_bulwarkd "$3"
    bench_on_exit "BW_PID=$BW_PID BW_SOCK=$BW_SOCK BW_DATA=$BW_DATA BW_EXEC=$BW_EXEC bench_stop_bulwarkd"
    local sock=$BW_SOCK cid
    bwd() { DOCKER_HOST="unix://$sock" DOCKER_CONFIG="$BENCH_TMP/docker-config" "$DOCKER_CLI" "$@"; }
    bwd import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
    cid=$(bwd run -d -p 127.0.0.1::80 "$IMAGE" sh -c "$SERVE")
    ADDR[$1]=$(bwd port "$cid" 80)
    PIDS[$1]=$(bwd inspect -f '{{.State.Pid}}' "$cid")
}
start_bulwark a "$BULWARKD" bw-a
[[ -n "$BULWARKD_B" ]] && start_bulwark b "$BULWARKD_B" bw-b
if [[ -z "${SKIP_REDIRECT:-}" ]]; then
    BULWARKD_ARGS="${BULWARKD_ARGS:-} --userland-proxy=false" start_bulwark r "$BULWARKD" bw-r
fi

wait_http() { # wait_http RUNNER HOST PORT: until the server answers (it writes the big file first)
    local i
    for ((i = 0; i < 600; i++)); do
        if "$1" connrate "$2" "$3" /small 1 >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "bench: no answer from $2:$3" >&2
    return 1
}
host() { python3 "$CLIENT" "$@"; }
in_netns() { # in_netns KEY ARGS...: the client in the network namespace of server KEY
    local pid=${PIDS[$1]}
    shift
    nsenter -t "$pid" -n python3 "$CLIENT" "$@"
}
direct_a() { in_netns a "$@"; }
direct_b() { in_netns b "$@"; }
direct_dk() { in_netns dk "$@"; }
direct_r() { in_netns r "$@"; }

PATHS=(direct_a a)
declare -A BASE=([a]=direct_a)
wait_http direct_a 127.0.0.1 80
if [[ -n "${ADDR[r]:-}" ]]; then
    wait_http direct_r 127.0.0.1 80
    PATHS+=(direct_r r)
    BASE[r]=direct_r
fi
if [[ -n "$BULWARKD_B" ]]; then
    wait_http direct_b 127.0.0.1 80
    PATHS+=(direct_b b)
    BASE[b]=direct_b
fi

dk_reason=""
if [[ -n "${SKIP_DOCKERD:-}" ]]; then
    dk_reason="SKIP_DOCKERD set"
elif bench_start_dockerd; then
    dk import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
    if dk network create bwbench >/dev/null 2>"$BENCH_TMP/dk-net.err" \
        && dkc=$(dk run -d --network bwbench -p 127.0.0.1::80 "$IMAGE" sh -c "$SERVE" 2>"$BENCH_TMP/dk-run.err"); then
        bench_on_exit "DOCKER_HOST=unix://$DK_SOCK $DOCKER_CLI rm -f $dkc; DOCKER_HOST=unix://$DK_SOCK $DOCKER_CLI network rm bwbench"
        ADDR[dk]=$(dk port "$dkc" 80 | head -1)
        PIDS[dk]=$(dk inspect -f '{{.State.Pid}}' "$dkc")
        if wait_http direct_dk 127.0.0.1 80 && wait_http host "${ADDR[dk]%:*}" "${ADDR[dk]##*:}"; then
            PATHS+=(direct_dk dk)
            BASE[dk]=direct_dk
        else
            dk_reason="dockerd's published port did not answer"
        fi
    else
        dk_reason="dockerd could not publish a port: $(cat "$BENCH_TMP/dk-net.err" "$BENCH_TMP/dk-run.err" 2>/dev/null | head -2 | tr '\n' ' ')"
    fi
else
    dk_reason="no dockerd could be started (install docker.io)"
fi

run_path() { # run_path NAME MODE PATH COUNT -> one figure
    case $1 in
        direct_*) "$1" "$2" 127.0.0.1 80 "$3" "$4" ;;
        *) host "$2" "${ADDR[$1]%:*}" "${ADDR[$1]##*:}" "$3" "$4" ;;
    esac
}
declare -A TPS CRS TPR CRR
for name in "${PATHS[@]}"; do
    TPS[$name]=""
    CRS[$name]=""
done
for ((round = 0; round < ROUNDS; round++)); do
    declare -A tp=() cr=()
    for ((k = 0; k < ${#PATHS[@]}; k++)); do
        name=${PATHS[(k + round) % ${#PATHS[@]}]}
        tp[$name]=$(run_path "$name" throughput /big 1)
        cr[$name]=$(run_path "$name" connrate /small "$CONNS")
        TPS[$name]+="${tp[$name]} "
        CRS[$name]+="${cr[$name]} "
    done
    for proxy in "${!BASE[@]}"; do # per-round ratio against the same round's direct baseline
        TPR[$proxy]+="$(awk -v a="${tp[$proxy]}" -v b="${tp[${BASE[$proxy]}]}" 'BEGIN { printf "%.1f", 100 * a / b }') "
        CRR[$proxy]+="$(awk -v a="${cr[$proxy]}" -v b="${cr[${BASE[$proxy]}]}" 'BEGIN { printf "%.1f", 100 * a / b }') "
    done
done

stats() { # stats "v1 v2 ..." -> "median (min-max)"
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ a[NR] = $1 } END {
        m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.0f (%.0f-%.0f)", m, a[1], a[NR] }'
}
label() {
    case $1 in
        direct_a) echo "bulwarkd A: direct (client in the netns)" ;;
        a) echo "bulwarkd A: published port (proxy)" ;;
        direct_b) echo "bulwarkd B: direct (client in the netns)" ;;
        b) echo "bulwarkd B: published port (proxy)" ;;
        direct_r) echo "bulwarkd R: direct (client in the netns)" ;;
        r) echo "bulwarkd R: userland-proxy=false (redirect)" ;;
        direct_dk) echo "dockerd: direct (client in the netns)" ;;
        dk) echo "dockerd: published port (docker-proxy)" ;;
    esac
}
echo "medians of $ROUNDS rounds, (min-max) over the rounds; 'vs direct' is the per-round ratio to the same server's direct path"
printf '%-42s %20s %16s %20s %16s\n' "path" "MB/s" "vs direct %" "connections/s" "vs direct %"
for name in "${PATHS[@]}"; do
    if [[ -n "${BASE[$name]:-}" ]]; then
        printf '%-42s %20s %16s %20s %16s\n' "$(label "$name")" "$(stats "${TPS[$name]}")" "$(stats "${TPR[$name]}")" \
            "$(stats "${CRS[$name]}")" "$(stats "${CRR[$name]}")"
    else
        printf '%-42s %20s %16s %20s %16s\n' "$(label "$name")" "$(stats "${TPS[$name]}")" "" "$(stats "${CRS[$name]}")" ""
    fi
done
[[ -n "$dk_reason" ]] && echo "dockerd: skipped: $dk_reason"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
