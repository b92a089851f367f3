# shellcheck shell=bash
# Shared helpers for the Bulwark benchmarks (sourced by start-latency.sh, memory.sh, start-breakdown.sh).
#
# Everything a benchmark starts lives under one temp dir ($BENCH_TMP) and is torn down by bench_cleanup (run from an
# EXIT trap): containers are removed through their engine, daemons are stopped by the PID we started them with,
# leftover mounts under $BENCH_TMP are unmounted, cgroups the engines created are removed, then the temp dir goes.
# Only loopback/unix sockets are used. Scripts print figures; they never assert.

BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---------------------------------------------------------------- binaries

bench_find() { # bench_find VAR candidate... -> first executable candidate, or empty
    local c
    for c in "$@"; do
        if [[ -n "$c" && -x "$c" ]]; then
            printf '%s\n' "$c"
            return 0
        fi
    done
    return 0
}

BULWARKD=$(bench_find "${BULWARKD:-}" "$BENCH_REPO/artifacts/daemon/bulwarkd" /usr/local/bin/bulwarkd "$BENCH_REPO/src/Bulwark.Daemon/bin/Release/net10.0/bulwarkd")
BULWARK_MONITOR=$(bench_find "${BULWARK_MONITOR:-}" "$BENCH_REPO/src/bulwark-monitor/bulwark-monitor" \
    /usr/local/libexec/bulwark/bulwark-monitor /usr/local/bin/bulwark-monitor)
BULWARK_CLI=$(bench_find "${BULWARK_CLI:-}" "$BENCH_REPO/artifacts/cli/bulwark" /usr/local/bin/bulwark)
DOCKER_CLI=$(bench_find "${DOCKER_CLI:-}" /usr/local/bin/docker /usr/bin/docker)
DOCKERD=$(bench_find "${DOCKERD:-}" /usr/sbin/dockerd /usr/bin/dockerd)
RUNC=$(bench_find "${RUNC:-}" /usr/sbin/runc /usr/bin/runc /usr/local/sbin/runc /usr/local/bin/runc)
PODMAN=$(bench_find "${PODMAN:-}" /usr/bin/podman /usr/local/bin/podman)
BUSYBOX=$(bench_find "${BUSYBOX:-}" /usr/bin/busybox /bin/busybox)

# ---------------------------------------------------------------- temp dir and cleanup

BENCH_TMP=$(mktemp -d /tmp/bwb.XXXXXX) # short on purpose: exec roots hold unix sockets (108-byte limit)
chmod 0711 "$BENCH_TMP"
BENCH_CLEANUPS=()        # commands run in reverse order by bench_cleanup
BENCH_CREATED_PATHS=()   # host paths that did not exist before we started an engine (removed at the end)

bench_on_exit() { BENCH_CLEANUPS+=("$*"); }

bench_note_path() { # remember a host path an engine may create outside $BENCH_TMP, if it does not exist yet
    local p
    for p in "$@"; do
        [[ -e "$p" ]] || BENCH_CREATED_PATHS+=("$p")
    done
}

bench_cleanup() {
    set +e
    local i
    for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${BENCH_CLEANUPS[i]}" >>"$BENCH_TMP/cleanup.log" 2>&1
    done
    bench_umount_under "$BENCH_TMP"
    local p
    for p in "${BENCH_CREATED_PATHS[@]}"; do
        if [[ -d "$p" && "$p" == /sys/fs/cgroup/* ]]; then
            bench_rmdir_cgroup "$p"
        elif [[ -e "$p" || -L "$p" ]]; then
            rm -rf -- "$p"
        fi
    done
    if [[ -n "${BENCH_KEEP_TMP:-}" ]]; then
        echo "bench: kept $BENCH_TMP" >&2
    else
        rm -rf -- "$BENCH_TMP" 2>/dev/null
        if [[ -e "$BENCH_TMP" ]]; then
            echo "bench: could not remove $BENCH_TMP completely (see mounts)" >&2
        fi
    fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_umount_under() { # unmount everything mounted at or below $1, deepest first
    local -
    set +e # teardown is best effort: never abort half-way
    local prefix=$1 mp
    # field 5 of mountinfo is the mount point (octal escapes for spaces are not expected under our temp dir)
    while read -r mp; do
        umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null
    done < <(awk -v p="$prefix" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    return 0
}

bench_rmdir_cgroup() { # remove a cgroup directory tree bottom-up (cgroup dirs can only be rmdir'ed)
    find "$1" -depth -type d -exec rmdir {} \; 2>/dev/null
    return 0
}

bench_stop_pid() { # bench_stop_pid PID [seconds]: SIGTERM a process we started, SIGKILL after a grace period
    local -
    set +e # teardown is best effort: never abort half-way
    local pid=$1 grace=${2:-15} i
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# ---------------------------------------------------------------- rootfs and bundle

bench_make_rootfs() { # bench_make_rootfs DIR: a busybox rootfs; also writes DIR.tar
    local root=$1 a
    mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/root"
    cp "$BUSYBOX" "$root/bin/busybox"
    for a in $("$root/bin/busybox" --list); do
        [[ "$a" == busybox ]] || ln -sf busybox "$root/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
    tar -C "$root" -cf "$root.tar" .
}

# ---------------------------------------------------------------- bulwark

BW_SOCK=
BW_DATA=
BW_EXEC=
BW_PID=
BW_USES_DOCKER_CLI=0

bw() { # the CLI against our private daemon (the real docker CLI when the bulwark CLI is not built)
    if [[ "$BW_USES_DOCKER_CLI" == 1 ]]; then
        DOCKER_HOST="unix://$BW_SOCK" "$DOCKER_CLI" "$@"
    else
        "$BULWARK_CLI" -H "unix://$BW_SOCK" "$@"
    fi
}

bench_start_bulwarkd() { # [DIR] starts a private bulwarkd under $BENCH_TMP/DIR (default bw); sets BW_PID BW_SOCK BW_DATA BW_EXEC
    if [[ -z "$BULWARKD" || -z "$BULWARK_MONITOR" ]]; then
        echo "bench: bulwarkd or bulwark-monitor not found (set BULWARKD / BULWARK_MONITOR or build them)" >&2
        return 1
    fi
    if [[ -z "$BULWARK_CLI" ]]; then
        if [[ -z "$DOCKER_CLI" ]]; then
            echo "bench: neither the bulwark CLI nor a docker CLI was found" >&2
            return 1
        fi
        BW_USES_DOCKER_CLI=1
        echo "bench: bulwark CLI not found; using $DOCKER_CLI against bulwarkd" >&2
    fi
    local d="$BENCH_TMP/${1:-bw}"
    mkdir -p "$d"
    BW_SOCK="$d/api.sock"
    BW_DATA="$d/data"
    BW_EXEC="$d/x"
    "$BULWARKD" --data-root "$BW_DATA" --exec-root "$BW_EXEC" --host "unix://$BW_SOCK" \
        --monitor-path "$BULWARK_MONITOR" ${BULWARKD_ARGS:-} >"$d/bulwarkd.log" 2>&1 &
    BW_PID=$!
    bench_on_exit bench_stop_bulwarkd
    local i
    for ((i = 0; i < 300; i++)); do
        if [[ -S "$BW_SOCK" ]] && bw version >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$BW_PID" 2>/dev/null; then
            echo "bench: bulwarkd exited during startup:" >&2
            tail -20 "$d/bulwarkd.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "bench: bulwarkd did not answer within 30 s" >&2
    return 1
}

bench_stop_bulwarkd() {
    local -
    set +e # teardown is best effort: never abort half-way
    local ids id d pid engine
    if [[ -n "$BW_PID" ]] && kill -0 "$BW_PID" 2>/dev/null; then
        ids=$(bw ps -aq 2>/dev/null)
        if [[ -n "$ids" ]]; then
            # shellcheck disable=SC2086
            bw rm -f $ids >/dev/null 2>&1
        fi
    fi
    bench_stop_pid "$BW_PID" 15
    # monitors survive a daemon stop by design: end any that are left (they are ours: started by our daemon)
    for d in "$BW_EXEC"/c/*/; do
        [[ -f "$d/monitor.pid" ]] || continue
        pid=$(cat "$d/monitor.pid" 2>/dev/null)
        if [[ -n "$pid" && "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$BULWARK_MONITOR")" ]]; then
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    if [[ -d "$BW_EXEC/runtime" ]]; then
        for id in $("$RUNC" --root "$BW_EXEC/runtime" list -q 2>/dev/null); do
            "$RUNC" --root "$BW_EXEC/runtime" delete --force "$id" 2>/dev/null
        done
    fi
    bench_umount_under "$BENCH_TMP/bw"
    if [[ -f "$BW_DATA/engine-id" ]]; then
        engine=$(head -c 12 "$BW_DATA/engine-id")
        for d in /sys/fs/cgroup/*/"bulwark-$engine" /sys/fs/cgroup/unified/"bulwark-$engine"; do
            [[ -d "$d" ]] && bench_rmdir_cgroup "$d"
        done
    fi
    BW_PID=
}

bench_bw_monitor_pids() { # pids of the monitors of running containers
    local f
    for f in "$BW_EXEC"/c/*/monitor.pid; do
        [[ -f "$f" ]] || continue
        local pid
        pid=$(cat "$f")
        kill -0 "$pid" 2>/dev/null && echo "$pid"
    done
    return 0
}

# ---------------------------------------------------------------- docker

DK_SOCK=
DK_PID=
DK_ROOT=

dk() { DOCKER_HOST="unix://$DK_SOCK" "$DOCKER_CLI" "$@"; }

bench_start_dockerd() { # starts a private dockerd (it starts its own containerd); sets DK_PID DK_SOCK
    [[ -n "$DOCKERD" && -n "$DOCKER_CLI" ]] || return 1
    local d="$BENCH_TMP/dk"
    mkdir -p "$d"
    DK_ROOT=$d
    DK_SOCK="$d/d.sock"
    # host paths dockerd/containerd create outside their roots on this Debian build
    local c
    bench_note_path /etc/docker/key.json /run/containerd /var/lib/docker /run/docker
    for c in /sys/fs/cgroup/*/; do
        [[ -d "$c" && ! -L "${c%/}" ]] && bench_note_path "${c}docker"
    done
    "$DOCKERD" --data-root "$d/data" --exec-root "$d/x" -H "unix://$DK_SOCK" --pidfile "$d/dockerd.pid" \
        --bridge=none --iptables=false --ip-masq=false --ip6tables=false >"$d/dockerd.log" 2>&1 &
    DK_PID=$!
    bench_on_exit bench_stop_dockerd
    local i
    for ((i = 0; i < 600; i++)); do
        if [[ -S "$DK_SOCK" ]] && dk version >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$DK_PID" 2>/dev/null; then
            echo "bench: dockerd exited during startup:" >&2
            tail -20 "$d/dockerd.log" >&2
            DK_PID=
            return 1
        fi
        sleep 0.1
    done
    echo "bench: dockerd did not answer within 60 s" >&2
    return 1
}

bench_dk_containerd_pid() { # the containerd dockerd started for us
    local f="$DK_ROOT/x/containerd/containerd.pid"
    [[ -f "$f" ]] && cat "$f"
    return 0
}

bench_stop_dockerd() {
    local -
    set +e # teardown is best effort: never abort half-way
    local ids cpid
    if [[ -n "$DK_PID" ]] && kill -0 "$DK_PID" 2>/dev/null; then
        ids=$(dk ps -aq 2>/dev/null)
        if [[ -n "$ids" ]]; then
            # shellcheck disable=SC2086
            dk rm -f $ids >/dev/null 2>&1
        fi
    fi
    cpid=$(bench_dk_containerd_pid)
    bench_stop_pid "$DK_PID" 20
    # dockerd stops the containerd it started; make sure
    [[ -n "$cpid" ]] && bench_stop_pid "$cpid" 5
    bench_umount_under "$BENCH_TMP/dk"
    DK_PID=
    return 0
}

bench_dk_shim_pids() { # containerd-shim processes serving our containerd
    local p cmd
    for p in /proc/[0-9]*; do
        cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
        [[ "$cmd" == *containerd-shim* && "$cmd" == *"$DK_ROOT/x/containerd/containerd.sock"* ]] && echo "${p#/proc/}"
    done
    return 0
}

# ---------------------------------------------------------------- podman

PM_ARGS=()
# podman asks runc for RLIMIT_NOFILE/NPROC above this host's hard limits; set them explicitly
PM_RUN_ARGS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

pm() { "$PODMAN" "${PM_ARGS[@]}" "$@"; }

bench_setup_podman() {
    [[ -n "$PODMAN" && -n "$RUNC" ]] || return 1
    local d="$BENCH_TMP/pm" c
    mkdir -p "$d/root" "$d/run" "$d/tmp"
    # crun is not usable on this hybrid-cgroup host, and runc is what the others use: compare like with like
    PM_ARGS=(--root "$d/root" --runroot "$d/run" --tmpdir "$d/tmp" --storage-driver overlay
        --cgroup-manager cgroupfs --events-backend none --runtime "$RUNC")
    bench_note_path /var/lib/containers /run/containers /run/libpod
    for c in /sys/fs/cgroup/*/; do
        [[ -d "$c" && ! -L "${c%/}" ]] && bench_note_path "${c}libpod_parent"
    done
    bench_on_exit bench_stop_podman
    pm info >/dev/null 2>&1
}

bench_stop_podman() {
    local -
    set +e # teardown is best effort: never abort half-way
    pm rm -af -t 0 >/dev/null 2>&1
    bench_umount_under "$BENCH_TMP/pm"
    return 0
}

# ---------------------------------------------------------------- statistics and output

bench_now_us() { # microseconds since the epoch, without forking (bash 5 EPOCHREALTIME)
    local t=$EPOCHREALTIME
    echo "${t/./}"
}

bench_stats() { # bench_stats us... -> "median_ms p90_ms n" (median: mean of the middle pair; p90: nearest rank)
    printf '%s\n' "$@" | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "- - 0"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            r = int(0.9 * NR); if (r < 0.9 * NR) r++; if (r < 1) r = 1
            printf "%.1f %.1f %d\n", m / 1000, v[r] / 1000, NR
        }'
}

bench_kb() { # bench_kb PID FIELD -> value in kB from /proc/PID/status (VmRSS, RssAnon, ...) or 0
    awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

bench_pss_kb() { # proportional set size in kB
    awk '$1 == "Pss:" { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}

bench_machine() {
    local mem kern rv
    mem=$(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    kern=$(uname -r)
    rv=$("$RUNC" --version 2>/dev/null | head -1)
    echo "machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $mem RAM, kernel $kern"
    echo "runtime: $rv; cgroups: $(bench_cgroup_mode); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_cgroup_mode() {
    if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
        echo v2
    elif [[ -d /sys/fs/cgroup/unified ]]; then
        echo "hybrid (v1 controllers + v2 at /sys/fs/cgroup/unified)"
    else
        echo v1
    fi
}
