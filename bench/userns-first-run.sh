#!/usr/bin/env bash
# User namespaces at no cost: the first run of a fresh large image against a warm run, and how much the data root
# grows, with idmapped layers (default) and with the shifted-copy fallback (daemon.json "idmapped-mounts": false).
#
#   bench/userns-first-run.sh [IMAGE_MB]     size of the image's payload (default 600; 1 MB files)
#
# Environment: as for start-latency.sh (BULWARK_CLI, BULWARKD, BULWARK_MONITOR). Prints figures; never asserts.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

MB=${1:-600}
WARM=${BENCH_WARM_RUNS:-5}
root="$BENCH_TMP/rootfs"
bench_make_rootfs "$root"
mkdir -p "$root/payload"
for ((i = 0; i < MB; i++)); do
    head -c 1048576 /dev/urandom >"$root/payload/f$i"
done
tar -C "$root" -cf "$root.tar" .
echo "image: busybox + $MB x 1 MB files ($(du -sm "$root.tar" | cut -f1) MB tar)"

ms_since() { awk -v a="$1" -v b="$(bench_now_us)" 'BEGIN { printf "%.0f", (b - a) / 1000 }'; }

for mode in idmapped fallback; do
    cfg="$BENCH_TMP/daemon-$mode.json"
    if [[ $mode == fallback ]]; then echo '{ "idmapped-mounts": false }' >"$cfg"; else echo '{}' >"$cfg"; fi
    BULWARKD_ARGS="--config $cfg" bench_start_bulwarkd
    bw import "$root.tar" bench/big:1 >/dev/null
    before=$(du -sxm "$BW_DATA" | cut -f1)
    t=$(bench_now_us)
    bw run --rm bench/big:1 true
    first=$(ms_since "$t")
    after=$(du -sxm "$BW_DATA" | cut -f1)
    warm=()
    for ((i = 0; i < WARM; i++)); do
        t=$(bench_now_us)
        bw run --rm bench/big:1 true
        warm+=("$(( $(bench_now_us) - t ))")
    done
    read -r med p90 n <<<"$(bench_stats "${warm[@]}")"
    echo "$mode: first run ${first} ms, warm run median ${med} ms (p90 ${p90}, n=${n}); data root ${before} MB -> ${after} MB after the first run"
    bench_stop_bulwarkd
    bench_umount_under "$BENCH_TMP/bw"
    rm -rf "$BENCH_TMP/bw"
done
