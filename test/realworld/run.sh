#!/usr/bin/env bash
# test/realworld/run.sh — start each real portal under test/realworld behind a
# local HTTPS edge, scan it with launchready and print check × portal →
# expected / got, with recall and false positives (see README.md here).
#
# Usage:  test/realworld/run.sh [-portals express,nextauth] [-out DIR]
# Needs Node.js and npm (for the npm portals) and Go; installs Mailpit with
# `go install` when it is not on PATH. Binds 127.0.0.11-13 ports 80 and 443:
# run as root (CI does) or give the binary CAP_NET_BIND_SERVICE.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin="${REALWORLD_BIN:-${TMPDIR:-/tmp}/launchready-realworld-bin}"
mkdir -p "$bin"
go build -o "$bin/launchready" ./cmd/launchready
go build -o "$bin/harness" ./test/realworld/harness

mailpit_version=v1.33.1
mailpit="$(command -v mailpit || true)"
if [ -z "$mailpit" ]; then
  if [ ! -x "$bin/mailpit" ]; then
    echo "installing Mailpit $mailpit_version (go install)"
    GOBIN="$bin" GOFLAGS= go install "github.com/axllent/mailpit@$mailpit_version"
  fi
  mailpit="$bin/mailpit"
fi

exec "$bin/harness" -launchready "$bin/launchready" -mailpit "$mailpit" -dir test/realworld "$@"
