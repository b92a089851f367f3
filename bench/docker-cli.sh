#!/usr/bin/env bash
# docker CLI scenarios: the same docker CLI (docker 28) timed against a private bulwarkd and a private dockerd.
#
#   bench/docker-cli.sh [N]        N measured rounds per scenario (default 10), after one warm-up round
#
# Scenarios (wall time of the docker CLI commands, engines interleaved in each round, order rotating):
#   run-rm    docker run --rm IMG true
#   lifecycle docker run -d IMG sleep 60; docker logs C; docker stop -t 1 C; docker rm C
#             (sleep as PID 1 ignores SIGTERM, so both engines wait out the 1 s stop timeout)
#   lifecycle-term  the same with a container that exits on SIGTERM (a well-behaved service): no fixed wait
#   exec      docker exec C true                 (C: one running container per engine)
#   ps-100    docker ps -a                       (with 100 containers made by docker create)
#   version   docker version                     (CLI start + one request: the floor of any scenario)
# Also measured once per round: `docker --version` (CLI process start, no request; same for both engines).
# Both engines get the same busybox rootfs through `docker import`; both containers run with --network none
# (bulwarkd's default; dockerd runs with --bridge=none).
#
# Environment: BULWARKD, BULWARK_MONITOR, DOCKERD, DOCKER_CLI (see bench/lib.sh); BENCH_KEEP_TMP=1 keeps the temp dir.
# Prints figures only; it never fails on a slow result. Everything started here is stopped by PID on exit.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N=${1:-10}
IMAGE=bench/busybox:1
TARGET=3 # dockerd / bulwarkd median ratio we aim for
PS_CONTAINERS=100

echo "== docker CLI scenarios: bulwarkd vs dockerd ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo "client: $("$DOCKER_CLI" --version 2>/dev/null) for both engines; rounds: $N measured + 1 warm-up, engines interleaved"
echo

if [[ -z "$DOCKER_CLI" ]]; then
    echo "skip: no docker CLI found"
    exit 0
fi

bench_make_rootfs "$BENCH_TMP/rootfs"

# the docker CLI against each engine
bwd() { DOCKER_HOST="unix://$BW_SOCK" DOCKER_CONFIG="$BENCH_TMP/docker-config" "$DOCKER_CLI" "$@"; }
dkd() { DOCKER_HOST="unix://$DK_SOCK" DOCKER_CONFIG="$BENCH_TMP/docker-config" "$DOCKER_CLI" "$@"; }
cli() { # cli ENGINE args...
    local e=$1
    shift
    case $e in
        bulwark) bwd "$@" ;;
        docker) dkd "$@" ;;
    esac
}

ENGINES=()
if bench_start_bulwarkd && bwd import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null; then
    ENGINES+=(bulwark)
else
    echo "skip: bulwark (daemon did not start or import failed; see $BENCH_TMP/bw/bulwarkd.log)"
fi
if [[ -z "$DOCKERD" ]]; then
    echo "skip: docker (dockerd not installed)"
elif bench_start_dockerd && dkd import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null; then
    ENGINES+=(docker)
else
    echo "skip: docker (private dockerd did not start; see $BENCH_TMP/dk/dockerd.log)"
fi
if [[ ${#ENGINES[@]} -eq 0 ]]; then
    echo "no engine available"
    exit 0
fi
echo "engines: ${ENGINES[*]}"
echo "bulwarkd: $BULWARKD"
[[ " ${ENGINES[*]} " == *" docker "* ]] && echo "dockerd:  $("$DOCKERD" --version 2>/dev/null)"
echo

# ---------------------------------------------------------------- scenarios (each returns non-zero on failure)

SEQ=0
scenario() { # scenario NAME ENGINE
    local name=$1 e=$2 c
    case $name in
        run-rm) cli "$e" run --rm --network none "$IMAGE" true ;;
        lifecycle)
            SEQ=$((SEQ + 1))
            c="bench-lc-$$-$SEQ"
            cli "$e" run -d --network none --name "$c" "$IMAGE" sleep 60 >/dev/null &&
                cli "$e" logs "$c" >/dev/null &&
                cli "$e" stop -t 1 "$c" >/dev/null &&
                cli "$e" rm "$c" >/dev/null
            ;;
        lifecycle-term)
            SEQ=$((SEQ + 1))
            c="bench-lt-$$-$SEQ"
            cli "$e" run -d --network none --name "$c" "$IMAGE" sh -c 'trap "exit 0" TERM; sleep 60 & wait' >/dev/null &&
                cli "$e" logs "$c" >/dev/null &&
                cli "$e" stop -t 10 "$c" >/dev/null &&
                cli "$e" rm "$c" >/dev/null
            ;;
        exec) cli "$e" exec "bench-exec-$$" true ;;
        version) cli "$e" version >/dev/null ;;
        ps-100) cli "$e" ps -a >/dev/null ;;
    esac
}

declare -A SAMPLES FAILS
measure() { # measure "scenario..." : warm-up round, then N rounds; engines interleaved, order rotating per round
    local scenarios=$1 round s i e t0 t1 k
    for ((round = 0; round <= N; round++)); do
        for s in $scenarios; do
            for ((i = 0; i < ${#ENGINES[@]}; i++)); do
                e=${ENGINES[(i + round) % ${#ENGINES[@]}]}
                t0=$(bench_now_us)
                if scenario "$s" "$e" >/dev/null 2>>"$BENCH_TMP/errors.log"; then
                    t1=$(bench_now_us)
                    if ((round > 0)); then
                        k="$s/$e"
                        SAMPLES[$k]="${SAMPLES[$k]:-} $((t1 - t0))"
                    fi
                else
                    FAILS["$s/$e"]=$((${FAILS["$s/$e"]:-0} + 1))
                fi
            done
        done
    done
}

for e in "${ENGINES[@]}"; do
    cli "$e" run -d --network none --name "bench-exec-$$" "$IMAGE" sleep 3600 >/dev/null
done
measure "version run-rm lifecycle lifecycle-term exec"

# The CLI process alone (no request): what no engine can go below.
for ((round = 0; round <= N; round++)); do
    t0=$(bench_now_us)
    "$DOCKER_CLI" --version >/dev/null
    t1=$(bench_now_us)
    ((round > 0)) && CLI_FLOOR="${CLI_FLOOR:-} $((t1 - t0))"
done

for e in "${ENGINES[@]}"; do
    for ((i = 0; i < PS_CONTAINERS; i++)); do
        cli "$e" create --network none "$IMAGE" true >/dev/null
    done
done
measure "ps-100"

# ---------------------------------------------------------------- report

printf '%-10s %-48s %12s %12s %8s %10s\n' scenario command "bulwarkd ms" "dockerd ms" ratio target
declare -A LABEL=(
    [run-rm]="run --rm IMG true"
    [lifecycle]="run -d IMG sleep 60; logs; stop -t 1; rm"
    [lifecycle-term]="same, container exits on SIGTERM; stop -t 10"
    [version]="version (CLI start + 1 request)"
    [exec]="exec C true"
    [ps-100]="ps -a ($PS_CONTAINERS created containers)"
)
for s in version run-rm lifecycle lifecycle-term exec ps-100; do
    bwm=-
    dkm=-
    ratio=-
    verdict=-
    bws=${SAMPLES["$s/bulwark"]:-}
    dks=${SAMPLES["$s/docker"]:-}
    # shellcheck disable=SC2086
    [[ -n "$bws" ]] && read -r bwm bwp bwn <<<"$(bench_stats $bws)"
    # shellcheck disable=SC2086
    [[ -n "$dks" ]] && read -r dkm dkp dkn <<<"$(bench_stats $dks)"
    if [[ "$bwm" != - && "$dkm" != - ]]; then
        ratio=$(awk -v a="$dkm" -v b="$bwm" 'BEGIN { printf "%.2fx", a / b }')
        verdict=$(awk -v a="$dkm" -v b="$bwm" -v t="$TARGET" 'BEGIN { print (a / b >= t) ? "met" : "missed" }')
    fi
    printf '%-10s %-48s %12s %12s %8s %10s\n' "$s" "${LABEL[$s]}" "$bwm" "$dkm" "$ratio" "≥${TARGET}x $verdict"
done
echo
for s in version run-rm lifecycle lifecycle-term exec ps-100; do
    for e in "${ENGINES[@]}"; do
        v=${SAMPLES["$s/$e"]:-}
        # shellcheck disable=SC2086
        [[ -n "$v" ]] && read -r m p n <<<"$(bench_stats $v)" && echo "  $s/$e: median $m ms, p90 $p ms, n=$n"
        [[ -n "${FAILS["$s/$e"]:-}" ]] && echo "  $s/$e: ${FAILS["$s/$e"]} failed runs (see $BENCH_TMP/errors.log; BENCH_KEEP_TMP=1 keeps it)"
    done
done
read -r fm fp fn <<<"$(bench_stats $CLI_FLOOR)"
echo "  docker --version (CLI process start, no request): median $fm ms, p90 $fp ms, n=$fn"
echo "  best ratio any engine could reach in a scenario = dockerd median / (CLI floor × docker invocations + runtime work)"
echo "ratio = dockerd median / bulwarkd median (higher is better for bulwarkd); medians in ms of wall time per scenario"
