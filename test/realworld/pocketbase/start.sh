#!/usr/bin/env bash
# Builds the portal (a Go program on PocketBase) when no binary for these
# sources exists yet, then runs it in the foreground. Environment: see
# test/realworld/README.md (PORT, PUBLIC_URL, SMTP_HOST, SMTP_PORT,
# DATA_DIR, SEED_*). It prints READY once it listens on 127.0.0.1:$PORT.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

: "${PORT:?PORT is required}"
: "${DATA_DIR:?DATA_DIR is required}"

# One binary per version of the sources, kept in a cache folder so that
# a fresh DATA_DIR does not mean a fresh build; DATA_DIR when there is none.
sum="$(cat go.mod go.sum $(find . -name '*.go' | sort) | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/launchready-realworld"
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache="$DATA_DIR"
fi
bin="$cache/pocketbase-portal-$sum"

if [ ! -x "$bin" ]; then
  echo "building $bin (go build, first run only)" >&2
  go build -o "$bin.tmp.$$" . >&2
  mv "$bin.tmp.$$" "$bin"
fi

mkdir -p "$DATA_DIR/pb_data"
# --dev=false: PocketBase guesses "go run" (dev mode: SQL echoed to stdout)
# for any binary under the temp or the user cache folder, as this one is.
exec "$bin" serve --dev=false --http "127.0.0.1:$PORT" --dir "$DATA_DIR/pb_data"
