#!/usr/bin/env bash
# Many containers at once, each with its own uid/gid range: N detached "sleep" containers started K at a time,
# with start throughput, failures, daemon RSS, `ps` latency and restart-to-serving time. The key quota
# (kernel.keys.maxkeys, per uid) is what capped a shared range at ~191 containers here; per-container ranges give each
# container root its own uid. Host sysctls are not touched.
#
#   bench/userns-scale.sh [N] [K]      (default 1000 containers, 10 at a time)
#
# A remap user of its own (bwbench<random>) gets N x 65536 ids in /etc/subuid and /etc/subgid for the run; the lines,
# the user and the group are removed at exit. Prints figures; never asserts.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

N=${1:-1000}
K=${2:-10}
user="bwbench$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
count=$((N * 65536))
end=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: 'NF == 3 { e = $2 + $3; if (e > m) m = e } END { print (m > 1000000 ? m : 1000000) }')
for f in /etc/subuid /etc/subgid; do
    cp "$f" "$f.bwbench.tmp" && echo "$user:$end:$count" >>"$f.bwbench.tmp" && mv "$f.bwbench.tmp" "$f"
done
bench_on_exit "for f in /etc/subuid /etc/subgid; do grep -v '^$user:' \$f >\$f.bwbench.tmp; mv \$f.bwbench.tmp \$f; done; userdel $user; groupdel $user"

echo "{ \"userns-remap\": \"$user\", \"userns-ranges\": \"per-container\" }" >"$BENCH_TMP/daemon.json"
BULWARKD_ARGS="--config $BENCH_TMP/daemon.json" bench_start_bulwarkd
bench_make_rootfs "$BENCH_TMP/rootfs"
bw import "$BENCH_TMP/rootfs.tar" bench/busybox:1 >/dev/null
echo "$(bench_machine 2>/dev/null || true)"
echo "kernel.keys.maxkeys=$(cat /proc/sys/kernel/keys/maxkeys) (per uid; not changed)"

t0=$(bench_now_us)
fails=$(seq "$N" | xargs -P "$K" -I{} sh -c "'$BULWARK_CLI' -H 'unix://$BW_SOCK' run -d bench/busybox:1 sleep 100000 >/dev/null 2>>'$BENCH_TMP/fail.log' || echo x" | wc -l)
t1=$(bench_now_us)
running=$(bw ps -q | wc -l)
awk -v n="$N" -v f="$fails" -v r="$running" -v us=$((t1 - t0)) 'BEGIN { printf "started %d (failed %d, running %d) in %.1f s: %.1f containers/s\n", n - f, f, r, us / 1e6, (n - f) / (us / 1e6) }'
[[ -s "$BENCH_TMP/fail.log" ]] && { echo "first failures:"; sort "$BENCH_TMP/fail.log" | uniq -c | sort -rn | head -3; }
echo "distinct container-root uids: $(for p in $(pgrep -f 'sleep 100000' | head -2000); do awk '/^Uid:/ { print $2 }' /proc/$p/status 2>/dev/null; done | sort -u | wc -l)"
echo "daemon RSS: $(awk '/VmRSS/ { printf "%.0f MB", $2 / 1024 }' /proc/$BW_PID/status)"
ps_times=()
for i in 1 2 3 4 5; do
    t=$(bench_now_us)
    bw ps >/dev/null
    ps_times+=("$(( $(bench_now_us) - t ))")
done
read -r med p90 n <<<"$(bench_stats "${ps_times[@]}")"
echo "ps with $running running: median ${med} ms (p90 ${p90}, n=${n})"

kill -TERM "$BW_PID"
wait "$BW_PID" 2>/dev/null || true
t=$(bench_now_us)
BULWARKD_ARGS="--config $BENCH_TMP/daemon.json" bench_start_bulwarkd
served=$(( $(bench_now_us) - t ))
echo "restart to serving: $(awk -v us=$served 'BEGIN { printf "%.2f", us / 1e6 }') s; running after restart: $(bw ps -q | wc -l)"
