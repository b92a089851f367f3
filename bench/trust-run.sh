#!/usr/bin/env bash
# Content trust cost: `run --rm IMG true` of a signed image, trust disabled vs enforced (warm and cold trust cache).
#
#   bench/trust-run.sh [N]        N measured runs per scenario (default 10), after one warm-up run
#
# Lab (all on 127.0.0.1, as research/trust.md §6.5): Debian's docker-registry and notary-server (memory storage, a
# self-signed P-256 certificate made here with openssl). The image is pushed and signed by the docker CLI
# (DOCKER_CONTENT_TRUST=1 docker push) through the private bulwarkd, which is then restarted with a daemon.json that
# pins the signer's root key in enforced mode. Scenarios:
#   disabled        trust off
#   enforced-warm   trust on, metadata cached and unchanged on the server (create and start each fetch timestamp.json)
#   enforced-cold   trust on, the per-repository trust cache deleted before each run (full root..targets download)
#   check-warm      one trust check alone: GET /images/NAME/trust (Bulwark extension) minus GET /images/NAME/json
# Target (issue 9): a warm cache adds <= 5 ms to run. Prints figures only; never fails on a slow result.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N=${1:-10}
REGISTRY_BIN=/usr/bin/docker-registry
NOTARY_BIN=/usr/bin/notary-server

echo "== content trust: run of a signed image ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
for b in "$REGISTRY_BIN" "$NOTARY_BIN" "$DOCKER_CLI"; do
    if [[ ! -x "$b" ]]; then
        echo "skip: $b not found (apt-get install docker-registry notary)"
        exit 0
    fi
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REG_PORT=$(free_port)
NOTARY_PORT=$(free_port)
LAB="$BENCH_TMP/lab"
mkdir -p "$LAB/reg"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$LAB/reg" "$REG_PORT" >"$LAB/reg.yml"
"$REGISTRY_BIN" serve "$LAB/reg.yml" >"$LAB/reg.log" 2>&1 &
REG_PID=$!
bench_on_exit bench_stop_pid "$REG_PID" 5
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$LAB/server.key" -out "$LAB/server.crt" \
    -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
cat >"$LAB/notary.json" <<JSON
{"server": {"http_addr": "127.0.0.1:$NOTARY_PORT", "tls_cert_file": "$LAB/server.crt", "tls_key_file": "$LAB/server.key"},
 "trust_service": {"type": "local", "hostname": "", "port": "", "key_algorithm": "ecdsa"},
 "logging": {"level": "error"}, "storage": {"backend": "memory"}}
JSON
"$NOTARY_BIN" -config "$LAB/notary.json" >"$LAB/notary.log" 2>&1 &
NOTARY_PID=$!
bench_on_exit bench_stop_pid "$NOTARY_PID" 5
for ((i = 0; i < 100; i++)); do
    curl -sf --cacert "$LAB/server.crt" "https://127.0.0.1:$NOTARY_PORT/_notary_server/health" >/dev/null 2>&1 \
        && curl -sf "http://127.0.0.1:$REG_PORT/v2/" >/dev/null 2>&1 && break
    sleep 0.1
done

IMAGE="127.0.0.1:$REG_PORT/bench/signed:1"
export DOCKER_CONFIG="$LAB/dockercfg"
mkdir -p "$DOCKER_CONFIG/tls/127.0.0.1:$NOTARY_PORT"
cp "$LAB/server.crt" "$DOCKER_CONFIG/tls/127.0.0.1:$NOTARY_PORT/ca.crt"
bench_make_rootfs "$BENCH_TMP/rootfs"
BW_USES_DOCKER_CLI=1 # the same client for every scenario
bench_start_bulwarkd
bw import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
DOCKER_CONTENT_TRUST=1 DOCKER_CONTENT_TRUST_SERVER="https://127.0.0.1:$NOTARY_PORT" \
    DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE=bench-root DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=bench-repo \
    bw push "$IMAGE" >"$LAB/push.log" 2>&1
ROOT_KEY=$(basename "$(grep -l 'role: root' "$DOCKER_CONFIG"/trust/private/*.key)" .key)
cat >"$LAB/daemon.json" <<JSON
{"content-trust": {"mode": "enforced",
  "trust-pinning": {"root-keys": {"127.0.0.1:$REG_PORT/bench/*": ["$ROOT_KEY"]}},
  "trust-servers": {"127.0.0.1:$REG_PORT": {"url": "https://127.0.0.1:$NOTARY_PORT", "ca-file": "$LAB/server.crt"}}}}
JSON

measure() { # measure NAME [prepare-command]: N runs of `run --rm IMAGE true` after one warm-up
    local name=$1 prepare=${2:-true} i t0 samples=()
    eval "$prepare"
    bw run --rm --network none "$IMAGE" true >/dev/null
    for ((i = 0; i < N; i++)); do
        eval "$prepare"
        t0=$(bench_now_us)
        bw run --rm --network none "$IMAGE" true >/dev/null
        samples+=($(($(bench_now_us) - t0)))
    done
    read -r med p90 n <<<"$(bench_stats "${samples[@]}")"
    printf '%-15s median %6s ms   p90 %6s ms   (n=%s)\n' "$name" "$med" "$p90" "$n"
}

measure disabled
bench_stop_bulwarkd
BULWARKD_ARGS="--config $LAB/daemon.json" bench_start_bulwarkd
measure enforced-warm
measure enforced-cold "rm -f $BW_DATA/trust/tuf/*.json"

NAME="127.0.0.1:$REG_PORT/bench/signed"
curl_ms() { curl -s -o /dev/null -w '%{time_total}\n' --unix-socket "$BW_SOCK" "http://bulwark$1"; }
trust=() json=()
for ((i = 0; i < N * 3; i++)); do
    trust+=($(curl_ms "/images/$NAME/trust" | awk '{ printf "%d", $1 * 1000000 }'))
    json+=($(curl_ms "/images/$NAME:1/json" | awk '{ printf "%d", $1 * 1000000 }'))
done
read -r tmed _ _ <<<"$(bench_stats "${trust[@]}")"
read -r jmed _ _ <<<"$(bench_stats "${json[@]}")"
printf '%-15s median %6s ms   (GET .../trust %s ms minus GET .../json %s ms; run makes two checks: create and start)\n' \
    check-warm "$(awk -v a="$tmed" -v b="$jmed" 'BEGIN { printf "%.1f", a - b }')" "$tmed" "$jmed"
