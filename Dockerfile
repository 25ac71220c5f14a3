# syntax=docker/dockerfile:1
#
# launchready's container images (docs/install.md explains how to run them):
#
#   docker build --build-arg VERSION=v0.1.0 -t launchready .
#   docker build --build-arg VERSION=v0.1.0 --target browser -t launchready:browser .
#
# The default image (the last stage, runtime) is Debian slim with the static
# binary, the CA roots and git (the demo and `launchready secrets` read git
# repositories). The browser target adds Debian's Chromium, which the
# browser-mode checks (SESS-005) drive; without it they SKIP.
#
# test/dist checks this file against go.mod and the code without Docker, and
# builds and runs both images where a Docker engine is available.

# ---- build: a static binary (no cgo: nothing in the module needs it) ----
FROM golang:1.26-bookworm AS build
WORKDIR /src
# The module download is its own layer, reused while go.mod and go.sum are
# unchanged.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/launchready/launchready/internal/cli.Version=${VERSION}" \
      -o /out/launchready ./cmd/launchready

# ---- base: what every image runs on ----
FROM debian:bookworm-slim AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git \
 && rm -rf /var/lib/apt/lists/*
# A fixed non-root user; /state is where scans keep their journals
# (XDG_STATE_HOME): world-writable with the sticky bit, so a container run
# as any user (docker run --user "$(id -u):$(id -g)") can write there, and
# a host folder mounted on /state/launchready keeps them after --rm.
RUN groupadd --gid 65532 launchready \
 && useradd --uid 65532 --gid 65532 --create-home --home-dir /home/launchready --shell /usr/sbin/nologin launchready \
 && install -d -m 1777 /state \
 && install -d -o 65532 -g 65532 /work
ENV XDG_STATE_HOME=/state
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["launchready"]
CMD ["--help"]

# ---- browser: base plus Debian's Chromium for SESS-005 ----
FROM base AS browser
USER root
# launchready looks for `chromium` on PATH (Debian's launcher script,
# /usr/bin/chromium), then /usr/lib/chromium/chromium. Fonts so pages
# render text; no chromium-sandbox (its setuid helper cannot work under
# Docker's default seccomp profile either).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
# Chromium's sandbox needs user namespaces, which Docker's default seccomp
# profile refuses to a process without CAP_SYS_ADMIN, so a non-root Chromium
# in a container does not start with it. Debian's launcher sources every
# file in /etc/chromium.d: this one turns the sandbox off unless the run
# says CHROMIUM_SANDBOX=on (with a seccomp profile that allows user
# namespaces). The browser only reaches the scan's own proxy on 127.0.0.1,
# and the container, non-root and without capabilities, stays the fence.
COPY <<'EOF' /etc/chromium.d/launchready-sandbox
# launchready's container image: see the Dockerfile.
if [ "${CHROMIUM_SANDBOX:-off}" != "on" ]; then
  export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox"
fi
EOF
USER 65532:65532
# The binary comes last, so a new build does not invalidate the layers above.
COPY --from=build /out/launchready /usr/local/bin/launchready

# ---- runtime: the default image (the last stage) ----
FROM base AS runtime
COPY --from=build /out/launchready /usr/local/bin/launchready
