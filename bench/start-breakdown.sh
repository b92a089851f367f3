#!/usr/bin/env bash
# Where the time of "bulwark run --rm IMAGE /bin/true" goes. bulwarkd's log has no per-request timestamps and
# GET /events is not served, so the split uses the container record's own timestamps (Created, State.StartedAt,
# State.FinishedAt) of runs WITHOUT --rm, timed from outside, plus separately timed CLI and runc steps.
#
#   bench/start-breakdown.sh [N]      N samples of each step (default 15), after one warm-up
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N=${1:-15}
IMAGE=bench/busybox:1

iso_us() { date -d "$1" +%s%6N; } # RFC 3339 with fractions -> µs since the epoch

echo "== Bulwark start breakdown ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo "samples: $N per step (medians, ms)"
echo

bench_make_rootfs "$BENCH_TMP/rootfs"
bench_start_bulwarkd
bw import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null

# bare runc bundle (same as start-latency.sh)
B="$BENCH_TMP/bundle"
mkdir -p "$B" "$BENCH_TMP/runc-root"
cp -a "$BENCH_TMP/rootfs" "$B/rootfs"
(cd "$B" && "$RUNC" spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false | .root.readonly = true' "$B/config.json" >"$B/c.json"
mv "$B/c.json" "$B/config.json"
RR="$BENCH_TMP/runc-root"
bench_on_exit 'for id in $("$RUNC" --root "$RR" list -q 2>/dev/null); do "$RUNC" --root "$RR" delete --force "$id"; done'

declare -A S
add() { S[$1]+=" $2"; }
timed() { # timed KEY cmd... : wall time of cmd in µs into S[KEY]
    local key=$1 t0 t1
    shift
    t0=$(bench_now_us)
    "$@" >/dev/null 2>>"$BENCH_TMP/errors.log" || echo "  $key: command failed" >&2
    t1=$(bench_now_us)
    add "$key" $((t1 - t0))
}

for ((i = 0; i <= N; i++)); do
    [[ $i -eq 0 ]] && w=warm || w=""
    timed "true$w" /bin/true
    timed "cli-client$w" bw version --client
    timed "cli-version$w" bw version
    timed "run-rm$w" bw run --rm "$IMAGE" /bin/true

    name="bd-$$-$i"
    t0=$(bench_now_us)
    bw run --name "$name" "$IMAGE" /bin/true >/dev/null 2>>"$BENCH_TMP/errors.log" || echo "  run $name failed" >&2
    t1=$(bench_now_us)
    IFS=$'\t' read -r created started finished < <(bw inspect "$name" | jq -r '.[0] | [.Created, .State.StartedAt, .State.FinishedAt] | @tsv')
    c=$(iso_us "$created")
    s=$(iso_us "$started")
    f=$(iso_us "$finished")
    timed "rm$w" bw rm "$name"
    if [[ -z "$w" ]]; then
        add run-norm $((t1 - t0))
        add a-cli-to-created $((c - t0))
        add b-created-to-started $((s - c))
        add c-started-to-finished $((f - s))
        add d-finished-to-cli-exit $((t1 - f))
    fi

    timed "runc-run$w" "$RUNC" --root "$RR" run --bundle "$B" "rr-$$-$i"
    timed "runc-run-d$w" "$RUNC" --root "$RR" run -d --bundle "$B" "rd-$$-$i"
    sleep 0.05
    timed "runc-delete$w" "$RUNC" --root "$RR" delete "rd-$$-$i"
done

row() { # row KEY LABEL
    # shellcheck disable=SC2086
    read -r med p90 _ <<<"$(bench_stats ${S[$1]})"
    printf '  %-66s %8s %8s\n' "$2" "$med" "$p90"
}
printf '  %-66s %8s %8s\n' step median p90
row true "fork+exec of /bin/true (process-spawn floor of this machine)"
row cli-client "bulwark version --client (CLI process start, no API call)"
row cli-version "bulwark version (CLI start + one API round trip)"
row run-rm "bulwark run --rm IMAGE /bin/true"
row run-norm "bulwark run IMAGE /bin/true (no --rm)"
row a-cli-to-created "  CLI start → record Created"
row b-created-to-started "  Created → State.StartedAt (mount, attach, monitor, runc run -d)"
row c-started-to-finished "  StartedAt → FinishedAt (negative: StartedAt is set late)"
row d-finished-to-cli-exit "  FinishedAt → CLI exit (exit frame, record, unmount, CLI)"
row rm "bulwark rm (what --rm adds after exit, as a separate call)"
row runc-run "bare runc run (create + start + wait + delete)"
row runc-run-d "bare runc run -d (what the monitor runs)"
row runc-delete "bare runc delete (the monitor runs it after the exit frame)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
