# Prometheus pull endpoint and console exporters (klio_telemetry_prometheus).
# Included from src/CMakeLists.txt; the OTLP exporters are a separate target (export.cmake).
# Design: docs/design/prometheus-export.md.
set(_klio_prom_dir ${CMAKE_CURRENT_LIST_DIR})

# klio_telemetry (common.cc, logging) is linked when it exists; this library only needs the
# headers of common.h and sdk/, which the include path already provides.
set(_klio_prom_deps klio_base PkgConfig::HTTPLIB fmt::fmt ZLIB::ZLIB)
if(TARGET klio_telemetry)
  list(APPEND _klio_prom_deps klio_telemetry)
endif()

klio_library(klio_telemetry_prometheus
  SRCS ${_klio_prom_dir}/prometheus_names.cc
       ${_klio_prom_dir}/prometheus_format.cc
       ${_klio_prom_dir}/prometheus.cc
       ${_klio_prom_dir}/console.cc
  DEPS ${_klio_prom_deps})

klio_test(telemetry_prometheus_format_test
  SRCS ${_klio_prom_dir}/prometheus_names_test.cc
       ${_klio_prom_dir}/prometheus_format_test.cc
  DEPS klio_telemetry_prometheus)

klio_test(telemetry_prometheus_server_test
  SRCS ${_klio_prom_dir}/prometheus_server_test.cc
  DEPS klio_telemetry_prometheus klio_testing)

klio_test(telemetry_console_test
  SRCS ${_klio_prom_dir}/console_test.cc
  DEPS klio_telemetry_prometheus)

# Real peers: promtool and a Prometheus server scraping our endpoint.
klio_test(telemetry_prometheus_peer_test
  SRCS ${_klio_prom_dir}/prometheus_peer_test.cc
  DEPS klio_telemetry_prometheus klio_testing nlohmann_json::nlohmann_json
  LABELS peer
  TIMEOUT 120)
