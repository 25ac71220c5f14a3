#!/usr/bin/env bash
# bench/hostile.sh — the hostile-target suite's table: every scenario of
# internal/hostile scanned by a plain build of launchready, with its exit
# code, wall time, the binary's own peak RSS (VmHWM) and with Chromium's,
# the checks per status and the trap hits, then the totals (hangs, panics,
# false PASS, trap hits, peak RSS).
#
# Usage:  bench/hostile.sh                 (every scenario)
#         ONLY='gzip|DNS' bench/hostile.sh (a regexp of scenario names)
# Wall times are the machine's of the moment: read them as orders of size.
set -euo pipefail
cd "$(dirname "$0")/.."
run='^TestHostileTargets$'
if [ -n "${ONLY:-}" ]; then
  run="^TestHostileTargets$/${ONLY// /_}"
fi
go test -count=1 -timeout 60m -run "$run" -v ./internal/hostile 2>&1 |
  sed -n '/scenario  *exit/,/scenarios;/p' | sed 's/^        //'
