#!/usr/bin/env bash
# Installs what Bulwark needs on Debian 12 (as root), builds it, and installs bulwark, bulwarkd and
# bulwark-monitor into /usr/local. Idempotent: run it again after pulling changes.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (it installs packages and /usr/local binaries)" >&2
  exit 1
fi

PACKAGES=(runc crun conmon busybox-static tini catatonit gcc make libc6-dev iproute2 nftables procps util-linux ca-certificates)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install.sh: the .NET 10 SDK (dotnet) is required and was not found on PATH" >&2
  exit 1
fi

getent group bulwark >/dev/null || { log "creating group bulwark (API socket access)"; groupadd --system bulwark; }

# Run a build step quietly; on failure show what it printed.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" | grep -E "error|Error" | head -40 >&2
    echo "install.sh: failed: $*" >&2
    exit 1
  fi
}

PREFIX=${PREFIX:-/usr/local}
LIBDIR=$PREFIX/lib/bulwark

log "building bulwark-monitor"
quiet make -s -C src/bulwark-monitor

log "publishing bulwarkd (NativeAOT)"
quiet dotnet publish src/Bulwark.Daemon -c Release -r linux-x64 -o artifacts/daemon --nologo -v quiet
mkdir -p "$LIBDIR"
install -m 0755 artifacts/daemon/bulwarkd "$LIBDIR/bulwarkd"
install -m 0644 artifacts/daemon/libe_sqlite3.so "$LIBDIR/libe_sqlite3.so"
install -m 0755 src/bulwark-monitor/bulwark-monitor "$LIBDIR/bulwark-monitor"
mkdir -p "$PREFIX/libexec/bulwark"
install -m 0755 src/bulwark-monitor/bulwark-monitor "$PREFIX/libexec/bulwark/bulwark-monitor"
ln -sf "$LIBDIR/bulwarkd" "$PREFIX/bin/bulwarkd"

log "publishing bulwark (NativeAOT)"
quiet dotnet publish src/Bulwark.Cli -c Release -r linux-x64 -o artifacts/cli --nologo -v quiet
# The CLI lives beside libe_sqlite3.so (scan reads rpm's SQLite database) and is linked into bin, as bulwarkd is.
install -m 0755 artifacts/cli/bulwark "$LIBDIR/bulwark"
ln -sf "$LIBDIR/bulwark" "$PREFIX/bin/bulwark"

log "installed: $(command -v bulwark) $(command -v bulwarkd) $PREFIX/libexec/bulwark/bulwark-monitor"
