# Structured logging hot paths: a JSON line to /dev/null (1 and 2 threads), a disabled line,
# and the redaction scan. Target: <= 1 us per line at 2 threads (docs/design/logging.md §7).
klio_bench(log_bench SRCS log_bench.cc DEPS klio_telemetry)
