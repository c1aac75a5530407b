// Prometheus exposition of one metric collection: text format 0.0.4 and OpenMetrics 1.0.0.
//
// Turns the SDK's ResourceMetrics into the bytes of a /metrics response: name translation
// (prometheus_names.h), type mapping (monotonic cumulative Sum -> counter, other Sums and
// Gauges -> gauge, cumulative Histogram -> histogram; delta data dropped), `otel_scope_*`
// labels on every series, the resource as one `target_info` series, deterministic ordering,
// and conflict handling (the first metric to claim a name wins; a later one with another type
// is dropped and reported).
//
// Thread-safety: pure functions; safe from any thread.
// Design: docs/design/prometheus-export.md; otel-reference.md §3.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/sdk/data.h"

namespace klio::telemetry::exporter {

enum class Format {
  kText004,      // text/plain; version=0.0.4
  kOpenMetrics,  // application/openmetrics-text; version=1.0.0
};

// What FormatPrometheus left out, for the caller to log. Notes are short lowercase sentences
// naming the metric; at most kMaxNotes are kept (the counts are always exact).
struct FormatReport {
  static constexpr size_t kMaxNotes = 16;
  size_t dropped_metrics = 0;     // delta temporality, name conflicts, unusable names
  size_t dropped_points = 0;      // duplicate series, inconsistent histograms
  size_t dropped_attributes = 0;  // unusable or reserved label names
  std::vector<std::string> notes;
};

// The Content-Type of a response in `format`.
std::string_view ContentType(Format format);

// Returns the exposition of `metrics` in `format`. Families are sorted by name, series by
// label set; in OpenMetrics the `target` info family comes first and `# EOF` ends the text.
// Never fails: data that cannot be exposed is left out and counted in `report` when given.
std::string FormatPrometheus(const sdk::ResourceMetrics& metrics, Format format,
                             FormatReport* report = nullptr);

}  // namespace klio::telemetry::exporter
