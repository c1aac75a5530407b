# Benchmarks for the tracing API/SDK, W3C propagation and the logs bridge.
if(TARGET klio_telemetry_sdk)
  klio_bench(trace_bench SRCS trace_bench.cc DEPS klio_telemetry_sdk)
endif()
