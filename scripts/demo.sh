#!/usr/bin/env bash
# klio's main job on embedded defaults, from a fresh Debian 12 machine: installs dependencies,
# builds the release binary and runs what klio can do today. Each capability extends this
# script until it shows the whole system (PostgreSQL, server, WAL streaming, backup, restore).
#
# Usage: scripts/demo.sh [work dir, default /tmp/klio-demo]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/klio-demo}"
cd "$root"

"$root/scripts/install-deps.sh"
cmake --preset release >/dev/null
cmake --build build/release -j "${KLIO_JOBS:-$(nproc)}" --target klio
klio="$root/build/release/src/cli/klio"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
mkdir -p "$work"

step "klio --version"
"$klio" --version

step "development PKI for mTLS: klio certs generate"
rm -rf "$work/certs"
"$klio" --log-format console certs generate --dir "$work/certs" --server-name localhost --client-name demo
ls -l "$work/certs"
openssl verify -CAfile "$work/certs/ca.crt" "$work/certs/server.crt" "$work/certs/client.crt"

step "effective configuration (file + environment), secrets redacted: klio config show"
"$klio" config show

step "a bad configuration key is one clear line and exit code 2"
printf 'log:\n  levle: debug\n' > "$work/bad.yaml"
set +e
"$klio" --config "$work/bad.yaml" config check
echo "exit code: $?"
set -e

printf '\nklio demo done; files in %s\n' "$work"
