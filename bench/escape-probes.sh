#!/usr/bin/env bash
# Runs tests/probe/probe.c under: the host itself (no container, shows each probe CAN report ESCAPED),
# Bulwark defaults, `docker run` defaults (a private dockerd from Debian's docker.io) and `podman run`
# defaults where installed; writes a side-by-side table into docs/SECURITY.md (between the probe-table markers).
# No asserts: this is a report. Needs root, gcc, busybox-static. Usage: bench/escape-probes.sh [--no-docs]
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/bwprobe-XXXXXX)
chmod 0755 "$WORK"   # the remapped container root must be able to traverse to its rootfs
BULWARKD=${BULWARKD:-$REPO/src/Bulwark.Daemon/bin/Release/net10.0/bulwarkd}
BULWARK_CLI=${BULWARK_CLI:-$REPO/artifacts/cli/bulwark}
BULWARK_MONITOR=${BULWARK_MONITOR:-$REPO/src/bulwark-monitor/bulwark-monitor}
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
DOCKER=${DOCKER:-$(command -v docker || true)}
PODMAN=${PODMAN:-$(command -v podman || true)}
WRITE_DOCS=1
[ "${1:-}" = "--no-docs" ] && WRITE_DOCS=0
IMG=bench/probe:1
BW_PID= ; DOCKERD_PID=

cleanup() {
  if [ -n "$BW_PID" ]; then
    BULWARK_HOST=unix://$WORK/bw.sock "$BULWARK_CLI" ps -aq 2>/dev/null | xargs -r -n1 env BULWARK_HOST=unix://$WORK/bw.sock "$BULWARK_CLI" rm -f >/dev/null 2>&1
    kill "$BW_PID" 2>/dev/null; wait "$BW_PID" 2>/dev/null
  fi
  if [ -n "$DOCKERD_PID" ]; then
    DOCKER_HOST=unix://$WORK/docker.sock "$DOCKER" ps -aq 2>/dev/null | xargs -r env DOCKER_HOST=unix://$WORK/docker.sock "$DOCKER" rm -f >/dev/null 2>&1
    kill "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null
  fi
  if [ -n "$PODMAN" ]; then "$PODMAN" --root "$WORK/podman" --runroot "$WORK/podman-run" rmi -f "$IMG" >/dev/null 2>&1; fi
  grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the probe image: static busybox + /probe + setuid-root /probe-suid
mkdir -p "$WORK/rootfs"/{bin,etc,tmp,proc,sys,dev,root}
chmod 1777 "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$WORK/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$WORK/rootfs/etc/group"
gcc -static -O2 -o "$WORK/rootfs/probe" "$REPO/tests/probe/probe.c" || { echo "gcc failed" >&2; exit 1; }
cp "$WORK/rootfs/probe" "$WORK/rootfs/probe-suid"; chown 0:0 "$WORK/rootfs/probe-suid"; chmod 4755 "$WORK/rootfs/probe-suid"
tar --numeric-owner -C "$WORK/rootfs" -cf "$WORK/probe.tar" .

declare -A RESULT
COLUMNS_RUN=()
record() { # column, probe output
  local col=$1 out=$2
  COLUMNS_RUN+=("$col")
  while read -r tag name status detail; do
    [ "$tag" = PROBE ] || continue
    RESULT["$col|$name"]="$status"
    RESULT["$col|$name|detail"]="$detail"
  done <<< "$out"
}

# --- host (no container): shows each probe can report ESCAPED
cp "$WORK/rootfs/probe-suid" "$WORK/probe-suid-host"
record "host (no container)" "$(cd / && "$WORK/rootfs/probe")"

# --- Bulwark defaults
if [ -x "$BULWARKD" ] && [ -x "$BULWARK_CLI" ]; then
  "$BULWARKD" --data-root "$WORK/bw-data" --exec-root "$WORK/bwx" --host "unix://$WORK/bw.sock" --monitor-path "$BULWARK_MONITOR" >"$WORK/bulwarkd.log" 2>&1 &
  BW_PID=$!
  for _ in $(seq 100); do [ -S "$WORK/bw.sock" ] && break; sleep 0.1; done
  export BULWARK_HOST=unix://$WORK/bw.sock
  "$BULWARK_CLI" import "$WORK/probe.tar" "$IMG" >/dev/null
  out=$("$BULWARK_CLI" run --rm "$IMG" /probe 2>&1)
  grep -q '^PROBE' <<< "$out" || echo "bulwark run failed: $out $(tail -5 "$WORK/bulwarkd.log")" >&2
  record "Bulwark defaults" "$out"
  unset BULWARK_HOST
else
  echo "bulwark not built ($BULWARKD, $BULWARK_CLI): skipping" >&2
fi

# --- docker run defaults (private dockerd)
if [ -x "$DOCKERD" ] && [ -n "$DOCKER" ]; then
  "$DOCKERD" --data-root "$WORK/docker-data" --exec-root "$WORK/dx" -H "unix://$WORK/docker.sock" --pidfile "$WORK/docker.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 300); do DOCKER_HOST=unix://$WORK/docker.sock "$DOCKER" version >/dev/null 2>&1 && break; sleep 0.1; done
  export DOCKER_HOST=unix://$WORK/docker.sock DOCKER_CONFIG=$WORK/docker-config
  if "$DOCKER" import "$WORK/probe.tar" "$IMG" >/dev/null 2>"$WORK/docker-import.err"; then
    record "docker run defaults" "$("$DOCKER" run --rm --network none "$IMG" /probe 2>&1)"
  else
    echo "docker import failed: $(cat "$WORK/docker-import.err")" >&2
  fi
  unset DOCKER_HOST DOCKER_CONFIG
else
  echo "dockerd/docker not installed: skipping" >&2
fi

# --- podman run defaults
if [ -n "$PODMAN" ]; then
  P=("$PODMAN" --root "$WORK/podman" --runroot "$WORK/podman-run" --runtime runc --cgroup-manager cgroupfs --events-backend none)
  if "${P[@]}" import "$WORK/probe.tar" "$IMG" >/dev/null 2>"$WORK/podman.err"; then
    # The ulimits are needed on this host only because podman copies the caller's rlimits (above the daemon-less
    # runc's limits here); every security default is podman's own.
    out=$("${P[@]}" run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$IMG" /probe 2>"$WORK/podman-run.err")
    if grep -q '^PROBE' <<< "$out"; then record "podman run defaults" "$out"; else echo "podman run failed: $(head -3 "$WORK/podman-run.err")" >&2; PODMAN_ERR=$(head -1 "$WORK/podman-run.err"); fi
  else
    echo "podman import failed: $(cat "$WORK/podman.err")" >&2
  fi
fi

# --- table
PROBES=$(printf '%s\n' "${!RESULT[@]}" | grep -v '|detail$' | cut -d'|' -f2 | awk '!seen[$0]++')
ORDER="caps seccomp no-new-privs userns mount unshare-userns keyctl raw-socket mknod write-proc-sys write-sys load-module read-kcore read-keys cgroup-release-agent proc-exe-overwrite leaked-fds-cwd setuid write-cgroup-mount vsock-socket socket-families compat-32bit-syscall"
{
  printf '| probe |'; for c in "${COLUMNS_RUN[@]}"; do printf ' %s |' "$c"; done; printf '\n'
  printf '|---|'; for _ in "${COLUMNS_RUN[@]}"; do printf -- '---|'; done; printf '\n'
  for p in $ORDER; do
    grep -qx "$p" <<< "$PROBES" || continue
    printf '| %s |' "$p"
    for c in "${COLUMNS_RUN[@]}"; do
      s=${RESULT["$c|$p"]:-n/a}
      [ "$s" = ESCAPED ] && s="**ESCAPED**"
      printf ' %s |' "$s"
    done
    printf '\n'
  done
  if [ -n "${PODMAN_ERR:-}" ]; then printf '\npodman is installed but could not run a container here: `%s`\n' "$PODMAN_ERR"; fi
  printf '\nGenerated by `bench/escape-probes.sh` on %s (kernel %s).\n' "$(date -u +%Y-%m-%d)" "$(uname -r)"
} > "$WORK/table.md"
cat "$WORK/table.md"
{
  echo; echo "Details:"
  for c in "${COLUMNS_RUN[@]}"; do for p in $ORDER; do [ -n "${RESULT["$c|$p"]:-}" ] && echo "  [$c] $p ${RESULT["$c|$p"]}: ${RESULT["$c|$p|detail"]}"; done; done
} >&2

if [ "$WRITE_DOCS" = 1 ] && [ -f "$REPO/docs/SECURITY.md" ] && grep -q '<!-- probe-table:start -->' "$REPO/docs/SECURITY.md"; then
  awk -v table="$WORK/table.md" '
    /<!-- probe-table:start -->/ { print; while ((getline line < table) > 0) print line; skip=1; next }
    /<!-- probe-table:end -->/ { skip=0 }
    !skip { print }' "$REPO/docs/SECURITY.md" > "$WORK/SECURITY.md" && cp "$WORK/SECURITY.md" "$REPO/docs/SECURITY.md"
  echo "table written to docs/SECURITY.md" >&2
fi
