# Metrics API sources (joined to klio_telemetry) and the metrics SDK (klio_telemetry_metrics:
# aggregation, attribute sets, instrument storages, meter provider, pull and periodic readers).
# A sibling of klio_telemetry_sdk (traces and logs); the two may merge later.
# Design: docs/design/telemetry.md §4.6.
set(_klio_metrics_sdk_dir ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(_klio_metrics_api_dir ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

target_sources(klio_telemetry PRIVATE
  ${_klio_metrics_api_dir}/metrics.cc
  ${_klio_metrics_api_dir}/metrics_cells.cc)

klio_library(klio_telemetry_metrics
  SRCS
    ${_klio_metrics_sdk_dir}/aggregation.cc
    ${_klio_metrics_sdk_dir}/attribute_set.cc
    ${_klio_metrics_sdk_dir}/instrument_storage.cc
    ${_klio_metrics_sdk_dir}/meter_provider.cc
    ${_klio_metrics_sdk_dir}/metric_reader.cc
    ${_klio_metrics_sdk_dir}/observable_storage.cc
  DEPS klio_telemetry klio_base Threads::Threads)

# API (no provider, late binding, validation) and SDK (aggregations, temporality, readers).
klio_test(telemetry_metrics_test
  SRCS
    ${_klio_metrics_api_dir}/metrics_test.cc
    ${_klio_metrics_sdk_dir}/attribute_set_test.cc
    ${_klio_metrics_sdk_dir}/meter_provider_test.cc
    ${_klio_metrics_sdk_dir}/metric_reader_test.cc
  DEPS klio_telemetry_metrics)

# Real peers: the Prometheus endpoint scraped over HTTP and checked by promtool, and the OTLP
# exporter into the Node OTLP receiver (official protobuf definitions).
klio_test(telemetry_metrics_peer_test
  SRCS ${_klio_metrics_sdk_dir}/metrics_peer_test.cc
  DEPS klio_telemetry_metrics klio_telemetry_prometheus klio_telemetry_export klio_testing
       nlohmann_json::nlohmann_json
  LABELS peer
  TIMEOUT 300)
