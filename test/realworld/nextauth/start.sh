#!/usr/bin/env bash
# Starts the portal: installs dependencies and builds when missing, then
# execs `next start` on 127.0.0.1:$PORT. See the realworld contract in
# ../README.md for the environment it is given.
set -euo pipefail
cd "$(dirname "$0")"

: "${PORT:?PORT is required}" "${PUBLIC_URL:?PUBLIC_URL is required}" "${DATA_DIR:?DATA_DIR is required}"

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
export NEXT_TELEMETRY_DISABLED=1
if [ ! -d .next ]; then
  ./node_modules/.bin/next build
fi

# Auth.js reads the public origin (links, cookie names: https means
# __Secure- cookies) and the secret from the environment. The secret is made
# here at each start and never written down: sessions end at restart.
export NEXTAUTH_URL="$PUBLIC_URL" AUTH_URL="$PUBLIC_URL"
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')}"
export NODE_ENV=production

# READY once the server accepts connections; $$ becomes the server's pid at
# the exec below, so the loop also ends if the server dies first.
(
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
    kill -0 $$ 2>/dev/null || exit 1
    sleep 0.2
  done
  echo READY
) &

exec ./node_modules/.bin/next start -H 127.0.0.1 -p "$PORT"
