#!/usr/bin/env bash
# Runs every test suite (unit + integration against real runc, bulwark-monitor, bulwarkd, our CLI and the docker CLI)
# and ends with one line: "N passed, N failed, N skipped". Run as root after ./install.sh (CI: .ci/run does both).
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

# Test-only tools: the Docker SDK for Python and docker-compose drive bulwarkd in the compatibility tests;
# docker-registry (distribution 2.8) is the local registry of the pull/push tests; notary (notary-server 0.7) the trust server of the content-trust tests.
# openssh-server: the sshd that the ssh:// host tests start on 127.0.0.1 (their own config, key and port).
TEST_PACKAGES=(python3-docker docker-compose docker-registry skopeo notary openssl openssh-server nftables)
missing=()
for p in "${TEST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing test tools: ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || { echo "could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

echo "==> building"
mkdir -p artifacts
make -s -C src/bulwark-monitor || { echo "0 passed, 1 failed"; exit 1; }
dotnet build Bulwark.slnx -c Release --nologo -v quiet 2>&1 | grep -E "error|warn" ; build=${PIPESTATUS[0]}
if [ "$build" != 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi
# The integration tests drive what we ship: the NativeAOT builds of bulwark and bulwarkd (republished when sources changed).
stale() { [ ! -x "$1" ] || [ -n "$(find src -newer "$1" \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' \) 2>/dev/null | head -1)" ]; }
if stale artifacts/cli/bulwark; then
  echo "==> publishing bulwark (NativeAOT)"
  dotnet publish src/Bulwark.Cli -c Release -r linux-x64 -o artifacts/cli --nologo -v quiet >artifacts/publish-cli.log 2>&1 \
    || { grep -E "error" artifacts/publish-cli.log | head -20; echo "0 passed, 1 failed"; exit 1; }
fi
if stale artifacts/daemon/bulwarkd; then
  echo "==> publishing bulwarkd (NativeAOT)"
  dotnet publish src/Bulwark.Daemon -c Release -r linux-x64 -o artifacts/daemon --nologo -v quiet >artifacts/publish-daemon.log 2>&1 \
    || { grep -E "error" artifacts/publish-daemon.log | head -20; echo "0 passed, 1 failed"; exit 1; }
fi

export BULWARK_CLI="$ROOT/artifacts/cli/bulwark"
export BULWARKD="$ROOT/artifacts/daemon/bulwarkd"
export BULWARK_MONITOR="$ROOT/src/bulwark-monitor/bulwark-monitor"

passed=0; failed=0; skipped=0; rc=0
mkdir -p artifacts/test-results
for proj in tests/Bulwark.Engine.Tests tests/Bulwark.Daemon.Tests tests/Bulwark.Audit.Tests tests/Bulwark.Cli.Tests tests/Bulwark.Integration.Tests tests/Bulwark.Testcontainers.Tests; do
  name=$(basename "$proj")
  echo "==> $name"
  log="artifacts/test-results/$name.log"
  dotnet test "$proj" -c Release --no-build --nologo -v quiet --logger "console;verbosity=normal" >"$log" 2>&1
  code=$?
  grep -E "^\s+(Failed|Skipped) " "$log" | sort -u | head -50
  # The cause of each failure (message and first stack lines), so a CI log alone explains a red run.
  grep -E -A14 "^\s+Failed " "$log" | grep -vE "^\s+Passed " | head -120
  # VSTest's normal-verbosity summary: "Total tests: N" then "Passed: N", "Failed: N", "Skipped: N" lines.
  count() { sed -n -E "s/^[[:space:]]+$1:[[:space:]]+([0-9]+)[[:space:]]*$/\1/p" "$log" | tail -1; }
  if grep -qE "^Total tests:" "$log"; then
    p=$(count Passed); f=$(count Failed); s=$(count Skipped)
    p=${p:-0}; f=${f:-0}; s=${s:-0}
    echo "    $p passed, $f failed, $s skipped"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  else
    echo "    no test summary (see $log)"; tail -20 "$log"; failed=$((failed + 1))
  fi
  [ "$code" = 0 ] || rc=1
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$rc" = 0 ]
