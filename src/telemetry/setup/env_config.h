// Telemetry configuration from the standard OTEL_* environment variables: whether telemetry is
// on at all, which exporters each signal uses, and the settings of each (OTLP options, the
// Prometheus endpoint, the metric reader intervals, propagators).
//
// The rules (otel-reference §1.1, §1.2, §1.8, §1.9 and SPEC.md §3):
//  * no variable whose name starts with OTEL_ has a non-empty value → telemetry is disabled
//    (no-op providers, no threads, no sockets);
//  * OTEL_SDK_DISABLED=true (case-insensitive) → disabled;
//  * otherwise each signal reads OTEL_<SIGNAL>_EXPORTER, a comma list (unset or empty: otlp):
//    traces and logs accept otlp, console, none; metrics also prometheus. Values are
//    case-insensitive and de-duplicated; `none` anywhere means none. An unknown value is one
//    error naming the variable, the value and the accepted values, and that signal falls back
//    to none; the other signals and the process carry on;
//  * the OTLP settings of a signal come from export/otlp_options.h; an invalid one (bad
//    protocol, timeout, ...) is an error and drops the OTLP exporter of that signal only.
//
// Nothing is read directly from the process: every variable goes through an Environment, so
// the whole matrix is table-tested.
//
// Thread-safety: plain values and pure functions; the Environment is called on the calling
// thread only.
// Design: docs/observability.md (user view); otel-reference §1.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/export/otlp_options.h"
#include "telemetry/export/prometheus.h"
#include "telemetry/propagation.h"

namespace klio::telemetry::setup {

// Returns the value of an environment variable, or nullopt when it is unset.
using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;

// The environment as the configuration sees it: a getter plus the list of every variable name
// (for the "is any OTEL_* variable set" rule).
struct Environment {
  EnvGetter get;
  std::function<std::vector<std::string>()> names;
};

// The process environment (getenv / environ).
Environment ProcessEnvironment();
// A fixed environment, for tests and for callers that build one.
Environment MapEnvironment(std::map<std::string, std::string, std::less<>> vars);

// True when some variable whose name starts with "OTEL_" has a non-empty value.
bool AnyOtelVariableSet(const Environment& env);

// A problem or a decision found while reading the configuration, to be logged by the caller
// (setup.cc logs each one once, at its severity). Messages name the variable and never hold a
// secret (header values are never echoed).
struct Diagnostic {
  enum class Severity : std::uint8_t { kInfo, kWarn, kError };
  Severity severity = Severity::kWarn;
  std::string message;
};
using Diagnostics = std::vector<Diagnostic>;

// The exporters a signal may use.
enum class ExporterKind : std::uint8_t { kOtlp, kConsole, kPrometheus };
std::string_view ExporterKindName(ExporterKind kind);  // "otlp", "console", "prometheus"

// Parses an OTEL_<SIGNAL>_EXPORTER value for `signal`. Unset or empty → {otlp}; `none`
// anywhere → {}; otherwise the listed kinds in order, de-duplicated. An unknown item (or
// prometheus for traces/logs) appends one error naming `variable` and the accepted values and
// returns {} (the signal is off).
std::vector<ExporterKind> ParseExporterList(std::optional<std::string_view> value,
                                            exporter::Signal signal, std::string_view variable,
                                            Diagnostics* diagnostics);

// Boolean per otel-reference §1.1: only "true" (any case) is true; unset/empty is
// `default_value`; "false" is false; anything else is false plus a warning.
bool EnvBool(const EnvGetter& env, std::string_view name, bool default_value,
             Diagnostics* diagnostics);

// The settings of one signal.
struct SignalConfig {
  std::vector<ExporterKind> exporters;  // empty: the signal is off (no-op provider)
  // Set when exporters holds kOtlp and the OTLP variables were valid.
  std::optional<exporter::OtlpOptions> otlp;

  bool Has(ExporterKind kind) const;
};

struct TelemetryConfig {
  // False: install nothing (no-op providers). See disabled_reason.
  bool enabled = false;
  std::string disabled_reason;  // "no OTEL_* variable is set", "OTEL_SDK_DISABLED=true"

  SignalConfig traces;
  SignalConfig metrics;
  SignalConfig logs;

  // Used when metrics.exporters holds kPrometheus (OTEL_EXPORTER_PROMETHEUS_HOST / _PORT).
  exporter::PrometheusServerOptions prometheus;
  // OTEL_METRIC_EXPORT_INTERVAL; unset → 60 s for the OTLP reader, 10 s for the console one
  // (otel-reference §1.6 decision).
  std::optional<std::chrono::milliseconds> metric_export_interval;
  // OTEL_METRIC_EXPORT_TIMEOUT (default 30 s; 0 = no limit).
  std::chrono::milliseconds metric_export_timeout{30000};

  // OTEL_PROPAGATORS (applies even when telemetry is disabled).
  Propagators propagators;

  Diagnostics diagnostics;

  // The interval of a periodic reader pushing to `kind` (otlp or console).
  std::chrono::milliseconds MetricInterval(ExporterKind kind) const;
};

// Reads the whole configuration. Never fails: problems become diagnostics and the affected
// part falls back as described at the top of this file. No side effects.
TelemetryConfig ReadTelemetryConfig(const Environment& env);

}  // namespace klio::telemetry::setup
