#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs dependencies (apt, npm ci for
# the test peers), configures the CI preset (debug, ASan+UBSan, -Werror), builds everything
# and runs ctest. Every peer (PostgreSQL, nats-server, the S3 front, the OTLP receiver,
# Prometheus) is started by the tests themselves on 127.0.0.1 and stopped by PID.
#
# Usage: scripts/test.sh [extra ctest args, e.g. -L unit or -R Wal]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh"

jobs="${KLIO_JOBS:-$(nproc)}"
cmake --preset ci
cmake --build build/debug -j "$jobs"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if [ -f "$root/test/lsan.supp" ]; then
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/test/lsan.supp:print_suppressions=0}"
fi
ctest --test-dir build/debug --output-on-failure -j "$jobs" --timeout 900 "$@"
