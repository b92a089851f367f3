#!/usr/bin/env bash
# Runs every test suite (unit + integration against real runc, bulwark-monitor, bulwarkd, our CLI and the docker CLI)
# and ends with one line: "N passed, N failed, N skipped". Run as root after ./install.sh (CI: .ci/run does both).
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

echo "==> building"
make -s -C src/bulwark-monitor || { echo "0 passed, 1 failed"; exit 1; }
dotnet build Bulwark.slnx -c Release --nologo -v quiet 2>&1 | grep -E "error|warn" ; build=${PIPESTATUS[0]}
if [ "$build" != 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi
if [ ! -x artifacts/cli/bulwark ] || [ -n "$(find src/Bulwark.Cli src/Bulwark.Client src/Bulwark.Api.Models -newer artifacts/cli/bulwark -name '*.cs' 2>/dev/null | head -1)" ]; then
  dotnet publish src/Bulwark.Cli -c Release -r linux-x64 -o artifacts/cli --nologo -v quiet >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi

export BULWARK_CLI="$ROOT/artifacts/cli/bulwark"
export BULWARKD="$ROOT/src/Bulwark.Daemon/bin/Release/net10.0/bulwarkd"
export BULWARK_MONITOR="$ROOT/src/bulwark-monitor/bulwark-monitor"

passed=0; failed=0; skipped=0; rc=0
mkdir -p artifacts/test-results
for proj in tests/Bulwark.Engine.Tests tests/Bulwark.Daemon.Tests tests/Bulwark.Cli.Tests tests/Bulwark.Integration.Tests; do
  name=$(basename "$proj")
  echo "==> $name"
  log="artifacts/test-results/$name.log"
  dotnet test "$proj" -c Release --no-build --nologo -v quiet --logger "console;verbosity=normal" >"$log" 2>&1
  code=$?
  grep -E "^\s+(Failed|Skipped) " "$log" | head -50
  summary=$(grep -E "(Passed|Failed)!\s+-\s+Failed:" "$log" | tail -1)
  echo "    ${summary:-no summary (see $log)}"
  if [ -n "$summary" ]; then
    p=$(sed -E 's/.*Passed:\s+([0-9]+).*/\1/' <<<"$summary"); f=$(sed -E 's/.*Failed:\s+([0-9]+).*/\1/' <<<"$summary")
    s=$(sed -E 's/.*Skipped:\s+([0-9]+).*/\1/' <<<"$summary")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  else
    tail -20 "$log"; failed=$((failed + 1))
  fi
  [ "$code" = 0 ] || rc=1
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$rc" = 0 ]
