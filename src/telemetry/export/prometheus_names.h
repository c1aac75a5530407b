// Prometheus naming for OpenTelemetry metrics: metric names (with unit and type suffixes),
// unit words, label names and label values, following the default translation strategy
// `UnderscoreEscapingWithSuffixes` (otlptranslator / Go exporter parity).
//
// Thread-safety: pure functions; safe from any thread.
// Design: docs/design/prometheus-export.md §2; otel-reference.md §3.2.
#pragma once

#include <string>
#include <string_view>

#include "telemetry/common.h"

namespace klio::telemetry::exporter {

// How a metric is classified for naming. Only two rules depend on it: monotonic counters end
// in `_total`, and gauges with unit `1` end in `_ratio`.
enum class NameKind {
  kMonotonicCounter,  // monotonic Sum (Counter, asynchronous Counter)
  kNonMonotonicSum,   // UpDownCounter; exposed as a gauge but named like a counter without _total
  kGauge,             // Gauge data (synchronous or asynchronous Gauge)
  kHistogram,
};

// Gauges with unit exactly "1" get `_ratio` (otlptranslator's metric namer; the spec removed
// the rule in PR #4966, the libraries kept it). One switch so it can follow them later.
inline constexpr bool kGaugeUnitOneAddsRatio = true;

// Returns the Prometheus name for an OTel metric: tokens of [a-zA-Z0-9:] joined by `_`, the
// unit words appended unless already a token, `_total` for monotonic counters, `_ratio` for
// gauges with unit "1", `_` prefixed before a leading digit. For a counter this is the sample
// (and text 0.0.4 family) name, ending in `_total`. Returns "" when nothing usable remains
// (e.g. a name made only of punctuation).
std::string PrometheusMetricName(std::string_view otel_name, std::string_view unit, NameKind kind);

// Returns the unit words for a UCUM unit: "By" -> "bytes", "By/s" -> "bytes_per_second",
// "{packet}/s" -> "per_second", "1" and annotations -> "". Unknown units pass through,
// sanitised to [a-zA-Z0-9:_]. Used for the OpenMetrics `# UNIT` line.
std::string PrometheusUnit(std::string_view unit);

// Returns the Prometheus label name for an attribute key: every character outside
// [a-zA-Z0-9_] becomes `_`, runs of `_` collapse, a leading digit gets `key_`. Returns "" when
// the result would be empty or only underscores (the attribute is then dropped).
std::string PrometheusLabelName(std::string_view key);

// Returns an attribute value as label text (before escaping): strings as they are, booleans
// `true`/`false`, integers in decimal, doubles in shortest round-trip form, arrays as JSON.
std::string AttributeValueText(const AttributeValue& value);

// Formats a sample value: `NaN`, `+Inf`, `-Inf`; integral values below 2^53 without exponent or
// decimal point; others in shortest round-trip form (e.g. `0.005`, `1.5e-07`).
void AppendPrometheusDouble(double value, std::string* out);

// Formats a bucket bound for an `le` label. Text 0.0.4 uses AppendPrometheusDouble; OpenMetrics
// requires a float, so integral values gain ".0" (`1.0`), as client_golang writes them.
void AppendLeValue(double value, bool open_metrics, std::string* out);

// Appends `text` escaped for a label value (`\` `"` and newline backslashed). Invalid UTF-8 is
// replaced by U+FFFD so one bad attribute cannot make the whole scrape unparsable.
void AppendEscapedLabelValue(std::string_view text, std::string* out);

// Appends `text` escaped for a HELP line: `\` and newline always; `"` too in OpenMetrics.
// Invalid UTF-8 becomes U+FFFD.
void AppendEscapedHelp(std::string_view text, bool open_metrics, std::string* out);

}  // namespace klio::telemetry::exporter
