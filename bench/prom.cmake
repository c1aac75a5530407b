# Benchmarks for the Prometheus exposition (src/telemetry/export/prometheus_format.h).
if(TARGET klio_telemetry_prometheus)
  klio_bench(prom_bench SRCS ${CMAKE_CURRENT_LIST_DIR}/prom_bench.cc DEPS klio_telemetry_prometheus)
endif()
