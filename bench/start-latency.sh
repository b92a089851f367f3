#!/usr/bin/env bash
# Container start latency: wall time of "run a container that executes /bin/true and exits, removing it",
# for Bulwark, bare runc, Docker (private dockerd) and Podman (private storage), interleaved round by round.
#
#   bench/start-latency.sh [N]        N measured rounds (default 30), after one warm-up round
#
# Environment: BULWARK_CLI, BULWARKD, BULWARK_MONITOR (default: repo build outputs, then /usr/local), RUNC, DOCKERD,
# DOCKER_CLI, PODMAN; BENCH_ENGINES="bulwark runc docker podman" to choose; BENCH_KEEP_TMP=1 keeps the temp dir.
# Prints figures only; it never fails on a slow result.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N=${1:-30}
ENGINES_WANTED=${BENCH_ENGINES:-bulwark runc docker podman}
IMAGE=bench/busybox:1

echo "== Bulwark start latency ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo "rounds: $N measured + 1 warm-up, engines interleaved (one run each per round, rotating order)"
echo

bench_make_rootfs "$BENCH_TMP/rootfs"
ENGINES=()

# --- bare runc: a bundle made by "runc spec" on the same rootfs
setup_runc() {
    local b="$BENCH_TMP/bundle"
    mkdir -p "$b" "$BENCH_TMP/runc-root"
    cp -a "$BENCH_TMP/rootfs" "$b/rootfs"
    (cd "$b" && "$RUNC" spec)
    local tmp="$b/config.json.new"
    jq '.process.args = ["/bin/true"] | .process.terminal = false | .root.readonly = true' "$b/config.json" >"$tmp"
    mv "$tmp" "$b/config.json"
    RUNC_SEQ=0
    bench_on_exit 'for id in $("$RUNC" --root "$BENCH_TMP/runc-root" list -q 2>/dev/null); do "$RUNC" --root "$BENCH_TMP/runc-root" delete --force "$id"; done'
}

run_once() { # run_once ENGINE -> 0 on success
    case $1 in
        bulwark) bw run --rm "$IMAGE" /bin/true ;;
        runc)
            RUNC_SEQ=$((RUNC_SEQ + 1))
            "$RUNC" --root "$BENCH_TMP/runc-root" run --bundle "$BENCH_TMP/bundle" "bench-$$-$RUNC_SEQ" </dev/null
            ;;
        docker) dk run --rm --network none "$IMAGE" /bin/true ;;
        podman) pm run --rm "${PM_RUN_ARGS[@]}" "$IMAGE" /bin/true ;;
    esac
}

for e in $ENGINES_WANTED; do
    case $e in
        bulwark)
            if bench_start_bulwarkd && bw import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null; then
                ENGINES+=(bulwark)
                [[ "$BW_USES_DOCKER_CLI" == 1 ]] && echo "note: Bulwark measured with the docker CLI ($DOCKER_CLI)"
            else
                echo "skip: bulwark (daemon did not start or import failed)"
            fi
            ;;
        runc)
            if [[ -n "$RUNC" ]] && command -v jq >/dev/null; then
                setup_runc && ENGINES+=(runc)
            else
                echo "skip: runc (runc or jq not installed)"
            fi
            ;;
        docker)
            if [[ -z "$DOCKERD" || -z "$DOCKER_CLI" ]]; then
                echo "skip: docker (dockerd or docker CLI not installed)"
            elif bench_start_dockerd && dk import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null; then
                ENGINES+=(docker)
            else
                echo "skip: docker (private dockerd did not start; see $BENCH_TMP/dk/dockerd.log)"
            fi
            ;;
        podman)
            if [[ -z "$PODMAN" ]]; then
                echo "skip: podman (not installed)"
            elif bench_setup_podman && pm import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null 2>&1; then
                ENGINES+=(podman)
            else
                echo "skip: podman (setup or import failed)"
            fi
            ;;
        *) echo "skip: unknown engine $e" ;;
    esac
done

echo "engines: ${ENGINES[*]}"
echo
declare -A TIMES FAILS
for e in "${ENGINES[@]}"; do
    TIMES[$e]=""
    FAILS[$e]=0
done

n_eng=${#ENGINES[@]}
for ((round = 0; round <= N; round++)); do
    for ((k = 0; k < n_eng; k++)); do
        e=${ENGINES[$(((round + k) % n_eng))]}
        t0=$(bench_now_us)
        if run_once "$e" >/dev/null 2>>"$BENCH_TMP/errors-$e.log"; then ok=1; else ok=0; fi
        t1=$(bench_now_us)
        ((round == 0)) && continue # warm-up
        if ((ok)); then
            TIMES[$e]+=" $((t1 - t0))"
        else
            FAILS[$e]=$((FAILS[$e] + 1))
        fi
    done
    if ((round > 0 && round % 10 == 0)); then
        echo "  ... $round/$N rounds"
    fi
done

# shellcheck disable=SC2086
read -r RUNC_MED _ _ <<<"$(bench_stats ${TIMES[runc]:-})"
echo
printf '%-9s %10s %10s %12s %6s %7s\n' engine "median ms" "p90 ms" "× bare runc" runs failed
for e in "${ENGINES[@]}"; do
    # shellcheck disable=SC2086
    read -r med p90 cnt <<<"$(bench_stats ${TIMES[$e]})"
    ratio=$(awk -v a="$med" -v b="${RUNC_MED:--}" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
    printf '%-9s %10s %10s %12s %6s %7s\n' "$e" "$med" "$p90" "$ratio" "$cnt" "${FAILS[$e]}"
done
echo
echo "target: Bulwark ≤ 1.3× bare runc (median)"
for e in "${ENGINES[@]}"; do
    if [[ -s "$BENCH_TMP/errors-$e.log" ]]; then
        echo "stderr of $e (last lines):"
        tail -3 "$BENCH_TMP/errors-$e.log" | sed 's/^/  /'
    fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
