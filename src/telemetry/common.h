// Telemetry vocabulary shared by the API, the SDK and the exporters: attribute values,
// trace and span ids, resource and instrumentation scope.
//
// Thread-safety: plain value types.
// Design: docs/design/telemetry.md §2 (data model); OTLP field mapping in otel-reference §2.3.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace klio::telemetry {

// An attribute value: the OTLP AnyValue subset the OpenTelemetry API allows for attributes
// (primitives and homogeneous arrays of primitives).
using AttributeValue =
    std::variant<bool, std::int64_t, double, std::string, std::vector<bool>,
                 std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;

struct KeyValue {
  std::string key;
  AttributeValue value;

  KeyValue(std::string k, AttributeValue v) : key(std::move(k)), value(std::move(v)) {}
  KeyValue(std::string k, const char* v) : key(std::move(k)), value(std::string(v)) {}
  KeyValue(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  KeyValue(std::string k, bool v) : key(std::move(k)), value(v) {}
  KeyValue(std::string k, double v) : key(std::move(k)), value(v) {}
  KeyValue(std::string k, int v) : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}
  KeyValue(std::string k, unsigned v) : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}
  KeyValue(std::string k, long v) : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}
  KeyValue(std::string k, unsigned long v)
      : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}
  KeyValue(std::string k, long long v) : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}
  KeyValue(std::string k, unsigned long long v)
      : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}

  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// An ordered list of attributes. Keys are unique after the SDK normalises it (last wins).
using Attributes = std::vector<KeyValue>;

struct TraceId {
  std::array<std::uint8_t, 16> bytes{};
  bool IsValid() const;             // not all zero
  std::string ToHex() const;        // 32 lowercase hex digits
  static bool FromHex(std::string_view hex, TraceId* out);
  friend bool operator==(const TraceId&, const TraceId&) = default;
};

struct SpanId {
  std::array<std::uint8_t, 8> bytes{};
  bool IsValid() const;
  std::string ToHex() const;        // 16 lowercase hex digits
  static bool FromHex(std::string_view hex, SpanId* out);
  friend bool operator==(const SpanId&, const SpanId&) = default;
};

// The propagated identity of a span (W3C trace context).
struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  std::uint8_t trace_flags = 0;  // bit 0: sampled
  std::string trace_state;       // W3C tracestate header value, validated
  bool is_remote = false;

  bool IsValid() const { return trace_id.IsValid() && span_id.IsValid(); }
  bool IsSampled() const { return (trace_flags & 0x01) != 0; }
};

// The entity producing telemetry (service.name, host.name, ...).
struct Resource {
  Attributes attributes;
  std::string schema_url;
};

// The instrumentation scope: the library or component emitting (e.g. "klio.wal").
struct InstrumentationScope {
  std::string name;
  std::string version;
  Attributes attributes;
  std::string schema_url;
  friend bool operator==(const InstrumentationScope&, const InstrumentationScope&) = default;
};

// Our SDK's identity (telemetry.sdk.*). Not "opentelemetry": that name is reserved for the
// official SDKs.
inline constexpr std::string_view kSdkName = "klio-telemetry";
inline constexpr std::string_view kSdkLanguage = "cpp";

}  // namespace klio::telemetry
