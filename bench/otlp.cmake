# Benchmarks for src/telemetry/export: direct OTLP protobuf encoding (target: one dense span
# — name, 8 attributes, 2 events — in ≤ 300 ns; otel-reference §6.8).
klio_bench(otlp_bench SRCS ${CMAKE_CURRENT_SOURCE_DIR}/otlp_bench.cc DEPS klio_telemetry_export)
