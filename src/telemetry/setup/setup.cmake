# klio_telemetry_setup: configuration from OTEL_*, the resource and its detectors, process and
# host metrics from /proc, and the one-call SetupTelemetry that wires the SDKs and exporters.
# Included from src/CMakeLists.txt after the other telemetry targets.
# Design: docs/observability.md; docs/design/telemetry.md.
set(_klio_setup_dir ${CMAKE_CURRENT_LIST_DIR})

klio_library(klio_telemetry_setup
  SRCS ${_klio_setup_dir}/env_config.cc
       ${_klio_setup_dir}/proc_stats.cc
       ${_klio_setup_dir}/resource_config.cc
       ${_klio_setup_dir}/runtime_metrics.cc
       ${_klio_setup_dir}/setup.cc
       ${_klio_setup_dir}/system_probe.cc
  DEPS klio_telemetry klio_telemetry_sdk klio_telemetry_metrics klio_telemetry_export
       klio_telemetry_prometheus)
target_compile_definitions(klio_telemetry_setup
  PRIVATE KLIO_TELEMETRY_SDK_VERSION="${PROJECT_VERSION}")

# Table tests of the environment matrix, the resource rules and the /proc parsers.
klio_test(telemetry_setup_test
  SRCS ${_klio_setup_dir}/env_config_test.cc
       ${_klio_setup_dir}/proc_stats_test.cc
       ${_klio_setup_dir}/resource_config_test.cc
       ${_klio_setup_dir}/runtime_metrics_test.cc
       ${_klio_setup_dir}/setup_test.cc
  DEPS klio_telemetry_setup klio_testing)

# End to end against real peers: the Node OTLP receiver (http/protobuf and grpc) and promtool.
klio_test(telemetry_setup_peer_test
  SRCS ${_klio_setup_dir}/setup_peer_test.cc
  DEPS klio_telemetry_setup klio_testing nlohmann_json::nlohmann_json
  LABELS peer
  TIMEOUT 300)
