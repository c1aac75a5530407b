# Metrics API + SDK hot paths (src/telemetry/metrics.h, sdk/meter_provider.h): counter,
# histogram and gauge records bound, without attributes and with 3 attributes, at 1 and 2
# threads, plus collection. Targets in docs/design/telemetry.md §4.6.
if(TARGET klio_telemetry_metrics)
  klio_bench(metrics_bench SRCS ${CMAKE_CURRENT_LIST_DIR}/metrics_bench.cc
             DEPS klio_telemetry_metrics)
endif()
