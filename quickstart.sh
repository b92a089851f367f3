#!/usr/bin/env bash
# Fresh Debian 12, as root: install, start bulwarkd, make a demo busybox image, and run a hardened container
# that prints its own security posture.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh

export BULWARK_HOST=unix:///run/bulwark/bulwark.sock
if ! bulwark version >/dev/null 2>&1; then
  echo "==> starting bulwarkd (log: /var/log/bulwarkd.log)"
  nohup bulwarkd --host "$BULWARK_HOST" >/var/log/bulwarkd.log 2>&1 &
  for _ in $(seq 50); do bulwark version >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "==> building a demo image from Debian's static busybox"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,root}
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$rootfs.tar" .
bulwark import "$rootfs.tar" demo/busybox:1
rm -f "$rootfs.tar"

echo "==> running a hardened container (read-only root, no network, all capabilities dropped but CHOWN)"
bulwark run --rm --read-only --network none --cap-drop ALL --cap-add CHOWN --memory 64m --pids-limit 64 \
  --user 65534 demo/busybox:1 sh -c '
    echo "uid/gid:        $(id)"
    grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
    echo "uid_map:        $(cat /proc/self/uid_map)"
    touch /probe 2>/dev/null && echo "rootfs:         WRITABLE" || echo "rootfs:         read-only"'
echo "==> done: try 'bulwark ps -a', 'bulwark images', 'bulwark info'"
