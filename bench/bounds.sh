#!/usr/bin/env bash
# bench/bounds.sh — peak memory of a scan on each hostile scenario of
# breach 5 (internal/scan/bounds_test.go: nested inline HTML, near-cap
# pages linking to more, 100k links, 100k IDs, redirect chains of near-cap
# bodies, a 50 MB inline script, JSON nested 100k deep).
#
# It builds the scan package's tests as a plain binary (no -race), runs
# each scenario in its own process under GNU time and prints one row per
# scenario: the scan's own peak RSS (VmHWM of the process, reset before the
# scan, so the servers' start-up is not counted), the whole process's
# maximum RSS as GNU time saw it, wall time and the test's exit status.
#
# Usage:  bench/bounds.sh                 (this tree)
#         TREE=/tmp/old bench/bounds.sh   (another checkout, e.g. an export of
#                                          an older commit with the test file
#                                          copied in)
#         ONLY=html-100k-links bench/bounds.sh
# Needs:  go, GNU time (apt-get install -y time).
#
# Parameters (environment):
#   TREE     the module to build                    (default: this checkout)
#   ONLY     a regexp of scenario names to run      (default: all)
#   TIMEOUT  seconds per scenario before it is killed (default 900)
#   LOGS     where each scenario's test output goes  (default /tmp/bounds-logs)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$here}
TIMEOUT=${TIMEOUT:-900}
LOGS=${LOGS:-/tmp/bounds-logs}
mkdir -p "$LOGS"
command -v /usr/bin/time >/dev/null || { echo "bench: GNU time is required (apt-get install -y time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$TREE" && go test -c -o "$work/scan.test" ./internal/scan)
cd "$TREE/internal/scan"
names=$(grep -o '{name: "[A-Za-z0-9-]*"' bounds_test.go | sed 's/{name: "\(.*\)"/\1/')
printf '%-30s %14s %14s %9s %s\n' scenario scan_peak_MiB process_max_MiB wall_s status
for n in $names; do
	if [ -n "${ONLY:-}" ] && ! [[ $n =~ $ONLY ]]; then
		continue
	fi
	status=0
	timeout "$TIMEOUT" /usr/bin/time -f 'TIME %M %e' -o "$work/time" \
		"$work/scan.test" -test.run "^TestHostileMemory$/^${n}$" -test.count=1 -test.v >"$work/out" 2>&1 || status=$?
	peak=$(sed -n "s/^BOUNDS $n peak_rss_mib=\([0-9]*\)$/\1/p" "$work/out" | tail -1)
	read -r _ maxkb wall < <(grep '^TIME' "$work/time" || echo "TIME 0 0")
	case $status in
	0) what=ok ;;
	1) what="test failed" ;;
	124) what="killed after ${TIMEOUT}s" ;;
	*) what="exit $status" ;;
	esac
	printf '%-30s %14s %14s %9s %s\n' "$n" "${peak:--}" "$((maxkb / 1024))" "$wall" "$what"
	cp "$work/out" "$LOGS/$n.log"
done
echo "(each scenario's test output, with every check's outcome: $LOGS/<scenario>.log)"
