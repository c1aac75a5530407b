// OTLP protobuf encoding of the SDK's finished telemetry, written straight to wire bytes
// (no libprotobuf objects): ExportTraceServiceRequest, ExportMetricsServiceRequest and
// ExportLogsServiceRequest; plus decoders for the Export*ServiceResponse partial-success
// message and for google.rpc.Status / RetryInfo error details.
//
// Field mapping: otel-reference §2.3–2.6, summarised in docs/design/otlp-export.md §3.
// Spans and log records are grouped by instrumentation scope (one ScopeSpans / ScopeLogs
// per distinct scope, in order of first appearance); everything shares one Resource.
//
// Thread-safety: free functions without shared state; a ProtoWriter must not be shared
// between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "telemetry/common.h"
#include "telemetry/export/otlp_wire.h"
#include "telemetry/sdk/data.h"

namespace klio::telemetry::exporter {

// Appends an ExportTraceServiceRequest holding `spans` under `resource` to `out`.
// Spans whose scope is null are put under an empty scope. Never fails.
void EncodeTraceRequest(std::span<const sdk::SpanData> spans, const Resource& resource,
                        ProtoWriter* out);

// Appends an ExportMetricsServiceRequest for one collection to `out`. Scopes without
// metrics are left out (no empty envelopes); a null resource is an empty Resource.
void EncodeMetricsRequest(const sdk::ResourceMetrics& metrics, ProtoWriter* out);

// Appends an ExportLogsServiceRequest holding `records` under `resource` to `out`.
void EncodeLogsRequest(std::span<const sdk::LogRecordData> records, const Resource& resource,
                       ProtoWriter* out);

// The number of data points in a collection (what OTLP's rejected_data_points counts).
std::size_t CountDataPoints(const sdk::ResourceMetrics& metrics);

// The partial_success of an Export{Trace,Metrics,Logs}ServiceResponse (the three share one
// layout: field 1 = { 1: int64 rejected, 2: string error_message }).
struct PartialSuccess {
  bool present = false;       // the response carried a partial_success message
  std::int64_t rejected = 0;  // rejected_spans / rejected_data_points / rejected_log_records
  std::string error_message;
};

// Decodes a response body. An empty body is a full success. Returns Corruption on
// malformed bytes.
Result<PartialSuccess> DecodeExportResponse(std::string_view body);

// A decoded google.rpc.Status (the gRPC `grpc-status-details-bin` trailer or an OTLP/HTTP
// error body), keeping only what the exporter acts on.
struct RpcStatus {
  std::int32_t code = 0;
  std::string message;
  // google.rpc.RetryInfo.retry_delay, when one of the details is a RetryInfo.
  std::optional<std::chrono::nanoseconds> retry_delay;
};

// Decodes a serialized google.rpc.Status. Returns Corruption on malformed bytes; details of
// other types are skipped.
Result<RpcStatus> DecodeRpcStatus(std::string_view bytes);

}  // namespace klio::telemetry::exporter
