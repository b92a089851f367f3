#!/usr/bin/env bash
# Memory: bulwarkd's resident set when idle and after 20 runs, and what one running container adds
# (Δ daemon RSS + the container's monitor), with Docker (dockerd + containerd + containerd-shim) and Podman (conmon)
# for comparison when they are installed.
#
#   bench/memory.sh [CONTAINERS]      detached "sleep 600" containers to start (default 10)
#
# Environment: as for start-latency.sh (BULWARK_CLI, BULWARKD, BULWARK_MONITOR, BENCH_ENGINES, BENCH_KEEP_TMP).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

K=${1:-10}
ENGINES_WANTED=${BENCH_ENGINES:-bulwark docker podman}
IMAGE=bench/busybox:1
SETTLE=${BENCH_SETTLE:-2} # seconds to let a daemon settle before reading its RSS

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

rss_line() { # rss_line LABEL PID
    local pid=$2
    printf '  %-34s VmRSS %6s MB  (anon %5s, file %5s, shmem %5s; Pss %6s MB)\n' "$1" \
        "$(mb "$(bench_kb "$pid" VmRSS)")" "$(mb "$(bench_kb "$pid" RssAnon)")" "$(mb "$(bench_kb "$pid" RssFile)")" \
        "$(mb "$(bench_kb "$pid" RssShmem)")" "$(mb "$(bench_pss_kb "$pid")")"
}

sum_kb() { # sum_kb FIELD PID... (FIELD VmRSS or Pss)
    local f=$1 total=0 p v
    shift
    for p in "$@"; do
        if [[ "$f" == Pss ]]; then v=$(bench_pss_kb "$p"); else v=$(bench_kb "$p" "$f"); fi
        total=$((total + v))
    done
    echo "$total"
}

dk_daemons_kb() { # VmRSS of dockerd + the containerd it started
    local total
    total=$(bench_kb "$DK_PID" VmRSS)
    [[ -n "$1" ]] && total=$((total + $(bench_kb "$1" VmRSS)))
    echo "$total"
}

per_container_report() { # LABEL DAEMON_DELTA_KB HELPER_LABEL HELPER_RSS_KB HELPER_PSS_KB COUNT TARGET
    local label=$1 delta=$2 hl=$3 hrss=$4 hpss=$5 n=$6 target=$7
    if ((n == 0)); then
        echo "  $label: no running containers found"
        return 0
    fi
    printf '  %-34s Δ daemon RSS %6s MB, Σ %s RSS %6s MB (Pss %s MB) over %d containers\n' "$label" \
        "$(mb "$delta")" "$hl" "$(mb "$hrss")" "$(mb "$hpss")" "$n"
    printf '  %-34s per container: %s MB RSS (%s MB with helper Pss instead of RSS)%s\n' "" \
        "$(awk -v d="$delta" -v h="$hrss" -v n="$n" 'BEGIN { printf "%.2f", (d + h) / n / 1024 }')" \
        "$(awk -v d="$delta" -v h="$hpss" -v n="$n" 'BEGIN { printf "%.2f", (d + h) / n / 1024 }')" \
        "${target:+   target ≤ $target}"
}

echo "== Bulwark memory ($(date -u +%Y-%m-%dT%H:%M:%SZ)) =="
bench_machine
echo
bench_make_rootfs "$BENCH_TMP/rootfs"

for e in $ENGINES_WANTED; do
    case $e in
        bulwark)
            if ! bench_start_bulwarkd; then
                echo "bulwark: skipped (daemon did not start)"
                continue
            fi
            bw version >/dev/null
            sleep "$SETTLE"
            echo "bulwark ($BULWARKD)"
            rss_line "bulwarkd idle (startup + version)" "$BW_PID"
            idle=$(bench_kb "$BW_PID" VmRSS)
            bw import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
            for ((i = 0; i < 20; i++)); do
                bw run --rm "$IMAGE" /bin/true >/dev/null 2>>"$BENCH_TMP/errors-bulwark.log" || echo "  run $i failed"
            done
            sleep "$SETTLE"
            rss_line "bulwarkd after import + 20 runs" "$BW_PID"
            after=$(bench_kb "$BW_PID" VmRSS)
            printf '  %-34s idle %s MB, after runs %s MB   target ≤ 40 MB\n' "idle RSS" "$(mb "$idle")" "$(mb "$after")"
            base=$(bench_kb "$BW_PID" VmRSS)
            for ((i = 0; i < K; i++)); do
                bw run -d "$IMAGE" sleep 600 >/dev/null 2>>"$BENCH_TMP/errors-bulwark.log" || echo "  run -d $i failed"
            done
            sleep "$SETTLE"
            mapfile -t mons < <(bench_bw_monitor_pids)
            rss_line "bulwarkd with $K running" "$BW_PID"
            [[ ${#mons[@]} -gt 0 ]] && rss_line "one bulwark-monitor" "${mons[0]}"
            delta=$(($(bench_kb "$BW_PID" VmRSS) - base))
            per_container_report "per running container" "$delta" "monitor" "$(sum_kb VmRSS "${mons[@]}")" \
                "$(sum_kb Pss "${mons[@]}")" "${#mons[@]}" "2 MB"
            ids=$(bw ps -aq)
            # shellcheck disable=SC2086
            [[ -n "$ids" ]] && bw rm -f $ids >/dev/null
            bench_stop_bulwarkd
            echo
            ;;
        docker)
            if [[ -z "$DOCKERD" || -z "$DOCKER_CLI" ]]; then
                echo "docker: skipped (not installed)"
                continue
            fi
            if ! bench_start_dockerd; then
                echo "docker: skipped (private dockerd did not start)"
                continue
            fi
            dk import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null
            dk run --rm --network none "$IMAGE" /bin/true >/dev/null 2>&1 || true
            sleep "$SETTLE"
            cpid=$(bench_dk_containerd_pid)
            echo "docker ($("$DOCKERD" --version))"
            rss_line "dockerd idle" "$DK_PID"
            [[ -n "$cpid" ]] && rss_line "containerd idle" "$cpid"
            base=$(dk_daemons_kb "$cpid")
            for ((i = 0; i < K; i++)); do
                dk run -d --network none "$IMAGE" sleep 600 >/dev/null 2>>"$BENCH_TMP/errors-docker.log" || echo "  run -d $i failed"
            done
            sleep "$SETTLE"
            mapfile -t shims < <(bench_dk_shim_pids)
            rss_line "dockerd with $K running" "$DK_PID"
            [[ -n "$cpid" ]] && rss_line "containerd with $K running" "$cpid"
            [[ ${#shims[@]} -gt 0 ]] && rss_line "one containerd-shim-runc-v2" "${shims[0]}"
            now=$(dk_daemons_kb "$cpid")
            per_container_report "per running container" "$((now - base))" "shim" "$(sum_kb VmRSS "${shims[@]}")" \
                "$(sum_kb Pss "${shims[@]}")" "${#shims[@]}" ""
            echo "  (daemon = dockerd + containerd)"
            ids=$(dk ps -aq)
            # shellcheck disable=SC2086
            [[ -n "$ids" ]] && dk rm -f $ids >/dev/null
            bench_stop_dockerd
            echo
            ;;
        podman)
            if [[ -z "$PODMAN" ]]; then
                echo "podman: skipped (not installed)"
                continue
            fi
            if ! bench_setup_podman || ! pm import "$BENCH_TMP/rootfs.tar" "$IMAGE" >/dev/null 2>&1; then
                echo "podman: skipped (setup failed)"
                continue
            fi
            echo "podman ($("$PODMAN" --version)) — no daemon; per container = conmon"
            for ((i = 0; i < K; i++)); do
                pm run -d "${PM_RUN_ARGS[@]}" "$IMAGE" sleep 600 >/dev/null 2>>"$BENCH_TMP/errors-podman.log" || echo "  run -d $i failed"
            done
            sleep "$SETTLE"
            mapfile -t conmons < <(pm ps -q | while read -r id; do pm inspect -f '{{.State.ConmonPid}}' "$id"; done)
            [[ ${#conmons[@]} -gt 0 ]] && rss_line "one conmon" "${conmons[0]}"
            per_container_report "per running container" 0 "conmon" "$(sum_kb VmRSS "${conmons[@]}")" \
                "$(sum_kb Pss "${conmons[@]}")" "${#conmons[@]}" ""
            bench_stop_podman
            echo
            ;;
        *) echo "skip: unknown engine $e" ;;
    esac
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
