#!/usr/bin/env bash
# Cost of the guarded API: the same requests over the unix socket and over mutual TLS, with and without
# authorization + audit log. Prints medians and ratios; never asserts.
#
#   bench/guarded-api.sh [N]     N rounds (default 5)
#
# Per configuration:
#   docker ps            wall time of `docker ps -a` (CLI start included)
#   docker run --rm      wall time of `docker run --rm IMG true`
#   per request (us)     curl, N x 200 keep-alive requests on one connection: GET /containers/json (authorized, not
#                        audited) and POST /containers/none/stop (authorized and audited: a 404 that still writes an
#                        entry); time per request
# "guarded" = daemon.json with an authorization section binding the caller (uid 41001 via setpriv on the unix
# socket, cert:bench over TLS) to operator, audit log on. "open" = no authorization section, "audit-log": false.
# Target (issue 10): authorization + audit add <= 0.5 ms per request.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N=${1:-5}
IMAGE=bench/busybox:1
UID_BENCH=41001
PORT=23790
GID_BULWARK=$(getent group bulwark | cut -d: -f3)
echo "== guarded API: unix vs mutual TLS, open vs authorization + audit ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
[[ -n "$DOCKER_CLI" && -n "$BULWARK_CLI" && -n "$GID_BULWARK" ]] || { echo "skip: needs the docker CLI, the bulwark CLI and the bulwark group"; exit 0; }
command -v curl >/dev/null || { echo "skip: needs curl"; exit 0; }

bench_make_rootfs "$BENCH_TMP/rootfs"
"$BULWARK_CLI" tls init --dir "$BENCH_TMP/ca" >/dev/null
"$BULWARK_CLI" tls issue-client bench --dir "$BENCH_TMP/ca" --out "$BENCH_TMP/client" >/dev/null
echo '{ "audit-log": false }' >"$BENCH_TMP/open.json"
echo "{ \"authorization\": { \"bindings\": { \"uid:$UID_BENCH\": \"operator\", \"cert:bench\": \"operator\" } } }" >"$BENCH_TMP/guarded.json"
chmod 0711 "$BENCH_TMP"

client() { # client unix|tls CMD...: runs CMD as the bench caller with DOCKER_* set for that transport
    local transport=$1; shift
    if [[ $transport == unix ]]; then
        DOCKER_HOST="unix://$BW_SOCK" DOCKER_CONFIG="$BENCH_TMP/dc" HOME=/nonexistent \
            setpriv --reuid "$UID_BENCH" --regid "$UID_BENCH" --groups "$GID_BULWARK" -- "$@"
    else
        DOCKER_HOST="tcp://127.0.0.1:$PORT" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$BENCH_TMP/client" DOCKER_CONFIG="$BENCH_TMP/dc" "$@"
    fi
}

curl_many() { # curl_many unix|tls METHOD PATH COUNT
    local transport=$1 method=$2 path=$3 count=$4 urls=() i
    if [[ $transport == unix ]]; then
        for ((i = 0; i < count; i++)); do urls+=("http://x$path"); done
        client unix curl -s -X "$method" --unix-socket "$BW_SOCK" "${urls[@]}" >/dev/null
    else
        for ((i = 0; i < count; i++)); do urls+=("https://localhost:$PORT$path"); done
        curl -s -X "$method" --cacert "$BENCH_TMP/client/ca.pem" --cert "$BENCH_TMP/client/cert.pem" \
            --key "$BENCH_TMP/client/key.pem" "${urls[@]}" >/dev/null
    fi
}

declare -A RESULT
for mode in open guarded; do
    BULWARKD_ARGS="--config $BENCH_TMP/$mode.json --tlsverify --tlscacert $BENCH_TMP/ca/ca.pem --tlscert $BENCH_TMP/ca/server-cert.pem --tlskey $BENCH_TMP/ca/server-key.pem -H tcp://127.0.0.1:$PORT"
    rm -rf "$BENCH_TMP/bw"
    bench_start_bulwarkd
    chmod 0755 "$BENCH_TMP/bw"
    bw import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
    for transport in unix tls; do
        ps=() run=() get=() post=()
        client "$transport" "$DOCKER_CLI" ps -a >/dev/null # warm-up
        for ((r = 0; r < N; r++)); do
            t0=$(bench_now_us); client "$transport" "$DOCKER_CLI" ps -a >/dev/null; t1=$(bench_now_us); ps+=($((t1 - t0)))
            t0=$(bench_now_us); client "$transport" "$DOCKER_CLI" run --rm "$IMAGE" true >/dev/null; t1=$(bench_now_us); run+=($((t1 - t0)))
            t0=$(bench_now_us); curl_many "$transport" GET /containers/json 200; t1=$(bench_now_us); get+=($(((t1 - t0) * 1000 / 200)))
            t0=$(bench_now_us); curl_many "$transport" POST /containers/none/stop 200; t1=$(bench_now_us); post+=($(((t1 - t0) * 1000 / 200)))
        done
        RESULT[$mode,$transport,ps]=$(bench_stats "${ps[@]}" | cut -d' ' -f1)
        RESULT[$mode,$transport,run]=$(bench_stats "${run[@]}" | cut -d' ' -f1)
        RESULT[$mode,$transport,get]=$(bench_stats "${get[@]}" | cut -d' ' -f1)
        RESULT[$mode,$transport,post]=$(bench_stats "${post[@]}" | cut -d' ' -f1)
    done
    bench_stop_bulwarkd
done

printf '\n%-30s %12s %12s %12s %12s\n' "median (ms)" "unix open" "unix guarded" "tls open" "tls guarded"
for k in ps run get post; do
    case $k in ps) label="docker ps -a";; run) label="docker run --rm";; get) label="GET /containers/json (us/req)";; post) label="POST stop, audited (us/req)";; esac
    printf '%-30s %12s %12s %12s %12s\n' "$label" "${RESULT[open,unix,$k]}" "${RESULT[guarded,unix,$k]}" "${RESULT[open,tls,$k]}" "${RESULT[guarded,tls,$k]}"
done
echo
for transport in unix tls; do
    for k in get post; do
        awk -v a="${RESULT[guarded,$transport,$k]}" -v b="${RESULT[open,$transport,$k]}" -v t="$transport" -v k="$k" \
            'BEGIN { printf "%s %s: guarded - open = %+.1f us per request (ratio %.2f; target <= +500 us)\n", t, k, a - b, (b > 0 ? a / b : 0) }'
    done
done
