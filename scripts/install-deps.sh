#!/usr/bin/env bash
# Installs everything klio needs to build, test and run on Debian 12.
# Idempotent; safe to run again. Needs root (or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

PKGS=(
  # toolchain
  cmake ninja-build g++ ccache pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  # libraries
  libpq-dev libssl-dev libcurl4-openssl-dev libzstd-dev zlib1g-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev libyaml-cpp-dev libexpected-dev libcpp-httplib-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libnats-dev
  # peers used by tests and the demo
  postgresql-15 postgresql-client-15 nats-server prometheus openssl curl procps
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The Debian package installs service units; nothing here relies on them running.

# Node test peers (S3 front, OTLP receiver), pinned by test/peers/package-lock.json.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$here/test/peers/package-lock.json" ]; then
  if [ ! -d "$here/test/peers/node_modules" ] || \
     [ "$here/test/peers/package-lock.json" -nt "$here/test/peers/node_modules/.package-lock.json" ]; then
    (cd "$here/test/peers" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
