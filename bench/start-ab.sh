#!/usr/bin/env bash
# Two Bulwark builds side by side: wall time of "bulwark run --rm IMAGE /bin/true" with daemon A ($BULWARKD, CLI
# $BULWARK_CLI) and B ($BULWARKD_B, CLI $BULWARK_CLI_B; each defaults to A's), with bare "runc run" as the yardstick,
# interleaved round by round (rotating order), so a before/after comparison holds on a machine that others load too.
#
#   BULWARKD_B=/path/to/other/bulwarkd bench/start-ab.sh [N]     N measured rounds (default 30), after one warm-up
#   BULWARK_CLI_B=/path/to/other/bulwark bench/start-ab.sh [N]   the same daemon build, two CLI builds
#   BULWARK_MONITOR_B=/path/to/other/bulwark-monitor bench/start-ab.sh [N]   two monitor builds
#
# Prints figures only; it never fails on a slow result.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N=${1:-30}
IMAGE=bench/busybox:1
BULWARKD_B=${BULWARKD_B:-$BULWARKD}
BULWARK_CLI_B=${BULWARK_CLI_B:-$BULWARK_CLI}
BULWARK_MONITOR_B=${BULWARK_MONITOR_B:-$BULWARK_MONITOR}
if [[ ! -x "$BULWARKD_B" || ! -x "$BULWARK_CLI_B" || ! -x "$BULWARK_MONITOR_B" || ("$BULWARKD_B" == "$BULWARKD" &&
    "$BULWARK_CLI_B" == "$BULWARK_CLI" && "$BULWARK_MONITOR_B" == "$BULWARK_MONITOR") ]]; then
    echo "bench: set BULWARKD_B, BULWARK_CLI_B and/or BULWARK_MONITOR_B to the second build" >&2
    exit 1
fi

echo "== Bulwark A/B start latency ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo "A: $BULWARKD with $BULWARK_CLI and $BULWARK_MONITOR"
echo "B: $BULWARKD_B with $BULWARK_CLI_B and $BULWARK_MONITOR_B"
echo "rounds: $N measured + 1 warm-up, A, B and runc interleaved (rotating order)"
echo

bench_make_rootfs "$BENCH_TMP/rootfs"

declare -A SOCK PID CPU0
start_daemon() { # start_daemon KEY BINARY DIR MONITOR
    BULWARKD=$2 BULWARK_MONITOR=$4 bench_start_bulwarkd "$3"
    SOCK[$1]=$BW_SOCK
    PID[$1]=$BW_PID
    bench_on_exit "BW_PID=$BW_PID BW_SOCK=$BW_SOCK BW_DATA=$BW_DATA BW_EXEC=$BW_EXEC bench_stop_bulwarkd"
    bw import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
}
A_BIN=$BULWARKD
start_daemon a "$A_BIN" bw-a "$BULWARK_MONITOR"
start_daemon b "$BULWARKD_B" bw-b "$BULWARK_MONITOR_B"

B="$BENCH_TMP/bundle"
mkdir -p "$B" "$BENCH_TMP/runc-root"
cp -a "$BENCH_TMP/rootfs" "$B/rootfs"
(cd "$B" && "$RUNC" spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false | .root.readonly = true' "$B/config.json" >"$B/c.json"
mv "$B/c.json" "$B/config.json"
RR="$BENCH_TMP/runc-root"
bench_on_exit 'for id in $("$RUNC" --root "$RR" list -q 2>/dev/null); do "$RUNC" --root "$RR" delete --force "$id"; done'

run_once() {
    case $1 in
        a) "$BULWARK_CLI" -H "unix://${SOCK[a]}" run --rm "$IMAGE" /bin/true ;;
        b) "$BULWARK_CLI_B" -H "unix://${SOCK[b]}" run --rm "$IMAGE" /bin/true ;;
        runc) "$RUNC" --root "$RR" run --bundle "$B" "ab-$$-$2" </dev/null ;;
    esac
}

cpu_ticks() { # cpu_ticks PID [children]: utime+stime of a process (clock ticks), or cutime+cstime (reaped children:
    # the monitors, with the runc they ran and any other helper)
    awk -v c="${2:-}" '{ sub(/^.*\) /, ""); print (c == "" ? $12 + $13 : $14 + $15) }' "/proc/$1/stat"
}

declare -A TIMES FAILS
ENGINES=(a b runc)
for e in "${ENGINES[@]}"; do
    TIMES[$e]=""
    FAILS[$e]=0
done
for ((round = 0; round <= N; round++)); do
    if ((round == 1)); then
        for e in a b; do
            CPU0[$e]=$(cpu_ticks "${PID[$e]}")
            CPU0[$e-c]=$(cpu_ticks "${PID[$e]}" children)
        done
    fi
    for ((k = 0; k < 3; k++)); do
        e=${ENGINES[$(((round + k) % 3))]}
        t0=$(bench_now_us)
        if run_once "$e" "$round" >/dev/null 2>>"$BENCH_TMP/errors-$e.log"; then ok=1; else ok=0; fi
        t1=$(bench_now_us)
        ((round == 0)) && continue
        if ((ok)); then TIMES[$e]+=" $((t1 - t0))"; else FAILS[$e]=$((FAILS[$e] + 1)); fi
    done
done

# shellcheck disable=SC2086
read -r RUNC_MED _ _ <<<"$(bench_stats ${TIMES[runc]})"
printf '%-6s %10s %10s %12s %6s %7s\n' engine "median ms" "p90 ms" "× bare runc" runs failed
for e in "${ENGINES[@]}"; do
    # shellcheck disable=SC2086
    read -r med p90 cnt <<<"$(bench_stats ${TIMES[$e]})"
    ratio=$(awk -v a="$med" -v b="$RUNC_MED" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
    printf '%-6s %10s %10s %12s %6s %7s\n' "$e" "$med" "$p90" "$ratio" "$cnt" "${FAILS[$e]}"
done
HZ=$(getconf CLK_TCK)
for e in a b; do
    ticks=$(($(cpu_ticks "${PID[$e]}") - CPU0[$e]))
    cticks=$(($(cpu_ticks "${PID[$e]}" children) - CPU0[$e-c]))
    awk -v e="$e" -v t="$ticks" -v c="$cticks" -v hz="$HZ" -v n="$N" 'BEGIN {
        printf "CPU per run, daemon %s: bulwarkd %.2f ms, its reaped children (monitor + runc + helpers) %.2f ms\n", e, t * 1000 / hz / n, c * 1000 / hz / n }'
done
for e in "${ENGINES[@]}"; do
    if [[ -s "$BENCH_TMP/errors-$e.log" ]]; then
        echo "stderr of $e (last lines):"
        tail -3 "$BENCH_TMP/errors-$e.log" | sed 's/^/  /'
    fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
