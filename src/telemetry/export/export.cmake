# OTLP exporters (http/protobuf over libcurl, grpc over grpc::GenericStub) with a hand-written
# protobuf wire encoder. gRPC is a private dependency: no gRPC header is in a public header.
# Design: docs/design/otlp-export.md.
set(KLIO_OTLP_DIR ${CMAKE_CURRENT_LIST_DIR})

# klio_telemetry: klio::log for warnings (partial success, dropped batches); common.h and
# sdk/*.h are used header-only.
set(KLIO_OTLP_DEPS klio_base klio_telemetry CURL::libcurl ZLIB::ZLIB Threads::Threads)

klio_library(klio_telemetry_export
  SRCS
    ${KLIO_OTLP_DIR}/otlp_client.cc
    ${KLIO_OTLP_DIR}/otlp_encode.cc
    ${KLIO_OTLP_DIR}/otlp_exporter.cc
    ${KLIO_OTLP_DIR}/otlp_grpc_transport.cc
    ${KLIO_OTLP_DIR}/otlp_http_transport.cc
    ${KLIO_OTLP_DIR}/otlp_options.cc
    ${KLIO_OTLP_DIR}/otlp_retry.cc
    ${KLIO_OTLP_DIR}/otlp_wire.cc
  DEPS ${KLIO_OTLP_DEPS}
  PRIVATE_DEPS gRPC::grpc++)
# The User-Agent carries the project version.
set_property(SOURCE ${KLIO_OTLP_DIR}/otlp_http_transport.cc APPEND PROPERTY
  COMPILE_DEFINITIONS KLIO_VERSION="${PROJECT_VERSION}")

# Unit tests: encoder (checked by our wire reader and by protoc --decode_raw), options from
# the environment, retry policy, and the export core against a scripted fake transport.
klio_test(telemetry_otlp_unit_test
  SRCS
    ${KLIO_OTLP_DIR}/otlp_wire_test.cc
    ${KLIO_OTLP_DIR}/otlp_encode_test.cc
    ${KLIO_OTLP_DIR}/otlp_options_test.cc
    ${KLIO_OTLP_DIR}/otlp_retry_test.cc
    ${KLIO_OTLP_DIR}/otlp_client_test.cc
  DEPS klio_telemetry_export klio_testing)

# Against the independent decoder: the Node OTLP receiver (official protobuf definitions).
if(EXISTS ${PROJECT_SOURCE_DIR}/src/testing/otlp_fixture.h
   AND EXISTS ${KLIO_OTLP_DIR}/otlp_exporter_test.cc)
  klio_test(telemetry_otlp_peer_test
    SRCS ${KLIO_OTLP_DIR}/otlp_exporter_test.cc
    DEPS klio_telemetry_export klio_testing
    LABELS peer
    TIMEOUT 600)
endif()

# TLS and mTLS of both transports against in-process servers (gRPC with SslServerCredentials,
# cpp-httplib over OpenSSL), certificates made with the openssl command line.
klio_test(telemetry_otlp_tls_test
  SRCS ${KLIO_OTLP_DIR}/otlp_tls_test.cc
  DEPS klio_telemetry_export klio_testing gRPC::grpc++ PkgConfig::HTTPLIB)
