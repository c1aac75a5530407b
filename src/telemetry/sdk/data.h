// The SDK's finished telemetry, handed to exporters: spans, metric points and log records.
// Exporters (OTLP http/grpc, Prometheus, console) read only these types, so an exporter never
// depends on how the SDK aggregates or batches.
//
// Thread-safety: plain value types; a batch is owned by one exporter call at a time.
// Design: docs/design/telemetry.md §2; OTLP mapping in otel-reference §2.4–2.6.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "telemetry/common.h"

namespace klio::telemetry::sdk {

enum class SpanKind : std::uint8_t {
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
enum class SpanStatusCode : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  std::uint64_t time_unix_nano = 0;
  std::string name;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
};

struct SpanLink {
  SpanContext context;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
};

struct SpanData {
  SpanContext context;     // trace_id, span_id, flags, trace_state of this span
  SpanId parent_span_id;   // invalid (all zero) for a root span
  bool parent_is_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::uint64_t start_time_unix_nano = 0;
  std::uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
  std::vector<SpanEvent> events;
  std::uint32_t dropped_events_count = 0;
  std::vector<SpanLink> links;
  std::uint32_t dropped_links_count = 0;
  SpanStatusCode status_code = SpanStatusCode::kUnset;
  std::string status_message;
  // Shared by every span of one tracer; never null in SDK output.
  std::shared_ptr<const InstrumentationScope> scope;
};

enum class Temporality : std::uint8_t { kDelta = 1, kCumulative = 2 };

struct NumberPoint {
  Attributes attributes;
  std::uint64_t start_time_unix_nano = 0;  // 0 for gauges
  std::uint64_t time_unix_nano = 0;
  std::variant<std::int64_t, double> value;
};

struct HistogramPoint {
  Attributes attributes;
  std::uint64_t start_time_unix_nano = 0;
  std::uint64_t time_unix_nano = 0;
  std::uint64_t count = 0;
  std::optional<double> sum;  // omitted when negative values were recorded
  std::vector<double> explicit_bounds;
  std::vector<std::uint64_t> bucket_counts;  // explicit_bounds.size() + 1
  std::optional<double> min;
  std::optional<double> max;
};

struct GaugeData {
  std::vector<NumberPoint> points;
};
struct SumData {
  std::vector<NumberPoint> points;
  Temporality temporality = Temporality::kCumulative;
  bool is_monotonic = true;
};
struct HistogramData {
  std::vector<HistogramPoint> points;
  Temporality temporality = Temporality::kCumulative;
};

struct MetricData {
  std::string name;
  std::string description;
  std::string unit;
  std::variant<GaugeData, SumData, HistogramData> data;
};

struct ScopeMetrics {
  InstrumentationScope scope;
  std::vector<MetricData> metrics;
};

// One collection: everything every meter of a provider reported at one instant.
struct ResourceMetrics {
  std::shared_ptr<const Resource> resource;
  std::vector<ScopeMetrics> scopes;
};

struct LogRecordData {
  std::uint64_t time_unix_nano = 0;
  std::uint64_t observed_time_unix_nano = 0;
  std::uint8_t severity_number = 0;  // 1..24 (trace 1, debug 5, info 9, warn 13, error 17)
  std::string severity_text;
  std::string body;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
  TraceId trace_id;  // invalid when the record was not written inside a span
  SpanId span_id;
  std::uint8_t trace_flags = 0;
  std::string event_name;
  std::shared_ptr<const InstrumentationScope> scope;
};

}  // namespace klio::telemetry::sdk
