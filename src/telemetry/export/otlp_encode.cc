// Direct OTLP protobuf encoding (see otlp_encode.h). Field numbers are written as named
// constants next to the message they belong to; every message is emitted in field-number
// order, proto3 defaults are omitted, oneof members and `optional` fields are always written.
#include "telemetry/export/otlp_encode.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

namespace klio::telemetry::exporter {
namespace {

using sdk::HistogramPoint;
using sdk::LogRecordData;
using sdk::MetricData;
using sdk::NumberPoint;
using sdk::SpanData;
using sdk::SpanEvent;
using sdk::SpanLink;

// Span.flags / Link.flags bits (otel-reference §2.4 SpanFlags).
constexpr std::uint32_t kContextHasIsRemote = 0x100;
constexpr std::uint32_t kContextIsRemote = 0x200;

template <std::size_t N>
bool AllZero(const std::array<std::uint8_t, N>& b) {
  for (std::uint8_t x : b) {
    if (x != 0) return false;
  }
  return true;
}

template <std::size_t N>
void IdField(ProtoWriter* w, std::uint32_t field, const std::array<std::uint8_t, N>& id) {
  w->AlwaysBytesField(field, id.data(), N);
}

// AnyValue (common/v1): 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes.
// ArrayValue: 1 repeated AnyValue.
template <typename T>
void ScalarAnyValueBody(ProtoWriter* w, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    w->AlwaysVarintField(2, v ? 1 : 0);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    w->AlwaysVarintField(3, static_cast<std::uint64_t>(v));
  } else if constexpr (std::is_same_v<T, double>) {
    w->AlwaysDoubleField(4, v);
  } else {
    w->AlwaysStringField(1, v);
  }
}

template <typename T>
void ArrayAnyValueBody(ProtoWriter* w, const std::vector<T>& values) {
  const auto array = w->BeginMessage(5, values.size() < 16 ? 1 : 2);
  for (const auto& v : values) {
    const auto element = w->BeginMessage(1);
    ScalarAnyValueBody(w, static_cast<const T&>(v));
    w->EndMessage(element);
  }
  w->EndMessage(array);
}

// std::vector<bool> elements are proxies; copy them out as bools.
void ArrayAnyValueBody(ProtoWriter* w, const std::vector<bool>& values) {
  const auto array = w->BeginMessage(5, 1);
  for (bool v : values) {
    const auto element = w->BeginMessage(1);
    ScalarAnyValueBody(w, v);
    w->EndMessage(element);
  }
  w->EndMessage(array);
}

void AnyValueField(ProtoWriter* w, std::uint32_t field, const AttributeValue& value) {
  const auto m = w->BeginMessage(field);
  std::visit(
      [w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<bool>> ||
                      std::is_same_v<T, std::vector<std::int64_t>> ||
                      std::is_same_v<T, std::vector<double>> ||
                      std::is_same_v<T, std::vector<std::string>>) {
          ArrayAnyValueBody(w, v);
        } else {
          ScalarAnyValueBody(w, v);
        }
      },
      value);
  w->EndMessage(m);
}

// KeyValue: 1 key, 2 value.
void AttributesField(ProtoWriter* w, std::uint32_t field, const Attributes& attributes) {
  for (const KeyValue& kv : attributes) {
    const auto m = w->BeginMessage(field);
    w->StringField(1, kv.key);
    AnyValueField(w, 2, kv.value);
    w->EndMessage(m);
  }
}

// Resource: 1 attributes, 2 dropped_attributes_count.
void ResourceField(ProtoWriter* w, std::uint32_t field, const Resource& resource) {
  const auto m = w->BeginMessage(field, 2);
  AttributesField(w, 1, resource.attributes);
  w->EndMessage(m);
}

// InstrumentationScope: 1 name, 2 version, 3 attributes, 4 dropped_attributes_count.
void ScopeField(ProtoWriter* w, std::uint32_t field, const InstrumentationScope& scope) {
  const auto m = w->BeginMessage(field);
  w->StringField(1, scope.name);
  w->StringField(2, scope.version);
  AttributesField(w, 3, scope.attributes);
  w->EndMessage(m);
}

const InstrumentationScope& EmptyScope() {
  static const InstrumentationScope kEmpty;
  return kEmpty;
}

template <typename T>
const InstrumentationScope* ScopeOf(const T& item) {
  return item.scope ? item.scope.get() : &EmptyScope();
}

// Writes one Scope{Spans,Logs} per distinct scope of `items` (field 2 of the Resource*
// message; all three share 1 scope, 2 items, 3 schema_url), items in their original order.
// `emit(w, item)` writes one item as field 2.
template <typename T, typename Emit>
void ScopeGroups(ProtoWriter* w, std::span<const T> items, Emit emit) {
  auto write_group = [&](const InstrumentationScope& scope, auto&& in_group) {
    const auto m = w->BeginMessage(2, 3);
    ScopeField(w, 1, scope);
    for (const T& item : items) {
      if (in_group(item)) emit(w, item);
    }
    w->StringField(3, scope.schema_url);
    w->EndMessage(m);
  };

  // Common case: one tracer/logger per batch, all items share one scope object.
  const InstrumentationScope* first = ScopeOf(items.front());
  const bool single = std::all_of(items.begin(), items.end(),
                                  [first](const T& item) { return ScopeOf(item) == first; });
  if (single) {
    write_group(*first, [](const T&) { return true; });
    return;
  }
  // Distinct scope objects may still be equal in value; group by value.
  std::vector<const InstrumentationScope*> groups;
  std::vector<std::uint32_t> group_of(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const InstrumentationScope* scope = ScopeOf(items[i]);
    std::size_t g = 0;
    while (g < groups.size() && groups[g] != scope && !(*groups[g] == *scope)) ++g;
    if (g == groups.size()) groups.push_back(scope);
    group_of[i] = static_cast<std::uint32_t>(g);
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    write_group(*groups[g], [&](const T& item) {
      return group_of[static_cast<std::size_t>(&item - items.data())] == g;
    });
  }
}

// Span.Event: 1 time_unix_nano, 2 name, 3 attributes, 4 dropped_attributes_count.
void EventField(ProtoWriter* w, const SpanEvent& event) {
  const auto m = w->BeginMessage(11, 2);
  w->Fixed64Field(1, event.time_unix_nano);
  w->StringField(2, event.name);
  AttributesField(w, 3, event.attributes);
  w->VarintField(4, event.dropped_attributes_count);
  w->EndMessage(m);
}

// Span.Link: 1 trace_id, 2 span_id, 3 trace_state, 4 attributes, 5 dropped, 6 flags.
void LinkField(ProtoWriter* w, const SpanLink& link) {
  const auto m = w->BeginMessage(13, 2);
  IdField(w, 1, link.context.trace_id.bytes);
  IdField(w, 2, link.context.span_id.bytes);
  w->StringField(3, link.context.trace_state);
  AttributesField(w, 4, link.attributes);
  w->VarintField(5, link.dropped_attributes_count);
  w->Fixed32Field(6, link.context.trace_flags | kContextHasIsRemote |
                         (link.context.is_remote ? kContextIsRemote : 0));
  w->EndMessage(m);
}

// Span: see otel-reference §2.4 for the field table.
void SpanField(ProtoWriter* w, const SpanData& span) {
  const auto m = w->BeginMessage(2, 2);
  IdField(w, 1, span.context.trace_id.bytes);
  IdField(w, 2, span.context.span_id.bytes);
  w->StringField(3, span.context.trace_state);
  if (!AllZero(span.parent_span_id.bytes)) IdField(w, 4, span.parent_span_id.bytes);
  w->StringField(5, span.name);
  w->VarintField(6, static_cast<std::uint64_t>(span.kind));
  w->Fixed64Field(7, span.start_time_unix_nano);
  w->Fixed64Field(8, span.end_time_unix_nano);
  AttributesField(w, 9, span.attributes);
  w->VarintField(10, span.dropped_attributes_count);
  for (const SpanEvent& event : span.events) EventField(w, event);
  w->VarintField(12, span.dropped_events_count);
  for (const SpanLink& link : span.links) LinkField(w, link);
  w->VarintField(14, span.dropped_links_count);
  if (span.status_code != sdk::SpanStatusCode::kUnset || !span.status_message.empty()) {
    // Status: 2 message, 3 code (field 1 reserved).
    const auto s = w->BeginMessage(15);
    w->StringField(2, span.status_message);
    w->VarintField(3, static_cast<std::uint64_t>(span.status_code));
    w->EndMessage(s);
  }
  w->Fixed32Field(16, span.context.trace_flags | kContextHasIsRemote |
                          (span.parent_is_remote ? kContextIsRemote : 0));
  w->EndMessage(m);
}

// NumberDataPoint: 2 start, 3 time, 4 as_double | 6 as_int (sfixed64), 7 attributes.
void NumberPointField(ProtoWriter* w, const NumberPoint& p) {
  const auto m = w->BeginMessage(1, 2);
  w->Fixed64Field(2, p.start_time_unix_nano);
  w->Fixed64Field(3, p.time_unix_nano);
  if (const double* d = std::get_if<double>(&p.value)) {
    w->AlwaysDoubleField(4, *d);
  } else {
    w->AlwaysFixed64Field(6, static_cast<std::uint64_t>(std::get<std::int64_t>(p.value)));
  }
  AttributesField(w, 7, p.attributes);
  w->EndMessage(m);
}

// HistogramDataPoint: 2 start, 3 time, 4 count, 5 sum?, 6 bucket_counts (packed fixed64),
// 7 explicit_bounds (packed double), 9 attributes, 11 min?, 12 max?.
void HistogramPointField(ProtoWriter* w, const HistogramPoint& p) {
  const auto m = w->BeginMessage(1, 2);
  w->Fixed64Field(2, p.start_time_unix_nano);
  w->Fixed64Field(3, p.time_unix_nano);
  w->Fixed64Field(4, p.count);
  if (p.sum) w->AlwaysDoubleField(5, *p.sum);
  if (!p.bucket_counts.empty()) {
    w->Tag(6, WireType::kLengthDelimited);
    w->Varint(8 * p.bucket_counts.size());
    for (std::uint64_t c : p.bucket_counts) w->Fixed64(c);
  }
  if (!p.explicit_bounds.empty()) {
    w->Tag(7, WireType::kLengthDelimited);
    w->Varint(8 * p.explicit_bounds.size());
    for (double b : p.explicit_bounds) {
      std::uint64_t bits;
      std::memcpy(&bits, &b, sizeof bits);
      w->Fixed64(bits);
    }
  }
  AttributesField(w, 9, p.attributes);
  if (p.min) w->AlwaysDoubleField(11, *p.min);
  if (p.max) w->AlwaysDoubleField(12, *p.max);
  w->EndMessage(m);
}

// Metric: 1 name, 2 description, 3 unit, 5 gauge | 7 sum | 9 histogram.
// Gauge: 1 points. Sum: 1 points, 2 temporality, 3 is_monotonic. Histogram: 1 points,
// 2 temporality.
void MetricField(ProtoWriter* w, const MetricData& metric) {
  const auto m = w->BeginMessage(2, 2);
  w->StringField(1, metric.name);
  w->StringField(2, metric.description);
  w->StringField(3, metric.unit);
  if (const auto* gauge = std::get_if<sdk::GaugeData>(&metric.data)) {
    const auto g = w->BeginMessage(5, 2);
    for (const NumberPoint& p : gauge->points) NumberPointField(w, p);
    w->EndMessage(g);
  } else if (const auto* sum = std::get_if<sdk::SumData>(&metric.data)) {
    const auto s = w->BeginMessage(7, 2);
    for (const NumberPoint& p : sum->points) NumberPointField(w, p);
    w->VarintField(2, static_cast<std::uint64_t>(sum->temporality));
    w->VarintField(3, sum->is_monotonic ? 1 : 0);
    w->EndMessage(s);
  } else {
    const auto& histogram = std::get<sdk::HistogramData>(metric.data);
    const auto h = w->BeginMessage(9, 2);
    for (const HistogramPoint& p : histogram.points) HistogramPointField(w, p);
    w->VarintField(2, static_cast<std::uint64_t>(histogram.temporality));
    w->EndMessage(h);
  }
  w->EndMessage(m);
}

// LogRecord: 1 time, 2 severity_number, 3 severity_text, 5 body, 6 attributes,
// 7 dropped_attributes_count, 8 flags, 9 trace_id, 10 span_id, 11 observed_time,
// 12 event_name.
void LogRecordField(ProtoWriter* w, const LogRecordData& r) {
  const auto m = w->BeginMessage(2, 2);
  w->Fixed64Field(1, r.time_unix_nano);
  w->VarintField(2, r.severity_number);
  w->StringField(3, r.severity_text);
  if (!r.body.empty()) {
    const auto body = w->BeginMessage(5, r.body.size() < 120 ? 1 : 2);
    w->AlwaysStringField(1, r.body);
    w->EndMessage(body);
  }
  AttributesField(w, 6, r.attributes);
  w->VarintField(7, r.dropped_attributes_count);
  w->Fixed32Field(8, r.trace_flags);
  if (!AllZero(r.trace_id.bytes)) IdField(w, 9, r.trace_id.bytes);
  if (!AllZero(r.span_id.bytes)) IdField(w, 10, r.span_id.bytes);
  w->Fixed64Field(11, r.observed_time_unix_nano);
  w->StringField(12, r.event_name);
  w->EndMessage(m);
}

}  // namespace

void EncodeTraceRequest(std::span<const SpanData> spans, const Resource& resource,
                        ProtoWriter* out) {
  if (spans.empty()) return;
  // ExportTraceServiceRequest: 1 resource_spans. ResourceSpans: 1 resource, 2 scope_spans,
  // 3 schema_url.
  const auto m = out->BeginMessage(1, 3);
  ResourceField(out, 1, resource);
  ScopeGroups(out, spans, SpanField);
  out->StringField(3, resource.schema_url);
  out->EndMessage(m);
}

void EncodeMetricsRequest(const sdk::ResourceMetrics& metrics, ProtoWriter* out) {
  static const Resource kEmptyResource;
  const Resource& resource = metrics.resource ? *metrics.resource : kEmptyResource;
  const bool any = std::any_of(metrics.scopes.begin(), metrics.scopes.end(),
                               [](const sdk::ScopeMetrics& s) { return !s.metrics.empty(); });
  if (!any) return;
  // ExportMetricsServiceRequest: 1 resource_metrics. ResourceMetrics: 1 resource,
  // 2 scope_metrics, 3 schema_url. ScopeMetrics: 1 scope, 2 metrics, 3 schema_url.
  const auto m = out->BeginMessage(1, 3);
  ResourceField(out, 1, resource);
  for (const sdk::ScopeMetrics& scope : metrics.scopes) {
    if (scope.metrics.empty()) continue;
    const auto s = out->BeginMessage(2, 3);
    ScopeField(out, 1, scope.scope);
    for (const MetricData& metric : scope.metrics) MetricField(out, metric);
    out->StringField(3, scope.scope.schema_url);
    out->EndMessage(s);
  }
  out->StringField(3, resource.schema_url);
  out->EndMessage(m);
}

void EncodeLogsRequest(std::span<const LogRecordData> records, const Resource& resource,
                       ProtoWriter* out) {
  if (records.empty()) return;
  // ExportLogsServiceRequest: 1 resource_logs. ResourceLogs: 1 resource, 2 scope_logs,
  // 3 schema_url.
  const auto m = out->BeginMessage(1, 3);
  ResourceField(out, 1, resource);
  ScopeGroups(out, records, LogRecordField);
  out->StringField(3, resource.schema_url);
  out->EndMessage(m);
}

std::size_t CountDataPoints(const sdk::ResourceMetrics& metrics) {
  std::size_t n = 0;
  for (const sdk::ScopeMetrics& scope : metrics.scopes) {
    for (const MetricData& metric : scope.metrics) {
      std::visit([&n](const auto& data) { n += data.points.size(); }, metric.data);
    }
  }
  return n;
}

Result<PartialSuccess> DecodeExportResponse(std::string_view body) {
  PartialSuccess result;
  ProtoReader r(body);
  while (r.Next()) {
    if (r.field() != 1 || r.wire_type() != WireType::kLengthDelimited) continue;
    result.present = true;
    ProtoReader p(r.bytes());
    while (p.Next()) {
      if (p.field() == 1 && p.wire_type() == WireType::kVarint) {
        result.rejected = static_cast<std::int64_t>(p.varint());
      } else if (p.field() == 2 && p.wire_type() == WireType::kLengthDelimited) {
        result.error_message = std::string(p.bytes());
      }
    }
    if (!p.ok()) return Status::Corruption("otlp export response: malformed partial_success");
  }
  if (!r.ok()) return Status::Corruption("otlp export response: malformed message");
  return result;
}

namespace {

// google.protobuf.Duration: 1 seconds (int64), 2 nanos (int32).
bool DecodeDuration(std::string_view bytes, std::chrono::nanoseconds* out) {
  std::int64_t seconds = 0;
  std::int64_t nanos = 0;
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.wire_type() != WireType::kVarint) continue;
    if (r.field() == 1) seconds = static_cast<std::int64_t>(r.varint());
    if (r.field() == 2) nanos = static_cast<std::int32_t>(r.varint());
  }
  if (!r.ok() || seconds < 0 || nanos < 0 || seconds > 365LL * 24 * 3600) return false;
  *out = std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos);
  return true;
}

constexpr std::string_view kRetryInfoType = "google.rpc.RetryInfo";

}  // namespace

Result<RpcStatus> DecodeRpcStatus(std::string_view bytes) {
  // google.rpc.Status: 1 code, 2 message, 3 repeated google.protobuf.Any details.
  // Any: 1 type_url, 2 value. RetryInfo: 1 retry_delay (Duration).
  RpcStatus status;
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.field() == 1 && r.wire_type() == WireType::kVarint) {
      status.code = static_cast<std::int32_t>(r.varint());
    } else if (r.field() == 2 && r.wire_type() == WireType::kLengthDelimited) {
      status.message = std::string(r.bytes());
    } else if (r.field() == 3 && r.wire_type() == WireType::kLengthDelimited) {
      std::string_view type_url;
      std::string_view value;
      ProtoReader any(r.bytes());
      while (any.Next()) {
        if (any.wire_type() != WireType::kLengthDelimited) continue;
        if (any.field() == 1) type_url = any.bytes();
        if (any.field() == 2) value = any.bytes();
      }
      if (!any.ok()) return Status::Corruption("rpc status: malformed detail");
      const std::size_t slash = type_url.rfind('/');
      const std::string_view type_name =
          slash == std::string_view::npos ? type_url : type_url.substr(slash + 1);
      if (type_name != kRetryInfoType) continue;
      ProtoReader info(value);
      std::chrono::nanoseconds delay{0};
      bool found = false;
      while (info.Next()) {
        if (info.field() == 1 && info.wire_type() == WireType::kLengthDelimited) {
          found = DecodeDuration(info.bytes(), &delay);
        }
      }
      if (!info.ok()) return Status::Corruption("rpc status: malformed retry info");
      // A RetryInfo without a (valid) delay still says "retry"; treat it as zero.
      status.retry_delay = found ? delay : std::chrono::nanoseconds(0);
    }
  }
  if (!r.ok()) return Status::Corruption("rpc status: malformed message");
  return status;
}

}  // namespace klio::telemetry::exporter
