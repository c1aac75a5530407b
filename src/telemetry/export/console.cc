#include "telemetry/export/console.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "telemetry/export/prometheus_names.h"

namespace klio::telemetry::exporter {
namespace {

// One process-wide lock: console exporters usually share stdout, and a batch must not
// interleave with another exporter's batch.
std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

Status WriteAll(int fd, std::string_view data) {
  std::lock_guard<std::mutex> lock(WriteMutex());
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, fmt::format("console exporter: write to fd {}", fd));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

template <size_t N>
void AppendHex(const std::array<std::uint8_t, N>& bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::uint8_t b : bytes) {
    out->push_back(kDigits[b >> 4]);
    out->push_back(kDigits[b & 0x0f]);
  }
}

template <size_t N>
bool AllZero(const std::array<std::uint8_t, N>& bytes) {
  for (std::uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
    switch (c) {
      case ' ':
      case '"':
      case '\\':
      case '=':
      case '{':
      case '}':
      case ',':
        return true;
      default:
        break;
    }
  }
  return false;
}

// Appends `s` as is, or double-quoted with backslash escapes when it could break the line.
void AppendValue(std::string_view s, std::string* out) {
  if (!NeedsQuotes(s)) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          fmt::format_to(std::back_inserter(*out), "\\x{:02x}", u);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendField(std::string_view key, std::string_view value, std::string* out) {
  out->push_back(' ');
  out->append(key).push_back('=');
  AppendValue(value, out);
}

// Appends `{k=v,...}`.
void AppendAttributeBlock(const Attributes& attrs, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendValue(attrs[i].key, out);
    out->push_back('=');
    AppendValue(AttributeValueText(attrs[i].value), out);
  }
  out->push_back('}');
}

void AppendAttributes(std::string_view key, const Attributes& attrs, std::string* out) {
  if (attrs.empty()) return;
  out->push_back(' ');
  out->append(key).push_back('=');
  AppendAttributeBlock(attrs, out);
}

void AppendResourceAndScope(const InstrumentationScope* scope, const Resource& resource,
                            std::string* out) {
  if (scope != nullptr && !scope->name.empty()) {
    AppendField("scope", scope->name, out);
    if (!scope->version.empty()) AppendField("scope_version", scope->version, out);
  }
  for (const KeyValue& kv : resource.attributes) {
    if (kv.key == "service.name") {
      AppendField("service", AttributeValueText(kv.value), out);
      break;
    }
  }
}

std::string Duration(std::uint64_t start_ns, std::uint64_t end_ns) {
  std::uint64_t ns = end_ns > start_ns ? end_ns - start_ns : 0;
  if (ns < 1000) return fmt::format("{}ns", ns);
  if (ns < 1000000) return fmt::format("{:.1f}us", static_cast<double>(ns) / 1e3);
  if (ns < 1000000000) return fmt::format("{:.1f}ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:.3f}s", static_cast<double>(ns) / 1e9);
}

// RFC 3339 UTC with microseconds, like the JSON log lines.
std::string Timestamp(std::uint64_t unix_nano) {
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unix_nano % 1000000000) / 1000);
}

std::string_view KindName(sdk::SpanKind kind) {
  switch (kind) {
    case sdk::SpanKind::kInternal:
      return "internal";
    case sdk::SpanKind::kServer:
      return "server";
    case sdk::SpanKind::kClient:
      return "client";
    case sdk::SpanKind::kProducer:
      return "producer";
    case sdk::SpanKind::kConsumer:
      return "consumer";
  }
  return "unknown";
}

std::string_view StatusName(sdk::SpanStatusCode code) {
  switch (code) {
    case sdk::SpanStatusCode::kUnset:
      return "unset";
    case sdk::SpanStatusCode::kOk:
      return "ok";
    case sdk::SpanStatusCode::kError:
      return "error";
  }
  return "unknown";
}

std::string_view SeverityName(std::uint8_t number) {
  if (number == 0) return "unspecified";
  if (number <= 4) return "trace";
  if (number <= 8) return "debug";
  if (number <= 12) return "info";
  if (number <= 16) return "warn";
  if (number <= 20) return "error";
  if (number <= 24) return "fatal";
  return "unknown";
}

void AppendNumber(const std::variant<std::int64_t, double>& value, std::string* out) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    fmt::format_to(std::back_inserter(*out), "{}", *i);
  } else {
    AppendPrometheusDouble(std::get<double>(value), out);
  }
}

}  // namespace

std::string FormatSpanLine(const sdk::SpanData& span, const Resource& resource) {
  std::string out = "span";
  AppendField("name", span.name, &out);
  out.append(" trace_id=");
  AppendHex(span.context.trace_id.bytes, &out);
  out.append(" span_id=");
  AppendHex(span.context.span_id.bytes, &out);
  out.append(" parent=");
  if (AllZero(span.parent_span_id.bytes)) {
    out.push_back('-');
  } else {
    AppendHex(span.parent_span_id.bytes, &out);
    if (span.parent_is_remote) out.append("(remote)");
  }
  out.append(" kind=").append(KindName(span.kind));
  out.append(" status=").append(StatusName(span.status_code));
  if (!span.status_message.empty()) AppendField("status_msg", span.status_message, &out);
  out.append(" dur=").append(Duration(span.start_time_unix_nano, span.end_time_unix_nano));
  AppendResourceAndScope(span.scope.get(), resource, &out);
  AppendAttributes("attrs", span.attributes, &out);
  if (!span.events.empty()) {
    out.append(" events=[");
    for (size_t i = 0; i < span.events.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendValue(span.events[i].name, &out);
      if (!span.events[i].attributes.empty()) AppendAttributeBlock(span.events[i].attributes, &out);
    }
    out.push_back(']');
  }
  if (!span.links.empty()) out.append(fmt::format(" links={}", span.links.size()));
  std::uint32_t dropped =
      span.dropped_attributes_count + span.dropped_events_count + span.dropped_links_count;
  if (dropped > 0) out.append(fmt::format(" dropped={}", dropped));
  out.push_back('\n');
  return out;
}

std::string FormatLogLine(const sdk::LogRecordData& record, const Resource& resource) {
  std::string out = "log";
  std::uint64_t t =
      record.time_unix_nano != 0 ? record.time_unix_nano : record.observed_time_unix_nano;
  out.append(" time=").append(Timestamp(t));
  AppendField("severity",
              record.severity_text.empty() ? SeverityName(record.severity_number)
                                           : std::string_view{record.severity_text},
              &out);
  AppendField("body", record.body, &out);
  if (!record.event_name.empty()) AppendField("event", record.event_name, &out);
  if (!AllZero(record.trace_id.bytes)) {
    out.append(" trace_id=");
    AppendHex(record.trace_id.bytes, &out);
    out.append(" span_id=");
    AppendHex(record.span_id.bytes, &out);
  }
  AppendResourceAndScope(record.scope.get(), resource, &out);
  AppendAttributes("attrs", record.attributes, &out);
  out.push_back('\n');
  return out;
}

std::string FormatMetricLines(const sdk::MetricData& metric, const InstrumentationScope& scope,
                              const Resource& resource) {
  std::string head = "metric";
  AppendField("name", metric.name, &head);
  std::string_view type = "gauge";
  bool delta = false;
  if (const auto* sum = std::get_if<sdk::SumData>(&metric.data)) {
    type = sum->is_monotonic ? "counter" : "updowncounter";
    delta = sum->temporality == sdk::Temporality::kDelta;
  } else if (const auto* hist = std::get_if<sdk::HistogramData>(&metric.data)) {
    type = "histogram";
    delta = hist->temporality == sdk::Temporality::kDelta;
  }
  head.append(" type=").append(type);
  if (delta) head.append(" temporality=delta");
  if (!metric.unit.empty()) AppendField("unit", metric.unit, &head);
  AppendResourceAndScope(&scope, resource, &head);

  std::string out;
  auto number_lines = [&](const std::vector<sdk::NumberPoint>& points) {
    for (const sdk::NumberPoint& p : points) {
      out.append(head);
      AppendAttributes("attrs", p.attributes, &out);
      out.append(" value=");
      AppendNumber(p.value, &out);
      out.push_back('\n');
    }
  };
  if (const auto* gauge = std::get_if<sdk::GaugeData>(&metric.data)) {
    number_lines(gauge->points);
  } else if (const auto* sum = std::get_if<sdk::SumData>(&metric.data)) {
    number_lines(sum->points);
  } else if (const auto* hist = std::get_if<sdk::HistogramData>(&metric.data)) {
    for (const sdk::HistogramPoint& p : hist->points) {
      out.append(head);
      AppendAttributes("attrs", p.attributes, &out);
      fmt::format_to(std::back_inserter(out), " count={}", p.count);
      auto optional_field = [&](std::string_view key, const std::optional<double>& v) {
        if (!v.has_value()) return;
        out.append(" ").append(key).push_back('=');
        AppendPrometheusDouble(*v, &out);
      };
      optional_field("sum", p.sum);
      optional_field("min", p.min);
      optional_field("max", p.max);
      // Per-bucket (not cumulative) counts keyed by each bucket's upper bound.
      out.append(" buckets={");
      for (size_t i = 0; i < p.bucket_counts.size(); ++i) {
        if (i > 0) out.push_back(',');
        if (i < p.explicit_bounds.size()) {
          AppendPrometheusDouble(p.explicit_bounds[i], &out);
        } else {
          out.append("+Inf");
        }
        fmt::format_to(std::back_inserter(out), ":{}", p.bucket_counts[i]);
      }
      out.append("}\n");
    }
  }
  return out;
}

Status ConsoleSpanExporter::Export(std::span<const sdk::SpanData> spans, const Resource& resource,
                                   sdk::Deadline /*deadline*/) {
  if (shut_down_.load()) return Status::FailedPrecondition("console span exporter: shut down");
  std::string text;
  for (const sdk::SpanData& span : spans) text.append(FormatSpanLine(span, resource));
  return WriteAll(fd_, text);
}
Status ConsoleSpanExporter::ForceFlush(sdk::Deadline /*deadline*/) { return Status::Ok(); }
Status ConsoleSpanExporter::Shutdown(sdk::Deadline /*deadline*/) {
  shut_down_.store(true);
  return Status::Ok();
}

sdk::Temporality ConsoleMetricExporter::PreferredTemporality(sdk::InstrumentKind /*kind*/) const {
  return sdk::Temporality::kCumulative;
}
Status ConsoleMetricExporter::Export(const sdk::ResourceMetrics& metrics,
                                     sdk::Deadline /*deadline*/) {
  if (shut_down_.load()) return Status::FailedPrecondition("console metric exporter: shut down");
  static const Resource kEmpty;
  const Resource& resource = metrics.resource != nullptr ? *metrics.resource : kEmpty;
  std::string text;
  for (const sdk::ScopeMetrics& scope : metrics.scopes) {
    for (const sdk::MetricData& metric : scope.metrics) {
      text.append(FormatMetricLines(metric, scope.scope, resource));
    }
  }
  return WriteAll(fd_, text);
}
Status ConsoleMetricExporter::ForceFlush(sdk::Deadline /*deadline*/) { return Status::Ok(); }
Status ConsoleMetricExporter::Shutdown(sdk::Deadline /*deadline*/) {
  shut_down_.store(true);
  return Status::Ok();
}

Status ConsoleLogExporter::Export(std::span<const sdk::LogRecordData> records,
                                  const Resource& resource, sdk::Deadline /*deadline*/) {
  if (shut_down_.load()) return Status::FailedPrecondition("console log exporter: shut down");
  std::string text;
  for (const sdk::LogRecordData& record : records) text.append(FormatLogLine(record, resource));
  return WriteAll(fd_, text);
}
Status ConsoleLogExporter::ForceFlush(sdk::Deadline /*deadline*/) { return Status::Ok(); }
Status ConsoleLogExporter::Shutdown(sdk::Deadline /*deadline*/) {
  shut_down_.store(true);
  return Status::Ok();
}

}  // namespace klio::telemetry::exporter
