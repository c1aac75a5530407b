# Tracing/logs API sources (joined to klio_telemetry) and the trace + logs SDK
# (klio_telemetry_sdk). The metrics SDK adds itself from sdk_metrics.cmake.
# Design: docs/design/telemetry.md §4.
set(KLIO_TELEMETRY_DIR ${CMAKE_CURRENT_LIST_DIR}/..)
set(KLIO_SDK_DIR ${CMAKE_CURRENT_LIST_DIR})

target_sources(klio_telemetry PRIVATE
  ${KLIO_TELEMETRY_DIR}/common.cc
  ${KLIO_TELEMETRY_DIR}/propagation.cc
  ${KLIO_TELEMETRY_DIR}/trace.cc)

klio_library(klio_telemetry_sdk
  SRCS
    ${KLIO_SDK_DIR}/batch_log_processor.cc
    ${KLIO_SDK_DIR}/batch_span_processor.cc
    ${KLIO_SDK_DIR}/env_parse.cc
    ${KLIO_SDK_DIR}/id_generator.cc
    ${KLIO_SDK_DIR}/limits.cc
    ${KLIO_SDK_DIR}/log_record_processor.cc
    ${KLIO_SDK_DIR}/logger_provider.cc
    ${KLIO_SDK_DIR}/sampler.cc
    ${KLIO_SDK_DIR}/span_processor.cc
    ${KLIO_SDK_DIR}/tracer_provider.cc
  DEPS klio_telemetry klio_base Threads::Threads)

# The API alone (no SDK installed): no-op costs, scopes, propagation vectors.
klio_test(telemetry_trace_api_test
  SRCS
    ${KLIO_TELEMETRY_DIR}/propagation_test.cc
    ${KLIO_TELEMETRY_DIR}/trace_test.cc
  DEPS klio_telemetry)

klio_test(telemetry_trace_sdk_test
  SRCS
    ${KLIO_SDK_DIR}/batch_processor_test.cc
    ${KLIO_SDK_DIR}/limits_test.cc
    ${KLIO_SDK_DIR}/log_bridge_test.cc
    ${KLIO_SDK_DIR}/sampler_test.cc
    ${KLIO_SDK_DIR}/tracer_provider_test.cc
  DEPS klio_telemetry_sdk nlohmann_json::nlohmann_json)
