#!/bin/sh
# Installs the portal's dependencies when missing (from the committed
# lockfile), then runs the server in the foreground.
set -eu
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
NODE_ENV=production
export NODE_ENV
exec node app.js
